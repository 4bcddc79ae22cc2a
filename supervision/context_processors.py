"""The header's two badges: unread 站内消息 and 我的待办, both counted in ONE query, and only if a
template shows them (lazy)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from notifications.selectors import message_unread
from tasks.status.clock import Clock

from .selectors import counts_fetch, todo_querysets

_KNOWN = "_todo_count_known"


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
        known: int | None = getattr(self.request, _KNOWN, None)
        lists = [] if known is not None else todo_querysets(user=user, clock=Clock.now())
        unread, *todo = counts_fetch(querysets=[message_unread(user=user), *lists])
        if known is not None:
            return unread, known
        return unread, (sum(todo) if lists else None)


def header_counts(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    header = _HeaderCounts(request)
    return {
        "unread_messages": SimpleLazyObject(lambda: header.counts[0]),
        "todo_count": SimpleLazyObject(lambda: header.counts[1]),
    }
