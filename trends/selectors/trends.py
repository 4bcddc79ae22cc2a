"""Figures over the last periods, from the snapshots: every trend is ONE query (GROUP BY period
with conditional counts) through the (plan, period) or the (task, period) index."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from minhang_plans.compiled import compiled_or_plain
from tasks.choices import Light, ReportingPeriod
from tasks.models import Leader, Plan, TaskLeader
from tasks.periods import period_label, previous_period
from tasks.status.clock import Clock, clock_or_now

from ..models import StatusSnapshot

TREND_PERIODS = 12
LIGHT_ORDER = {Light.RED.value: 0, Light.YELLOW.value: 1, Light.GREY.value: 2, Light.GREEN.value: 3}


# -- trends -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    """One period's figures at its close. `total` 0: no snapshot was taken for it."""

    period: dt.date
    label: str  # 2025年5月, 2025年第2季度
    short: str  # the chart's axis: 5月, 2季
    total: int = 0
    done: int = 0
    owed: int = 0  # open tasks with a lead unit: each owed a report for the period
    reported: int = 0  # of those, every lead unit reported (submitted or approved)
    red: int = 0

    @property
    def has_data(self) -> bool:
        return self.total > 0

    @property
    def completion(self) -> int | None:
        """完成率 in percent: tasks done over all the snapshot's tasks."""
        return round(100 * self.done / self.total) if self.total else None

    @property
    def reporting(self) -> int | None:
        """报送率 in percent: tasks every lead unit reported over the open tasks with a lead unit."""
        return round(100 * self.reported / self.owed) if self.owed else None


@dataclass(frozen=True)
class Trend:
    """The last periods' figures of one scope (a leader's tasks, a plan, a district), oldest first."""

    scope: str
    points: list[TrendPoint]

    @property
    def has_data(self) -> bool:
        return any(p.has_data for p in self.points)

    @property
    def span(self) -> str:
        """2024年6月—2025年5月"""
        if not self.points:
            return ""
        return f"{self.points[0].label}—{self.points[-1].label}"


def trend_periods(
    *, clock: Clock, reporting_period: str = ReportingPeriod.MONTHLY, count: int = TREND_PERIODS
) -> list[dt.date]:
    """The `count` periods before today's, oldest first (monthly: the last 12 months)."""
    periods = [previous_period(reporting_period=reporting_period, start=clock.period_start(reporting_period))]
    while len(periods) < count:
        periods.append(previous_period(reporting_period=reporting_period, start=periods[-1]))
    return periods[::-1]


def _short(period: dt.date, reporting_period: str) -> str:
    if reporting_period == ReportingPeriod.QUARTERLY:
        return f"{(period.month - 1) // 3 + 1}季"
    return f"{period.month}月"


def _trend(
    snapshots: Callable[..., QuerySet[StatusSnapshot]],
    *,
    key: Hashable,
    ids: Mapping[str, int],
    scope: str,
    clock: Clock,
    reporting_period: str = ReportingPeriod.MONTHLY,
) -> Trend:
    """The figures per period of the snapshot rows `snapshots(**ids)` builds over the last periods:
    ONE query (GROUP BY period with conditional counts), compiled once per `key` and day
    (minhang_plans.compiled). A quarterly plan's rows fall on its quarters' first months."""
    periods = trend_periods(clock=clock, reporting_period=reporting_period)
    owed = Q(owed=True)  # as the snapshot recorded it at the close, not as the links stand today
    rows = compiled_or_plain(
        snapshots,
        then=lambda rows: (
            rows.filter(period__gte=periods[0], period__lte=periods[-1])
            .values("period")
            .annotate(
                n_total=Count("pk"),
                n_done=Count("pk", filter=Q(done=True)),
                n_owed=Count("pk", filter=owed),
                n_reported=Count("pk", filter=owed & Q(reported=True)),
                n_red=Count("pk", filter=Q(light=Light.RED)),
            )
            .order_by("period")
            .values_list("period", "n_total", "n_done", "n_owed", "n_reported", "n_red")
        ),
        key=("trend", key, reporting_period, clock),
        ids=ids,
    )
    found = {row[0]: row[1:] for row in rows}
    points = []
    for period in periods:
        label = period_label(reporting_period=reporting_period, start=period)
        figures = found.get(period)
        if figures is None:
            points.append(TrendPoint(period=period, label=label, short=_short(period, reporting_period)))
            continue
        total, done, n_owed, reported, red = figures
        points.append(
            TrendPoint(
                period=period,
                label=label,
                short=_short(period, reporting_period),
                total=total,
                done=done,
                owed=n_owed,
                reported=reported,
                red=red,
            )
        )
    return Trend(scope=scope, points=points)


def trend_of_plan(*, plan: Plan, clock: Clock | None = None) -> Trend:
    """The plan's last 12 periods (months, or quarters for a quarterly plan)."""
    return _trend(
        lambda plan_id: StatusSnapshot.objects.filter(plan_id=plan_id),
        key="plan",
        ids={"plan_id": plan.pk},
        scope=plan.title,
        clock=clock_or_now(clock),
        reporting_period=plan.reporting_period,
    )


def trend_of_district(*, district: str, clock: Clock | None = None) -> Trend:
    """Every plan of the district, closed ones included (their past periods), over the last 12 months."""
    return _trend(
        lambda: StatusSnapshot.objects.filter(plan_id__in=Plan.objects.filter(district=district).values("pk")),
        key=("district", district),
        ids={},
        scope=district,
        clock=clock_or_now(clock),
    )


def trend_of_leader(*, leader: Leader, clock: Clock | None = None) -> Trend:
    """The tasks the leader leads (closed plans' included, for their past periods), over the last 12 months."""
    return _trend(
        lambda leader_id: StatusSnapshot.objects.filter(
            task_id__in=TaskLeader.objects.filter(leader_id=leader_id).values("task_id")
        ),
        key="leader",
        ids={"leader_id": leader.pk},
        scope=f"{leader.name}牵头的任务",
        clock=clock_or_now(clock),
    )


def snapshot_overdue(*, plan_id: int, period: dt.date) -> set[int]:
    """Ids of the plan's tasks that were overdue (due before the close day and not done) at the
    close of the period starting on `period` (empty when no snapshot was taken)."""
    return set(
        StatusSnapshot.objects.filter(plan_id=plan_id, period=period, overdue=True).values_list("task_id", flat=True)
    )
