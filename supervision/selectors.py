"""Reads of 督办: 我的待办 per role, and the panels on the task and leader pages.

Every list counts with the read side's rules (tasks.status: `TaskUnit.objects.lead()
.with_status(clock).silent()`, `Task.objects.with_status(clock)` and its light), so a to-do
count and the task search it links to agree. A fixed number of queries per page, whatever
the data's size: each list is one query over all of the person's units at once."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from tasks import permissions
from tasks.choices import Light, ProgressStatus, ReviewState, Role, UnitRole
from tasks.models import Leader, ProgressReport, Task, TaskLeader, TaskUnit, Unit
from tasks.periods import period_deadline, period_label
from tasks.querysets import current_work
from tasks.status.clock import Clock, clock_or_now
from tasks.status.rule import period_now, silent_link

from .models import (
    AcknowledgedTask,
    Chase,
    ChaseItem,
    ExtensionRequest,
    ExtensionState,
    Instruction,
    InstructionReply,
    TodoVisit,
)

if TYPE_CHECKING:  # django-stubs-ext is a development requirement (types only)
    from django_stubs_ext import WithAnnotations

EXTENSIONS_SHOWN_DAYS = 30  # a liaison sees decided extension requests this long

SEARCH = "tasks:task_search"
FIRST_VISIT_DAYS = 7  # a leader's first visit to 我的待办 shows the reports of the last week

# Which units a list is for: their ids, or a subquery of them (the header badge's, so that its
# count is one statement).
Units = list[int] | QuerySet[Any]


@dataclass(frozen=True)
class TodoTask:
    id: int
    number: str
    title: str
    plan_title: str
    due_date: datetime.date | None
    deadline: datetime.date | None = None  # the period's reporting deadline (未报送 lists)
    period: str = ""  # the period being reported, e.g. 2025年6月 (未报送 lists)
    light: str = ""

    @property
    def url(self) -> str:
        return reverse("tasks:task", args=[self.id])


def _search(**params: Any) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{reverse(SEARCH)}?{query}"


# -- chases: open, settled, overdue ------------------------------------------------------------


def chases_open() -> QuerySet[Chase]:
    """Chases with no reply whose unit still owes the report on at least one chased task
    (active, not finished, no report of its own for the period chased)."""
    reported = TaskUnit.objects.filter(
        task_id=OuterRef("task_id"),
        unit_id=OuterRef("unit_id"),
        role=UnitRole.LEAD,
        reported_period__gte=OuterRef("period"),
    )
    pending = (
        ChaseItem.objects.filter(current_work("task__"), chase_id=OuterRef("pk"))
        .exclude(task__current__status=ProgressStatus.DONE)  # nothing is owed on a finished task
        .exclude(Exists(reported))
    )
    return Chase.objects.filter(replied_at__isnull=True).filter(Exists(pending))


def _chase_list(qs: QuerySet[Chase]) -> list[Chase]:
    """Chases of `qs` with their unit, tasks and 督办单 number, newest first, in one query (over
    their items; the slip's number and id only, never its file)."""
    chases: dict[int, Chase] = {}
    for item in (
        ChaseItem.objects.filter(chase__in=qs)
        .select_related("chase", "chase__unit", "task")
        .annotate(chase_slip_id=F("chase__slip__pk"), chase_slip_number=F("chase__slip__number"))
        .order_by("-chase__created_at", "-chase_id", "task__plan_id", "task__position")
    ):
        chase = chases.setdefault(item.chase_id, item.chase)
        if not hasattr(chase, "item_list"):
            chase.item_list = []
            chase.slip_id = item.chase_slip_id  # the annotations above
            chase.slip_number = item.chase_slip_number or ""
        chase.item_list.append(item)
    return list(chases.values())


# -- 签收 ------------------------------------------------------------------------------------------


def unacknowledged_links() -> QuerySet[TaskUnit]:
    """Lead links on active tasks their unit has not acknowledged (签收)."""
    done = AcknowledgedTask.objects.filter(task_id=OuterRef("task_id"), unit_id=OuterRef("unit_id"))
    return TaskUnit.objects.lead().on_active().filter(~Exists(done))


@dataclass
class NewTasks:
    """Tasks of one plan newly assigned to one unit and not yet acknowledged."""

    unit_id: int
    unit_name: str
    plan_id: int
    plan_title: str
    count: int


def _new_tasks_rows(*, unit_ids: Units | None = None) -> QuerySet[Any]:
    """One row per unit and plan with lead tasks waiting for 签收 (the list and the badge)."""
    qs = unacknowledged_links()
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return (
        qs.values("unit_id", "unit__name", "task__plan_id", "task__plan__title")
        .annotate(n=Count("pk"))
        .order_by("unit__name", "task__plan_id")
    )


def new_tasks_list(*, unit_ids: list[int] | None = None) -> list[NewTasks]:
    """Per unit and plan, how many lead tasks wait for 签收 (one query)."""
    return [
        NewTasks(
            unit_id=r["unit_id"],
            unit_name=r["unit__name"],
            plan_id=r["task__plan_id"],
            plan_title=r["task__plan__title"],
            count=r["n"],
        )
        for r in _new_tasks_rows(unit_ids=unit_ids)
    ]


# -- liaison -----------------------------------------------------------------------------------


@dataclass
class UnitTodo:
    unit: Unit
    silent: list[TodoTask] = field(default_factory=list)
    due_soon: list[TodoTask] = field(default_factory=list)
    returned: list[ProgressReport] = field(default_factory=list)
    drafts: list[ProgressReport] = field(default_factory=list)
    instructions: list[Instruction] = field(default_factory=list)
    chases: list[Chase] = field(default_factory=list)
    extensions: list[ExtensionRequest] = field(default_factory=list)
    new_tasks: list[NewTasks] = field(default_factory=list)
    today: datetime.date | None = None

    @property
    def silent_url(self) -> str:
        return _search(unit=self.unit.pk, reported="no")

    @property
    def overdue_chases(self) -> list[Chase]:
        return [c for c in self.chases if c.reply_by and self.today and c.reply_by < self.today]

    @property
    def total(self) -> int:
        return (
            len(self.silent)
            + len(self.returned)
            + len(self.drafts)
            + len(self.due_soon)
            + len(self.instructions)
            + len(self.chases)
            + len(self.extensions)
            + len(self.new_tasks)
        )


# The liaison's lists as querysets, one per list (or two lists for the links): the page reads
# them, the header badge counts them (todo_count), so the two cannot disagree.


def _liaison_links(*, unit_ids: Units, clock: Clock) -> QuerySet[TaskUnit]:
    """Lead links not reported this period (is_silent) or due soon (is_due_soon)."""
    not_done = ~Q(task_status=ProgressStatus.DONE)
    due_soon = Q(task__due_date__gte=clock.today, task__due_date__lte=clock.due_soon) & not_done
    return (
        TaskUnit.objects.lead()
        .on_active()
        .filter(unit_id__in=unit_ids)
        .with_status(clock)
        .annotate(
            is_silent=Case(When(silent_link(), then=Value(True)), default=Value(False), output_field=BooleanField()),
            is_due_soon=Case(When(due_soon, then=Value(True)), default=Value(False), output_field=BooleanField()),
        )
        .filter(Q(silent_link()) | due_soon)
    )


def _liaison_reports(*, unit_ids: Units) -> QuerySet[ProgressReport]:
    """Returned reports and drafts: the rule of tasks.selectors.unit_reports_to_fix."""
    return ProgressReport.objects.filter(
        current_work("task__"),
        unit_id__in=unit_ids,
        review_state__in=[ReviewState.RETURNED, ReviewState.DRAFT],
    )


class _ForUnit(TypedDict):
    for_unit: int


def _liaison_instructions(*, unit_ids: Units) -> QuerySet[WithAnnotations[Instruction, _ForUnit]]:
    """Instructions on tasks the unit leads with no 落实情况 from the unit yet; `for_unit` is the
    unit (an instruction on a task two of the person's units lead is a row for each)."""
    answered = InstructionReply.objects.filter(instruction_id=OuterRef("pk"), unit_id=OuterRef("for_unit"))
    return (
        Instruction.objects.filter(
            current_work("task__"),
            task__unit_links__unit_id__in=unit_ids,
            task__unit_links__role=UnitRole.LEAD,
        )
        .annotate(for_unit=F("task__unit_links__unit_id"))
        .filter(~Exists(answered))
    )


def _liaison_extensions(*, unit_ids: Units, clock: Clock) -> QuerySet[ExtensionRequest]:
    """Extension requests pending, or decided in the last EXTENSIONS_SHOWN_DAYS."""
    since = clock.today - datetime.timedelta(days=EXTENSIONS_SHOWN_DAYS)
    return ExtensionRequest.objects.filter(unit_id__in=unit_ids).filter(
        Q(state=ExtensionState.PENDING) | Q(decided_at__date__gte=since)
    )


def liaison_todo(*, unit_ids: list[int], clock: Clock | None = None) -> list[UnitTodo]:
    """我的待办 of a unit's liaison, per unit (six queries whatever the number of units)."""
    clock = clock_or_now(clock)
    units = {u.pk: UnitTodo(unit=u, today=clock.today) for u in Unit.objects.filter(pk__in=unit_ids).order_by("name")}
    if not units:
        return []
    links = (
        _liaison_links(unit_ids=list(units), clock=clock)
        .annotate(start=F("period_now"))
        .order_by("task__due_date", "task__plan_id", "task__position")
        .values(
            "unit_id",
            "task_id",
            "task__number",
            "task__title",
            "task__plan__title",
            "task__plan__reporting_period",
            "task__plan__report_due_rule",
            "task__plan__report_due_number",
            "task__due_date",
            "start",
            "is_silent",
            "is_due_soon",
        )
    )
    for row in links:
        todo = units[row["unit_id"]]
        base = {
            "id": row["task_id"],
            "number": row["task__number"],
            "title": row["task__title"],
            "plan_title": row["task__plan__title"],
            "due_date": row["task__due_date"],
        }
        if row["is_silent"]:
            deadline = period_deadline(
                reporting_period=row["task__plan__reporting_period"],
                start=row["start"],
                rule=row["task__plan__report_due_rule"],
                number=row["task__plan__report_due_number"],
            )
            period = period_label(reporting_period=row["task__plan__reporting_period"], start=row["start"])
            todo.silent.append(TodoTask(**base, deadline=deadline, period=period))
        if row["is_due_soon"]:
            todo.due_soon.append(TodoTask(**base))
    # Returned reports and drafts, for all units at once.
    for report in (
        _liaison_reports(unit_ids=list(units))
        .select_related("task", "task__plan", "reviewed_by")
        .annotate(
            is_current=Case(
                When(period__gte=period_now(clock=clock, path="task__"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-period", F("reviewed_at").desc(nulls_last=True), "task__plan_id", "task__position")
    ):
        todo = units[report.unit_id]
        (todo.returned if report.review_state == ReviewState.RETURNED else todo.drafts).append(report)
    # New instructions (one query; listed under each of the person's units that leads the task).
    for instruction in (
        _liaison_instructions(unit_ids=list(units)).select_related("task", "leader").order_by("-created_at", "-pk")
    ):
        units[instruction.for_unit].instructions.append(instruction)
    for extension in (
        _liaison_extensions(unit_ids=list(units), clock=clock).select_related("task").order_by("-created_at", "-pk")
    ):
        units[extension.unit_id].extensions.append(extension)
    for new in new_tasks_list(unit_ids=list(units)):
        units[new.unit_id].new_tasks.append(new)
    for chase in _chase_list(chases_open().filter(unit_id__in=units)):
        units[chase.unit_id].chases.append(chase)
    return list(units.values())


# -- leader ------------------------------------------------------------------------------------


@dataclass
class SilentUnit:
    unit_id: int
    name: str
    missing: int
    url: str


@dataclass
class LeaderTodo:
    leader: Leader
    red: list[TodoTask]
    yellow: list[TodoTask]
    units: list[SilentUnit]
    new_reports: list[ProgressReport]
    since: datetime.datetime | None

    @property
    def red_url(self) -> str:
        return _search(leader=self.leader.pk, light=Light.RED)

    @property
    def yellow_url(self) -> str:
        return _search(leader=self.leader.pk, light=Light.YELLOW)

    @property
    def total(self) -> int:
        return len(self.red) + len(self.yellow) + len(self.units) + len(self.new_reports)


NEW_REPORTS_SHOWN = 50


@dataclass
class _LeaderLists:
    """The leader's lists as querysets: the page reads them, the header badge counts them."""

    lights: QuerySet[Task]  # red and yellow tasks they lead
    units: QuerySet[Any]  # one row per lead unit with tasks not reported this period
    reports: QuerySet[ProgressReport]  # reports on their tasks since `since`, newest first, at most 50


def _leader_lists(
    *, leader_id: int | Subquery, since: datetime.datetime | Coalesce | None, clock: Clock
) -> _LeaderLists:
    # Q(...): a subquery is a valid value here, which the stubs' lookup check does not know.
    led = TaskLeader.objects.filter(Q(leader_id=leader_id), task_id=OuterRef("pk"))
    lights = Task.objects.active().filter(Exists(led)).with_status(clock).filter(light__in=[Light.RED, Light.YELLOW])
    units = (
        TaskUnit.objects.lead()
        .on_active()
        .filter(Exists(TaskLeader.objects.filter(Q(leader_id=leader_id), task_id=OuterRef("task_id"))))
        .with_status(clock)
        .values("unit_id", "unit__name")
        .annotate(missing=Count("pk", filter=silent_link()))
        .filter(missing__gt=0)
        .order_by("-missing", "unit__name")
    )
    reports = ProgressReport.objects.filter(
        Exists(TaskLeader.objects.filter(Q(leader_id=leader_id), task_id=OuterRef("task_id"))),
        current_work("task__"),
        review_state__in=[ReviewState.SUBMITTED, ReviewState.APPROVED],
        reported_at__isnull=False,
    )
    if since is not None:
        reports = reports.filter(reported_at__gt=since)
    return _LeaderLists(lights=lights, units=units, reports=reports.order_by("-reported_at", "-pk")[:NEW_REPORTS_SHOWN])


def leader_todo(*, leader: Leader, since: datetime.datetime | None, clock: Clock | None = None) -> LeaderTodo:
    """我的待办 of a leader (three queries): red and yellow tasks they lead, their lead units that
    have not reported, the reports sent on their tasks since `since` (their last visit)."""
    clock = clock_or_now(clock)
    lists = _leader_lists(leader_id=leader.pk, since=since, clock=clock)
    red: list[TodoTask] = []
    yellow: list[TodoTask] = []
    for row in (
        lists.lights.annotate(shown_light=F("light"))
        .order_by("due_date", "plan_id", "position")
        .values("pk", "number", "title", "plan__title", "due_date", "shown_light")
    ):
        task = TodoTask(
            id=row["pk"],
            number=row["number"],
            title=row["title"],
            plan_title=row["plan__title"],
            due_date=row["due_date"],
            light=row["shown_light"],
        )
        (red if task.light == Light.RED else yellow).append(task)
    units = [
        SilentUnit(
            unit_id=r["unit_id"],
            name=r["unit__name"],
            missing=r["missing"],
            url=_search(leader=leader.pk, unit=r["unit_id"], reported="no"),
        )
        for r in lists.units
    ]
    new_reports = list(lists.reports.select_related("task", "unit"))
    return LeaderTodo(leader=leader, red=red, yellow=yellow, units=units, new_reports=new_reports, since=since)


# -- office ------------------------------------------------------------------------------------


@dataclass
class OfficeTodo:
    pending_count: int
    pending: list[ProgressReport]
    units: list[SilentUnit]
    overdue_chases: list[Chase]
    extensions: list[ExtensionRequest]
    unacknowledged: list[NewTasks]
    red_silent: int = 0  # red tasks with a lead unit that has not reported this period

    @property
    def red_silent_url(self) -> str:
        return _search(light=Light.RED, reported="no")

    @property
    def total(self) -> int:
        return (
            self.red_silent
            + self.pending_count
            + len(self.units)
            + len(self.overdue_chases)
            + len(self.extensions)
            + len(self.unacknowledged)
        )


PENDING_SHOWN = 10


@dataclass
class _OfficeLists:
    """The office's lists as querysets (besides _new_tasks_rows): the page reads them, the
    header badge counts them."""

    pending: QuerySet[ProgressReport]  # every report awaiting review (the page lists the oldest)
    units: QuerySet[Any]  # one row per unit with lead tasks not reported this period
    overdue_chases: QuerySet[Chase]
    extensions: QuerySet[ExtensionRequest]
    red_silent: QuerySet[Task]  # counted only; the count links to the task search


def _office_lists(*, clock: Clock) -> _OfficeLists:
    return _OfficeLists(
        pending=ProgressReport.objects.filter(review_state=ReviewState.SUBMITTED),
        units=TaskUnit.objects.lead()
        .on_active()
        .with_status(clock)
        .values("unit_id", "unit__name")
        .annotate(missing=Count("pk", filter=silent_link()))
        .filter(missing__gt=0)
        .order_by("-missing", "unit__name"),
        overdue_chases=chases_open().filter(reply_by__lt=clock.today),
        extensions=ExtensionRequest.objects.filter(current_work("task__"), state=ExtensionState.PENDING),
        red_silent=Task.objects.active().with_status(clock).filter(light=Light.RED, silent_now=True),
    )


def office_todo(*, clock: Clock | None = None) -> OfficeTodo:
    """我的待办 of the office (five queries): reports awaiting review (count and the oldest),
    units that have not reported this period (all plans), red tasks not reported this period,
    open chases past their reply-by date, extension requests to decide (oldest first), units
    that have not acknowledged new tasks."""
    clock = clock_or_now(clock)
    lists = _office_lists(clock=clock)
    pending = list(lists.pending.select_related("task", "unit").order_by("reported_at", "pk")[:PENDING_SHOWN])
    units = [
        SilentUnit(
            unit_id=r["unit_id"],
            name=r["unit__name"],
            missing=r["missing"],
            url=_search(unit=r["unit_id"], reported="no"),
        )
        for r in lists.units
    ]
    return OfficeTodo(
        pending_count=lists.pending.count(),
        pending=pending,
        units=units,
        overdue_chases=_chase_list(lists.overdue_chases),
        extensions=list(lists.extensions.select_related("task", "unit").order_by("created_at", "pk")),
        unacknowledged=new_tasks_list(),
        red_silent=lists.red_silent.count(),
    )


# -- the header badge: how many things 我的待办 lists ------------------------------------------


def counts_fetch(*, querysets: Sequence[QuerySet[Any]]) -> list[int]:
    """How many rows each queryset has, in ONE statement: a SELECT of scalar COUNT subqueries,
    each over the queryset's own SQL (so a grouped list counts its groups, a sliced one its slice)."""
    if not querysets:
        return []
    using = querysets[0].db
    parts: list[str] = []
    params: list[Any] = []
    for index, qs in enumerate(querysets):
        if not qs.query.is_sliced:
            qs = qs.order_by()  # ordering changes no count; a slice keeps it (it picks the rows)
        try:
            sql, qs_params = qs.query.get_compiler(using=using).as_sql()
        except EmptyResultSet:  # .none(), or `__in` an empty list: no rows, nothing to ask
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) counted_{index})")
        params.extend(qs_params)
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return [int(n) for n in row]


def todo_querysets(*, user: User | AnonymousUser, clock: Clock) -> list[QuerySet[Any]]:
    """One queryset per count on the person's 我的待办, each with a row per item of its list: the
    same querysets the page reads (liaison_todo, leader_todo, office_todo). Empty for anyone
    without a 我的待办 (no reading role). No query is run here: the person's units, leader and
    last visit are subqueries."""
    role = permissions.user_role(user)
    if not isinstance(user, User) or role not in permissions.READER_ROLES:
        return []
    if role == Role.LIAISON:
        units = Unit.objects.filter(liaisons__user_id=user.pk).values("pk")
        links = _liaison_links(unit_ids=units, clock=clock)
        return [
            links.filter(Q(is_silent=True)),
            links.filter(Q(is_due_soon=True)),
            _liaison_reports(unit_ids=units),
            _liaison_instructions(unit_ids=units),
            _liaison_extensions(unit_ids=units, clock=clock),
            _new_tasks_rows(unit_ids=units),
            chases_open().filter(unit_id__in=units),
        ]
    if role == Role.LEADER:
        # As the page: the reports since the last visit, or of the last week before the first one.
        leader = Subquery(Leader.objects.filter(accounts__user_id=user.pk).values("pk")[:1])
        first = timezone.now() - datetime.timedelta(days=FIRST_VISIT_DAYS)
        since = Coalesce(
            Subquery(TodoVisit.objects.filter(user_id=user.pk).values("seen_at")[:1]),
            Value(first, output_field=DateTimeField()),
        )
        leader_lists = _leader_lists(leader_id=leader, since=since, clock=clock)
        return [leader_lists.lights, leader_lists.units, leader_lists.reports]
    office = _office_lists(clock=clock)
    return [
        office.pending,
        office.units,
        office.overdue_chases,
        office.extensions,
        _new_tasks_rows(),
        office.red_silent,
    ]


def todo_count(*, user: User | AnonymousUser, clock: Clock | None = None) -> int:
    """The number the header badge shows: the sum of the counts on the person's 我的待办 (one query)."""
    return sum(counts_fetch(querysets=todo_querysets(user=user, clock=clock_or_now(clock))))


# -- the task page's panel and the leader page's list -----------------------------------------


@dataclass
class PanelReply:
    unit_id: int
    unit_name: str
    text: str
    at: datetime.datetime


@dataclass
class PanelInstruction:
    pk: int
    leader_name: str
    text: str
    on_behalf: bool
    written_by: str
    at: datetime.datetime
    praise: bool = False
    replies: list[PanelReply] = field(default_factory=list)
    answer_units: list[Any] = field(default_factory=list)  # filled by the template tag


@dataclass
class PanelChase:
    pk: int
    unit_id: int
    unit_name: str
    note: str
    created_by: str
    at: datetime.datetime
    reply_by: datetime.date | None
    reply_text: str
    replied_at: datetime.datetime | None
    replied_by: str
    may_reply: bool = False  # filled by the template tag
    # The 督办单 generated with the chase (SupervisionSlip.chase), if any.
    slip_id: int | None = None
    slip_number: str = ""


@dataclass
class PanelExtension:
    pk: int
    unit_id: int
    unit_name: str
    reason: str
    requested_by: str
    at: datetime.datetime
    requested_date: datetime.date
    decision_reason: str
    decided_at: datetime.datetime | None
    decided_by: str
    granted_date: datetime.date | None
    original_due_date: datetime.date | None
    state: str
    decide_form: Any = None  # filled by the view for the office

    @property
    def pending(self) -> bool:
        return self.state == ExtensionState.PENDING

    @property
    def state_label(self) -> str:
        return str(ExtensionState(self.state).label)


@dataclass
class TaskPanel:
    instructions: list[PanelInstruction]
    chases: list[PanelChase]
    extensions: list[PanelExtension]
    leader_id: int | None  # the reading leader's own leader, when asked for


_PANEL_COLUMNS = (
    "p_kind",
    "p_pk",
    "p_parent",
    "p_at",
    "p_body",
    "p_who",
    "p_name",
    "p_unit",
    "p_flag",
    "p_day",
    "p_answer",
    "p_answered",
    "p_answerer",
    "p_day2",
    "p_day3",
    "p_state",
    "p_slip",
    "p_ref",
)


def _panel_part(qs: QuerySet[Any], kind: str, **columns: Any) -> QuerySet[Any]:
    """One branch of the panel's UNION: every column an annotation, in one order (a UNION
    matches columns by position); empty columns are typed NULLs (PostgreSQL will not guess)."""
    from django.db.models import BooleanField as B
    from django.db.models import CharField, DateField, DateTimeField, IntegerField, TextField
    from django.db.models.functions import Cast

    nulls = {
        "parent": Value(0, output_field=IntegerField()),
        "at": Cast(Value(None), output_field=DateTimeField()),
        "body": Value("", output_field=TextField()),
        "who": Value("", output_field=CharField()),
        "name": Value("", output_field=CharField()),
        "unit": Value(0, output_field=IntegerField()),
        "flag": Value(False, output_field=B()),
        "day": Cast(Value(None), output_field=DateField()),
        "answer": Value("", output_field=TextField()),
        "answered": Cast(Value(None), output_field=DateTimeField()),
        "answerer": Value("", output_field=CharField()),
        "day2": Cast(Value(None), output_field=DateField()),
        "day3": Cast(Value(None), output_field=DateField()),
        "state": Value("", output_field=CharField()),
        "slip": Value(0, output_field=IntegerField()),
        "ref": Value("", output_field=CharField()),
    }
    qs = qs.order_by().annotate(p_kind=Value(kind, output_field=CharField()), p_pk=F("pk"))
    for name in _PANEL_COLUMNS[2:]:
        short = name.removeprefix("p_")
        qs = qs.annotate(**{name: columns.get(short, nulls[short])})
    return qs.values_list(*_PANEL_COLUMNS)


def task_panel(*, task: Task, user: User | AnonymousUser | None = None) -> TaskPanel:
    """批示 with their 落实情况, 催办 and 申请延期 of a task, newest first, in ONE query (a UNION;
    for a leader one more branch: their own leader id)."""
    from django.db.models.functions import Coalesce

    parts = [
        _panel_part(
            Instruction.objects.filter(task=task),
            "i",
            at=F("created_at"),
            body=F("text"),
            who=F("written_by__username"),
            name=F("leader__name"),
            flag=F("on_behalf"),
            state=Case(When(praise=True, then=Value("praise")), default=Value(""), output_field=CharField()),
        ),
        _panel_part(
            InstructionReply.objects.filter(instruction__task=task),
            "r",
            parent=F("instruction_id"),
            at=F("created_at"),
            body=F("text"),
            name=F("unit__name"),
            unit=F("unit_id"),
        ),
        _panel_part(
            Chase.objects.filter(Exists(ChaseItem.objects.filter(chase_id=OuterRef("pk"), task=task))),
            "c",
            at=F("created_at"),
            body=F("note"),
            who=F("created_by__username"),
            name=F("unit__name"),
            unit=F("unit_id"),
            day=F("reply_by"),
            answer=F("reply_text"),
            answered=F("replied_at"),
            answerer=Coalesce(F("replied_by__username"), Value("")),
            slip=Coalesce(F("slip__pk"), Value(0)),
            ref=Coalesce(F("slip__number"), Value("")),
        ),
    ]
    parts.append(
        _panel_part(
            ExtensionRequest.objects.filter(task=task),
            "e",
            at=F("created_at"),
            body=F("reason"),
            who=F("requested_by__username"),
            name=F("unit__name"),
            unit=F("unit_id"),
            day=F("requested_date"),
            answer=F("decision_reason"),
            answered=F("decided_at"),
            answerer=Coalesce(F("decided_by__username"), Value("")),
            day2=F("granted_date"),
            day3=F("original_due_date"),
            state=F("state"),
        )
    )
    if isinstance(user, User) and permissions.user_role(user) == Role.LEADER:
        from tasks.models import UserProfile

        parts.append(
            _panel_part(UserProfile.objects.filter(user_id=user.pk), "p", unit=Coalesce(F("leader_id"), Value(0)))
        )
    rows = list(parts[0].union(*parts[1:], all=True))
    instructions: dict[int, PanelInstruction] = {}
    replies: list[tuple[int, PanelReply]] = []
    chases: list[PanelChase] = []
    leader_id = None
    extensions: list[PanelExtension] = []
    for row in rows:
        k, pk, parent, at, body, who, name, unit, flag, day, answer, answered, answerer, day2, day3, state = row[:16]
        slip, ref = row[16:]
        if k == "i":
            instructions[pk] = PanelInstruction(
                pk=pk,
                leader_name=name,
                text=body,
                on_behalf=bool(flag),
                written_by=who,
                at=at,
                praise=state == "praise",
            )
        elif k == "r":
            replies.append((parent, PanelReply(unit_id=unit, unit_name=name, text=body, at=at)))
        elif k == "c":
            chases.append(
                PanelChase(
                    pk=pk,
                    unit_id=unit,
                    unit_name=name,
                    note=body,
                    created_by=who,
                    at=at,
                    reply_by=day,
                    reply_text=answer,
                    replied_at=answered,
                    replied_by=answerer,
                    slip_id=slip or None,
                    slip_number=ref,
                )
            )
        elif k == "e":
            extensions.append(
                PanelExtension(
                    pk=pk,
                    unit_id=unit,
                    unit_name=name,
                    reason=body,
                    requested_by=who,
                    at=at,
                    requested_date=day,
                    decision_reason=answer,
                    decided_at=answered,
                    decided_by=answerer,
                    granted_date=day2,
                    original_due_date=day3,
                    state=state,
                )
            )
        else:
            leader_id = unit or None
    for parent, reply in sorted(replies, key=lambda r: r[1].at):
        if parent in instructions:
            instructions[parent].replies.append(reply)
    return TaskPanel(
        instructions=sorted(instructions.values(), key=lambda i: (i.at, i.pk), reverse=True),
        chases=sorted(chases, key=lambda c: (c.at, c.pk), reverse=True),
        extensions=sorted(extensions, key=lambda e: (e.at, e.pk), reverse=True),
        leader_id=leader_id,
    )


def leader_instructions(*, leader: Leader, limit: int = 50) -> list[Instruction]:
    """A leader's instructions, newest first, with their tasks (one query)."""
    return list(
        Instruction.objects.filter(leader=leader)
        .select_related("task", "written_by")
        .annotate(n_replies=Count("replies"))
        .order_by("-created_at", "-pk")[:limit]
    )
