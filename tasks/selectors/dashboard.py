"""Reads for the home page: every plan's counts, and one district's plans in full."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber

from minhang_plans.compiled import compiled_rows

from ..choices import Light, ProgressStatus
from ..models import Plan, Task, TaskUnit
from ..status.clock import Clock, clock_or_now
from ..status.rule import silent_link
from ..status.summary import Summary, summaries
from .plan_summaries import plan_summaries
from .row_types import ChartRow, SilentUnit
from .rows import row_urls, url


@dataclass(frozen=True)
class RedTask:
    id: int
    number: str
    title: str
    behind: bool  # red because a report says 滞后 (else overdue)
    due_date: datetime.date | None
    url: str


@dataclass
class PlanOverview:
    plan: Plan
    summary: Summary
    categories: list[ChartRow] = field(default_factory=list)
    red_tasks: list[RedTask] = field(default_factory=list)
    silent_units: list[SilentUnit] = field(default_factory=list)
    silent_unit_count: int = 0
    city_level_count: int = 0  # active city-level ("*") tasks


@dataclass
class Dashboard:
    """The home page: full cards for one district's plans, one summary row for every plan."""

    districts: list[tuple[str, int]]  # (district, plans), the deployment's own district first
    district: str | None
    cards: list[PlanOverview]
    rows: list[PlanOverview]  # every plan, newest first, summary only


def dashboard_overview(
    *,
    clock: Clock | None = None,
    district: str | None = None,
    data_number: int | None = None,
    red_limit: int = 10,
    silent_limit: int = 12,
) -> Dashboard:
    """Counts by light for every plan (one GROUP BY over the stored status, kept per plan: see
    plan_summaries); for the plans of one district also per category, the red list and the units
    silent this period (5 queries, 6 when some plans' kept counts are read). `data_number`: the shared
    data number the page's key was read with.

    The district shown in full is the one asked for, else the deployment's own
    (settings.DISTRICT_NAME), else the newest plan's: a page of every plan's cards would grow
    with the city (96 plans made a 1 MB page), the summary table stays one row per plan.
    """
    clock = clock_or_now(clock)
    # A plan closed at year end (yearend app) leaves the dashboard; its page keeps its final figures.
    # The plans alone: their counts come from plan_summaries below (counting every plan's tasks
    # again in the plan query cost 18 ms at city scale).
    plans = compiled_rows(
        key="dashboard.plans", build=lambda: Plan.objects.filter(closure__isnull=True).order_by("-year_end", "kind")
    )
    overviews = {p.pk: PlanOverview(plan=p, summary=Summary()) for p in plans}
    if not plans:
        return Dashboard(districts=[], district=None, cards=[], rows=[])
    counts: dict[str, int] = defaultdict(int)
    for plan in plans:
        counts[plan.district] += 1
    own = settings.DISTRICT_NAME
    districts = sorted(counts.items(), key=lambda item: (item[0] != own, item[0]))
    if district not in counts:
        district = own if own in counts else plans[0].district
    shown = [p.pk for p in plans if p.district == district]

    # Kept per plan under each plan's version: a report recounts its own plan only.
    every_plan = plan_summaries(clock=clock, number=data_number)
    for (plan_id, city_level), summary in every_plan.items():
        overview = overviews[plan_id]
        overview.summary += summary
        if city_level:
            overview.city_level_count = summary.total

    def in_district(plans: list[int]) -> QuerySet[Any]:
        return Task.objects.active().filter(plan_id__in=plans).with_status(clock)

    by_category = summaries(
        in_district,
        keys=("plan_id", "category__order", "category_id", "category__name"),
        key=("dashboard.district", clock),
        ids={"plans": shown},
    )
    for (plan_id, _, category_id, name), summary in sorted(by_category.items(), key=lambda item: item[0][:2]):
        overviews[plan_id].categories.append(
            ChartRow(label=name, url=url("tasks:category", plan_id, category_id), summary=summary)
        )

    # The first few red tasks of every shown plan, in document order: one query.
    red = compiled_rows(
        key=("dashboard.red", clock, red_limit),
        ids={"plans": shown},
        build=lambda plans: (
            in_district(plans)
            .filter(light=Light.RED)
            .annotate(
                task_status=F("task_status"),
                rn=Window(RowNumber(), partition_by=[F("plan_id")], order_by=[F("position").asc()]),
            )
            .filter(rn__lte=red_limit)
            .order_by("plan_id", "position")
            .values_list("plan_id", "pk", "number", "title", "task_status", "due_date")
        ),
    )
    task_url = row_urls().task
    for plan_id, pk, number, title, status, due_date in red:
        overviews[plan_id].red_tasks.append(
            RedTask(
                id=pk,
                number=number,
                title=title,
                behind=status == ProgressStatus.BEHIND,
                due_date=due_date,
                url=task_url.format(pk),
            )
        )

    for unit in units_silent_list(clock=clock, plan_ids=shown):
        ov = overviews[unit.plan_id]
        ov.silent_unit_count += 1
        if len(ov.silent_units) < silent_limit:
            ov.silent_units.append(unit)
    return Dashboard(
        districts=districts,
        district=district,
        cards=[overviews[pk] for pk in shown],
        rows=[overviews[p.pk] for p in plans],
    )


def units_silent_queryset(*, clock: Clock, plan_ids: list[int] | None = None) -> QuerySet[Any]:
    qs = TaskUnit.objects.lead().on_active()
    if plan_ids is not None:
        qs = qs.filter(task__plan_id__in=plan_ids)
    return (
        qs.with_status(clock)
        .values("task__plan_id", "unit_id", "unit__name")
        .annotate(missing=Count("pk", filter=silent_link()))
        .filter(missing__gt=0)
        .order_by("task__plan_id", "-missing", "unit__name")
    )


def units_silent_list(*, clock: Clock | None = None, plan_ids: list[int] | None = None) -> list[SilentUnit]:
    """Lead units with open tasks they have not reported this period, per plan (one query).

    "Reported" is submitted or approved (the unit did its part), read from the link's stored
    reported_period: the same rule (status.rule.silent_link) as the "本期未报送" figures, the
    unit index's silent sort and the search filter `reported=no`, so all of them agree."""
    clock = clock_or_now(clock)
    rows = compiled_rows(
        key=("units_silent", clock),
        build=lambda plans=None: units_silent_queryset(clock=clock, plan_ids=plans),
        ids={} if plan_ids is None else {"plans": plan_ids},
    )
    unit_url = row_urls().unit
    return [
        SilentUnit(
            plan_id=r["task__plan_id"],
            unit_id=r["unit_id"],
            name=r["unit__name"],
            missing=r["missing"],
            url=unit_url.format(r["unit_id"]),
        )
        for r in rows
    ]
