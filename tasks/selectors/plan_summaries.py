"""Every open plan's figures for the home page's table, each plan's kept under its own version.

The home page counts every active task by plan and light: at city scale one GROUP BY over all
19,064 tasks (28–36 ms), and any report anywhere moves the page's version, so the rush ran it
again after every write. A report changes one plan's figures. So each plan's figures are kept
in the page cache under that plan's version, as tasks.selectors.version defines one (the shared
number, the plan's active tasks and the sum of their status versions) with the day and the light
settings, and only the plans whose version moved are counted again.

The first count since the shared number or the day moved is the one GROUP BY over every plan, as
before, and it stores every plan's figures: it reads their versions in the same statement
(summaries_versioned), so figures are never kept under a version older than what they show.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Sum

from minhang_plans.compiled import compiled_rows

from ..models import Task
from ..status.clock import Clock
from ..status.summary import Summary, summaries, summaries_versioned

KEYS = ("plan_id", "city_level")
Figures = dict[tuple[int, bool], Summary]  # (plan, city level) → counts
Version = tuple[int, int]  # (active tasks, sum of their status versions)


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
    if cache.get(marker) is None:
        figures, sums = summaries_versioned(_active(clock), keys=KEYS, key=("dashboard", clock))
        _keep(figures, sums, context)
        cache.set(marker, True, 86400)
        return figures
    versions = plan_versions()
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
        figures, sums = summaries_versioned(
            lambda plans: _active(clock)().filter(plan_id__in=plans),
            keys=KEYS,
            key=("dashboard.plans", clock),
            ids={"plans": sorted(missing)},
        )
        _keep(figures, sums, context)
        out.update(figures)
    return out


def plan_versions() -> dict[int, Version]:
    """Each open plan's version: (its active tasks, the sum of their status versions); one query."""
    rows = compiled_rows(
        key="plan_versions",
        build=lambda: (
            Task.objects.active()
            .order_by()
            .values("plan_id")
            .annotate(n=Count("pk"), v=Sum("current__version"))
            .values_list("plan_id", "n", "v")
        ),
    )
    return {plan_id: (n, v or 0) for plan_id, n, v in rows}


def _active(clock: Clock) -> Any:
    return lambda: Task.objects.active().with_status(clock)


def _cache_key(context: str, plan_id: int, version: Version) -> str:
    return f"plan-summary:{context}:{plan_id}:{version[0]}:{version[1]}"


def _keep(figures: Figures, sums: dict[tuple[int, bool], int], context: str) -> None:
    """Store each plan's figures under the version read with them."""
    by_plan: dict[int, dict[bool, Summary]] = {}
    versions: dict[int, list[int]] = {}
    for (plan_id, city_level), summary in figures.items():
        by_plan.setdefault(plan_id, {})[city_level] = summary
        tally = versions.setdefault(plan_id, [0, 0])
        tally[0] += summary.total
        tally[1] += sums.get((plan_id, city_level), 0)
    cache.set_many(
        {_cache_key(context, plan_id, (n, v)): by_plan[plan_id] for plan_id, (n, v) in versions.items()}, 86400
    )
