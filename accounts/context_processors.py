"""Navigation for the three administrators; the role is cached on the user (no query)."""

from __future__ import annotations

from django.http import HttpRequest

from tasks.permissions import can_manage_accounts, can_read, can_read_audit


def navigation(request: HttpRequest) -> dict[str, bool]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "perms_read": can_read(user),
        "perms_accounts": can_manage_accounts(user),
        "perms_audit": can_read_audit(user),
    }
