"""Navigation for the three administrators; the role is cached on the user (no query)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from tasks.permissions import can_manage_accounts, can_read, can_read_audit


def navigation(request: HttpRequest) -> dict[str, bool]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"home_url": reverse("tasks:dashboard")}
    read = can_read(user)
    return {
        "perms_read": read,
        "perms_accounts": can_manage_accounts(user),
        "perms_audit": can_read_audit(user),
        # The security and audit administrators cannot open the dashboard: their home is their own page.
        "home_url": reverse("tasks:dashboard") if read else reverse("security:home"),
    }
