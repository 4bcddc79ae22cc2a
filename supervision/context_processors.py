"""The header's two badges: unread 站内消息 and 我的待办, counted only if a template shows them (lazy).

The 我的待办 count runs every list of the person's to-do page; on every page view that was the
largest part of the task page's CPU. So the badge's count is kept per person (one count for all the
office's accounts, whose lists are the district's) for TODO_BADGE_SECONDS in the page cache (per
worker): on other pages it can be up to that many seconds behind, while the
to-do page itself always shows, and stores, the exact sum of its lists. Unread messages are always
counted (one indexed COUNT)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tasks import permissions
from tasks.choices import Role
from tasks.status.clock import Clock

from .selectors import header_counts_fetch

_KNOWN = "_todo_count_known"
TODO_BADGE_SECONDS = 30


def _badge_key(user: User | AnonymousUser, clock: Clock) -> str:
    # Today is in the key: the lists move with the date. The office's lists (also an admin's) are
    # the district's, the same for every such account, and at city scale cost ~200 ms of SQL: one
    # count for them all. A liaison's and a leader's are their own.
    role = permissions.user_role(user)
    who = user.pk if role in (Role.LIAISON, Role.LEADER) else "office"
    return f"todo-badge:{who}:{clock.today.isoformat()}"


def todo_count_known(request: HttpRequest, *, count: int) -> None:
    """The 我的待办 page has just counted its lists: the badge shows that sum and counts nothing."""
    # A per-request memo (HttpRequest declares no such field).
    setattr(request, _KNOWN, count)


class _HeaderCounts:
    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    @cached_property
    def counts(self) -> tuple[int, int | None]:
        """(unread messages, 我的待办 or None when the person has no 我的待办)."""
        user = self.request.user
        clock = Clock.now()
        key = _badge_key(user, clock)
        known: int | None = getattr(self.request, _KNOWN, None)
        if known is None:
            known = cache.get(key)
        else:
            cache.set(key, known, TODO_BADGE_SECONDS)
        unread, todo = header_counts_fetch(user=user, clock=clock, todo=known is None)
        if known is not None:
            return unread, known
        if todo is not None:
            cache.set(key, todo, TODO_BADGE_SECONDS)
        return unread, todo


def header_counts(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    header = _HeaderCounts(request)
    return {
        "unread_messages": SimpleLazyObject(lambda: header.counts[0]),
        "todo_count": SimpleLazyObject(lambda: header.counts[1]),
    }
