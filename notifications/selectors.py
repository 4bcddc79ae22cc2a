"""Reading a person's messages: only ever their own."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from .models import Message


def message_list(*, user: User | AnonymousUser, unread_only: bool = False) -> QuerySet[Message]:
    if not isinstance(user, User):  # nobody signed in has no inbox (the views require a login anyway)
        return Message.objects.none()
    qs = Message.objects.filter(recipient=user).select_related("task")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-pk")


def message_unread(*, user: User | AnonymousUser) -> QuerySet[Message]:
    """The user's unread messages (the header badge counts them with the to-do lists, in one query)."""
    if not isinstance(user, User):
        return Message.objects.none()
    return Message.objects.filter(recipient=user, read_at__isnull=True)
