"""What the navigation shows; the role is cached on the user, so this adds no query after the view's check."""

from __future__ import annotations

from django.http import HttpRequest

from .permissions import can_import, can_review


def navigation(request: HttpRequest) -> dict[str, bool]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"perms_review": can_review(user), "perms_import": can_import(user)}
