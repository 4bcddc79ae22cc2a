"""Stage 5, apply: diff the parsed plan against the database, then write the
whole difference in one transaction with bulk queries.

A plan is identified by kind and years, a task by plan + printed number. Tasks
are never deleted: one missing from a revised document is marked withdrawn, so
the progress recorded against it stays.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import JSONField
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from tasks.models import (
    Category,
    Leader,
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

from .errors import ImportRefused
from .records import ParsedPlan, ParsedTask

FIELD_LABELS = {
    "category": "类别",
    "project": "项目",
    "text": "任务内容",
    "city_level": "市级任务",
    "note": "备注",
    "deadline_text": "完成时限",
    "leaders": "牵头领导",
    "units": "牵头单位",
    "state": "状态",
    "extras": "其他列",
}
META_LABELS = {
    "title": "标题",
    "doc_number": "文号",
    "doc_date": "印发日期",
    "stated_categories": "文件所述类别数",
    "stated_projects": "文件所述项目数",
    "stated_tasks": "文件所述任务数",
    "stated_city_level": "文件所述市级任务数",
}


@dataclass
class FieldChange:
    field: str
    before: str
    after: str

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field) or META_LABELS.get(self.field, self.field)

    def as_dict(self) -> dict:
        return {"field": self.field, "label": self.label, "before": self.before, "after": self.after}


@dataclass
class TaskChange:
    number: str
    title: str
    changes: list[FieldChange]

    def as_dict(self) -> dict:
        return {"number": self.number, "title": self.title, "changes": [c.as_dict() for c in self.changes]}


@dataclass
class PlanDiff:
    plan_id: int | None
    added: list[ParsedTask] = field(default_factory=list)
    changed: list[TaskChange] = field(default_factory=list)
    withdrawn: list[tuple[str, str]] = field(default_factory=list)  # (number, title)
    moved: list[str] = field(default_factory=list)  # numbers whose position alone changed
    meta_changes: list[FieldChange] = field(default_factory=list)
    category_changes: list[FieldChange] = field(default_factory=list)
    new_units: dict[str, str] = field(default_factory=dict)
    new_leaders: list[str] = field(default_factory=list)
    new_aliases: dict[str, str] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (
            self.added
            or self.changed
            or self.withdrawn
            or self.moved
            or self.meta_changes
            or self.category_changes
            or self.new_units
            or self.new_leaders
            or self.new_aliases
            or self.plan_id is None
        )

    def summary(self) -> dict:
        return {
            "added": [t.number for t in self.added],
            "changed": [c.as_dict() for c in self.changed],
            "withdrawn": [number for number, _ in self.withdrawn],
            "meta": [c.as_dict() for c in self.meta_changes + self.category_changes],
            "new_units": self.new_units,
            "new_leaders": self.new_leaders,
            "new_aliases": self.new_aliases,
        }


def _district(parsed: ParsedPlan) -> str:
    return parsed.meta.district or settings.DISTRICT_NAME


def _plan_lookup(parsed: ParsedPlan) -> Plan | None:
    meta = parsed.meta
    return Plan.objects.filter(
        district=_district(parsed), kind=meta.kind, year_start=meta.year_start, year_end=meta.year_end
    ).first()


@dataclass
class _Existing:
    """A task of the plan as stored, in the shape the diff compares."""

    position: int
    title: str
    state: str
    snapshot: dict


def _existing_tasks(plan: Plan) -> dict[str, _Existing]:
    """Every task of `plan` by number, from three value queries (no model
    instances: a 20,000-task plan with its links loads in well under a second)."""
    leaders: dict[int, list[str]] = defaultdict(list)
    leader_rows = TaskLeader.objects.filter(task__plan=plan).order_by("task_id", "position")
    for task_id, name in leader_rows.values_list("task_id", "leader__name"):
        leaders[task_id].append(name)
    units: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for task_id, name, role in (
        TaskUnit.objects.filter(task__plan=plan)
        .order_by("task_id", "position")
        .values_list("task_id", "unit__name", "role")
    ):
        units[task_id].append((name, role))
    existing = {}
    rows = Task.objects.filter(plan=plan).values_list(
        "pk",
        "number",
        "position",
        "title",
        "state",
        "category__order",
        "project__name",
        "text",
        "city_level",
        "note",
        "deadline_text",
        "extras",
    )
    for pk, number, position, title, state, category, project, text, city_level, note, deadline, extras in rows:
        existing[number] = _Existing(
            position=position,
            title=title,
            state=state,
            snapshot={
                "category": category,
                "project": project,
                "text": text,
                "city_level": city_level,
                "note": note,
                "deadline_text": deadline,
                "leaders": leaders[pk],
                "units": units[pk],
                "state": state,
                "extras": extras or [],
            },
        )
    return existing


def _parsed_snapshot(task: ParsedTask) -> dict:
    return {
        "category": task.category_order,
        "project": task.project,
        "text": task.text,
        "city_level": task.city_level,
        "note": task.note,
        "deadline_text": task.deadline_text,
        "leaders": task.leaders,
        "units": [(u.name, u.role) for u in task.units],
        "state": TaskState.WITHDRAWN if task.withdrawn else TaskState.ACTIVE,
        "extras": task.extras,
    }


def _show(field_name: str, value: object) -> str:
    if field_name == "units":
        return "、".join(name + ("（配合）" if role == "support" else "") for name, role in value)  # type: ignore[union-attr]
    if field_name == "leaders":
        return "、".join(value)  # type: ignore[arg-type]
    if field_name == "city_level":
        return "是" if value else "否"
    if field_name == "state":
        return TaskState(value).label
    if field_name == "extras":
        return "；".join(f"{item['header']}：{item['value']}" for item in value)  # type: ignore[union-attr]
    if value is None:
        return ""
    return str(value)


def plan_diff(parsed: ParsedPlan) -> PlanDiff:
    """What applying `parsed` would change; reads only (a fixed number of queries)."""
    plan = _plan_lookup(parsed)
    diff = PlanDiff(plan_id=plan.pk if plan else None)
    known_leaders = set(
        Leader.objects.filter(name__in={n for t in parsed.tasks for n in t.leaders}).values_list("name", flat=True)
    )
    diff.new_leaders = sorted({n for t in parsed.tasks for n in t.leaders} - known_leaders)
    unit_names = {u.name for t in parsed.tasks for u in t.units}
    known_units = set(Unit.objects.filter(name__in=unit_names).values_list("name", flat=True))
    diff.new_units = {name: kind for name, kind in parsed.new_unit_kinds.items() if name not in known_units}
    known_aliases = set(
        UnitAlias.objects.filter(district=_district(parsed), name__in=parsed.aliases).values_list("name", flat=True)
    )
    diff.new_aliases = {a: c for a, c in parsed.aliases.items() if a not in known_aliases}
    if plan is None:
        diff.added = list(parsed.tasks)
        return diff

    meta = parsed.meta
    for name in META_LABELS:
        before, after = getattr(plan, name), getattr(meta, name)
        if name in ("title", "doc_number") and not after:
            continue  # a document without a heading does not erase what we know
        if after is not None and before != after:
            diff.meta_changes.append(FieldChange(name, _show(name, before), _show(name, after)))
    existing_categories = {c.order: c for c in plan.categories.all()}
    for category in parsed.categories:
        old = existing_categories.get(category.order)
        if old is None or old.name != category.name or old.stated_count != category.stated_count:
            diff.category_changes.append(
                FieldChange(
                    f"category:{category.order}",
                    f"{old.name}（{old.stated_count}）" if old else "",
                    f"{category.name}（{category.stated_count}）",
                )
            )

    existing = _existing_tasks(plan)
    seen: set[str] = set()
    for parsed_task in parsed.tasks:
        seen.add(parsed_task.number)
        task = existing.get(parsed_task.number)
        if task is None:
            diff.added.append(parsed_task)
            continue
        before, after = task.snapshot, _parsed_snapshot(parsed_task)
        changes = [
            FieldChange(name, _show(name, before[name]), _show(name, after[name]))
            for name in before
            if before[name] != after[name]
        ]
        if changes:
            diff.changed.append(TaskChange(parsed_task.number, parsed_task.title, changes))
        elif task.position != parsed_task.position:
            diff.moved.append(parsed_task.number)
    for number, task in existing.items():
        if number not in seen and task.state != TaskState.WITHDRAWN:
            diff.withdrawn.append((number, task.title))
    return diff


def default_due_date(*, kind: str, year_end: int, text: str) -> dt.date:
    """Annual items are due at the end of their year, five-year tasks at the end
    of the plan, unless the text names its own year ("到2025年…")."""
    if kind == PlanKind.FIVE_YEAR and (m := re.search(r"到\s*(20\d{2})\s*年", text)):
        year = int(m.group(1))
        if year <= year_end:
            return dt.date(year, 12, 31)
    return dt.date(year_end, 12, 31)


@transaction.atomic
def plan_apply(parsed: ParsedPlan, diff: PlanDiff, *, source_file: str, user: object = None) -> Plan:
    """Write the diff. Runs inside one transaction: all of it or nothing."""
    meta = parsed.meta
    if not meta.kind or not meta.year_start or not meta.year_end:
        raise ImportRefused("无法确定规划类型和年份。")
    leaders = _leaders_ensure(diff)
    units = _units_ensure(parsed, diff)

    plan = Plan.objects.select_for_update().filter(pk=diff.plan_id).first() if diff.plan_id else None
    meta_fields = {name: getattr(meta, name) for name in META_LABELS}
    if plan is None:
        plan = Plan.objects.create(
            district=_district(parsed),
            kind=meta.kind,
            year_start=meta.year_start,
            year_end=meta.year_end,
            source_file=source_file,
            **{k: v or "" if k in ("title", "doc_number") else v for k, v in meta_fields.items()},
        )
    else:
        for change in diff.meta_changes:
            setattr(plan, change.field, getattr(meta, change.field))
        plan.source_file = source_file
        plan.save()

    categories = _categories_ensure(plan, parsed)
    projects = _projects_ensure(parsed, categories)
    existing = {t.number: t for t in Task.objects.filter(plan=plan)}
    changed_numbers = {c.number for c in diff.changed}
    moved_numbers = set(diff.moved)  # a set: inserting one task near the top moves them all
    relink: list[Task] = []
    relink_existing: list[int] = []  # ids whose links are replaced (a set lookup, not `in to_create`)
    to_create: list[Task] = []
    to_update: list[Task] = []
    for parsed_task in parsed.tasks:
        category = categories[parsed_task.category_order]
        project = projects.get((parsed_task.category_order, parsed_task.project)) if parsed_task.project else None
        values = {
            "category": category,
            "project": project,
            "position": parsed_task.position,
            "text": parsed_task.text,
            "title": parsed_task.title,
            "city_level": parsed_task.city_level,
            "note": parsed_task.note,
            "deadline_text": parsed_task.deadline_text,
            "source_row": parsed_task.row,
            "state": TaskState.WITHDRAWN if parsed_task.withdrawn else TaskState.ACTIVE,
            "extras": parsed_task.extras,
        }
        task = existing.get(parsed_task.number)
        if task is None:
            task = Task(
                plan=plan,
                number=parsed_task.number,
                **values,
                due_date=default_due_date(kind=plan.kind, year_end=plan.year_end, text=parsed_task.text),
            )
            to_create.append(task)
            relink.append(task)
        elif parsed_task.number in changed_numbers or parsed_task.number in moved_numbers:
            for name, value in values.items():
                setattr(task, name, value)
            to_update.append(task)
            if parsed_task.number in changed_numbers:
                relink.append(task)
                relink_existing.append(task.pk)
        task._parsed = parsed_task  # type: ignore[attr-defined]
    # Task history (who, when, what) is written in bulk alongside the tasks.
    history = {
        "default_user": user if getattr(user, "pk", None) else None,
        "default_change_reason": f"导入：{source_file}"[:100],
    }
    bulk_create_with_history(to_create, Task, batch_size=500, **history)
    withdrawn = {number for number, _ in diff.withdrawn}
    for task in existing.values():
        if task.number in withdrawn:
            task.state = TaskState.WITHDRAWN
            to_update.append(task)
    now = timezone.now()
    for task in to_update:
        task.updated_at = now
    _tasks_update(to_update, _TASK_FIELDS)
    # History only where a recorded field changed: position and source row are not
    # recorded, so a task that merely moved down a row gets no entry.
    Task.history.bulk_history_create(
        [t for t in to_update if t.number in changed_numbers or t.number in withdrawn],
        batch_size=500,
        update=True,
        **history,
    )

    TaskLeader.objects.filter(task_id__in=relink_existing).delete()
    TaskUnit.objects.filter(task_id__in=relink_existing).delete()
    TaskLeader.objects.bulk_create(
        [
            TaskLeader(task=t, leader=leaders[name], position=i)
            for t in relink
            for i, name in enumerate(t._parsed.leaders, start=1)
        ],  # type: ignore[attr-defined]
        batch_size=1000,
    )
    TaskUnit.objects.bulk_create(
        [
            TaskUnit(task=t, unit=units[ref.name], position=i, role=ref.role, printed_name=ref.printed[:200])
            for t in relink
            for i, ref in enumerate(t._parsed.units, start=1)
        ],  # type: ignore[attr-defined]
        batch_size=1000,
    )
    # New or relinked tasks: their lead units (and so their derived status) changed.
    task_status_refresh(task_ids=[t.pk for t in relink])
    return plan


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
    columns = [Task._meta.get_field(name) for name in names]
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
            UnitAlias(name=alias, unit=units[canonical], district=_district(parsed))
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
