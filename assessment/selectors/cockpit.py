"""The leader's side of 考评: their units' latest published scores (the 考评 page) and the
cockpit's trend of those scores over the last 12 months (the leader page, one query)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AnonymousUser, User

from minhang_plans.compiled import compiled_rows
from tasks import permissions
from tasks.choices import ReportingPeriod
from tasks.periods import period_label
from tasks.selectors.rows import url_pattern_of
from tasks.status.clock import Clock

from ..models import RunState, Scope, ScoreSheet
from .access import leader_sheet_filter
from .runs import run_label


@dataclass(frozen=True)
class UnitScore:
    unit_id: int
    unit_name: str
    plan_title: str
    run_id: int
    label: str
    total: Decimal
    rank: int


def leader_unit_scores(*, user: User | AnonymousUser, limit: int = 12) -> list[UnitScore]:
    """The latest published score of each of a leader's own units in each plan where it is on the
    leader's tasks (the 考评 page): only sheets the leader may open (leader_sheet_filter), 2 queries."""
    leader_id = permissions.user_leader_id(user)
    if leader_id is None:
        return []
    sheets = (
        ScoreSheet.objects.filter(
            leader_sheet_filter(leader_id=leader_id), run__published_at__isnull=False, run__scope=Scope.PERIOD
        )
        .exclude(run__state=RunState.SUPERSEDED)
        .select_related("unit", "run__plan")
        .order_by("-run__period", "unit__name")
    )
    seen: set[tuple[int, int]] = set()
    rows = []
    for sheet in sheets[: limit * 8]:
        if (sheet.unit_id, sheet.run.plan_id) in seen:
            continue
        seen.add((sheet.unit_id, sheet.run.plan_id))
        rows.append(
            UnitScore(
                unit_id=sheet.unit_id,
                unit_name=sheet.unit.name,
                plan_title=sheet.run.plan.title,
                run_id=sheet.run_id,
                label=run_label(plan=sheet.run.plan, scope=sheet.run.scope, start=sheet.run.period),
                total=sheet.total,
                rank=sheet.rank,
            )
        )
    return sorted(rows[:limit], key=lambda r: (r.plan_title, r.unit_name))


@dataclass(frozen=True)
class ScorePoint:
    period: dt.date
    label: str
    short: str
    average: Decimal | None  # the mean total of the leader's units' published sheets; None: none
    sheets: int


@dataclass(frozen=True)
class UnitLatest:
    unit_id: int
    unit_name: str
    plan_title: str
    label: str
    total: Decimal
    rank: int
    run_id: int
    url: str  # the unit's score sheet in that run


@dataclass(frozen=True)
class LeaderScores:
    points: list[ScorePoint]
    latest: list[UnitLatest]  # each unit's latest published sheet per plan, lowest first

    @property
    def has_data(self) -> bool:
        return bool(self.latest)

    @property
    def span(self) -> str:
        return f"{self.points[0].label}—{self.points[-1].label}" if self.points else ""


def mean_rounded(totals: list[Decimal]) -> Decimal | None:
    """The mean to one decimal, rounded half up (四舍五入: 100.25 → 100.3), None for none."""
    if not totals:
        return None
    return (sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def leader_scores(*, leader_id: int, clock: Clock) -> LeaderScores:
    """The published 考评 sheets the leader may open (leader_sheet_filter) over the last 12 months:
    the average per period (the cockpit's score trend) and each unit's latest. ONE query."""
    from trends.selectors import trend_periods

    periods = trend_periods(clock=clock)
    rows = compiled_rows(  # once per day (minhang_plans.compiled), the leader its parameter
        key=("leader_scores", clock),
        build=lambda leader_id: (
            ScoreSheet.objects.filter(
                run__scope=Scope.PERIOD,
                run__published_at__isnull=False,
                run__period__gte=periods[0],
                run__period__lte=periods[-1],
            )
            .filter(leader_sheet_filter(leader_id=leader_id))
            .exclude(run__state=RunState.SUPERSEDED)
            .order_by("run__period", "unit__name")
            .values_list(
                "run__period",
                "unit_id",
                "unit__name",
                "total",
                "rank",
                "run_id",
                "run__plan__title",
                "run__plan__reporting_period",
            )
        ),
        ids={"leader_id": leader_id},
    )
    by_period: dict[dt.date, list[Decimal]] = defaultdict(list)
    latest: dict[tuple[int, str], UnitLatest] = {}
    sheet_url = url_pattern_of("assessment:sheet", 2)
    for period, unit_id, name, total, rank, run_id, plan_title, reporting in rows:
        # A quarterly plan's period counts in its quarter's first month, as the trends do.
        by_period[period].append(total)
        latest[(unit_id, plan_title)] = UnitLatest(
            unit_id=unit_id,
            unit_name=name,
            plan_title=plan_title,
            label=period_label(reporting_period=reporting, start=period),
            total=total,
            rank=rank,
            run_id=run_id,
            url=sheet_url.format(run_id, unit_id),
        )
    points = []
    for period in periods:
        totals = by_period.get(period, [])
        average = mean_rounded(totals)
        points.append(
            ScorePoint(
                period=period,
                label=period_label(reporting_period=ReportingPeriod.MONTHLY, start=period),
                short=f"{period.month}月",
                average=average,
                sheets=len(totals),
            )
        )
    return LeaderScores(points=points, latest=sorted(latest.values(), key=lambda u: (u.total, u.unit_name)))
