"""The tasks' rows: each task's fields as the document gives them, created, updated or withdrawn,
and its leader and unit links."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from tasks.models import Category, Leader, Plan, PlanKind, Project, Task, TaskLeader, TaskState, TaskUnit, Unit

from ..diff import PlanDiff
from ..records import ParsedPlan, ParsedTask
from ..text.deadlines import due_date
from .update import _TASK_FIELDS, _tasks_update


def default_due_date(*, kind: str, year_start: int, year_end: int, deadline: str, text: str) -> dt.date:
    """A new task's due date: what its 完成时限 states, else a five-year task's own year
    ("到2025年…"), else the end of the plan (imports.text.deadlines)."""
    return due_date(
        five_year=kind == PlanKind.FIVE_YEAR, year_start=year_start, year_end=year_end, deadline=deadline, text=text
    )


@dataclass
class _TaskWrites:
    """What one apply writes to the tasks: each relinked task beside the parsed
    task its links come from (pairs, not attributes stuck on model instances)."""

    create: list[Task] = field(default_factory=list)
    update: list[Task] = field(default_factory=list)
    relink: list[tuple[Task, ParsedTask]] = field(default_factory=list)
    relink_existing: list[int] = field(default_factory=list)  # ids whose old links are deleted first


_Categories = dict[int, Category]  # by order
_Projects = dict[tuple[int, str], Project]  # by (category order, name)


def _task_fields_set(task: Task, parsed_task: ParsedTask, categories: _Categories, projects: _Projects) -> None:
    """The task's fields as the document gives them (each one named once, and checked
    against the model by the type checker)."""
    project_key = (parsed_task.category_order, parsed_task.project) if parsed_task.project else None
    task.category = categories[parsed_task.category_order]
    task.project = projects.get(project_key) if project_key else None
    task.position = parsed_task.position
    task.text = parsed_task.text
    task.title = parsed_task.title
    task.city_level = parsed_task.city_level
    task.note = parsed_task.note
    task.deadline_text = parsed_task.deadline_text
    task.source_row = parsed_task.row
    task.state = TaskState.WITHDRAWN if parsed_task.withdrawn else TaskState.ACTIVE
    task.extras = parsed_task.extras


def _task_writes(
    plan: Plan,
    parsed: ParsedPlan,
    diff: PlanDiff,
    existing: dict[str, Task],
    categories: _Categories,
    projects: _Projects,
) -> _TaskWrites:
    changed_numbers = {c.number for c in diff.changed}
    moved_numbers = set(diff.moved)  # a set: inserting one task near the top moves them all
    writes = _TaskWrites()
    for parsed_task in parsed.tasks:
        task = existing.get(parsed_task.number)
        if task is None:
            due = default_due_date(
                kind=plan.kind,
                year_start=plan.year_start,
                year_end=plan.year_end,
                deadline=parsed_task.deadline_text,
                text=parsed_task.text,
            )
            task = Task(plan=plan, number=parsed_task.number, due_date=due)
            _task_fields_set(task, parsed_task, categories, projects)
            writes.create.append(task)
            writes.relink.append((task, parsed_task))
        elif parsed_task.number in changed_numbers or parsed_task.number in moved_numbers:
            _task_fields_set(task, parsed_task, categories, projects)
            writes.update.append(task)
            if parsed_task.number in changed_numbers:
                writes.relink.append((task, parsed_task))
                writes.relink_existing.append(task.pk)
    return writes


def _tasks_write(
    writes: _TaskWrites, diff: PlanDiff, existing: dict[str, Task], *, source_file: str, user: User | None
) -> None:
    # Task history (who, when, what) is written in bulk alongside the tasks.
    reason = f"导入：{source_file}"[:100]
    bulk_create_with_history(writes.create, Task, batch_size=500, default_user=user, default_change_reason=reason)
    withdrawn = {number for number, _ in diff.withdrawn}
    for task in existing.values():
        if task.number in withdrawn:
            task.state = TaskState.WITHDRAWN
            writes.update.append(task)
    now = timezone.now()
    for task in writes.update:
        task.updated_at = now
    _tasks_update(writes.update, _TASK_FIELDS)
    # History only where a recorded field changed: position and source row are not
    # recorded, so a task that merely moved down a row gets no entry.
    changed_numbers = {c.number for c in diff.changed}
    Task.history.bulk_history_create(
        [t for t in writes.update if t.number in changed_numbers or t.number in withdrawn],
        batch_size=500,
        update=True,
        default_user=user,
        default_change_reason=reason,
    )


def _links_write(writes: _TaskWrites, leaders: dict[str, Leader], units: dict[str, Unit]) -> None:
    TaskLeader.objects.filter(task_id__in=writes.relink_existing).delete()
    TaskUnit.objects.filter(task_id__in=writes.relink_existing).delete()
    TaskLeader.objects.bulk_create(
        [
            TaskLeader(task=task, leader=leaders[name], position=i)
            for task, parsed_task in writes.relink
            for i, name in enumerate(parsed_task.leaders, start=1)
        ],
        batch_size=1000,
    )
    TaskUnit.objects.bulk_create(
        [
            TaskUnit(task=task, unit=units[ref.name], position=i, role=ref.role, printed_name=ref.printed[:200])
            for task, parsed_task in writes.relink
            for i, ref in enumerate(parsed_task.units, start=1)
        ],
        batch_size=1000,
    )
