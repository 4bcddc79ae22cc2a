"""Stage 5b, apply: write the difference the diff stage found, in one
transaction with bulk queries.

Tasks are never deleted: one missing from a revised document is marked
withdrawn, so the progress recorded against it stays.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import connections, router, transaction
from django.db.models import Field, JSONField
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from tasks.models import (
    Category,
    Leader,
    Milestone,
    Plan,
    PlanKind,
    Project,
    Task,
    TaskLeader,
    TaskState,
    TaskUnit,
    Unit,
    UnitAlias,
)
from tasks.services import task_status_refresh

from .diff import META_LABELS, PlanDiff, plan_district
from .errors import ImportRefused
from .milestones import quarterly_milestones
from .records import ParsedPlan, ParsedTask
from .shape import PlanIdentity, plan_identity


def default_due_date(*, kind: str, year_end: int, text: str) -> dt.date:
    """Annual items are due at the end of their year, five-year tasks at the end
    of the plan, unless the text names its own year ("到2025年…")."""
    if kind == PlanKind.FIVE_YEAR and (m := re.search(r"到\s*(20\d{2})\s*年", text)):
        year = int(m.group(1))
        if year <= year_end:
            return dt.date(year, 12, 31)
    return dt.date(year_end, 12, 31)


@dataclass
class _TaskWrites:
    """What one apply writes to the tasks: each relinked task beside the parsed
    task its links come from (pairs, not attributes stuck on model instances)."""

    create: list[Task] = field(default_factory=list)
    update: list[Task] = field(default_factory=list)
    relink: list[tuple[Task, ParsedTask]] = field(default_factory=list)
    relink_existing: list[int] = field(default_factory=list)  # ids whose old links are deleted first


@transaction.atomic
def plan_apply(parsed: ParsedPlan, diff: PlanDiff, *, source_file: str, user: User | None = None) -> Plan:
    """Write the diff. Runs inside one transaction: all of it or nothing. `user` is who
    imported it (None from the command line), recorded in the tasks' history."""
    identity = plan_identity(parsed.meta)
    if identity is None:
        raise ImportRefused("无法确定规划类型和年份。")
    leaders = _leaders_ensure(diff)
    units = _units_ensure(parsed, diff)
    plan = _plan_ensure(parsed, diff, identity, source_file=source_file)
    categories = _categories_ensure(plan, parsed)
    projects = _projects_ensure(parsed, categories)
    existing = {t.number: t for t in Task.objects.filter(plan=plan)}
    writes = _task_writes(plan, parsed, diff, existing, categories, projects)
    _tasks_write(writes, diff, existing, source_file=source_file, user=user)
    _links_write(writes, leaders, units)
    if identity.year_start == identity.year_end:
        # A one-year plan's quarterly columns become its new tasks' 阶段目标 (imports/milestones.py).
        milestones = quarterly_milestones(tasks=writes.create, year=identity.year_start)
        Milestone.objects.bulk_create(milestones, batch_size=1000)
    # New or relinked tasks: their lead units (and so their derived status) changed.
    task_status_refresh(task_ids=[task.pk for task, _ in writes.relink])
    return plan


def _plan_ensure(parsed: ParsedPlan, diff: PlanDiff, identity: PlanIdentity, *, source_file: str) -> Plan:
    meta = parsed.meta
    plan = Plan.objects.select_for_update().filter(pk=diff.plan_id).first() if diff.plan_id else None
    if plan is None:
        meta_fields = {name: getattr(meta, name) for name in META_LABELS}
        return Plan.objects.create(
            district=plan_district(parsed),
            kind=identity.kind,
            year_start=identity.year_start,
            year_end=identity.year_end,
            source_file=source_file,
            **{k: v or "" if k in ("title", "doc_number") else v for k, v in meta_fields.items()},
        )
    for change in diff.meta_changes:
        setattr(plan, change.field, getattr(meta, change.field))
    plan.source_file = source_file
    plan.save()
    return plan


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
            due = default_due_date(kind=plan.kind, year_end=plan.year_end, text=parsed_task.text)
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


_TASK_FIELDS = [
    "category",
    "project",
    "position",
    "text",
    "title",
    "city_level",
    "note",
    "deadline_text",
    "source_row",
    "state",
    "extras",
    "updated_at",
]


