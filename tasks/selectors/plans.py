"""Reads for the plan and category pages: categories with their counts, the task tree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404

from ..choices import TaskState
from ..models import Category, Plan, Task
from ..querysets import TaskQuerySet
from ..status.clock import Clock, clock_or_now
from ..status.summary import Summary, summaries
from .row_types import CategoryRow, TaskRow
from .rows import task_rows_fetch, url


def plan_list_with_counts() -> QuerySet[Plan]:
    """Plans with their active task count and city-level count, one query."""
    active = Q(tasks__state=TaskState.ACTIVE)
    return Plan.objects.annotate(
        task_count=Count("tasks", filter=active),
        city_level_count=Count("tasks", filter=active & Q(tasks__city_level=True)),
        withdrawn_count=Count("tasks", filter=Q(tasks__state=TaskState.WITHDRAWN)),
        # Set once the office has closed the plan's year (yearend app).
        closed_at=F("closure__closed_at"),
    ).order_by("-year_end", "kind")


def plan_get(*, plan_id: int) -> Plan:
    return get_object_or_404(plan_list_with_counts(), pk=plan_id)


def plan_find(*, plan_id: int | None) -> Plan | None:
    """The plan with this id, or None (no query without an id)."""
    return Plan.objects.filter(pk=plan_id).first() if plan_id else None


def category_get(*, plan: Plan, category_id: int) -> Category:
    return get_object_or_404(Category, pk=category_id, plan=plan)


def category_list_with_counts(
    *, plan: Plan, clock: Clock | None = None, category_id: int | None = None
) -> list[CategoryRow]:
    """Categories of a plan with found task counts (active) beside the stated ones, and light counts
    (two queries); with `category_id`, that category's row alone (its page counts only its tasks)."""
    clock = clock_or_now(clock)
    chosen = {"plan_id": plan.pk} | ({} if category_id is None else {"category_id": category_id})

    def tasks(plan_id: int, category_id: int | None = None) -> QuerySet[Any]:
        found = Task.objects.active().filter(plan=plan_id)
        return (found if category_id is None else found.filter(category_id=category_id)).with_status(clock)

    categories = Category.objects.filter(plan=plan)
    if category_id is not None:
        categories = categories.filter(pk=category_id)
    groups = summaries(tasks, keys=("category_id",), key=("categories", clock), ids=chosen)
    counts = {key[0]: summary for key, summary in groups.items()}
    return [
        CategoryRow(
            id=c.pk,
            order=c.order,
            name=str(c),
            url=url("tasks:category", plan.pk, c.pk),
            project_count=c.project_count,
            stated_count=c.stated_count,
            summary=counts.get(c.pk, Summary()),
        )
        for c in categories.annotate(project_count=Count("projects")).order_by("order")
    ]


@dataclass
class ProjectGroup:
    project: str | None
    tasks: list[TaskRow]


@dataclass
class CategoryBlock:
    category: CategoryRow
    groups: list[ProjectGroup]


def plan_tree(*, plan: Plan, category_id: int | None = None, clock: Clock | None = None) -> list[CategoryBlock]:
    """Plan → categories → projects → tasks, with status; a fixed number of queries.

    Withdrawn tasks are shown (struck through) so the document's numbering reads complete.
    """
    clock = clock_or_now(clock)
    categories = category_list_with_counts(plan=plan, clock=clock, category_id=category_id)
    chosen = {"plan_id": plan.pk} | ({} if category_id is None else {"category_id": category_id})

    def tasks(plan_id: int, category_id: int | None = None) -> TaskQuerySet:
        found = Task.objects.filter(plan=plan_id).order_by("position")
        return found if category_id is None else found.filter(category_id=category_id)

    blocks = {c.id: CategoryBlock(category=c, groups=[]) for c in categories}
    for row in task_rows_fetch(tasks, clock=clock, key="plan", ids=chosen):
        block = blocks.get(row.category_id)
        if block is None:
            continue
        if not block.groups or block.groups[-1].project != row.project:
            block.groups.append(ProjectGroup(project=row.project, tasks=[]))
        block.groups[-1].tasks.append(row)
    return list(blocks.values())
