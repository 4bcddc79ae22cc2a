"""我的待办's last visit (a leader's list of new reports starts from it)."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from ..models import TodoVisit


def todo_visit_mark(*, user: User) -> datetime.datetime | None:
    """Record this visit to 我的待办; returns the previous one (None on the first).

    Two single statements, each atomic on its own (no savepoint: the page's query budget); two
    tabs opening the page at once both read the same previous visit, which is what they show."""
    now = timezone.now()
    previous = TodoVisit.objects.filter(user=user).values_list("seen_at", flat=True).first()
    if previous is None:
        TodoVisit.objects.bulk_create([TodoVisit(user=user, seen_at=now)], ignore_conflicts=True)
    else:
        TodoVisit.objects.filter(user=user).update(seen_at=now)
    return previous
