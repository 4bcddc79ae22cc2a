"""The framework's authentication events, recorded in the audit log (login, failed login,
logout, lockout). Connected in AccountsConfig.ready."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from .audit import Action, audit_record
from .models import Outcome, UserSession


def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from .sessions import session_start

    if request is None:
        return
    session_start(request=request, user=user)
    audit_record(action=Action.LOGIN, user=user, request=request, object_repr=user.get_username())


def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is None:
        return
    key = request.session.session_key
    if key:
        UserSession.objects.filter(session_key=key).delete()
    if user is None:
        return
    action = getattr(request, "_security_logout_action", Action.LOGOUT)
    audit_record(action=action, user=user, request=request, object_repr=user.get_username())


def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        action=Action.LOGIN_FAILED,
        username=username,
        request=request,
        object_repr=username,
        outcome=Outcome.FAILURE,
    )


def _locked_out(
    sender: Any, request: Any, username: str | None = None, ip_address: str | None = None, **kwargs: Any
) -> None:
    audit_record(
        action=Action.LOCKOUT,
        username=(username or "")[:150],
        request=request,
        object_repr=username or ip_address or "",
        outcome=Outcome.DENIED,
        detail={"ip_address": ip_address or ""},
    )


def connect() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(_logged_in, dispatch_uid="accounts.logged_in")
    user_logged_out.connect(_logged_out, dispatch_uid="accounts.logged_out")
    user_login_failed.connect(_login_failed, dispatch_uid="accounts.login_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="accounts.locked_out")
