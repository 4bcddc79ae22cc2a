"""考评 reads: who may see what, runs, rankings with their change, a unit's sheet with the event
behind each line, the comparison of a recomputation, and the burden (减负) report.

Every page reads a bounded number of queries, whatever the number of units or lines."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Sum
from django.urls import reverse

from supervision.models import Chase
from tasks import permissions
from tasks.choices import Role, TaskState, UnitKind, UnitRole
from tasks.models import Plan, TaskUnit, Unit
from tasks.periods import period_close, period_label, previous_period
from tasks.periods import periods_closed as plan_periods_closed
from tasks.status.clock import Clock

from .models import LineKind, PlanReportCap, ReportCap, RunState, Scope, ScoreLine, ScoreRun, ScoreSheet
from .services import run_label

# Ranking groups, in the order the pages show them (泛指 units are not scored).
KIND_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("区级部门", (UnitKind.DEPARTMENT,)),
    ("镇、街道", (UnitKind.TOWN, UnitKind.STREET)),
    ("企业/集团", (UnitKind.COMPANY,)),
    ("其他", (UnitKind.OTHER,)),
)


# Who may see what ----------------------------------------------------------------------------


def leader_unit_ids(*, user: User | AnonymousUser, plan_id: int | None = None) -> set[int]:
    """The units on the tasks a leader leads (their own units)."""
    leader_id = permissions.user_leader_id(user)
    if leader_id is None:
        return set()
    links = TaskUnit.objects.filter(task__leader_links__leader_id=leader_id, task__state=TaskState.ACTIVE)
    if plan_id is not None:
        links = links.filter(task__plan_id=plan_id)
    return set(links.values_list("unit_id", flat=True))


def can_see_ranking(*, user: User | AnonymousUser, run: ScoreRun) -> bool:
    if permissions.can_review(user):
        return True
    return permissions.user_role(user) == Role.LEADER and run.published_at is not None


def can_see_sheet(*, user: User | AnonymousUser, run: ScoreRun, unit_id: int) -> bool:
    """The office: every sheet; a liaison: their own units'; a leader: their own units'."""
    if permissions.can_review(user):
        return True
    if unit_id in permissions.user_unit_ids(user):
        return True
    return unit_id in leader_unit_ids(user=user, plan_id=run.plan_id)


# Runs ----------------------------------------------------------------------------------------


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
    """The live run of the period before (the year before, for a year run)."""
    if run.scope == Scope.YEAR:
        start = dt.date(run.period.year - 1, 1, 1)
    else:
        start = previous_period(reporting_period=run.plan.reporting_period, start=run.period)
    return (
        ScoreRun.objects.filter(plan_id=run.plan_id, scope=run.scope, period=start)
        .exclude(state=RunState.SUPERSEDED)
        .first()
    )


def periods_closed(*, plan: Plan, today: dt.date, count: int = 12) -> list[tuple[dt.date, str]]:
    """The plan's last `count` closed periods with their labels, newest first (the compute form)."""
    return [
        (start, period_label(reporting_period=plan.reporting_period, start=start))
        for start in reversed(plan_periods_closed(plan=plan, today=today, count=count))
    ]


# Rankings ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankRow:
    unit_id: int
    unit_name: str
    total: Decimal
    deducted: Decimal
    added: Decimal
    rank: int
    previous_total: Decimal | None
    previous_rank: int | None

    @property
    def change(self) -> Decimal | None:
        return None if self.previous_total is None else self.total - self.previous_total

    @property
    def rank_change(self) -> int | None:
        """Places gained (positive) since the previous period."""
        return None if self.previous_rank is None else self.previous_rank - self.rank


@dataclass
class RankGroup:
    label: str
    rows: list[RankRow] = field(default_factory=list)


