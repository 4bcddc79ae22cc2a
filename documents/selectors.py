"""Reads for the documents: what a bulletin or a slip says, from the one status home
(tasks.selectors and its labels), and the lists of issued documents and templates."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.db.models import Exists, Min, OuterRef, QuerySet
from django.http import Http404

from minhang_plans.params import ascii_int
from tasks import selectors as task_selectors
from tasks.choices import REPORTED_REVIEW_STATES, CurrentStatus, Light
from tasks.models import Leader, Plan, ProgressReport, ReportingPeriod, Task, TaskState, TaskUnit, Unit, UnitRole
from tasks.periods import period_label, period_start, previous_period
from tasks.selectors.exports import ExportRow

from .bulletin import BulletinData, SilentUnit, groups_from_rows, plan_short
from .models import BulletinIssue, BulletinScope, BulletinTemplate, SupervisionSlip

PERIOD_CHOICES = 12  # the current period and the eleven before it


def today() -> dt.date:
    """Today as the status selectors see it (tasks.selectors.Clock, which tests pin)."""
    return task_selectors.Clock.now().today


@dataclass(frozen=True)
class Scope:
    """Whose tasks a bulletin covers: a plan, a unit's or a leader's (optionally within one
    plan), or every plan of the district."""

    kind: str
    plan: Plan | None = None
    unit: Unit | None = None
    leader: Leader | None = None

    def __post_init__(self) -> None:
        # The labels below read the subject the kind names: a unit scope has its unit (and no
        # leader), a leader scope its leader, a plan scope its plan, the district none of them.
        consistent = (
            (self.unit is not None) == (self.kind == BulletinScope.UNIT)
            and (self.leader is not None) == (self.kind == BulletinScope.LEADER)
            and (self.plan is not None or self.kind != BulletinScope.PLAN)
            and (self.plan is None or self.kind != BulletinScope.DISTRICT)
        )
        if not consistent:
            raise ValueError(f"bulletin scope {self.kind!r} does not match its plan, unit and leader")

    @property
    def label(self) -> str:
        within = self.plan.title if self.plan else ""
        if self.unit is not None:
            return f"{self.unit.name}牵头的{within}任务"
        if self.leader is not None:
            return f"{self.leader.name}同志牵头的{within}任务"
        if self.plan is not None:
            return self.plan.title
        return f"{settings.DISTRICT_NAME}各规划的重点任务"

    @property
    def title(self) -> str:
        # A unit's or leader's bulletin within one plan names the plan (its short form): it reads
        # other figures than the same unit's bulletin over every plan.
        short = plan_short(self.plan.title) if self.plan else ""
        tasks = f"的{short}" if short.endswith("任务") else f"的{short}任务" if short else "任务"
        if self.unit is not None:
            return f"关于{self.unit.name}牵头{tasks}推进情况的通报"
        if self.leader is not None:
            return f"关于{self.leader.name}同志牵头{tasks}推进情况的通报"
        if self.plan is not None:
            return f"关于{self.plan.title}推进情况的通报"
        return f"关于{settings.DISTRICT_NAME}重点任务推进情况的通报"

    @property
    def short(self) -> str:
        """For file names (a unit's or leader's bulletin within one plan names the plan)."""
        within = f"（{plan_short(self.plan.title)}）" if self.plan else ""
        if self.unit is not None:
            return f"{self.unit.name}{within}"
        if self.leader is not None:
            return f"{self.leader.name}同志{within}"
        if self.plan is not None:
            return self.plan.title
        return settings.DISTRICT_NAME

    @property
    def reporting_period(self) -> str:
        return self.plan.reporting_period if self.plan else ReportingPeriod.MONTHLY

    def query(self) -> dict[str, str]:
        """The scope as URL parameters."""
        out = {}
        if self.plan:
            out["plan"] = str(self.plan.pk)
        if self.unit:
            out["unit"] = str(self.unit.pk)
        if self.leader:
            out["leader"] = str(self.leader.pk)
        if self.kind == BulletinScope.DISTRICT:
            out["district"] = "1"
        return out


def _pk(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    number = ascii_int(value)
    if number is None:
        raise Http404("参数有误。")
    return number


def scope_find(*, plan: str | None = None, unit: str | None = None, leader: str | None = None) -> Scope:
    """The scope named by request parameters (404 for an unknown id); no plan, unit or leader
    means the whole district."""
    plan_id, unit_id, leader_id = _pk(plan), _pk(unit), _pk(leader)
    found_plan = Plan.objects.filter(pk=plan_id).first() if plan_id else None
    if plan_id and found_plan is None:
        raise Http404("没有这个规划。")
    if unit_id:
        found_unit = Unit.objects.filter(pk=unit_id).first()
        if found_unit is None:
            raise Http404("没有这个单位。")
        return Scope(kind=BulletinScope.UNIT, plan=found_plan, unit=found_unit)
    if leader_id:
        found_leader = Leader.objects.filter(pk=leader_id).first()
        if found_leader is None:
            raise Http404("没有这位领导。")
        return Scope(kind=BulletinScope.LEADER, plan=found_plan, leader=found_leader)
    if found_plan:
        return Scope(kind=BulletinScope.PLAN, plan=found_plan)
    return Scope(kind=BulletinScope.DISTRICT)


def scope_tasks(scope: Scope) -> QuerySet[Task]:
    # One plan, or every plan of the deployment's district.
    where = {"plan": scope.plan} if scope.plan else {"plan__district": settings.DISTRICT_NAME}
    tasks = Task.objects.filter(state=TaskState.ACTIVE, **where)
    if scope.unit:
        tasks = tasks.filter(unit_links__unit=scope.unit, unit_links__role=UnitRole.LEAD)
    if scope.leader:
        tasks = tasks.filter(leader_links__leader=scope.leader)
    return tasks


@dataclass(frozen=True)
class Period:
    start: dt.date
    label: str
    as_of: dt.date  # the period's last day, or today for the current period
    past: bool = False  # an earlier period: read as it closed (its snapshot), not as today


def _period_end(start: dt.date, reporting_period: str) -> dt.date:
    months = 3 if reporting_period == ReportingPeriod.QUARTERLY else 1
    month = start.month + months - 1
    return dt.date(start.year, month, calendar.monthrange(start.year, month)[1])


def _first_period(scope: Scope) -> dt.date | None:
    """The first period of the scope's earliest plan: a bulletin is not offered for months before
    any of its plans began (a query when the scope is not one plan)."""
    if scope.plan:
        return dt.date(scope.plan.year_start, 1, 1)
    first_year = Plan.objects.filter(district=settings.DISTRICT_NAME).aggregate(first=Min("year_start"))["first"]
    return None if first_year is None else dt.date(first_year, 1, 1)


def period_choices(*, scope: Scope, today: dt.date) -> list[Period]:
    """The current reporting period and the ones before it, newest first, from the first period of
    the scope's plans on."""
    start = period_start(reporting_period=scope.reporting_period, day=today)
    first = _first_period(scope) or start
    out: list[Period] = []
    for _ in range(PERIOD_CHOICES):
        end = min(_period_end(start, scope.reporting_period), today)
        label = period_label(reporting_period=scope.reporting_period, start=start)
        out.append(Period(start=start, label=label, as_of=end, past=bool(out)))
        start = previous_period(reporting_period=scope.reporting_period, start=start)
        if start < first:
            break
    return out


