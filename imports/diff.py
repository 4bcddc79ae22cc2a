"""Stage 5a, diff: what applying a parsed plan would change in the database,
field by field (before → after). Reads only, a fixed number of queries; the
preview, the command line's report and the apply stage all use it.

A plan is identified by district, kind and years, a task by plan + printed number.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from typing import TypedDict

from django.conf import settings

from tasks.models import Leader, Plan, Task, TaskLeader, TaskState, TaskUnit, Unit, UnitAlias

from .records import ExtraCell, ParsedPlan, ParsedTask
from .shape import plan_identity

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


# What an import record keeps of a diff (ImportRecord.changes, JSON): read back by the undo
# preview and the record page, so its keys are typed here, in one place.
class FieldChangeData(TypedDict):
    field: str
    label: str
    before: str
    after: str


class TaskChangeData(TypedDict):
    number: str
    title: str
    changes: list[FieldChangeData]


class DiffSummary(TypedDict):
    added: list[str]
    changed: list[TaskChangeData]
    withdrawn: list[str]
    meta: list[FieldChangeData]
    new_units: dict[str, str]
    new_leaders: list[str]
    new_aliases: dict[str, str]


@dataclass
class FieldChange:
    field: str
    before: str
    after: str

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field) or META_LABELS.get(self.field, self.field)

    def as_dict(self) -> FieldChangeData:
        return {"field": self.field, "label": self.label, "before": self.before, "after": self.after}


@dataclass
class TaskChange:
    number: str
    title: str
    changes: list[FieldChange]

    def as_dict(self) -> TaskChangeData:
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

    def summary(self) -> DiffSummary:
        return {
            "added": [t.number for t in self.added],
            "changed": [c.as_dict() for c in self.changed],
            "withdrawn": [number for number, _ in self.withdrawn],
            "meta": [c.as_dict() for c in self.meta_changes + self.category_changes],
            "new_units": self.new_units,
            "new_leaders": self.new_leaders,
            "new_aliases": self.new_aliases,
        }


def plan_district(parsed: ParsedPlan) -> str:
    return parsed.meta.district or settings.DISTRICT_NAME


def plan_lookup(parsed: ParsedPlan) -> Plan | None:
    identity = plan_identity(parsed.meta)
    if identity is None:  # no plan has an unknown kind or year
        return None
    return Plan.objects.filter(
        district=plan_district(parsed),
        kind=identity.kind,
        year_start=identity.year_start,
        year_end=identity.year_end,
    ).first()


@dataclass(frozen=True)
class TaskSnapshot:
    """The fields of a task the diff compares (FIELD_LABELS, in that order), as stored or as
    the document gives them; `_show` puts each into words."""

    category: int | None
    project: str | None
    text: str
    city_level: bool
    note: str
    deadline_text: str
    leaders: list[str]
    units: list[tuple[str, str]]  # (name, role)
    state: str
    extras: list[ExtraCell]


@dataclass
class _Existing:
    """A task of the plan as stored, in the shape the diff compares."""

    position: int
    title: str
    state: str
    snapshot: TaskSnapshot


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
            snapshot=TaskSnapshot(
                category=category,
                project=project,
                text=text,
                city_level=city_level,
                note=note,
                deadline_text=deadline,
                leaders=leaders[pk],
                units=units[pk],
                state=state,
                extras=extras or [],
            ),
        )
    return existing


def _parsed_snapshot(task: ParsedTask) -> TaskSnapshot:
    return TaskSnapshot(
        category=task.category_order,
        project=task.project,
        text=task.text,
        city_level=task.city_level,
        note=task.note,
        deadline_text=task.deadline_text,
        leaders=task.leaders,
        units=[(u.name, u.role) for u in task.units],
        state=TaskState.WITHDRAWN if task.withdrawn else TaskState.ACTIVE,
        extras=task.extras,
    )


_SNAPSHOT_FIELDS = [f.name for f in fields(TaskSnapshot)]


def _snapshot_changes(before: TaskSnapshot, after: TaskSnapshot) -> list[FieldChange]:
    """Each field that differs, in words."""
    return [
        FieldChange(name, _show_task_field(before, name), _show_task_field(after, name))
        for name in _SNAPSHOT_FIELDS
        if getattr(before, name) != getattr(after, name)
    ]


def _show_task_field(snapshot: TaskSnapshot, name: str) -> str:
    if name == "units":
        return "、".join(unit + ("（配合）" if role == "support" else "") for unit, role in snapshot.units)
    if name == "leaders":
        return "、".join(snapshot.leaders)
    if name == "city_level":
        return "是" if snapshot.city_level else "否"
    if name == "state":
        return TaskState(snapshot.state).label
    if name == "extras":
        return "；".join(f"{item['header']}：{item['value']}" for item in snapshot.extras)
    return _show(getattr(snapshot, name))


def _show(value: object) -> str:
    return "" if value is None else str(value)


def plan_diff(parsed: ParsedPlan) -> PlanDiff:
    """What applying `parsed` would change; reads only (a fixed number of queries)."""
    plan = plan_lookup(parsed)
    diff = PlanDiff(plan_id=plan.pk if plan else None)
    known_leaders = set(
        Leader.objects.filter(name__in={n for t in parsed.tasks for n in t.leaders}).values_list("name", flat=True)
    )
    diff.new_leaders = sorted({n for t in parsed.tasks for n in t.leaders} - known_leaders)
    unit_names = {u.name for t in parsed.tasks for u in t.units}
    known_units = set(Unit.objects.filter(name__in=unit_names).values_list("name", flat=True))
    diff.new_units = {name: kind for name, kind in parsed.new_unit_kinds.items() if name not in known_units}
    known_aliases = set(
        UnitAlias.objects.filter(district=plan_district(parsed), name__in=parsed.aliases).values_list("name", flat=True)
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
            diff.meta_changes.append(FieldChange(name, _show(before), _show(after)))
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
        changes = _snapshot_changes(task.snapshot, _parsed_snapshot(parsed_task))
        if changes:
            diff.changed.append(TaskChange(parsed_task.number, parsed_task.title, changes))
        elif task.position != parsed_task.position:
            diff.moved.append(parsed_task.number)
    for number, task in existing.items():
        if number not in seen and task.state != TaskState.WITHDRAWN:
            diff.withdrawn.append((number, task.title))
    return diff
