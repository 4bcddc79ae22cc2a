"""签收: lead tasks newly assigned to a unit that it has not acknowledged yet, per unit and plan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet

from tasks.models import TaskUnit

from ..models import AcknowledgedTask
from .rows import Units


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


def _new_tasks_rows(*, unit_ids: Units | None = None) -> QuerySet[Any]:
    """One row per unit and plan with lead tasks waiting for 签收 (the list and the badge)."""
    qs = unacknowledged_links()
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return (
        qs.values("unit_id", "unit__name", "task__plan_id", "task__plan__title")
        .annotate(n=Count("pk"))
        .order_by("unit__name", "task__plan_id")
    )


def new_tasks_list(*, unit_ids: list[int] | None = None) -> list[NewTasks]:
    """Per unit and plan, how many lead tasks wait for 签收 (one query)."""
    return [
        NewTasks(
            unit_id=r["unit_id"],
            unit_name=r["unit__name"],
            plan_id=r["task__plan_id"],
            plan_title=r["task__plan__title"],
            count=r["n"],
        )
        for r in _new_tasks_rows(unit_ids=unit_ids)
    ]
