"""What the cached page fragments are keyed by, and values computed only when a fragment misses."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from ..selectors.version import Scope, scope_version
from ..status.clock import Clock

Crumbs = list[tuple[str, str | None]]


_READ = object()  # page_key's `version` not given: read it


def page_key(clock: Clock, scope: Scope, *parts: Any, version: Any = _READ) -> str:
    """What a cached page fragment ({% cache … page_key %}) depends on: the version of the tasks
    it shows (selectors.version: moved by database triggers on every committed write to them,
    so a change always means a new key, and a write elsewhere leaves the key as it was), today
    (lights and "this period" move with the date), the settings the lights use, and the
    request's own parameters. Nothing user-specific is inside the cached fragments.
    `version`: the scope's version when the view already read it with the page's object
    (selectors.version.version_of), saving the query."""
    if connection.in_atomic_block:
        # Inside a transaction the page may show writes not yet committed (or about to be rolled
        # back) under a version number others will only see later: never share such a fragment.
        return f"uncommitted:{uuid.uuid4().hex}"
    if version is _READ:
        version = scope_version(scope=scope)
    if version is None:
        # No triggers (a database without PL/pgSQL): nothing tells a stale fragment from a fresh one.
        return f"uncached:{uuid.uuid4().hex}"
    light_settings = (settings.LIGHT_DUE_SOON_DAYS, settings.LIGHT_BEHIND_SCHEDULE_POINTS, settings.DISTRICT_NAME)
    return repr((scope, version, clock.today.isoformat(), light_settings, parts))


def lazy(compute: Callable[[], Any]) -> Any:
    """Computed only if the template renders it, i.e. only when the cached fragment missed."""
    return SimpleLazyObject(compute)


def crumbs(*items: tuple[str, str | None]) -> Crumbs:
    return [("首页", reverse("tasks:dashboard")), *items]
