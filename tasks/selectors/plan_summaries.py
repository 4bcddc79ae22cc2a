"""Every open plan's figures for the home page's table, each plan's kept under its own version.

The home page counts every active task by plan and light: at city scale one GROUP BY over all
19,064 tasks (28–36 ms), and any report anywhere moves the page's version, so the rush ran it
again after every write. A report changes one plan's figures. So each plan's figures are kept
in the page cache under that plan's version, as tasks.selectors.version defines one (the shared
number, the count of the plan's task status rows and the sum of their versions) with the day and
the light settings, and only the plans whose version moved are counted again.

The versions come from the status rows alone (TaskStatus.plan, kept by triggers: migration 0017):
through the tasks, that was a join of every task to its status row on every rebuild, 14–23 ms at
city scale. A task's withdrawal, its reports and its status all move its status version; a task
counts from its status row, as on the plan's own page.

The versions are read before the figures are counted, and the figures are kept under the versions
read: a write between the two leaves figures newer than their key, which the next request, reading
the moved version, never looks up again. So figures are never kept under a version newer than
what they show.
"""

from __future__ import annotations

import functools
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from ..models import Task, TaskStatus
from ..status.clock import Clock
from ..status.summary import Summary, summaries

KEYS = ("plan_id", "city_level")
Figures = dict[tuple[int, bool], Summary]  # (plan, city level) → counts
Version = tuple[int, int]  # (the plan's task status rows, the sum of their versions)


def plan_summaries(*, clock: Clock, number: int | None) -> Figures:
    """Counts by light of every open plan's active tasks, per (plan, city level): `number` is the
    shared data number (selectors.version) the page's key was read with; None or 0 (no triggers),
    or inside a transaction (writes not yet committed), counts everything without keeping it."""
    if not number or connection.in_atomic_block:
        return summaries(_active(clock), keys=KEYS, key=("dashboard", clock))
    # Plain characters only, as any cache backend takes them.
    context = (
        f"{number}:{clock.today.isoformat()}:{settings.LIGHT_DUE_SOON_DAYS}:{settings.LIGHT_BEHIND_SCHEDULE_POINTS}"
    )
    marker = f"plan-summaries:{context}"
    versions = plan_versions()  # before the figures: see the module's docstring
    if cache.get(marker) is None:
        figures = summaries(_active(clock), keys=KEYS, key=("dashboard", clock))
        _keep(figures, versions, context)
        cache.set(marker, True, 86400)
        return figures
    keys = {plan_id: _cache_key(context, plan_id, version) for plan_id, version in versions.items()}
    kept: dict[str, dict[bool, Summary]] = cache.get_many(list(keys.values()))
    out: Figures = {}
    missing = []
    for plan_id, key in keys.items():
        per_level = kept.get(key)
        if per_level is None:
            missing.append(plan_id)
            continue
        for city_level, summary in per_level.items():
            out[(plan_id, city_level)] = summary
    if missing:
        figures = summaries(
            lambda plans: _active(clock)().filter(plan_id__in=plans),
            keys=KEYS,
            key=("dashboard.plans", clock),
            ids={"plans": sorted(missing)},
        )
        _keep(figures, {plan_id: versions[plan_id] for plan_id in missing}, context)
        out.update(figures)
    return out


def plan_versions() -> dict[int, Version]:
    """Each open plan's version: (how many of its tasks have a status row, the sum of their status
    versions); one query over the status rows alone."""
    with connection.cursor() as cursor:
        cursor.execute(_versions_sql())
        rows = cursor.fetchall()
    return {plan_id: (n, v or 0) for plan_id, n, v in rows}


@functools.cache
def _versions_sql() -> str:
    # Grouped first, then the closed plans left out (98 groups at city scale). Written the other
    # way round, PostgreSQL probed the closures once per status row (19,064 at city scale: 9.8 ms
    # p50 in-process against 4.4; the column has no index to merge on). SQL, as selectors.version's
    # scope versions.
    closures = apps.get_model("yearend", "PlanClosure")._meta.db_table  # by name, as querysets.plan_open
    return (
        f"SELECT g.plan_id, g.n, g.v FROM (SELECT plan_id, COUNT(version) AS n, SUM(version) AS v "
        f"FROM {TaskStatus._meta.db_table} WHERE plan_id IS NOT NULL GROUP BY plan_id) g "
        f"WHERE NOT EXISTS (SELECT 1 FROM {closures} c WHERE c.plan_id = g.plan_id)"
    )


def _active(clock: Clock) -> Any:
    return lambda: Task.objects.active().with_status(clock)


def _cache_key(context: str, plan_id: int, version: Version) -> str:
    return f"plan-summary:{context}:{plan_id}:{version[0]}:{version[1]}"


def _keep(figures: Figures, versions: dict[int, Version], context: str) -> None:
    """Store each plan's figures under the version read before they were counted; a plan with no
    active task is kept as no figures, so it is not counted again on every request."""
    by_plan: dict[int, dict[bool, Summary]] = {plan_id: {} for plan_id in versions}
    for (plan_id, city_level), summary in figures.items():
        if plan_id in by_plan:
            by_plan[plan_id][city_level] = summary
    cache.set_many(
        {_cache_key(context, plan_id, version): by_plan[plan_id] for plan_id, version in versions.items()}, 86400
    )
