"""我的待办 of a unit's liaison: tasks not reported or due soon, returned reports and drafts, new
批示, extension requests, new tasks to 签收, open 催办; one query per list over all of their units."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from django.db.models import BooleanField, Case, Exists, F, OuterRef, Q, QuerySet, Value, When

from minhang_plans.compiled import compiled_rows, ids_padded
from tasks.choices import ProgressStatus, ReviewState, UnitRole
from tasks.models import ProgressReport, TaskUnit, Unit
from tasks.periods import period_deadline, period_label
from tasks.querysets import current_work
from tasks.selectors.units import reports_to_fix
from tasks.status.clock import Clock, clock_or_now
from tasks.status.rule import silent_link

from ..models import Chase, ExtensionRequest, ExtensionState, Instruction, InstructionReply
from .acknowledgements import NewTasks, new_tasks_list
from .chases import _chase_list, chases_open
from .rows import TodoTask, Units, _search

if TYPE_CHECKING:  # django-stubs-ext is a development requirement (types only)
    from django_stubs_ext import WithAnnotations


EXTENSIONS_SHOWN_DAYS = 30  # a liaison sees decided extension requests this long


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
    """我的待办 of a unit's liaison, per unit (six queries whatever the number of units). The lists with
    the status rule's expressions are compiled once per day (minhang_plans.compiled): building them cost
    more than running them, on the page a liaison opens first every day."""
    clock = clock_or_now(clock)
    units = {u.pk: UnitTodo(unit=u, today=clock.today) for u in Unit.objects.filter(pk__in=unit_ids).order_by("name")}
    if not units:
        return []
    ids = {"unit_ids": ids_padded(list(units))}
    links = compiled_rows(
        key=("liaison_todo_links", clock),
        build=lambda unit_ids: (
            _liaison_links(unit_ids=unit_ids, clock=clock)
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
        ),
        ids=ids,
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
    reports = compiled_rows(
        key=("liaison_todo_reports", clock),
        build=lambda unit_ids: reports_to_fix(unit_ids=unit_ids, clock=clock),
        ids=ids,
    )
    for report in reports:
        todo = units[report.unit_id]
        (todo.returned if report.review_state == ReviewState.RETURNED else todo.drafts).append(report)
    # New instructions (one query; listed under each of the person's units that leads the task).
    instructions = compiled_rows(
        key="liaison_todo_instructions",
        build=lambda unit_ids: (
            _liaison_instructions(unit_ids=unit_ids).select_related("task", "leader").order_by("-created_at", "-pk")
        ),
        ids=ids,
    )
    for instruction in instructions:
        units[instruction.for_unit].instructions.append(instruction)
    extensions = compiled_rows(
        key=("liaison_todo_extensions", clock),
        build=lambda unit_ids: (
            _liaison_extensions(unit_ids=unit_ids, clock=clock).select_related("task").order_by("-created_at", "-pk")
        ),
        ids=ids,
    )
    for extension in extensions:
        units[extension.unit_id].extensions.append(extension)
    for new in new_tasks_list(unit_ids=list(units)):
        units[new.unit_id].new_tasks.append(new)
    for chase in _chase_list(chases_open().filter(unit_id__in=units)):
        units[chase.unit_id].chases.append(chase)
    return list(units.values())
