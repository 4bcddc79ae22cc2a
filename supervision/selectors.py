"""Reads of 督办: 我的待办 per role, and the panels on the task and leader pages.

Every list counts with the read side's rules (tasks.status: `TaskUnit.objects.lead()
.with_status(clock).silent()`, `Task.objects.with_status(clock)` and its light), so a to-do
count and the task search it links to agree. A fixed number of queries per page, whatever
the data's size: each list is one query over all of the person's units at once."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import BooleanField, Case, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.urls import reverse

from tasks import permissions
from tasks.choices import Light, ProgressStatus, ReviewState, Role, TaskState, UnitRole
from tasks.models import Leader, ProgressReport, Task, TaskLeader, TaskUnit, Unit
from tasks.periods import period_deadline
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
)

EXTENSIONS_SHOWN_DAYS = 30  # a liaison sees decided extension requests this long

SEARCH = "tasks:task_search"


@dataclass(frozen=True)
class TodoTask:
    id: int
    number: str
    title: str
    plan_title: str
    due_date: datetime.date | None
    deadline: datetime.date | None = None  # the period's reporting deadline (未报送 lists)
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
        ChaseItem.objects.filter(chase_id=OuterRef("pk"), task__state=TaskState.ACTIVE)
        .exclude(task__current__status=ProgressStatus.DONE)  # nothing is owed on a finished task
        .exclude(Exists(reported))
    )
    return Chase.objects.filter(replied_at__isnull=True).filter(Exists(pending))


def _chase_list(qs: QuerySet[Chase]) -> list[Chase]:
    """Chases of `qs` with their unit and tasks, newest first, in one query (over their items)."""
    chases: dict[int, Chase] = {}
    for item in (
        ChaseItem.objects.filter(chase__in=qs)
        .select_related("chase", "chase__unit", "task")
        .order_by("-chase__created_at", "-chase_id", "task__plan_id", "task__position")
    ):
        chase = chases.setdefault(item.chase_id, item.chase)
        if not hasattr(chase, "item_list"):
            chase.item_list = []
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


def new_tasks_list(*, unit_ids: list[int] | None = None) -> list[NewTasks]:
    """Per unit and plan, how many lead tasks wait for 签收 (one query)."""
    qs = unacknowledged_links()
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return [
        NewTasks(
            unit_id=r["unit_id"],
            unit_name=r["unit__name"],
            plan_id=r["task__plan_id"],
            plan_title=r["task__plan__title"],
            count=r["n"],
        )
        for r in qs.values("unit_id", "unit__name", "task__plan_id", "task__plan__title")
        .annotate(n=Count("pk"))
        .order_by("unit__name", "task__plan_id")
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


def liaison_todo(*, unit_ids: list[int], clock: Clock | None = None) -> list[UnitTodo]:
    """我的待办 of a unit's liaison, per unit (six queries whatever the number of units)."""
    clock = clock_or_now(clock)
    units = {u.pk: UnitTodo(unit=u, today=clock.today) for u in Unit.objects.filter(pk__in=unit_ids).order_by("name")}
    if not units:
        return []
    not_done = ~Q(task_status=ProgressStatus.DONE)
    due_soon = Q(task__due_date__gte=clock.today, task__due_date__lte=clock.due_soon) & not_done
    links = (
        TaskUnit.objects.lead()
        .on_active()
        .filter(unit_id__in=units)
        .with_status(clock)
        .annotate(
            is_silent=Case(When(silent_link(), then=Value(True)), default=Value(False), output_field=BooleanField()),
            is_due_soon=Case(When(due_soon, then=Value(True)), default=Value(False), output_field=BooleanField()),
            start=F("period_now"),
        )
        .filter(Q(silent_link()) | due_soon)
        .order_by("task__due_date", "task__plan_id", "task__position")
        .values(
            "unit_id",
            "task_id",
            "task__number",
            "task__title",
            "task__plan__title",
            "task__plan__reporting_period",
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
            deadline = period_deadline(reporting_period=row["task__plan__reporting_period"], start=row["start"])
            todo.silent.append(TodoTask(**base, deadline=deadline))
        if row["is_due_soon"]:
            todo.due_soon.append(TodoTask(**base))
    # Returned reports and drafts: the rule of tasks.selectors.unit_reports_to_fix, for all units at once.
    for report in (
        ProgressReport.objects.filter(
            unit_id__in=units,
            task__state=TaskState.ACTIVE,
            review_state__in=[ReviewState.RETURNED, ReviewState.DRAFT],
        )
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
    # New instructions: on tasks the unit leads, with no 落实情况 from the unit yet (one query;
    # an instruction on a task two of the person's units lead is listed under each).
    answered = InstructionReply.objects.filter(instruction_id=OuterRef("pk"), unit_id=OuterRef("for_unit"))
    for instruction in (
        Instruction.objects.filter(
            task__unit_links__unit_id__in=units,
            task__unit_links__role=UnitRole.LEAD,
            task__state=TaskState.ACTIVE,
        )
        .annotate(for_unit=F("task__unit_links__unit_id"))
        .filter(~Exists(answered))
        .select_related("task", "leader")
        .order_by("-created_at", "-pk")
    ):
        units[instruction.for_unit].instructions.append(instruction)
    since = clock.today - datetime.timedelta(days=EXTENSIONS_SHOWN_DAYS)
    for extension in (
        ExtensionRequest.objects.filter(unit_id__in=units)
        .filter(Q(state=ExtensionState.PENDING) | Q(decided_at__date__gte=since))
        .select_related("task")
        .order_by("-created_at", "-pk")
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


def leader_todo(*, leader: Leader, since: datetime.datetime | None, clock: Clock | None = None) -> LeaderTodo:
    """我的待办 of a leader (three queries): red and yellow tasks they lead, their lead units that
    have not reported, the reports sent on their tasks since `since` (their last visit)."""
    clock = clock_or_now(clock)
    led = TaskLeader.objects.filter(task_id=OuterRef("pk"), leader=leader)
    red: list[TodoTask] = []
    yellow: list[TodoTask] = []
    for row in (
        Task.objects.active()
        .filter(Exists(led))
        .with_status(clock)
        .filter(light__in=[Light.RED, Light.YELLOW])
        .annotate(shown_light=F("light"))
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
        for r in TaskUnit.objects.lead()
        .on_active()
        .filter(Exists(TaskLeader.objects.filter(task_id=OuterRef("task_id"), leader=leader)))
        .with_status(clock)
        .values("unit_id", "unit__name")
        .annotate(missing=Count("pk", filter=silent_link()))
        .filter(missing__gt=0)
        .order_by("-missing", "unit__name")
    ]
    reports = ProgressReport.objects.filter(
        Exists(TaskLeader.objects.filter(task_id=OuterRef("task_id"), leader=leader)),
        task__state=TaskState.ACTIVE,
        review_state__in=[ReviewState.SUBMITTED, ReviewState.APPROVED],
        reported_at__isnull=False,
    )
    if since is not None:
        reports = reports.filter(reported_at__gt=since)
    new_reports = list(reports.select_related("task", "unit").order_by("-reported_at", "-pk")[:50])
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


def office_todo(*, clock: Clock | None = None) -> OfficeTodo:
    """我的待办 of the office (five queries): reports awaiting review (count and the oldest),
    units that have not reported this period (all plans), red tasks not reported this period,
    open chases past their reply-by date, extension requests to decide (oldest first), units
    that have not acknowledged new tasks."""
    clock = clock_or_now(clock)
    pending_qs = ProgressReport.objects.filter(review_state=ReviewState.SUBMITTED)
    pending_count = pending_qs.count()
    pending = list(pending_qs.select_related("task", "unit").order_by("reported_at", "pk")[:PENDING_SHOWN])
    units = [
        SilentUnit(
            unit_id=r["unit_id"],
            name=r["unit__name"],
            missing=r["missing"],
            url=_search(unit=r["unit_id"], reported="no"),
        )
        for r in TaskUnit.objects.lead()
        .on_active()
        .with_status(clock)
        .values("unit_id", "unit__name")
        .annotate(missing=Count("pk", filter=silent_link()))
        .filter(missing__gt=0)
        .order_by("-missing", "unit__name")
    ]
    overdue = _chase_list(chases_open().filter(reply_by__lt=clock.today))
    extensions = list(
        ExtensionRequest.objects.filter(state=ExtensionState.PENDING, task__state=TaskState.ACTIVE)
        .select_related("task", "unit")
        .order_by("created_at", "pk")
    )
    return OfficeTodo(
        pending_count=pending_count,
        pending=pending,
        units=units,
        overdue_chases=overdue,
        extensions=extensions,
        unacknowledged=new_tasks_list(),
        red_silent=Task.objects.active().with_status(clock).filter(light=Light.RED, silent_now=True).count(),
    )


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
    for k, pk, parent, at, body, who, name, unit, flag, day, answer, answered, answerer, day2, day3, state in rows:
        if k == "i":
            instructions[pk] = PanelInstruction(
                pk=pk, leader_name=name, text=body, on_behalf=bool(flag), written_by=who, at=at
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