def period_find(*, scope: Scope, today: dt.date, value: str | None) -> Period:
    """The period named by `value` (its first day, yyyy-mm-dd), the current one by default;
    404 for a period that is not offered."""
    choices = period_choices(scope=scope, today=today)
    if not value:
        return choices[0]
    for period in choices:
        if period.start.isoformat() == value:
            return period
    raise Http404("只能选择本期或之前的统计周期。")


def bulletin_data(*, scope: Scope, period: Period, issued: dt.date, reply_by: dt.date) -> BulletinData:
    """The figures and lists of a bulletin, as of the period's last day (or today): lights, "this
    period" and due dates are computed for that day (tasks.selectors with a pinned clock), from the
    reports up to the period. An earlier period reads as it closed, as the dashboard's 近12期 shows
    it: its statuses, lights, percents and who owed a report are its status snapshot's, rebuilt from
    the reports where none was taken (_period_values). Only the plans whose years hold the period
    are in it."""
    clock = task_selectors.Clock(today=period.as_of)
    year = period.start.year
    tasks = scope_tasks(scope).filter(plan__year_start__lte=year, plan__year_end__gte=year)
    ids = list(tasks.order_by("plan__year_start", "plan__kind", "plan_id", "position").values_list("pk", flat=True))
    rows = list(task_selectors.export_rows(ids=ids, clock=clock, through=period.start))
    summary = task_selectors.task_set_summary(tasks=Task.objects.filter(pk__in=tasks.values("pk")), clock=clock)
    light_counts = [(c.light, c.label, c.count) for c in summary.lights()]
    values = _period_values(tasks=tasks, period=period) if period.past else None
    if values is not None:
        rows = _as_of_period(rows=rows, values=values)
        # A past period reads as it was closed: the dashboard's 近12期 counts the same snapshots.
        counted = {light: sum(1 for row in rows if row.light == light) for light, _, _ in light_counts}
        light_counts = [(light, label, counted[light]) for light, label, _ in light_counts]
    by_label: dict[str, int] = {}
    for row in rows:
        by_label[row.status] = by_label.get(row.status, 0) + 1
    # In the choices' order (worst first), each label as the rows carry it.
    status_counts = [(label, by_label[label]) for _, label in CurrentStatus.choices if by_label.get(label)]
    if values is not None:
        owed = [task_id for task_id, (_, _, _, owes) in values.items() if owes]
        silent = _silent_at_close(tasks=tasks, period=period, owed=owed)
    else:
        silent = task_selectors.silent_links(tasks=tasks, clock=clock)
    if scope.unit:
        silent = silent.filter(unit_id=scope.unit.pk)
    units: OrderedDict[int, SilentUnit] = OrderedDict()
    per_plan: dict[int, OrderedDict[int, list[str]]] = {}
    for link in silent:
        unit = units.setdefault(link["unit_id"], SilentUnit(name=link["unit__name"], numbers=[]))
        unit.numbers.append(link["task__number"])
        per_plan.setdefault(link["unit_id"], OrderedDict()).setdefault(link["task__plan_id"], []).append(
            link["task__number"]
        )
    plan_ids = {plan_id for plans in per_plan.values() for plan_id in plans}
    if len(plan_ids) > 1:
        titles = dict(Plan.objects.filter(pk__in=plan_ids).values_list("pk", "title"))
        for unit_id, unit in units.items():
            unit.listed = "；".join(f"{titles[p]}：{'、'.join(nums)}" for p, nums in per_plan[unit_id].items())
    silent_units = sorted(units.values(), key=lambda u: (-len(u.numbers), u.name))
    done_label = CurrentStatus.DONE.label
    by_plan = len({row.plan for row in rows}) > 1
    rankings = []
    if scope.kind == BulletinScope.PLAN and scope.plan is not None:
        from assessment.selectors import bulletin_ranking

        rankings = [
            (r.group, r.rank, r.unit_name, f"{r.total:.2f}", "—" if r.change is None else f"{r.change:+.2f}")
            for r in bulletin_ranking(plan_id=scope.plan.pk, period=period.start)
        ]
    return BulletinData(
        title=scope.title,
        scope_label=scope.label,
        period_label=period.label,
        as_of=period.as_of,
        issued=issued,
        reply_by=reply_by,
        rows=rows,
        status_counts=status_counts,
        light_counts=light_counts,
        done_label=done_label,
        # A unit's bulletin counts the unit's own silence; the others count tasks with any silent lead unit.
        silent_tasks=sum(len(u.numbers) for u in silent_units)
        if scope.unit
        else len({link["task_id"] for link in silent})
        if values is not None
        else summary.n_silent,
        silent_units=silent_units,
        group_label="规划" if by_plan else "类别",
        groups=groups_from_rows(rows, by_plan=by_plan, done_label=done_label),
        rankings=rankings,
    )


