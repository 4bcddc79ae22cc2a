"""Session limits (idle and absolute) and the forced password change, read from the session:
the checks cost no query on an ordinary request."""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.utils import timezone

from .models import PasswordState, UserSession

AUTH_AT = "_security_auth_at"
SEEN_AT = "_security_seen_at"
PASSWORD_CHANGE = "_security_password_change"
# Last activity is written back at most this often (a session write per request would be costly).
SEEN_RESOLUTION_SECONDS = 60


def password_change_reason(user: User) -> str | None:
    """Why this user must change their password now: "issued" (set by the security admin),
    "expired" (older than PASSWORD_MAX_AGE_DAYS), or None."""
    if settings.DEMO_MODE:
        from .demo import DEMO_USERNAMES

        # The quick start's demo accounts keep their printed passwords (documented).
        if user.get_username() in DEMO_USERNAMES:
            return None
    if not user.has_usable_password():
        # A single sign-on or LDAP account: its password lives with the identity provider.
        return None
    state = PasswordState.objects.filter(user=user).first()
    if state is not None and state.must_change:
        return "issued"
    changed = state.changed_at if state is not None else user.date_joined
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    if max_age and changed < timezone.now() - dt.timedelta(days=max_age):
        return "expired"
    return None


def session_start(*, request: HttpRequest, user: User) -> None:
    """At login: note the times, whether a password change is due, and list the session."""
    now = time.time()
    session: SessionBase = request.session
    session[AUTH_AT] = now
    session[SEEN_AT] = now
    reason = password_change_reason(user)
    if reason:
        session[PASSWORD_CHANGE] = reason
    else:
        session.pop(PASSWORD_CHANGE, None)
    from .two_factor import OTP_PENDING, two_factor_required

    if two_factor_required(user):
        session[OTP_PENDING] = True
    else:
        session.pop(OTP_PENDING, None)
    if session.session_key is None:
        session.save()
    from .audit import _client_ip

    stamp = timezone.now()
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "ip_address": _client_ip(request)[:64],
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "started": stamp,
            "last_seen": stamp,
        },
    )


def session_expired(session: SessionBase, *, now: float | None = None) -> bool:
    now = time.time() if now is None else now
    auth_at = session.get(AUTH_AT)
    seen_at = session.get(SEEN_AT)
    if auth_at is None or seen_at is None:
        # A session from before these limits: counted from now.
        session[AUTH_AT] = session[SEEN_AT] = now
        return False
    if now - seen_at > settings.SESSION_IDLE_MINUTES * 60:
        return True
    return now - auth_at > settings.SESSION_ABSOLUTE_HOURS * 3600


def session_touch(request: HttpRequest, *, now: float | None = None) -> None:
    now = time.time() if now is None else now
    if now - request.session.get(SEEN_AT, 0) >= SEEN_RESOLUTION_SECONDS:
        request.session[SEEN_AT] = now
        if request.session.session_key:
            UserSession.objects.filter(session_key=request.session.session_key).update(last_seen=timezone.now())
