"""The header badge: the user's unread message count, counted only if a template shows it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import message_unread_count


def unread_messages(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: one COUNT query, and only on pages that render the badge.
    return {"unread_messages": SimpleLazyObject(lambda: message_unread_count(user=user))}
