"""Reads: every query a page needs, with its aggregation done in SQL.

Status model (until issue 5 adds progress recording):

* A task's *status* is the worst status its lead units reported in the most
  recent period any of them reported (滞后 < 未启动 < 推进中 < 持续推进 < 已完成),
  counting only reports that were submitted or approved (drafts and returned
  reports are not "reported"). No counted report at all: 未报送.
* A task's *light*:
  red    — overdue (due date passed, not done) or the status is 滞后;
  yellow — due within 30 days and not done;
  green  — done, or reported in the current period;
  grey   — not reported in the current period (never green by default).

Both are SQL expressions (correlated subqueries) so that a page of any size
needs a fixed number of queries, and so that lists can be filtered, counted
and sorted by them in the database.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
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
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import (
    Category,
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
from .periods import period_start

DUE_SOON_DAYS = 30
# Status value of a task without any counted report.
NOT_REPORTED = "not_reported"
COUNTED_REVIEW_STATES = (ReviewState.SUBMITTED, ReviewState.APPROVED)


class Light:
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"
    GREY = "grey"

    ORDER = (RED, YELLOW, GREEN, GREY)
    LABELS = {RED: "逾期或滞后", YELLOW: "临近截止", GREEN: "正常推进", GREY: "本期未报送"}


STATUS_LABELS: dict[str, str] = {**dict(ProgressStatus.choices), NOT_REPORTED: "未报送"}

# Lower is worse; the worst status of a period speaks for the task.
_STATUS_RANK = Case(
    When(status=ProgressStatus.BEHIND, then=Value(0)),
    When(status=ProgressStatus.NOT_STARTED, then=Value(1)),
    When(status=ProgressStatus.IN_PROGRESS, then=Value(2)),
    When(status=ProgressStatus.ONGOING, then=Value(3)),
    When(status=ProgressStatus.DONE, then=Value(4)),
    default=Value(5),
    output_field=IntegerField(),
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
        return self.today + datetime.timedelta(days=DUE_SOON_DAYS)


def _clock(clock: Clock | None) -> Clock:
    return clock or Clock.now()


# -- status expressions --------------------------------------------------------


def _counted_reports(task_ref: str) -> QuerySet[ProgressReport]:
    """Reports that count for the task at OuterRef(task_ref): by a lead unit, submitted or approved."""
    lead_link = TaskUnit.objects.filter(task_id=OuterRef("task_id"), unit_id=OuterRef("unit_id"), role=UnitRole.LEAD)
    return ProgressReport.objects.filter(
        Exists(lead_link), task_id=OuterRef(task_ref), review_state__in=COUNTED_REVIEW_STATES
    )


def _with_status(qs: QuerySet, *, clock: Clock, task_ref: str = "pk", prefix: str = "") -> QuerySet:
    """Alias `task_status`, `reported_now` and `light` onto a queryset of tasks (or of rows pointing at tasks).

    `task_ref` names the task id on the outer row, `prefix` the path to the task's fields.
    Aliases are not selected; call `.annotate(x=F("x"))` to read them.
    """
    reports = _counted_reports(task_ref)
    status = Subquery(reports.order_by("-period", _STATUS_RANK).values("status")[:1], output_field=CharField())
    monthly = Q(**{f"{prefix}plan__reporting_period": ReportingPeriod.MONTHLY})
    reported_now = Case(
        When(monthly, then=Exists(reports.filter(period__gte=clock.month_start))),
        default=Exists(reports.filter(period__gte=clock.quarter_start)),
    )
    qs = qs.alias(
        task_status=Coalesce(status, Value(NOT_REPORTED), output_field=CharField()), reported_now=reported_now
    )
    due = f"{prefix}due_date"
    not_done = ~Q(task_status=ProgressStatus.DONE)
    light = Case(
        When(Q(**{f"{due}__lt": clock.today}) & not_done, then=Value(Light.RED)),
        When(task_status=ProgressStatus.BEHIND, then=Value(Light.RED)),
        When(Q(**{f"{due}__lte": clock.due_soon}) & not_done, then=Value(Light.YELLOW)),
        When(task_status=ProgressStatus.DONE, then=Value(Light.GREEN)),
        When(reported_now=True, then=Value(Light.GREEN)),
        default=Value(Light.GREY),
        output_field=CharField(),
    )
    return qs.alias(light=light)


def tasks_with_status(qs: QuerySet[Task] | None = None, *, clock: Clock | None = None) -> QuerySet[Task]:
    """Tasks annotated with `task_status`, `reported_now` and `light` (selected)."""
    qs = Task.objects.all() if qs is None else qs
    return _with_status(qs, clock=_clock(clock)).annotate(
        task_status_v=F("task_status"), light_v=F("light"), reported_now_v=F("reported_now")
    )


def _light_counts(prefix: str = "") -> dict[str, Count]:
    """Aggregates counting rows by light and completion; `prefix` leads to the counted id."""
    pk = f"{prefix}pk" if prefix else "pk"
    out: dict[str, Count] = {"total": Count(pk, distinct=bool(prefix))}
    for light in Light.ORDER:
        out[f"n_{light}"] = Count(pk, filter=Q(light=light), distinct=bool(prefix))
    out["n_done"] = Count(pk, filter=Q(task_status=ProgressStatus.DONE), distinct=bool(prefix))
    out["n_behind"] = Count(pk, filter=Q(task_status=ProgressStatus.BEHIND), distinct=bool(prefix))
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


def dashboard_overview(
    *, clock: Clock | None = None, red_limit: int = 10, silent_limit: int = 12
) -> list[PlanOverview]:
    """Per plan: counts by light, by category, the red list and units silent this period (5 queries)."""
    clock = _clock(clock)
    plans = list(plan_list_with_counts())
    overviews = {p.pk: PlanOverview(plan=p, summary=Summary()) for p in plans}
    if not plans:
        return []

    by_plan = _with_status(_active_tasks(), clock=clock).values("plan_id").annotate(**_light_counts())
    for row in by_plan:
        overviews[row["plan_id"]].summary = Summary.from_row(row)

    by_category = (
        _with_status(_active_tasks(), clock=clock)
        .values("plan_id", "category_id", "category__order", "category__name")
        .annotate(**_light_counts())
        .order_by("plan_id", "category__order")
    )
    for row in by_category:
        overviews[row["plan_id"]].categories.append(row)

    # The first few red tasks of every plan, in document order: one query for all plans.
    red = (
        # Only the task table and the small plan table: the light is tested once per task row.
        _with_status(_active_tasks(), clock=clock)
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
    silent = units_silent_list(clock=clock)
    for row in silent:
        ov = overviews[row["task__plan_id"]]
        ov.silent_unit_count += 1
        if len(ov.silent_units) < silent_limit:
            ov.silent_units.append(row)
    return [overviews[p.pk] for p in plans]


def units_silent_list(*, clock: Clock | None = None, plan_id: int | None = None) -> QuerySet[TaskUnit]:
    """(plan, unit, missing) rows: lead units with open tasks and no counted report this period."""
    clock = _clock(clock)
    own_report = ProgressReport.objects.filter(
        task_id=OuterRef("task_id"), unit_id=OuterRef("unit_id"), review_state__in=COUNTED_REVIEW_STATES
    )
    qs = TaskUnit.objects.filter(role=UnitRole.LEAD, task__state=TaskState.ACTIVE)
    if plan_id is not None:
        qs = qs.filter(task__plan_id=plan_id)
    qs = _with_status(qs, clock=clock, task_ref="task_id", prefix="task__").alias(
        own_now=Case(
            When(
                Q(task__plan__reporting_period=ReportingPeriod.MONTHLY),
                then=Exists(own_report.filter(period__gte=clock.month_start)),
            ),
            default=Exists(own_report.filter(period__gte=clock.quarter_start)),
        )
    )
    # The status tests live in the aggregate's FILTER, evaluated once per joined row; in WHERE they
    # could be evaluated once per row *pair* when stale statistics make the planner pick a nested loop.
    return (
        qs.values("task__plan_id", "unit_id", "unit__name")
        .annotate(missing=Count("pk", filter=Q(own_now=False) & ~Q(task_status=ProgressStatus.DONE)))
        .filter(missing__gt=0)
        .order_by("task__plan_id", "-missing", "unit__name")
    )


# -- plan and categories --------------------------------------------------------


def plan_get(*, plan_id: int) -> Plan:
    return get_object_or_404(plan_list_with_counts(), pk=plan_id)


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
    "silent": ("本期未报送", "-n_grey"),
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
        _with_status(qs, clock=clock, task_ref="task_id", prefix="task__")
        .values("unit_id", "unit__name", "unit__kind")
        .annotate(**_light_counts(), n_plans=Count("task__plan_id", distinct=True))
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
    """Every task the unit is linked to, across plans, with status and the unit's own latest report."""
    clock = _clock(clock)
    own = ProgressReport.objects.filter(
        task_id=OuterRef("pk"), unit_id=unit.pk, review_state__in=COUNTED_REVIEW_STATES
    ).order_by("-period")
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
        )
        .order_by("unit_role", "-plan__year_end", "plan__kind", "position")  # lead before support
    )


