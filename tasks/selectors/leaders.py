"""Reads for the leader pages: the leader index, a leader's tasks, figures and units."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404

from minhang_plans.compiled import ids_padded

from ..models import Leader, Task, TaskLeader, TaskUnit
from ..querysets import TaskQuerySet, plan_open
from ..status.clock import Clock, clock_or_now
from ..status.rule import silent_link
from ..status.summary import Summary, summaries, summary_total
from .row_reuse import Reuse, pieces_reused, reuse_context
from .row_types import FigureRow, TaskRow
from .rows import task_rows_fetch, url
from .units import figure_rows_sorted
from .version import task_versions_of

LEADER_SORTS: dict[str, tuple[str, str]] = {
    # key: (label, the Summary figure sorted on, largest first; "" sorts by name)
    "led": ("牵头任务数", "total"),
    "done": ("已完成", "n_done"),
    "red": ("逾期或滞后", "n_red"),
    "silent": ("本期未报送", "n_silent"),
    "name": ("姓名", ""),
}


def leader_summary_list(*, order: str = "led", clock: Clock | None = None) -> list[FigureRow]:
    """Every leader with active tasks, with counts by light; one query."""
    clock = clock_or_now(clock)
    groups = summaries(
        lambda: TaskLeader.objects.on_active().with_status(clock),
        keys=("leader_id", "leader__name", "leader__title"),
        key=("leaders", clock),
    )
    rows = [
        FigureRow(id=leader_id, name=name, url=url("tasks:leader", leader_id), summary=summary, note=title)
        for (leader_id, name, title), summary in groups.items()
    ]
    return figure_rows_sorted(rows, figure=LEADER_SORTS.get(order, LEADER_SORTS["led"])[1])


def leader_get(*, leader_id: int) -> Leader:
    return get_object_or_404(Leader, pk=leader_id)


def _led(leader_id: int) -> TaskQuerySet:
    # As on a unit's page: a closed plan's tasks are on its 年终办结 page.
    return Task.objects.filter(
        Exists(TaskLeader.objects.filter(task_id=OuterRef("pk"), leader_id=leader_id)), plan_open()
    ).order_by("-plan__year_end", "plan__kind", "position", "pk")


def leader_rows_reuse(*, leader: Leader, clock: Clock, shared: int | None) -> Reuse | None:
    """What the leader page may reuse of its tasks' rows and cockpit links (selectors.row_reuse):
    None where nothing may be kept, or when the leader was read without its tasks' versions
    (trends.selectors.leader_get_for reads them on PostgreSQL). `shared`: the shared data
    number the page's key was read with."""
    context = reuse_context(clock=clock, shared=shared)
    versions = task_versions_of(leader)
    if context is None or versions is None:
        return None
    return Reuse(context=context, versions=tuple(sorted(versions)))


def _rows_shown(*, ids: list[int], clock: Clock) -> dict[int, TaskRow | None]:
    """These tasks' rows, None for those the leader page does not list (a closed plan's)."""
    found = task_rows_fetch(
        lambda ids: Task.objects.filter(plan_open(), pk__in=ids),
        clock=clock,
        key="leader.ids",
        ids={"ids": ids_padded(ids)},
    )
    by_id = {row.id: row for row in found}
    return {task_id: by_id.get(task_id) for task_id in ids}


def leader_task_list(*, leader: Leader, clock: Clock | None = None, reuse: Reuse | None = None) -> list[TaskRow]:
    """The leader's tasks as rows, in document order. With `reuse`, the rows of tasks whose
    version stands come from the process's store and only the others are read."""
    clock = clock_or_now(clock)
    if reuse is None:
        return task_rows_fetch(_led, clock=clock, key="leader", ids={"leader_id": leader.pk})
    pieces = pieces_reused(kind="leader_row", reuse=reuse, fetch=lambda ids: _rows_shown(ids=ids, clock=clock))
    return sorted((row for _, row in pieces if row is not None), key=lambda row: row.browse_order)


def leader_summary(*, leader: Leader, clock: Clock | None = None) -> Summary:
    clock = clock_or_now(clock)
    return summary_total(
        lambda leader_id: Task.objects.active().filter(leader_links__leader=leader_id).with_status(clock),
        key=("leader", clock),
        ids={"leader_id": leader.pk},
    )


def leader_unit_list(*, leader: Leader, clock: Clock | None = None) -> list[FigureRow]:
    """The lead units of the leader's active tasks, with counts by light; one query."""
    clock = clock_or_now(clock)
    groups = summaries(
        lambda leader_id: (
            TaskUnit.objects.lead().on_active().filter(task__leader_links__leader=leader_id).with_status(clock)
        ),
        keys=("unit_id", "unit__name"),
        silent=silent_link(),
        key=("leader.units", clock),
        ids={"leader_id": leader.pk},
    )
    rows = [
        FigureRow(id=unit_id, name=name, url=url("tasks:unit", unit_id), summary=summary)
        for (unit_id, name), summary in groups.items()
    ]
    return figure_rows_sorted(rows, figure="total")
