"""Navigation for the three administrators; the role is cached on the user (no query).
For visitors: which sign-in methods the login page offers (from settings, no query)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from tasks.permissions import can_manage_accounts, can_read, can_read_audit


def sign_in_methods() -> dict[str, bool]:
    """What the login page shows: the SSO buttons configured from the environment, and the
    user name/password form unless local passwords are off and no LDAP directory checks them."""
    return {
        "sso_oidc": bool(settings.OIDC_ENABLED),
        "sso_cas": bool(settings.CAS_ENABLED),
        "password_form": bool(settings.LOCAL_PASSWORD_LOGIN or getattr(settings, "LDAP_ENABLED", False)),
        "ldap": bool(getattr(settings, "LDAP_ENABLED", False)),
    }


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"home_url": reverse("tasks:dashboard"), "sign_in": sign_in_methods(), "demo_mode": settings.DEMO_MODE}
    read = can_read(user)
    return {
        "perms_read": read,
        "perms_accounts": can_manage_accounts(user),
        "perms_audit": can_read_audit(user),
        # The security and audit administrators cannot open the dashboard: their home is their own page.
        "home_url": reverse("tasks:dashboard") if read else reverse("security:home"),
        "demo_mode": settings.DEMO_MODE,
    }
