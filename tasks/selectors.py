"""Reads: every query a page needs, with its aggregation done in SQL.

Status model:

* A task's *status* is the worst status its lead units reported in the most
  recent period any of them reported (滞后 < 未启动 < 推进中 < 持续推进 < 已完成),
  counting approved reports only; submitted ones are shown as pending. No
  approved report at all: 未报送.
* A task's *light* (三色预警), computed, never typed; thresholds in settings:
  red    — overdue (due date passed, not done) or the status is 滞后;
  yellow — due within LIGHT_DUE_SOON_DAYS and not done, or percent complete
           trailing the share of time elapsed by more than
           LIGHT_BEHIND_SCHEDULE_POINTS;
  green  — done, or every lead unit reported this period and on track;
  grey   — some lead unit has not reported this period and nothing above
           applies (进展不明: never green).
  A task with three lead units shows "2/3 已报送"; the worst status wins.
* *Not reported this period* (本期未报送) is its own dimension, counted apart
  from the light: an open (not done) task some lead unit of which has no
  report (submitted or approved) for this period, whatever its light. A red
  or yellow task can be unreported too; a grey one always is. Counted per task
  for plans and leaders, per the unit's own link for a unit (see `_silent_link`).

The status is derived once per write and stored (models.TaskStatus, the
period columns of TaskUnit; derivation in status.py, refreshed by
services.task_status_refresh); the light compares those columns with today's
date in SQL. So a page of any size needs a fixed number of queries, lists are
filtered, counted and sorted in the database, and a summary of every task in
the city is one GROUP BY over narrow rows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.db.models.lookups import LessThan
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import (
    Category,
    DataVersion,
    Leader,
    Plan,
    ProgressReport,
    ProgressStatus,
    Project,
    ReportingPeriod,
    ReviewState,
    Task,
    TaskLeader,
    TaskState,
    TaskUnit,
    Unit,
    UnitAlias,
    UnitKind,
    UnitRole,
)
from .periods import period_start, previous_period

if TYPE_CHECKING:
    from .exports import ExportRow

# Status value of a task without any approved report.
NOT_REPORTED = "not_reported"
# Summaries count approved reports only; a submitted one is "reported" (the
# unit did its part) but pending, and shown as such (see status.py).
COUNTED_REVIEW_STATES = (ReviewState.APPROVED,)


class Light:
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"
    GREY = "grey"

    ORDER = (RED, YELLOW, GREEN, GREY)
    # Grey is not "未报送": a red or yellow task may be unreported too, and that count is its own figure.
    LABELS = {RED: "逾期或滞后", YELLOW: "临近截止或进度偏慢", GREEN: "正常推进", GREY: "进展不明"}


# Shown (never stored or filtered on): reported this period, but nothing approved yet.
PENDING = "pending"
STATUS_LABELS: dict[str, str] = {**dict(ProgressStatus.choices), NOT_REPORTED: "未报送"}
SHOWN_STATUS_LABELS: dict[str, str] = {**STATUS_LABELS, PENDING: "待审核"}


class DayNumber(Func):
    """A date as a day count, the same on SQLite and PostgreSQL (only differences are used)."""

    output_field = IntegerField()
    template = "CAST(julianday(%(expressions)s) AS INTEGER)"

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="((%(expressions)s)::date - DATE '2000-01-01')", **extra)


class YearStartDayNumber(Func):
    """1 January of a year column, as a DayNumber."""

    output_field = IntegerField()
    # Plan years are four-digit (2000–2100, checked on import); no printf: a "%" would
    # trip the debug cursor's parameter interpolation.
    template = "CAST(julianday((%(expressions)s) || '-01-01') AS INTEGER)"

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="(make_date(%(expressions)s, 1, 1) - DATE '2000-01-01')", **extra
        )


@dataclass(frozen=True)
class Clock:
    """The dates status depends on; injectable so tests can pin "today"."""

    today: datetime.date

    @classmethod
    def now(cls) -> Clock:
        return cls(today=timezone.localdate())

    @property
    def month_start(self) -> datetime.date:
        return period_start(reporting_period=ReportingPeriod.MONTHLY, day=self.today)

    @property
    def quarter_start(self) -> datetime.date:
        return period_start(reporting_period=ReportingPeriod.QUARTERLY, day=self.today)

    @property
    def due_soon(self) -> datetime.date:
        return self.today + datetime.timedelta(days=settings.LIGHT_DUE_SOON_DAYS)

    def stagnant_since(self, reporting_period: str) -> datetime.date:
        """First day of the window of LIGHT_STAGNANT_PERIODS periods ending with the current one."""
        start = period_start(reporting_period=reporting_period, day=self.today)
        for _ in range(settings.LIGHT_STAGNANT_PERIODS - 1):
            start = previous_period(reporting_period=reporting_period, start=start)
        return start


def data_version() -> int:
    """The number database triggers bump on every committed write to this app's tables."""
    return DataVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0


def _clock(clock: Clock | None) -> Clock:
    return clock or Clock.now()


# -- status expressions --------------------------------------------------------