def ranking_groups(*, run: ScoreRun, unit_ids: set[int] | None = None) -> list[RankGroup]:
    """Units by kind, best first, with their total and rank in the previous period (2 queries).

    The rank is within the unit's kind (镇 and 街道 are ranked together)."""
    previous = run_previous(run=run)
    before = {u: (t, r) for u, t, r in previous.sheets.values_list("unit_id", "total", "rank")} if previous else {}
    sheets = run.sheets.select_related("unit").order_by("rank", "unit__name")
    if unit_ids is not None:
        sheets = sheets.filter(unit_id__in=unit_ids)
    groups = {label: RankGroup(label=label) for label, _ in KIND_GROUPS}
    kind_group = {kind: label for label, kinds in KIND_GROUPS for kind in kinds}
    for sheet in sheets:
        label = kind_group.get(sheet.unit_kind)
        if label is None:
            continue
        old = before.get(sheet.unit_id)
        groups[label].rows.append(
            RankRow(
                unit_id=sheet.unit_id,
                unit_name=sheet.unit.name,
                total=sheet.total,
                deducted=sheet.deducted,
                added=sheet.added,
                rank=sheet.rank,
                previous_total=old[0] if old else None,
                previous_rank=old[1] if old else None,
            )
        )
    # 镇 and 街道 share a group: rank them together by total.
    for group in groups.values():
        group.rows.sort(key=lambda row: (-row.total, row.unit_name))
    return [group for group in groups.values() if group.rows]


# A unit's sheet ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetLine:
    kind: str
    kind_label: str
    points: Decimal
    what: str  # the event in words
    link: str  # where it happened ("" when nowhere)
    period_label: str
    role_label: str


@dataclass(frozen=True)
class Sheet:
    unit_id: int
    unit_name: str
    base: Decimal
    total: Decimal
    deducted: Decimal
    added: Decimal
    rank: int
    lines: list[SheetLine]


def sheet_of(*, run: ScoreRun, unit: Unit) -> Sheet | None:
    """A unit's total and every line behind it, each with its event and a link to it (2 queries)."""
    sheet = run.sheets.filter(unit=unit).first()
    if sheet is None:
        return None
    lines = (
        ScoreLine.objects.filter(run=run, unit=unit)
        .select_related("task", "instruction__leader", "adjustment__created_by")
        .order_by("period", "kind", "task__position", "pk")
    )
    reporting = run.plan.reporting_period
    kinds = dict(LineKind.choices)
    roles = dict(UnitRole.choices)
    shown = []
    for line in lines:
        task = line.task
        task_name = f"第{task.number}项 {task.title}" if task else ""
        link = reverse("tasks:task", args=[task.pk]) if task else ""
        what = task_name
        if line.kind == LineKind.MISSING:
            what = f"{task_name}：本期未报送"
        elif line.kind == LineKind.LATE and line.report_id:
            what = f"{task_name}：报告在截止日后报送"
            link = f"{link}#report-{line.report_id}"
        elif line.kind == LineKind.RETURNED and line.report_id:
            what = f"{task_name}：报告被督查室退回"
            link = f"{link}#report-{line.report_id}"
        elif line.kind == LineKind.OVERDUE:
            what = f"{task_name}：期末已过截止日期仍未完成"
        elif line.kind == LineKind.EARLY:
            what = f"{task_name}：在截止日期前完成"
            if line.report_id:
                link = f"{link}#report-{line.report_id}"
        elif line.kind == LineKind.PRAISE and line.instruction:
            what = f"{task_name}：{line.instruction.leader.name}批示表扬"
            link = f"{link}#supervision"
        elif line.kind in (LineKind.UNFINISHED, LineKind.MOSTLY_DONE):
            what = f"{task_name}：年终办结状态为{'未完成' if line.kind == LineKind.UNFINISHED else '基本完成'}"
        elif line.kind == LineKind.CAP:
            capped = {
                "missing": "缺报",
                "late": "逾期报送",
                "returned": "退回",
                "overdue": "逾期未完成",
                "yearend": "年终未完成",
                "early": "提前完成",
                "praise": "表扬",
            }.get(line.capped_kind, line.capped_kind)
            what = f"{capped}超过上限的部分不计"
        elif line.kind == LineKind.MANUAL:
            who = line.adjustment.created_by.username if line.adjustment else ""
            what = f"督查室人工调整（{who}）：{line.note}"
        shown.append(
            SheetLine(
                kind=line.kind,
                kind_label=kinds.get(line.kind, line.kind),
                points=line.points,
                what=what,
                link=link,
                period_label=period_label(reporting_period=reporting, start=line.period) if line.period else "",
                role_label=roles.get(line.role, ""),
            )
        )
    return Sheet(
        unit_id=unit.pk,
        unit_name=unit.name,
        base=run.rule_version.base,
        total=sheet.total,
        deducted=sheet.deducted,
        added=sheet.added,
        rank=sheet.rank,
        lines=shown,
    )