def unit_summary(*, unit: Unit, clock: Clock | None = None) -> dict[str, Any]:
    """The unit's figures: overall and per plan (lead role, active tasks), one query."""
    clock = _clock(clock)
    rows = list(
        _with_status(
            TaskUnit.objects.filter(unit=unit, role=UnitRole.LEAD, task__state=TaskState.ACTIVE),
            clock=clock,
            task_ref="task_id",
            prefix="task__",
        )
        .values("task__plan_id", "task__plan__title")
        .annotate(**_light_counts())
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
    "silent": ("本期未报送", "-n_grey"),
    "name": ("姓名", "leader__name"),
}


def leader_summary_list(*, order: str = "led", clock: Clock | None = None) -> list[dict[str, Any]]:
    """Every leader with active tasks, with counts by light; one query."""
    clock = _clock(clock)
    ordering = LEADER_SORTS.get(order, LEADER_SORTS["led"])[1]
    rows = (
        _with_status(
            TaskLeader.objects.filter(task__state=TaskState.ACTIVE), clock=clock, task_ref="task_id", prefix="task__"
        )
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
            task_ref="task_id",
            prefix="task__",
        )
        .values("unit_id", "unit__name")
        .annotate(**_light_counts())
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
        ProgressReport.objects.filter(task=task).select_related("unit", "reported_by").order_by("-period", "unit__name")
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


def group_by(items: list[Any], key: str) -> dict[Any, list[Any]]:
    out: dict[Any, list[Any]] = defaultdict(list)
    for item in items:
        out[getattr(item, key)].append(item)
    return out
