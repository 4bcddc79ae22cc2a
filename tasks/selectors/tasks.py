"""Reads for the task page and the task search, and task sets for the documents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404

from minhang_plans.compiled import compiled_rows, ids_padded

from ..choices import ProgressStatus, TaskState
from ..models import Task, TaskUnit
from ..querysets import TaskQuerySet
from ..status.clock import Clock, clock_or_now
from ..status.rule import silent_link
from ..status.summary import Summary, summary_total
from .row_types import TaskRow
from .rows import task_rows_fetch

if TYPE_CHECKING:
    from ..filters import TaskFilter  # the filters read selectors.version: imported for types only


def task_get(*, task_id: int) -> Task:
    """The task with its plan, category and project joined (404 when there is none)."""
    # On every report form, its POST and the task page: compiled once (minhang_plans.compiled).
    found = compiled_rows(
        key="task_get",
        build=lambda task_id: Task.objects.select_related("plan", "category", "project").filter(pk=task_id),
        ids={"task_id": task_id},
    )
    if not found:
        raise Http404("没有这项任务。")
    return found[0]


def task_status_row(*, task_id: int, clock: Clock | None = None) -> TaskRow:
    """The task as a row: its status, light, leaders and units (404 when there is none)."""
    rows = task_rows_fetch(Task.objects.filter(pk=task_id), clock=clock_or_now(clock))
    if not rows:
        raise Http404("没有这项任务。")
    return rows[0]


def task_search_base(*, clock: Clock | None = None) -> QuerySet[Task]:
    """What the search filter narrows down: all tasks with the status aliased, in browsing order.

    Only the plan table is joined (for the order and the reporting period), so a status filter
    is evaluated once per task, however the planner orders the joins.
    """
    return Task.objects.with_status(clock_or_now(clock)).order_by("-plan__year_end", "plan__kind", "position")


def task_search_ids(*, filterset: TaskFilter, clock: Clock) -> list[int]:
    """Every task id the search's filters match, in browsing order, in one query compiled once per
    set of filters and day (minhang_plans.compiled)."""
    if filterset.is_bound and not filterset.is_valid():
        return []
    data = filterset.form.cleaned_data if filterset.is_bound else {}
    chosen = tuple(sorted((name, str(value)) for name, value in data.items()))
    return compiled_rows(
        key=("search", chosen, clock),
        build=lambda: filterset.matches(task_search_base(clock=clock)).values_list("pk", flat=True),
    )


def task_rows_by_id(*, ids: list[int], clock: Clock | None = None) -> dict[int, TaskRow]:
    """The tasks with these ids as rows, by id (two queries), compiled once per number of ids and
    day: the ids are the SQL's parameters (a search page's 50, a rebuilt page's changed few)."""
    if not ids:
        return {}
    found = task_rows_fetch(
        lambda ids: Task.objects.filter(pk__in=ids),
        clock=clock_or_now(clock),
        key="task_rows.ids",
        ids={"ids": ids_padded(ids)},
    )
    return {row.id: row for row in found}


def task_rows(*, ids: list[int], clock: Clock | None = None) -> list[TaskRow]:
    """The tasks with these ids as rows, in the order of `ids`."""
    by_pk = task_rows_by_id(ids=ids, clock=clock)
    return [by_pk[pk] for pk in ids if pk in by_pk]


def task_set_summary(*, tasks: TaskQuerySet, clock: Clock | None = None) -> Summary:
    """Counts by light, completion and 本期未报送 for any set of tasks (one query)."""
    return summary_total(tasks.order_by().with_status(clock_or_now(clock)))


def silent_links(*, tasks: QuerySet[Task], clock: Clock | None = None) -> QuerySet[Any]:
    """The lead-unit links whose own unit has not reported this period on an open task, among
    these tasks: the rows units_silent_list counts, one per (unit, task), by unit then document order."""
    return (
        TaskUnit.objects.lead()
        .on_active()
        .filter(task__in=tasks.values("pk"))
        .with_status(clock_or_now(clock))
        .filter(silent_link())
        .values("unit_id", "unit__name", "task_id", "task__number", "task__plan_id")
        .order_by("unit__name", "task__plan_id", "task__position")
    )


def overdue_tasks(*, tasks: TaskQuerySet, clock: Clock | None = None) -> QuerySet[Any]:
    """Those of these tasks that are past their due date and not done (the red light's first rule)."""
    clock = clock_or_now(clock)
    return (
        tasks.with_status(clock)
        .filter(state=TaskState.ACTIVE, due_date__lt=clock.today)
        .exclude(task_status=ProgressStatus.DONE)
    )