@dataclass(frozen=True)
class UnitRun:
    """A unit's sheet in one run, for the unit's list of its scores."""

    run_id: int
    plan_title: str
    label: str
    total: Decimal
    rank: int
    state_label: str


def unit_runs(*, unit: Unit, published_or_office: bool = True) -> list[UnitRun]:
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


# Recompute and compare -----------------------------------------------------------------------


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


# 减负: the burden report ---------------------------------------------------------------------


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
        step = 3 if plan.reporting_period == "quarterly" else 1
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


# The leader's cockpit ------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitScore:
    unit_id: int
    unit_name: str
    run_id: int
    label: str
    total: Decimal
    rank: int


def leader_unit_scores(*, user: User | AnonymousUser, limit: int = 12) -> list[UnitScore]:
    """The latest published scores of a leader's own units (the cockpit), 3 queries."""
    unit_ids = leader_unit_ids(user=user)
    if not unit_ids:
        return []
    sheets = (
        ScoreSheet.objects.filter(unit_id__in=unit_ids, run__published_at__isnull=False, run__scope=Scope.PERIOD)
        .exclude(run__state=RunState.SUPERSEDED)
        .select_related("unit", "run__plan")
        .order_by("-run__period", "total")
    )
    seen: set[int] = set()
    rows = []
    for sheet in sheets[: limit * 4]:
        if sheet.unit_id in seen:
            continue
        seen.add(sheet.unit_id)
        rows.append(
            UnitScore(
                unit_id=sheet.unit_id,
                unit_name=sheet.unit.name,
                run_id=sheet.run_id,
                label=run_label(plan=sheet.run.plan, scope=sheet.run.scope, start=sheet.run.period),
                total=sheet.total,
                rank=sheet.rank,
            )
        )
    return rows[:limit]


def deduction_totals(*, run: ScoreRun) -> dict[str, Decimal]:
    """Points by kind over the whole run (the ranking page's summary), one query."""
    return {
        kind: total or Decimal(0)
        for kind, total in run.lines.values("kind").annotate(t=Sum("points")).values_list("kind", "t")
    }


# The 督查通报's annex ------------------------------------------------------------------------


@dataclass(frozen=True)
class BulletinRank:
    group: str
    rank: int
    unit_name: str
    total: Decimal
    change: Decimal | None


def bulletin_ranking(*, plan_id: int, period: dt.date) -> list[BulletinRank]:
    """The frozen (定稿) ranking of a plan's period, for the bulletin's annex; none while it is a draft."""
    run = (
        ScoreRun.objects.filter(plan_id=plan_id, scope=Scope.PERIOD, period=period, state=RunState.FROZEN)
        .select_related("plan")
        .first()
    )
    if run is None:
        return []
    return [
        BulletinRank(group=group.label, rank=row.rank, unit_name=row.unit_name, total=row.total, change=row.change)
        for group in ranking_groups(run=run)
        for row in group.rows
    ]


# The leader's cockpit: their units' scores over the last periods ------------------------------


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


def leader_scores(*, leader_id: int, clock: Clock) -> LeaderScores:
    """The published 考评 sheets of the units on the leader's open tasks over the last 12 months:
    the average per period (the cockpit's score trend) and each unit's latest. ONE query."""
    from trends.selectors import trend_periods

    periods = trend_periods(clock=clock)
    rows = list(
        ScoreSheet.objects.filter(
            run__scope=Scope.PERIOD,
            run__published_at__isnull=False,
            run__period__gte=periods[0],
            run__period__lte=periods[-1],
            unit_id__in=TaskUnit.objects.filter(
                task__leader_links__leader_id=leader_id, task__state=TaskState.ACTIVE
            ).values("unit_id"),
        )
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
    )
    by_period: dict[dt.date, list[Decimal]] = defaultdict(list)
    latest: dict[tuple[int, str], UnitLatest] = {}
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
        )
    points = []
    for period in periods:
        totals = by_period.get(period, [])
        average = (sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.1")) if totals else None
        points.append(
            ScorePoint(
                period=period,
                label=period_label(reporting_period="monthly", start=period),
                short=f"{period.month}月",
                average=average,
                sheets=len(totals),
            )
        )
    return LeaderScores(points=points, latest=sorted(latest.values(), key=lambda u: (u.total, u.unit_name)))