def _tasks_update(tasks: list[Task], names: list[str]) -> None:
    """Write `names` of each task in one statement (PostgreSQL: arrays unnested
    into a join, as Django's own bulk insert does), elsewhere one prepared
    UPDATE run for every row.

    Django's bulk_update builds a CASE expression per field per row; moving the
    10,000 tasks of a plan down one position took over a minute that way."""
    if not tasks:
        return
    db = connections[router.db_for_write(Task)]
    columns = [_column(name) for name in names]
    pk = Task._meta.pk
    quote = db.ops.quote_name
    # JSON travels as text and is cast in SQL: an array of jsonb parameters is not portable across drivers.
    is_json = [isinstance(column, JSONField) for column in columns]
    values = [
        [
            json.dumps(getattr(task, column.attname), ensure_ascii=False)
            if json_column
            else column.get_db_prep_save(getattr(task, column.attname), db)
            for column, json_column in zip(columns, is_json, strict=True)
        ]
        for task in tasks
    ]
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            unnest = ", ".join(
                f"unnest(%s::{'text' if index < len(columns) and is_json[index] else field.db_type(db)}[]) AS c{index}"
                for index, field in enumerate([*columns, pk])
            )
            assignments = ", ".join(
                f"{quote(column.column)} = v.c{index}{'::jsonb' if is_json[index] else ''}"
                for index, column in enumerate(columns)
            )
            cursor.execute(
                f"UPDATE {quote(Task._meta.db_table)} AS t SET {assignments} FROM (SELECT {unnest}) AS v "
                f"WHERE t.{quote(pk.column)} = v.c{len(columns)}",
                [list(column_values) for column_values in zip(*values, strict=True)] + [[task.pk for task in tasks]],
            )
        else:
            assignments = ", ".join(f"{quote(column.column)} = %s" for column in columns)
            cursor.executemany(
                f"UPDATE {quote(Task._meta.db_table)} SET {assignments} WHERE {quote(pk.column)} = %s",
                [[*row, task.pk] for row, task in zip(values, tasks, strict=True)],
            )


def _column(name: str) -> Field:
    """The model field behind a column of the tasks table (never a relation's reverse side)."""
    field = Task._meta.get_field(name)
    if not isinstance(field, Field) or not field.concrete:
        raise ValueError(f"Task.{name} is not a column")
    return field


def _leaders_ensure(diff: PlanDiff) -> dict[str, Leader]:
    Leader.objects.bulk_create([Leader(name=name) for name in diff.new_leaders], batch_size=500)
    return {leader.name: leader for leader in Leader.objects.all()}


def _units_ensure(parsed: ParsedPlan, diff: PlanDiff) -> dict[str, Unit]:
    Unit.objects.bulk_create([Unit(name=name, kind=kind) for name, kind in diff.new_units.items()], batch_size=500)
    names = {u.name for t in parsed.tasks for u in t.units} | set(diff.new_aliases.values())
    units = {unit.name: unit for unit in Unit.objects.filter(name__in=names)}
    # An alias may not shadow a unit's own name (one namespace for both).
    clashing = set(Unit.objects.filter(name__in=diff.new_aliases).values_list("name", flat=True))
    UnitAlias.objects.bulk_create(
        [
            UnitAlias(name=alias, unit=units[canonical], district=plan_district(parsed))
            for alias, canonical in diff.new_aliases.items()
            if alias not in clashing
        ],
        batch_size=500,
    )
    return units


def _categories_ensure(plan: Plan, parsed: ParsedPlan) -> dict[int, Category]:
    existing = {c.order: c for c in Category.objects.filter(plan=plan)}
    to_create, to_update = [], []
    for parsed_category in parsed.categories:
        category = existing.get(parsed_category.order)
        if category is None:
            to_create.append(
                Category(
                    plan=plan,
                    order=parsed_category.order,
                    name=parsed_category.name,
                    stated_count=parsed_category.stated_count,
                )
            )
        elif (category.name, category.stated_count) != (parsed_category.name, parsed_category.stated_count):
            category.name, category.stated_count = parsed_category.name, parsed_category.stated_count
            to_update.append(category)
    Category.objects.bulk_create(to_create)
    Category.objects.bulk_update(to_update, ["name", "stated_count"])
    return {c.order: c for c in Category.objects.filter(plan=plan)}


def _projects_ensure(parsed: ParsedPlan, categories: dict[int, Category]) -> dict[tuple[int, str], Project]:
    by_id = {c.pk: order for order, c in categories.items()}
    existing = {(by_id[p.category_id], p.name): p for p in Project.objects.filter(category__in=categories.values())}
    order_in_category: dict[int, int] = {}
    to_create, to_update = [], []
    for category_order, name in parsed.projects:
        order_in_category[category_order] = order_in_category.get(category_order, 0) + 1
        project = existing.get((category_order, name))
        if project is None:
            to_create.append(
                Project(category=categories[category_order], name=name, order=order_in_category[category_order])
            )
        elif project.order != order_in_category[category_order]:
            project.order = order_in_category[category_order]
            to_update.append(project)
    Project.objects.bulk_create(to_create)
    Project.objects.bulk_update(to_update, ["order"])
    return {(by_id[p.category_id], p.name): p for p in Project.objects.filter(category__in=categories.values())}
