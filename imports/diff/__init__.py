"""Stage 5a, diff: what applying a parsed plan would change in the database,
field by field (before → after). Reads only, a fixed number of queries; the
preview, the command line's report and the apply stage all use it.

The plan is the one imports/identity.py chose (district, kind, years and title, or the admin's choice), a task
is identified by plan + printed number. Units and leaders are matched by name within the plan's district.
"""

from __future__ import annotations

from django.conf import settings

from tasks.models import Leader, Plan, TaskState, Unit, UnitAlias

from ..records import ParsedPlan
from .changes import (
    FIELD_LABELS,
    META_LABELS,
    DiffSummary,
    FieldChange,
    FieldChangeData,
    PlanDiff,
    TaskChange,
    TaskChangeData,
)
from .snapshots import TaskSnapshot, _existing_tasks, _parsed_snapshot, _show, _snapshot_changes

__all__ = [
    "FIELD_LABELS",
    "META_LABELS",
    "DiffSummary",
    "FieldChange",
    "FieldChangeData",
    "PlanDiff",
    "TaskChange",
    "TaskChangeData",
    "TaskSnapshot",
    "plan_diff",
    "plan_district",
]


def plan_district(parsed: ParsedPlan) -> str:
    return parsed.meta.district or settings.DISTRICT_NAME


def plan_diff(parsed: ParsedPlan, *, plan: Plan | None) -> PlanDiff:
    """What applying `parsed` to `plan` (None: a new plan) would change; reads only (a fixed number of queries)."""
    district = plan_district(parsed)
    diff = PlanDiff(plan_id=plan.pk if plan else None)
    leader_names = {n for t in parsed.tasks for n in t.leaders}
    known_leaders = set(Leader.objects.filter(district=district, name__in=leader_names).values_list("name", flat=True))
    diff.new_leaders = sorted(leader_names - known_leaders)
    diff.matched_leaders = sorted(known_leaders)
    unit_names = {u.name for t in parsed.tasks for u in t.units}
    known_units = set(Unit.objects.filter(district=district, name__in=unit_names).values_list("name", flat=True))
    diff.new_units = {name: kind for name, kind in parsed.new_unit_kinds.items() if name not in known_units}
    diff.matched_units = sorted(known_units)
    known_aliases = set(
        UnitAlias.objects.filter(district=district, name__in=parsed.aliases).values_list("name", flat=True)
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
