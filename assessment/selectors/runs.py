"""Score runs: the list, the previous period's run, the closed periods to compute, a unit's runs,
and a recomputation compared with the run it replaced."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count

from tasks.models import Plan, Unit
from tasks.periods import period_closed_latest, period_label, period_start, previous_period
from tasks.periods import periods_closed as plan_periods_closed

from ..models import RunState, Scope, ScoreRun, ScoreSheet


def run_label(*, plan: Plan, scope: str, start: dt.date) -> str:
    if scope == Scope.YEAR:
        return f"{start.year}年度"
    return period_label(reporting_period=plan.reporting_period, start=start)


@dataclass(frozen=True)
class RunRow:
    pk: int
    plan_id: int
    plan_title: str
    label: str
    scope: str
    state: str
    state_label: str
    computed_at: dt.datetime
    published: bool
    rule_label: str
    units: int


def run_rows(*, plan: Plan | None = None, published_only: bool = False, limit: int = 60) -> list[RunRow]:
    """Live runs (draft or frozen), newest period first."""
    runs = (
        ScoreRun.objects.exclude(state=RunState.SUPERSEDED)
        .select_related("plan", "rule_version__rule_set")
        .annotate(units=Count("sheets"))
        .order_by("-period", "plan_id", "scope")
    )
    if plan is not None:
        runs = runs.filter(plan=plan)
    if published_only:
        runs = runs.filter(published_at__isnull=False)
    return [
        RunRow(
            pk=run.pk,
            plan_id=run.plan_id,
            plan_title=run.plan.title,
            label=run_label(plan=run.plan, scope=run.scope, start=run.period),
            scope=run.scope,
            state=run.state,
            state_label=run.get_state_display(),
            computed_at=run.computed_at,
            published=run.published_at is not None,
            rule_label=f"{run.rule_version.rule_set.name}第{run.rule_version.number}版",
            units=run.units,
        )
        for run in runs[:limit]
    ]


def run_previous(*, run: ScoreRun) -> ScoreRun | None:
    """The live run of the period before (the year before, for a year run) that this run is
    compared with (较上期). A frozen run compares only with a frozen one: a published ranking
    must not move when the office recomputes or adjusts a draft of the period before."""
    if run.scope == Scope.YEAR:
        start = dt.date(run.period.year - 1, 1, 1)
    else:
        start = previous_period(reporting_period=run.plan.reporting_period, start=run.period)
    before = ScoreRun.objects.filter(plan_id=run.plan_id, scope=run.scope, period=start)
    if run.state == RunState.FROZEN:
        return before.filter(state=RunState.FROZEN).first()
    return before.exclude(state=RunState.SUPERSEDED).first()


def periods_closed(*, plan: Plan, today: dt.date, count: int = 12) -> list[tuple[dt.date, str]]:
    """The plan's last `count` closed periods with their labels, newest first (the compute form)."""
    return [
        (start, period_label(reporting_period=plan.reporting_period, start=start))
        for start in reversed(plan_periods_closed(plan=plan, today=today, count=count))
    ]


YEAR_NOT_OVER = "{year}年度尚未结束：{plan}{year}年最后一个报送期结束后，才能计算年度考评。"


def year_over(*, plan: Plan, year: int, today: dt.date) -> bool:
    """A year's 考评 covers the whole year: its last reporting period has closed (the worker
    computes the year's run on that day, scores_close_due)."""
    last = period_start(reporting_period=plan.reporting_period, day=dt.date(year, 12, 1))
    latest = period_closed_latest(plan=plan, today=today)
    return latest is not None and latest >= last


@dataclass(frozen=True)
class UnitRun:
    """A unit's sheet in one run, for the unit's list of its scores."""

    run_id: int
    plan_title: str
    label: str
    total: Decimal
    rank: int
    state_label: str


def unit_runs(*, unit: Unit) -> list[UnitRun]:
    sheets = (
        ScoreSheet.objects.filter(unit=unit)
        .exclude(run__state=RunState.SUPERSEDED)
        .select_related("run__plan")
        .order_by("-run__period", "run__plan_id")[:48]
    )
    return [
        UnitRun(
            run_id=s.run_id,
            plan_title=s.run.plan.title,
            label=run_label(plan=s.run.plan, scope=s.run.scope, start=s.run.period),
            total=s.total,
            rank=s.rank,
            state_label=s.run.get_state_display(),
        )
        for s in sheets
    ]


@dataclass(frozen=True)
class CompareRow:
    unit_name: str
    before: Decimal | None
    after: Decimal | None

    @property
    def change(self) -> Decimal | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


def run_compare(*, run: ScoreRun) -> tuple[ScoreRun | None, list[CompareRow]]:
    """The run against the computation it replaced: units whose total changed (2 queries)."""
    replaced = (
        ScoreRun.objects.filter(
            plan_id=run.plan_id, scope=run.scope, period=run.period, state=RunState.SUPERSEDED, pk__lt=run.pk
        )
        .order_by("-pk")
        .first()
    )
    if replaced is None:
        return None, []
    rows: dict[int, list[Decimal | None]] = defaultdict(lambda: [None, None])
    names: dict[int, str] = {}
    for sheet_run, unit_id, name, total in ScoreSheet.objects.filter(run_id__in=[replaced.pk, run.pk]).values_list(
        "run_id", "unit_id", "unit__name", "total"
    ):
        rows[unit_id][0 if sheet_run == replaced.pk else 1] = total
        names[unit_id] = name
    changed = [CompareRow(unit_name=names[u], before=b, after=a) for u, (b, a) in rows.items() if b != a]
    changed.sort(key=lambda row: row.unit_name)
    return replaced, changed
