"""Reading a person's messages: only ever their own."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Message


def message_list(*, user: Any, unread_only: bool = False) -> QuerySet[Message]:
    qs = Message.objects.filter(recipient=user).select_related("task")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-pk")


def message_unread_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()
