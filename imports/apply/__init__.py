"""Stage 5b, apply: write the difference the diff stage found, in one
transaction with bulk queries.

Tasks are never deleted: one missing from a revised document is marked
withdrawn, so the progress recorded against it stays.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from tasks.models import Category, Leader, Milestone, Plan, Project, Task, Unit, UnitAlias
from tasks.services import task_status_refresh

from ..diff import META_LABELS, PlanDiff, plan_district
from ..errors import ImportRefused
from ..milestones import quarterly_milestones
from ..records import ParsedPlan
from ..shape import PlanIdentity, plan_identity
from .writes import _links_write, _task_writes, _tasks_write, default_due_date

__all__ = ["default_due_date", "plan_apply"]


@transaction.atomic
def plan_apply(parsed: ParsedPlan, diff: PlanDiff, *, source_file: str, user: User | None = None) -> Plan:
    """Write the diff. Runs inside one transaction: all of it or nothing. `user` is who
    imported it (None from the command line), recorded in the tasks' history."""
    identity = plan_identity(parsed.meta)
    if identity is None:
        raise ImportRefused("无法确定规划类型和年份。")
    district = plan_district(parsed)
    leaders = _leaders_ensure(diff, district=district)
    units = _units_ensure(parsed, diff, district=district)
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


def _leaders_ensure(diff: PlanDiff, *, district: str) -> dict[str, Leader]:
    """The plan district's own leaders by name (another district's 王华 is another person)."""
    Leader.objects.bulk_create([Leader(name=name, district=district) for name in diff.new_leaders], batch_size=500)
    return {leader.name: leader for leader in Leader.objects.filter(district=district)}


def _units_ensure(parsed: ParsedPlan, diff: PlanDiff, *, district: str) -> dict[str, Unit]:
    """The plan district's own units by name (another district's 区科委 is another office)."""
    Unit.objects.bulk_create(
        [Unit(name=name, kind=kind, district=district) for name, kind in diff.new_units.items()], batch_size=500
    )
    names = {u.name for t in parsed.tasks for u in t.units} | set(diff.new_aliases.values())
    units = {unit.name: unit for unit in Unit.objects.filter(district=district, name__in=names)}
    # An alias may not shadow a unit's own name (one namespace for both, within the district).
    clashing = set(Unit.objects.filter(district=district, name__in=diff.new_aliases).values_list("name", flat=True))
    UnitAlias.objects.bulk_create(
        [
            UnitAlias(name=alias, unit=units[canonical], district=district)
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
