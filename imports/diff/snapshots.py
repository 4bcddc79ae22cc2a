"""Tasks as the diff compares them: snapshots of the stored tasks (three value queries) and of the
document's, and each differing field in words."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields

from tasks.models import Plan, Task, TaskLeader, TaskState, TaskUnit

from ..records import ExtraCell, ParsedTask
from .changes import FieldChange


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
