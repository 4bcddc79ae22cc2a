"""After sign-in: each user to their page, the second sign-in step, an expired session."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from tasks.models import Role
from tasks.permissions import require_user, user_role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """After login: each administrator to their own page, everyone else to the task pages."""
    role = user_role(request.user)
    if role == Role.SECURITY:
        return redirect("security:accounts")
    if role == Role.AUDITOR:
        return redirect("security:audit")
    if role is None:
        # A new single sign-on account: roles and units are never granted automatically.
        return render(request, "accounts/waiting.html")
    return redirect("tasks:landing")


def session_expired(request: HttpRequest) -> HttpResponse:
    from django.conf import settings

    return render(
        request,
        "accounts/session_expired.html",
        {
            "next": request.GET.get("next", ""),
            "idle_minutes": settings.SESSION_IDLE_MINUTES,
            "absolute_hours": settings.SESSION_ABSOLUTE_HOURS,
        },
    )


@never_cache
@login_required
def otp_page(request: HttpRequest) -> HttpResponse:
    """The second sign-in step: enrol an authenticator (first time) or enter its code."""
    from .. import two_factor

    if not request.session.get(two_factor.OTP_PENDING):
        return redirect("security:home")
    error = ""
    if request.method == "POST":
        waited = two_factor.totp_wait_seconds(request.user)
        if two_factor.totp_check(request=request, token=request.POST.get("token", "")):
            return redirect("security:home")
        error = two_factor.totp_refusal(waited=waited, wait_now=two_factor.totp_wait_seconds(request.user))
    device = two_factor.confirmed_device(request.user)
    context: dict[str, Any] = {"error": error, "enrolling": device is None}
    if device is None:
        pending = two_factor.pending_device(require_user(request.user, request.user.is_authenticated))
        context.update(secret=two_factor.device_secret(pending), config_url=pending.config_url)
    return render(request, "accounts/otp.html", context)