def _with_status(qs: QuerySet, *, clock: Clock, prefix: str = "") -> QuerySet:
    """Alias status fields onto a queryset of tasks (or of rows pointing at tasks):

    task_status  — worst status the lead units reported (approved) in their latest period;
    task_percent — the lowest percent in that period;
    units_total  — lead units;
    reported_now — every lead unit reported (submitted or approved) this period;
    silent_now   — open task, some lead unit has not reported this period (本期未报送, any light);
    pending_now  — some lead unit's report for this period awaits review;
    light        — red / yellow / green / grey (三色预警, thresholds in settings).

    The first three are stored per task (models.TaskStatus, kept current by
    services.task_status_refresh); what depends on today — this period, overdue,
    due soon, behind schedule — is compared here, so the stored row never ages.
    `prefix` is the path from the outer row to the task ("" for tasks, "task__" for links).
    Aliases are not selected; call `.annotate(x=F("x"))` to read them.
    """
    current = f"{prefix}current__"
    qs = qs.alias(
        task_status=Coalesce(F(f"{current}status"), Value(NOT_REPORTED), output_field=CharField()),
        task_percent=F(f"{current}percent"),
        units_total=Coalesce(F(f"{current}lead_units"), Value(0), output_field=IntegerField()),
        period_now=_period_now(clock=clock, prefix=prefix),
    )
    qs = qs.alias(
        # False when some lead unit never reported (reported_since is NULL) or there is none.
        reported_now=Case(
            When(Q(**{f"{current}reported_since__gte": F("period_now")}), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        pending_now=Case(
            When(Q(**{f"{current}pending_period__gte": F("period_now")}), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )
    due = f"{prefix}due_date"
    not_done = ~Q(task_status=ProgressStatus.DONE)
    qs = qs.alias(
        # "Some lead unit has not reported": there is a lead unit and not all of them did (a task
        # without any lead unit is grey, but nobody owes it a report).
        silent_now=Case(
            When(Q(units_total__gt=0) & Q(reported_now=False) & not_done, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )
    # Behind schedule: percent (plus a tolerance) below the share of time elapsed
    # since the plan began, i.e. (percent + t) × (due − start) < 100 × (today − start).
    start_days = YearStartDayNumber(F(f"{prefix}plan__year_start"))
    span = DayNumber(F(due)) - start_days
    elapsed = DayNumber(Value(clock.today, output_field=DateField())) - start_days
    behind = LessThan((F("task_percent") + Value(settings.LIGHT_BEHIND_SCHEDULE_POINTS)) * span, elapsed * 100)
    light = Case(
        When(Q(**{f"{due}__lt": clock.today}) & not_done, then=Value(Light.RED)),
        When(task_status=ProgressStatus.BEHIND, then=Value(Light.RED)),
        When(Q(**{f"{due}__lte": clock.due_soon}) & not_done, then=Value(Light.YELLOW)),
        When(task_status=ProgressStatus.DONE, then=Value(Light.GREEN)),
        # Not every lead unit has reported this period (or there is none): never green.
        When(reported_now=False, then=Value(Light.GREY)),
        When(
            Q(task_status__in=[ProgressStatus.IN_PROGRESS, ProgressStatus.NOT_STARTED])
            & Q(**{f"{due}__isnull": False})
            & Q(behind),
            then=Value(Light.YELLOW),
        ),
        default=Value(Light.GREEN),
        output_field=CharField(),
    )
    return qs.alias(light=light)


def _period_now(*, clock: Clock, prefix: str = "") -> Case:
    """First day of the current reporting period of the task's plan (monthly or quarterly)."""
    return Case(
        When(
            Q(**{f"{prefix}plan__reporting_period": ReportingPeriod.MONTHLY}),
            then=Value(clock.month_start, output_field=DateField()),
        ),
        default=Value(clock.quarter_start, output_field=DateField()),
        output_field=DateField(),
    )


def tasks_with_status(qs: QuerySet[Task] | None = None, *, clock: Clock | None = None) -> QuerySet[Task]:
    """Tasks annotated with status, percent, units reported, pending and light (selected)."""
    clock = _clock(clock)
    qs = Task.objects.all() if qs is None else qs
    # "2/3 已报送": counted per shown row from the links' stored periods (an index range per task).
    units_reported = _count_of(
        TaskUnit.objects.filter(
            task_id=OuterRef("pk"), role=UnitRole.LEAD, reported_period__gte=OuterRef("period_now")
        ),
        Count("pk"),
    )
    return _with_status(qs, clock=clock).annotate(
        # What a list shows: a task with nothing approved yet but a report awaiting review says so.
        task_status_v=Case(
            When(Q(task_status=NOT_REPORTED) & Q(pending_now=True), then=Value(PENDING)),
            default=F("task_status"),
            output_field=CharField(),
        ),
        light_v=F("light"),
        reported_now_v=F("reported_now"),
        task_percent_v=F("task_percent"),
        units_total_v=F("units_total"),
        units_reported_v=units_reported,
        pending_now_v=F("pending_now"),
    )


def _count_of(qs: QuerySet, expression: Any) -> Subquery:
    """SELECT COUNT(…) of a correlated queryset, as a scalar subquery (0 when empty)."""
    return Coalesce(
        # order_by(): a model's default ordering would end up in the GROUP BY (PostgreSQL refuses it).
        Subquery(qs.order_by().annotate(_one=Value(1)).values("_one").annotate(n=expression).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def task_stagnant(*, task: Task, clock: Clock | None = None, reports: list[ProgressReport] | None = None) -> bool:
    """No change in the last LIGHT_STAGNANT_PERIODS periods: every period has an
    approved report and status and percent never moved (done and standing work excluded).

    `reports`: the task's reports when the caller already has them (the task page does)."""
    clock = _clock(clock)
    since = clock.stagnant_since(task.plan.reporting_period)
    if reports is None:
        reports = list(ProgressReport.objects.filter(task=task, period__gte=since))
    window = [
        r
        for r in reports
        if r.review_state in COUNTED_REVIEW_STATES
        and r.period >= since
        and r.status not in (ProgressStatus.DONE, ProgressStatus.ONGOING)
    ]
    return (
        len({r.period for r in window}) >= settings.LIGHT_STAGNANT_PERIODS
        and len({r.percent for r in window}) == 1
        and len({r.status for r in window}) == 1
    )


def _silent_link() -> Q:
    """On lead-unit link rows: the link's own unit has not reported this period on an open task.

    Per unit, "未报送" means the unit itself: a co-lead's silence is not held against it. The
    union over a task's lead links is the task-level `silent_now`."""
    own_missing = Q(reported_period__isnull=True) | Q(reported_period__lt=F("period_now"))
    return Q(role=UnitRole.LEAD) & own_missing & ~Q(task_status=ProgressStatus.DONE)


def _light_counts(prefix: str = "", *, silent: Q | None = None) -> dict[str, Count]:
    """Aggregates counting rows by light and completion; `prefix` leads to the counted id.

    `silent`: what "not reported this period" means for the counted rows (default: the task's
    `silent_now`; unit summaries pass `_silent_link()`)."""
    pk = f"{prefix}pk" if prefix else "pk"
    out: dict[str, Count] = {"total": Count(pk, distinct=bool(prefix))}
    for light in Light.ORDER:
        out[f"n_{light}"] = Count(pk, filter=Q(light=light), distinct=bool(prefix))
    out["n_done"] = Count(pk, filter=Q(task_status=ProgressStatus.DONE), distinct=bool(prefix))
    out["n_behind"] = Count(pk, filter=Q(task_status=ProgressStatus.BEHIND), distinct=bool(prefix))
    out["n_silent"] = Count(pk, filter=Q(silent_now=True) if silent is None else silent, distinct=bool(prefix))
    return out


@dataclass
class Summary:
    """Counts of a set of tasks by light and by completion."""

    total: int = 0
    n_red: int = 0
    n_yellow: int = 0
    n_green: int = 0
    n_grey: int = 0
    n_done: int = 0
    n_behind: int = 0
    n_silent: int = 0  # not reported this period, whatever the light (see the module docstring)

    @property
    def done_share(self) -> float:
        return self.n_done / self.total if self.total else 0.0

    @property
    def done_percent(self) -> int:
        return round(self.done_share * 100)

    def lights(self) -> list[tuple[str, str, int]]:
        return [(light, Light.LABELS[light], getattr(self, f"n_{light}")) for light in Light.ORDER]

    @classmethod
    def from_row(cls, row: dict[str, Any] | Any) -> Summary:
        get = row.get if isinstance(row, dict) else lambda k, d=0: getattr(row, k, d)
        return cls(**{k: get(k, 0) or 0 for k in cls.__dataclass_fields__})


def _active_tasks() -> QuerySet[Task]:
    return Task.objects.filter(state=TaskState.ACTIVE)


def _task_row_qs(qs: QuerySet[Task], *, clock: Clock) -> QuerySet[Task]:
    """A task list ready for a table: related rows joined, leaders and units prefetched, status annotated."""
    return tasks_with_status(
        qs.select_related("plan", "category", "project").prefetch_related(
            Prefetch("unit_links", queryset=TaskUnit.objects.select_related("unit").order_by("role", "position")),
            Prefetch("leader_links", queryset=TaskLeader.objects.select_related("leader")),
        ),
        clock=clock,
    )


# -- dashboard ------------------------------------------------------------------


@dataclass
class PlanOverview:
    plan: Plan
    summary: Summary
    categories: list[dict[str, Any]] = field(default_factory=list)
    red_tasks: list[Task] = field(default_factory=list)
    silent_units: list[dict[str, Any]] = field(default_factory=list)
    silent_unit_count: int = 0


def plan_list_with_counts() -> QuerySet[Plan]:
    """Plans with their active task count and city-level count, one query."""
    active = Q(tasks__state=TaskState.ACTIVE)
    return Plan.objects.annotate(
        task_count=Count("tasks", filter=active),
        city_level_count=Count("tasks", filter=active & Q(tasks__city_level=True)),
        withdrawn_count=Count("tasks", filter=Q(tasks__state=TaskState.WITHDRAWN)),
    ).order_by("-year_end", "kind")


@dataclass
class Dashboard:
    """The home page: full cards for one district's plans, one summary row for every plan."""

    districts: list[tuple[str, int]]  # (district, plans), the deployment's own district first
    district: str | None
    cards: list[PlanOverview]
    rows: list[PlanOverview]  # every plan, newest first, summary only


def dashboard_overview(
    *, clock: Clock | None = None, district: str | None = None, red_limit: int = 10, silent_limit: int = 12
) -> Dashboard:
    """Counts by light for every plan (one GROUP BY over the stored status); for the plans of
    one district also per category, the red list and the units silent this period (5 queries).

    The district shown in full is the one asked for, else the deployment's own
    (settings.DISTRICT_NAME), else the newest plan's: a page of every plan's cards would grow
    with the city (96 plans made a 1 MB page), the summary table stays one row per plan.
    """
    clock = _clock(clock)
    plans = list(plan_list_with_counts())
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

    by_plan = _with_status(_active_tasks(), clock=clock).values("plan_id").annotate(**_light_counts())
    for row in by_plan:
        overviews[row["plan_id"]].summary = Summary.from_row(row)

    in_district = _active_tasks().filter(plan_id__in=shown)
    by_category = (
        _with_status(in_district, clock=clock)
        .values("plan_id", "category_id", "category__order", "category__name")
        .annotate(**_light_counts())
        .order_by("plan_id", "category__order")
    )
    for row in by_category:
        overviews[row["plan_id"]].categories.append(row)

    # The first few red tasks of every shown plan, in document order: one query.
    red = (
        _with_status(in_district, clock=clock)
        .filter(light=Light.RED)
        .annotate(
            task_status_v=F("task_status"),
            rn=Window(RowNumber(), partition_by=[F("plan_id")], order_by=[F("position").asc()]),
        )
        .filter(rn__lte=red_limit)
        .order_by("plan_id", "position")
    )
    for task in red:
        overviews[task.plan_id].red_tasks.append(task)

    # Lead units with open tasks they have not reported on this period, per plan.
    for row in units_silent_list(clock=clock, plan_ids=shown):
        ov = overviews[row["task__plan_id"]]
        ov.silent_unit_count += 1
        if len(ov.silent_units) < silent_limit:
            ov.silent_units.append(row)
    return Dashboard(
        districts=districts,
        district=district,
        cards=[overviews[pk] for pk in shown],
        rows=[overviews[p.pk] for p in plans],
    )


def units_silent_list(*, clock: Clock | None = None, plan_ids: list[int] | None = None) -> QuerySet[TaskUnit]:
    """(plan, unit, missing) rows: lead units with open tasks they have not reported this period.

    "Reported" is submitted or approved (the unit did its part), read from the link's stored
    reported_period, the same rule as the "本期未报送" figures, the unit index's silent sort
    and the search filter `reported=no`, so all of them agree."""
    clock = _clock(clock)
    qs = TaskUnit.objects.filter(role=UnitRole.LEAD, task__state=TaskState.ACTIVE)
    if plan_ids is not None:
        qs = qs.filter(task__plan_id__in=plan_ids)
    qs = _with_status(qs, clock=clock, prefix="task__")
    return (
        qs.values("task__plan_id", "unit_id", "unit__name")
        .annotate(missing=Count("pk", filter=_silent_link()))
        .filter(missing__gt=0)
        .order_by("task__plan_id", "-missing", "unit__name")
    )


# -- plan and categories --------------------------------------------------------


def plan_get(*, plan_id: int) -> Plan:
    return get_object_or_404(plan_list_with_counts(), pk=plan_id)


def plan_find(*, plan_id: int | None) -> Plan | None:
    """The plan with this id, or None (no query without an id)."""
    return Plan.objects.filter(pk=plan_id).first() if plan_id else None


def category_list_with_counts(*, plan: Plan, clock: Clock | None = None) -> list[Category]:
    """Categories of a plan with found task counts (active) beside the stated ones, and light counts."""
    clock = _clock(clock)
    counts = {
        row["category_id"]: row
        for row in _with_status(_active_tasks().filter(plan=plan), clock=clock)
        .values("category_id")
        .annotate(**_light_counts())
    }
    categories = list(Category.objects.filter(plan=plan).annotate(project_count=Count("projects")).order_by("order"))
    for category in categories:
        category.summary = Summary.from_row(counts.get(category.pk, {}))
        category.found_count = category.summary.total
        category.matches = category.stated_count is None or category.stated_count == category.found_count
    return categories


@dataclass
class ProjectGroup:
    project: Project | None
    tasks: list[Task]


@dataclass
class CategoryBlock:
    category: Category
    groups: list[ProjectGroup]


def plan_tree(*, plan: Plan, category_id: int | None = None, clock: Clock | None = None) -> list[CategoryBlock]:
    """Plan → categories → projects → tasks, with status; a fixed number of queries.

    Withdrawn tasks are shown (struck through) so the document's numbering reads complete.
    """
    clock = _clock(clock)
    categories = category_list_with_counts(plan=plan, clock=clock)
    if category_id is not None:
        categories = [c for c in categories if c.pk == category_id]
    tasks = _task_row_qs(Task.objects.filter(plan=plan), clock=clock).order_by("position")
    if category_id is not None:
        tasks = tasks.filter(category_id=category_id)
    blocks = {c.pk: CategoryBlock(category=c, groups=[]) for c in categories}
    for task in tasks:
        block = blocks.get(task.category_id)
        if block is None:
            continue
        if not block.groups or block.groups[-1].project != task.project:
            block.groups.append(ProjectGroup(project=task.project, tasks=[]))
        block.groups[-1].tasks.append(task)
    return list(blocks.values())


# -- units ------------------------------------------------------------------------

UNIT_SORTS: dict[str, tuple[str, str]] = {
    # key: (label, ORDER BY)
    "led": ("牵头任务数", "-total"),
    "done": ("已完成", "-n_done"),
    "red": ("逾期或滞后", "-n_red"),
    "silent": ("本期未报送", "-n_silent"),
    "name": ("单位名称", "unit__name"),
}
UNIT_KIND_FILTERS: dict[str, str] = {
    UnitKind.DEPARTMENT: "区级部门",
    UnitKind.TOWN: "镇",
    UnitKind.STREET: "街道",
    UnitKind.COMPANY: "企业/集团",
    UnitKind.GROUP: "泛指（相关/各单位）",
    UnitKind.OTHER: "其他",
}


def unit_summary_list(
    *, kind: str | None = None, order: str = "led", plan_id: int | None = None, clock: Clock | None = None
) -> list[dict[str, Any]]:
    """Every unit that leads at least one active task, with counts by light; one query."""
    clock = _clock(clock)
    qs = TaskUnit.objects.filter(role=UnitRole.LEAD, task__state=TaskState.ACTIVE)
    if kind:
        qs = qs.filter(unit__kind=kind)
    if plan_id:
        qs = qs.filter(task__plan_id=plan_id)
    ordering = UNIT_SORTS.get(order, UNIT_SORTS["led"])[1]
    rows = (
        _with_status(qs, clock=clock, prefix="task__")
        .values("unit_id", "unit__name", "unit__kind")
        .annotate(**_light_counts(silent=_silent_link()), n_plans=Count("task__plan_id", distinct=True))
        .order_by(ordering, "unit__name")
    )
    kinds = dict(UnitKind.choices)
    out = []
    for row in rows:
        row["summary"] = Summary.from_row(row)
        row["kind_label"] = kinds.get(row["unit__kind"], row["unit__kind"])
        out.append(row)
    return out


def unit_resolve(*, name: str) -> Unit | None:
    """The unit a name or alias refers to (区发改委 → 区发展改革委); one query."""
    return (
        Unit.objects.filter(Q(name=name) | Q(Exists(UnitAlias.objects.filter(unit=OuterRef("pk"), name=name))))
        .order_by("pk")
        .first()
    )


def unit_get(*, unit_id: int) -> Unit:
    return get_object_or_404(Unit.objects.prefetch_related("aliases"), pk=unit_id)


def unit_task_list(*, unit: Unit, clock: Clock | None = None) -> QuerySet[Task]:
    """Every task the unit is linked to, across plans, with status and the unit's own latest report.

    The own report is the latest the unit sent, whatever became of it (approved, awaiting review,
    returned with the office's comment): a returned report is not "no report". Drafts are the
    unit's own business and this page is the same for every reader, so they are left out here
    (the unit's liaisons see them in `unit_reports_to_fix`).
    """
    clock = _clock(clock)
    own = (
        ProgressReport.objects.filter(task_id=OuterRef("pk"), unit_id=unit.pk)
        .exclude(review_state=ReviewState.DRAFT)
        .order_by("-period")
    )
    role = TaskUnit.objects.filter(task_id=OuterRef("pk"), unit_id=unit.pk).values("role")[:1]
    return (
        _task_row_qs(
            Task.objects.filter(Exists(TaskUnit.objects.filter(task_id=OuterRef("pk"), unit_id=unit.pk))), clock=clock
        )
        .annotate(
            unit_role=Subquery(role),
            own_period=Subquery(own.values("period")[:1]),
            own_status=Subquery(own.values("status")[:1]),
            own_percent=Subquery(own.values("percent")[:1]),
            own_progress=Subquery(own.values("progress_text")[:1]),
            own_review=Subquery(own.values("review_state")[:1]),
            own_comment=Subquery(own.values("review_comment")[:1]),
        )
        .order_by("unit_role", "-plan__year_end", "plan__kind", "position")  # lead before support
    )


@dataclass
class ReportsToFix:
    """What a unit's liaison has to act on: reports the office returned, drafts not yet submitted."""

    returned: list[ProgressReport]
    drafts: list[ProgressReport]


def unit_reports_to_fix(*, unit: Unit, clock: Clock | None = None) -> ReportsToFix:
    """The unit's returned reports (every period: a returned report waits for the unit whatever
    it has sent since) and its drafts, on active tasks; newest first (one query).

    Each report carries `is_current`: whether it is for the task's current period (the report
    form opens an earlier one by its `?period=`).
    """
    clock = _clock(clock)
    rows = (
        ProgressReport.objects.filter(
            unit=unit, task__state=TaskState.ACTIVE, review_state__in=[ReviewState.RETURNED, ReviewState.DRAFT]
        )
        .select_related("task", "task__plan", "reviewed_by")
        .annotate(
            is_current=Case(
                When(period__gte=_period_now(clock=clock, prefix="task__"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-period", F("reviewed_at").desc(nulls_last=True), "task__plan_id", "task__position")
    )
    out = ReportsToFix(returned=[], drafts=[])
    for report in rows:
        (out.returned if report.review_state == ReviewState.RETURNED else out.drafts).append(report)
    return out


def unit_summary(*, unit: Unit, clock: Clock | None = None) -> dict[str, Any]:
    """The unit's figures: overall and per plan (lead role, active tasks), one query."""
    clock = _clock(clock)
    rows = list(
        _with_status(
            TaskUnit.objects.filter(unit=unit, role=UnitRole.LEAD, task__state=TaskState.ACTIVE),
            clock=clock,
            prefix="task__",
        )
        .values("task__plan_id", "task__plan__title")
        .annotate(**_light_counts(silent=_silent_link()))
        .order_by("-task__plan__year_end", "task__plan__kind")
    )
    total = Summary()
    per_plan = []
    for row in rows:
        s = Summary.from_row(row)
        per_plan.append({"plan_id": row["task__plan_id"], "title": row["task__plan__title"], "summary": s})
        for name in Summary.__dataclass_fields__:
            setattr(total, name, getattr(total, name) + getattr(s, name))
    return {"total": total, "per_plan": per_plan}


# -- leaders ------------------------------------------------------------------------

LEADER_SORTS: dict[str, tuple[str, str]] = {
    "led": ("牵头任务数", "-total"),
    "done": ("已完成", "-n_done"),
    "red": ("逾期或滞后", "-n_red"),
    "silent": ("本期未报送", "-n_silent"),
    "name": ("姓名", "leader__name"),
}


def leader_summary_list(*, order: str = "led", clock: Clock | None = None) -> list[dict[str, Any]]:
    """Every leader with active tasks, with counts by light; one query."""
    clock = _clock(clock)
    ordering = LEADER_SORTS.get(order, LEADER_SORTS["led"])[1]
    rows = (
        _with_status(TaskLeader.objects.filter(task__state=TaskState.ACTIVE), clock=clock, prefix="task__")
        .values("leader_id", "leader__name", "leader__title")
        .annotate(**_light_counts())
        .order_by(ordering, "leader__name")
    )
    out = []
    for row in rows:
        row["summary"] = Summary.from_row(row)
        out.append(row)
    return out


def leader_get(*, leader_id: int) -> Leader:
    return get_object_or_404(Leader, pk=leader_id)


def leader_task_list(*, leader: Leader, clock: Clock | None = None) -> QuerySet[Task]:
    clock = _clock(clock)
    return _task_row_qs(
        Task.objects.filter(Exists(TaskLeader.objects.filter(task_id=OuterRef("pk"), leader_id=leader.pk))),
        clock=clock,
    ).order_by("-plan__year_end", "plan__kind", "position")


def leader_summary(*, leader: Leader, clock: Clock | None = None) -> Summary:
    clock = _clock(clock)
    row = _with_status(_active_tasks().filter(leader_links__leader=leader), clock=clock).aggregate(**_light_counts())
    return Summary.from_row(row)


def leader_unit_list(*, leader: Leader, clock: Clock | None = None) -> list[dict[str, Any]]:
    """The lead units of the leader's active tasks, with counts by light; one query."""
    clock = _clock(clock)
    rows = (
        _with_status(
            TaskUnit.objects.filter(
                role=UnitRole.LEAD,
                task__state=TaskState.ACTIVE,
                task__leader_links__leader=leader,
            ),
            clock=clock,
            prefix="task__",
        )
        .values("unit_id", "unit__name")
        .annotate(**_light_counts(silent=_silent_link()))
        .order_by("-total", "unit__name")
    )
    out = []
    for row in rows:
        row["summary"] = Summary.from_row(row)
        out.append(row)
    return out


# -- task ---------------------------------------------------------------------------


def task_get(*, task_id: int, clock: Clock | None = None) -> Task:
    return get_object_or_404(_task_row_qs(Task.objects.all(), clock=_clock(clock)), pk=task_id)


def task_report_list(*, task: Task) -> QuerySet[ProgressReport]:
    """The progress timeline, newest first (all review states; the page labels them)."""
    return (
        ProgressReport.objects.filter(task=task)
        .select_related("unit", "reported_by", "reviewed_by")
        .order_by("-period", "unit__name")
    )


# -- search -------------------------------------------------------------------------


def task_search_base(*, clock: Clock | None = None) -> QuerySet[Task]:
    """What the search filter narrows down: all tasks with status aliases, in browsing order.

    Only the plan table is joined (for the order and the reporting period), so a status filter
    is evaluated once per task, however the planner orders the joins.
    """
    return _with_status(Task.objects.all(), clock=_clock(clock)).order_by("-plan__year_end", "plan__kind", "position")


def task_rows(*, ids: list[int], clock: Clock | None = None) -> list[Task]:
    """The tasks with these ids, ready for a table, in the order of `ids` (one query plus two prefetches)."""
    by_pk = {t.pk: t for t in _task_row_qs(Task.objects.filter(pk__in=ids), clock=_clock(clock))}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def chart_rows(rows: list[dict[str, Any]], *, label_key: str, url_key: str | None = None) -> list[dict[str, Any]]:
    """Rows for the stacked-bar chart tag: label, optional link, and a Summary."""
    out = []
    for row in rows:
        summary = row.get("summary") or Summary.from_row(row)
        out.append({"label": row[label_key], "url": row.get(url_key) if url_key else None, "summary": summary})
    return out


def report_current(*, task: Task, unit_id: int, clock: Clock | None = None) -> ProgressReport | None:
    """The unit's report on the task for the current period, if any."""
    clock = _clock(clock)
    period = period_start(reporting_period=task.plan.reporting_period, day=clock.today)
    return ProgressReport.objects.filter(task=task, unit_id=unit_id, period=period).first()


def report_timeline(*, task: Task, user: Any, latest_periods: int | None = None) -> tuple[list[ProgressReport], int]:
    """The reports a user may see on the task page, newest first, and how many they may see in all.

    Drafts only for the user's own units (or the office). With `latest_periods`, only the reports
    of the latest that many reported periods, plus any still awaiting review, however old: the
    database picks them, so a long history is neither fetched nor turned into objects.
    One query, plus one for the shown reports' attachments.
    """
    from .permissions import can_review, user_unit_ids

    visible = Q() if can_review(user) else (~Q(review_state=ReviewState.DRAFT) | Q(unit_id__in=user_unit_ids(user)))
    mine = ProgressReport.objects.filter(visible, task=task).order_by()
    total = mine.annotate(_one=Value(1)).values("_one").annotate(n=Count("pk")).values("n")
    qs = task_report_list(task=task).filter(visible).annotate(visible_total=Subquery(total))
    if latest_periods is not None:
        cutoff = mine.order_by("-period").values("period").distinct()[latest_periods - 1 : latest_periods]
        earliest = Coalesce(Subquery(cutoff), Value(datetime.date.min), output_field=DateField())
        qs = qs.filter(Q(period__gte=earliest) | Q(review_state=ReviewState.SUBMITTED))
    reports = list(qs.prefetch_related("attachments"))
    return reports, (reports[0].visible_total if reports else 0)


def report_pending_list() -> QuerySet[ProgressReport]:
    """Submitted reports waiting for the office, oldest first."""
    return (
        ProgressReport.objects.filter(review_state=ReviewState.SUBMITTED)
        .select_related("task", "task__plan", "unit", "reported_by")
        .order_by("reported_at", "pk")
    )


def history_value(field: Any, value: Any, names: dict[tuple[type, Any], str] | None = None) -> str:
    """A field's value as a reader of the change history should see it: Chinese, never `None`,
    `True` or a raw choice value; a related row by its name (from `names`, looked up in bulk)."""
    if value is None or value == "":
        return "未设置" if isinstance(field, DateField) else "无"
    if field.is_relation:
        related = (field.related_model, value)
        return (names or {}).get(related) or f"已删除的{field.related_model._meta.verbose_name}（编号{value}）"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def _related_names(changes: list[Any], model: type) -> dict[tuple[type, Any], str]:
    """Names of the related rows these changes point at: one query per related model, and none
    at all when no relation changed (the usual case)."""
    wanted: dict[type, set[Any]] = defaultdict(set)
    for change in changes:
        field = model._meta.get_field(change.field)
        if field.is_relation:
            wanted[field.related_model].update(v for v in (change.old, change.new) if v is not None)
    return {
        (related, obj.pk): str(obj)
        for related, pks in wanted.items()
        for obj in related._default_manager.filter(pk__in=pks)
    }


def task_history(*, task: Task, limit: int = 50) -> list[dict[str, Any]]:
    """Who changed what on the task and its reports, newest first (two queries, one more per
    kind of related row whose change is shown)."""
    entries: list[dict[str, Any]] = []
    task_rows = list(task.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    diffs = [
        (newer, older, [] if older is None else newer.diff_against(older).changes)
        for newer, older in zip(task_rows, [*task_rows[1:], None], strict=False)
    ]
    names = _related_names([change for *_, changes in diffs for change in changes], Task)
    for newer, older, diff in diffs:
        changes = []
        for change in diff:
            field = Task._meta.get_field(change.field)
            changes.append(
                f"{field.verbose_name}：{history_value(field, change.old, names)} → "
                f"{history_value(field, change.new, names)}"
            )
        entries.append(
            {
                "when": newer.history_date,
                "who": newer.history_user,
                "what": "任务",
                "reason": newer.history_change_reason or ("创建" if older is None else "修改"),
                "changes": changes,
            }
        )
    report_rows = (
        ProgressReport.history.filter(task_id=task.pk)
        .select_related("history_user", "unit")
        .order_by("-history_date")[:limit]
    )
    for row in report_rows:
        entries.append(
            {
                "when": row.history_date,
                "who": row.history_user,
                "what": f"{row.unit.name} {row.period:%Y年%m月}报告",
                "reason": row.history_change_reason or row.get_history_type_display(),
                "changes": [f"{row.get_status_display()} {row.percent}%，{row.get_review_state_display()}"],
            }
        )
    entries.sort(key=lambda e: e["when"], reverse=True)
    return entries[:limit]


def reminder_list(*, clock: Clock | None = None) -> list[dict[str, Any]]:
    """Per lead unit: active tasks with no report this period, and tasks now yellow or red."""
    clock = _clock(clock)
    rows = (
        _with_status(
            TaskUnit.objects.filter(role=UnitRole.LEAD, task__state=TaskState.ACTIVE),
            clock=clock,
            prefix="task__",
        )
        .annotate(
            light_v=F("light"),
            # The unit's own latest submitted-or-approved period, stored on the link.
            own_now=Case(
                When(reported_period__gte=F("period_now"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .values(
            "unit_id", "unit__name", "task_id", "task__number", "task__title", "task__plan__title", "light_v", "own_now"
        )
        .order_by("unit__name", "task__plan_id", "task__position")
    )
    units: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = units.setdefault(
            row["unit_id"],
            {"unit_id": row["unit_id"], "unit": row["unit__name"], "missing": [], "red": [], "yellow": []},
        )
        if not row["own_now"]:
            entry["missing"].append(row)
        if row["light_v"] in (Light.RED, Light.YELLOW):
            entry[row["light_v"]].append(row)
    return [u for u in units.values() if u["missing"] or u["red"] or u["yellow"]]


# -- exports -------------------------------------------------------------------------

EXPORT_BATCH = 2000


def export_rows(*, ids: list[int], clock: Clock | None = None) -> Iterator[ExportRow]:
    """The ledger/report rows for these tasks, in the given order.

    Batched: a fixed number of queries per EXPORT_BATCH tasks (the tasks with
    status and links, and each lead unit's latest approved report), so the
    query count grows only with the number of batches.
    """
    from .exports import ExportRow

    clock = _clock(clock)
    for start in range(0, len(ids), EXPORT_BATCH):
        chunk = ids[start : start + EXPORT_BATCH]
        tasks = {t.pk: t for t in _task_row_qs(Task.objects.filter(pk__in=chunk), clock=clock)}
        latest = (
            ProgressReport.objects.filter(task_id__in=chunk, review_state__in=COUNTED_REVIEW_STATES)
            .annotate(rn=Window(RowNumber(), partition_by=[F("task_id"), F("unit_id")], order_by=[F("period").desc()]))
            .filter(rn=1)
            .select_related("unit", "reviewed_by")
        )
        by_task: dict[int, dict[int, ProgressReport]] = defaultdict(dict)
        for report in latest:
            by_task[report.task_id][report.unit_id] = report
        for pk in chunk:
            task = tasks.get(pk)
            if task is None:
                continue
            links = list(task.unit_links.all())
            lead = [link for link in links if link.role == UnitRole.LEAD]
            reports = by_task.get(pk, {})
            newest = max(reports.values(), key=lambda r: (r.period, r.reported_at or r.updated_at), default=None)

            def per_unit(attribute: str, reports: dict = reports, lead: list = lead) -> str:
                texts = [
                    (link.unit.name, getattr(reports[link.unit_id], attribute))
                    for link in lead
                    if link.unit_id in reports and getattr(reports[link.unit_id], attribute)
                ]
                if len(texts) == 1:
                    return texts[0][1]
                return "\n".join(f"{name}：{text}" for name, text in texts)

            yield ExportRow(
                plan=task.plan.title,
                category=str(task.category),
                project=task.project.name if task.project_id else "",
                number=task.number,
                text=task.text,
                leaders="、".join(link.leader.name for link in task.leader_links.all()),
                units="、".join(link.unit.name for link in lead),
                status=SHOWN_STATUS_LABELS[task.task_status_v],
                light=task.light_v,
                light_label=Light.LABELS.get(task.light_v, ""),
                percent=task.task_percent_v,
                progress_text=per_unit("progress_text"),
                problems=per_unit("problems"),
                next_steps=per_unit("next_steps"),
                reported_at=newest.reported_at if newest else None,
                reviewer=newest.reviewed_by.get_username() if newest and newest.reviewed_by_id else "",
                unit_progress=[
                    (
                        link.unit.name,
                        reports[link.unit_id].get_status_display() if link.unit_id in reports else "未报送",
                        reports[link.unit_id].progress_text if link.unit_id in reports else "",
                    )
                    for link in lead
                ],
                due_date=task.due_date,
                task_id=task.pk,
                title=task.title,
            )


# -- documents (督查通报, 督办单) ------------------------------------------------------------


def task_set_summary(*, tasks: QuerySet[Task], clock: Clock | None = None) -> Summary:
    """Counts by light, completion and 本期未报送 for any set of tasks (one query)."""
    return Summary.from_row(_with_status(tasks.order_by(), clock=_clock(clock)).aggregate(**_light_counts()))


def silent_links(*, tasks: QuerySet[Task], clock: Clock | None = None) -> QuerySet[TaskUnit]:
    """The lead-unit links whose own unit has not reported this period on an open task, among
    these tasks: the rows units_silent_list counts, one per (unit, task), by unit then document order."""
    qs = TaskUnit.objects.filter(role=UnitRole.LEAD, task__state=TaskState.ACTIVE, task__in=tasks.values("pk"))
    return (
        _with_status(qs, clock=_clock(clock), prefix="task__")
        .filter(_silent_link())
        .values("unit_id", "unit__name", "task_id", "task__number", "task__plan_id")
        .order_by("unit__name", "task__plan_id", "task__position")
    )


def overdue_tasks(*, tasks: QuerySet[Task], clock: Clock | None = None) -> QuerySet[Task]:
    """Those of these tasks that are past their due date and not done (the red light's first rule)."""
    clock = _clock(clock)
    return (
        _with_status(tasks, clock=clock)
        .filter(state=TaskState.ACTIVE, due_date__lt=clock.today)
        .exclude(task_status=ProgressStatus.DONE)
    )
