"""Idle and absolute session limits, and the forced password change (等保 2.0 身份鉴别).
After AuthenticationMiddleware; reads only the session (no query on an ordinary request)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .audit import Action
from .sessions import PASSWORD_CHANGE, session_expired, session_touch
from .two_factor import OTP_PENDING

Handler = Callable[[HttpRequest], HttpResponse]


def _always_exempt() -> tuple[str, ...]:
    """Reachable while a second factor or a password change is still due."""
    return (reverse("logout"), reverse("security:session_expired"), "/" + settings.STATIC_URL.lstrip("/"))


def _otp_exempt() -> tuple[str, ...]:
    return (reverse("security:otp"), *_always_exempt())


def _password_change_exempt() -> tuple[str, ...]:
    return (reverse("password_change"), reverse("password_change_done"), *_always_exempt())


class SessionSecurityMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if session_expired(request.session):
                # Read by the logout signal's receiver, which records why the session ended.
                request._security_logout_action = Action.SESSION_TIMEOUT  # type: ignore[attr-defined]
                logout(request)
                query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
                return redirect(reverse("security:session_expired") + (f"?{query}" if query else ""))
            session_touch(request)
            # First the second factor, then (once the identity is proven) a forced password change;
            # never both at once, or the two pages send the user to each other forever.
            if request.session.get(OTP_PENDING):
                if not request.path_info.startswith(_otp_exempt()):
                    return redirect("security:otp")
            elif request.session.get(PASSWORD_CHANGE) and not request.path_info.startswith(_password_change_exempt()):
                return redirect("password_change")
        return self.get_response(request)
