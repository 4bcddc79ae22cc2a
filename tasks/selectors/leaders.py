"""Reads for the leader pages: the leader index, a leader's tasks, figures and units."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404

from ..models import Leader, Task, TaskLeader, TaskUnit
from ..status.clock import Clock, clock_or_now
from ..status.rule import silent_link
from ..status.summary import Summary, light_counts
from .rows import FigureRow, TaskRow, task_row_queryset, task_rows_of, url

LEADER_SORTS: dict[str, tuple[str, str]] = {
    "led": ("牵头任务数", "-total"),
    "done": ("已完成", "-n_done"),
    "red": ("逾期或滞后", "-n_red"),
    "silent": ("本期未报送", "-n_silent"),
    "name": ("姓名", "leader__name"),
}


def leader_summary_list(*, order: str = "led", clock: Clock | None = None) -> list[FigureRow]:
    """Every leader with active tasks, with counts by light; one query."""
    ordering = LEADER_SORTS.get(order, LEADER_SORTS["led"])[1]
    rows = (
        TaskLeader.objects.on_active()
        .with_status(clock_or_now(clock))
        .values("leader_id", "leader__name", "leader__title")
        .annotate(**light_counts())
        .order_by(ordering, "leader__name")
    )
    return [
        FigureRow(
            id=row["leader_id"],
            name=row["leader__name"],
            url=url("tasks:leader", row["leader_id"]),
            summary=Summary.from_row(row),
            note=row["leader__title"],
        )
        for row in rows
    ]


def leader_get(*, leader_id: int) -> Leader:
    return get_object_or_404(Leader, pk=leader_id)


def leader_task_list(*, leader: Leader, clock: Clock | None = None) -> list[TaskRow]:
    led = Task.objects.filter(Exists(TaskLeader.objects.filter(task_id=OuterRef("pk"), leader_id=leader.pk)))
    return task_rows_of(
        task_row_queryset(led, clock=clock_or_now(clock)).order_by("-plan__year_end", "plan__kind", "position")
    )


def leader_summary(*, leader: Leader, clock: Clock | None = None) -> Summary:
    row = (
        Task.objects.active()
        .filter(leader_links__leader=leader)
        .with_status(clock_or_now(clock))
        .aggregate(**light_counts())
    )
    return Summary.from_row(row)


def leader_unit_list(*, leader: Leader, clock: Clock | None = None) -> list[FigureRow]:
    """The lead units of the leader's active tasks, with counts by light; one query."""
    rows = (
        TaskUnit.objects.lead()
        .on_active()
        .filter(task__leader_links__leader=leader)
        .with_status(clock_or_now(clock))
        .values("unit_id", "unit__name")
        .annotate(**light_counts(silent=silent_link()))
        .order_by("-total", "unit__name")
    )
    return [
        FigureRow(
            id=row["unit_id"],
            name=row["unit__name"],
            url=url("tasks:unit", row["unit_id"]),
            summary=Summary.from_row(row),
        )
        for row in rows
    ]