# task id → (status, light, percent, owed a report) at a past period's close
PeriodValues = dict[int, tuple[str, str, int | None, bool]]


def _period_values(*, tasks: QuerySet[Task], period: Period) -> PeriodValues:
    """The tasks as their plans' snapshots of the period recorded them (trends: taken at the
    period's close, or rebuilt for the periods before the install). A plan with no snapshot of the
    period (imported after it closed, or a period not closed yet) is rebuilt from its reports up to
    the period, as the backfill does, without writing it."""
    from trends.models import StatusSnapshot
    from trends.services.backfill import snapshot_values_as_of

    values: PeriodValues = {}
    have: set[int] = set()
    for task_id, plan_id, status, light, percent, owed in StatusSnapshot.objects.filter(
        task__in=tasks.values("pk"), period=period.start
    ).values_list("task_id", "plan_id", "status", "light", "percent", "owed"):
        values[task_id] = (status, light, percent, owed)
        have.add(plan_id)
    wanted = set(tasks.values_list("pk", flat=True))
    for plan in Plan.objects.filter(tasks__in=tasks.values("pk")).exclude(pk__in=have).distinct():
        for task_id, light, status, percent, _, _, _, owed in snapshot_values_as_of(plan=plan, period=period.start):
            if task_id in wanted:
                values[task_id] = (status, light, percent, bool(owed))
    return values


