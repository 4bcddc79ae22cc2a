"""Reads for the accounts and audit pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from tasks.models import Role, Unit

from .models import AuditEvent, UserSession


@dataclass(frozen=True)
class AuditFilter:
    username: str = ""
    action: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_search(*, filters: AuditFilter) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.order_by("-id")
    if filters.username:
        events = events.filter(username__icontains=filters.username)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.date_from:
        events = events.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to:
        events = events.filter(at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    return events


def accounts_list() -> QuerySet:
    """Every account with its role groups and units (three queries in all)."""
    role_names = list(Role.values)
    from django.contrib.auth.models import Group

    return (
        get_user_model()
        .objects.order_by("username")
        .select_related("profile")
        .prefetch_related(
            Prefetch("groups", queryset=Group.objects.filter(name__in=role_names), to_attr="role_groups"),
            Prefetch("profile__units", queryset=Unit.objects.order_by("name")),
        )
    )


def sessions_of(*, user: User) -> QuerySet[UserSession]:
    return UserSession.objects.filter(user=user, session_key__in=_live_session_keys(user)).order_by("-last_seen")


def _live_session_keys(user: User) -> QuerySet[Session, str]:
    keys = UserSession.objects.filter(user=user).values_list("session_key", flat=True)
    return Session.objects.filter(session_key__in=keys, expire_date__gt=timezone.now()).values_list(
        "session_key", flat=True
    )
