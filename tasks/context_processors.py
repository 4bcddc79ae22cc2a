"""What the navigation shows; the role is cached on the user, so this adds no query after the view's check."""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils import timezone

from .permissions import can_import, can_review
from .status.clock import Clock

# The header's links (base.html reads them as nav.<name>): reversed once per script prefix, not
# with 16 {% url %} on every page.
NAV_URLS = {
    "todo": "supervision:todo",
    "dashboard": "tasks:dashboard",
    "units": "tasks:unit_index",
    "leaders": "tasks:leader_index",
    "search": "tasks:task_search",
    "assessment": "assessment:index",
    "review": "tasks:review_queue",
    "imports": "imports:history",
    "insights": "insights:index",
    "accounts": "security:accounts",
    "audit": "security:audit",
    "admin": "admin:index",
    "messages": "notifications:list",
    "password_change": "password_change",
    "sessions": "security:sessions",
    "logout": "logout",
}


@functools.lru_cache(maxsize=8)
def nav_urls(prefix: str) -> dict[str, str]:
    """The header's links under this script prefix."""
    return {key: reverse(name) for key, name in NAV_URLS.items()}


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "perms_review": can_review(user),
        "perms_import": can_import(user),
        "nav": nav_urls(get_script_prefix()),
        "print_stamp": print_stamp,
    }


def print_stamp() -> dict[str, Any]:
    """The print-only header's dates (base.html), computed only if a template reads them: the
    product's "today" (Clock: DEMO_TODAY in demo mode), which the page's data is as of, and the
    local time the page was made (settings.TIME_ZONE, Beijing time unless configured otherwise)."""
    return {
        "as_of": Clock.now().today,
        "made_at": timezone.localtime(),
        "zone": "北京时间" if settings.TIME_ZONE == "Asia/Shanghai" else settings.TIME_ZONE,
    }
