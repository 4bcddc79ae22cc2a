"""减负: the reports the product asked of each unit per month, and each plan's frequency cap."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count

from supervision.models import Chase
from tasks.choices import ReportingPeriod, TaskState, UnitKind, UnitRole
from tasks.models import Plan, TaskUnit, Unit
from tasks.periods import period_close

from ..models import PlanReportCap, ReportCap


@dataclass(frozen=True)
class BurdenRow:
    unit_id: int
    unit_name: str
    months: list[int]  # reports asked, January to December
    chases: int

    @property
    def total(self) -> int:
        return sum(self.months)

    @property
    def peak(self) -> int:
        return max(self.months) if self.months else 0


@dataclass(frozen=True)
class CapRow:
    plan_id: int
    plan_title: str
    reporting_label: str
    cap_label: str
    cap: int


def burden_rows(*, year: int) -> list[BurdenRow]:
    """How many reports each unit was asked for, per month of `year` (3 queries):
    a lead link on an open task of a plan running that year asks one report per period, due in
    the month its period closes; 催办 received are counted beside."""
    plans = {
        p.pk: p
        for p in Plan.objects.filter(year_start__lte=year, year_end__gte=year).only(
            "pk", "reporting_period", "report_due_rule", "report_due_number", "year_start", "year_end"
        )
    }
    asks: dict[int, list[int]] = defaultdict(lambda: [0] * 12)
    links = (
        TaskUnit.objects.filter(role=UnitRole.LEAD, task__state=TaskState.ACTIVE, task__plan_id__in=list(plans))
        .exclude(unit__kind=UnitKind.GROUP)
        .values("unit_id", "task__plan_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "task__plan_id", "n")
    )
    due_months: dict[int, list[int]] = {}
    for plan_id, plan in plans.items():
        step = 3 if plan.reporting_period == ReportingPeriod.QUARTERLY else 1
        due_months[plan_id] = [
            period_close(plan=plan, period=dt.date(year, month, 1)).month - 1
            for month in range(1, 13, step)
            if period_close(plan=plan, period=dt.date(year, month, 1)).year == year
        ]
    for unit_id, plan_id, count in links:
        for month in due_months[plan_id]:
            asks[unit_id][month] += count
    chases = dict(
        Chase.objects.filter(day__year=year).values("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n")
    )
    names = dict(Unit.objects.filter(pk__in=set(asks) | set(chases)).values_list("pk", "name"))
    rows = [
        BurdenRow(unit_id=u, unit_name=names[u], months=asks.get(u, [0] * 12), chases=chases.get(u, 0)) for u in names
    ]
    rows.sort(key=lambda row: (-row.total, row.unit_name))
    return rows


def cap_rows() -> list[CapRow]:
    """Every plan's reporting frequency and its cap (减负), one query."""
    caps = dict(PlanReportCap.objects.values_list("plan_id", "per_year"))
    rows = []
    for plan in Plan.objects.filter(closure__isnull=True).order_by("-year_end", "title"):
        cap = caps.get(plan.pk, ReportCap.MONTHLY)
        rows.append(
            CapRow(
                plan_id=plan.pk,
                plan_title=plan.title,
                reporting_label=plan.get_reporting_period_display(),
                cap_label=ReportCap(cap).label,
                cap=cap,
            )
        )
    return rows