def _as_of_period(*, rows: list[ExportRow], values: PeriodValues) -> list[ExportRow]:
    """The rows with the period's status, light and percent."""
    shown = []
    for row in rows:
        if row.task_id in values:
            status, light, percent, _ = values[row.task_id]
            row = replace(
                row,
                status=CurrentStatus(status).label,
                light=light,
                light_label=Light(light).label,
                percent=percent,
            )
        shown.append(row)
    return shown


def _silent_at_close(*, tasks: QuerySet[Task], period: Period, owed: list[int]) -> QuerySet[Any]:
    """A past period's silent lead units: on each task that owed a report at the close (open, with a
    lead unit: `owed`), the lead units with no report for that period submitted or approved. The
    same rows as task_selectors.silent_links, read for that period rather than from each unit's
    latest report."""
    reported = ProgressReport.objects.filter(
        task_id=OuterRef("task_id"),
        unit_id=OuterRef("unit_id"),
        period=period.start,
        review_state__in=REPORTED_REVIEW_STATES,
    )
    return (
        TaskUnit.objects.lead()
        .on_active()
        .filter(task__in=tasks.values("pk"), task_id__in=owed)
        .exclude(Exists(reported))
        .values("unit_id", "unit__name", "task_id", "task__number", "task__plan_id")
        .order_by("unit__name", "task__plan_id", "task__position")
    )


def issue_list(*, scope: Scope | None = None, limit: int = 50) -> QuerySet[BulletinIssue]:
    """Issued bulletins, newest first, without their files."""
    qs = BulletinIssue.objects.defer("docx", "pdf").select_related("created_by")
    if scope is not None:
        qs = qs.filter(scope=scope.kind, plan=scope.plan, unit=scope.unit, leader=scope.leader)
    return qs.order_by("-created_at", "-pk")[:limit]


def template_list() -> QuerySet[BulletinTemplate]:
    return BulletinTemplate.objects.defer("content").select_related("uploaded_by").order_by("-uploaded_at", "-pk")


def template_active() -> BulletinTemplate | None:
    return BulletinTemplate.objects.filter(is_active=True).first()


def slip_list(*, task: Task | None = None, unit: Unit | None = None, limit: int = 20) -> list[SupervisionSlip]:
    qs = SupervisionSlip.objects.defer("docx", "pdf").select_related("created_by")
    if task is not None:
        qs = qs.filter(task=task)
    if unit is not None:
        qs = qs.filter(unit=unit)
    return list(qs.order_by("-created_at", "-pk")[:limit])


def unit_overdue_ids(*, unit: Unit, clock: task_selectors.Clock) -> list[int]:
    """The unit's overdue open tasks (it leads them), in plan and document order."""
    tasks = Task.objects.filter(unit_links__unit=unit, unit_links__role=UnitRole.LEAD)
    return list(
        task_selectors.overdue_tasks(tasks=tasks, clock=clock)
        .order_by("-plan__year_end", "plan__kind", "due_date", "position")
        .values_list("pk", flat=True)
    )
