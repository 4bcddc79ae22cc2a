"""我的待办 of the office: reports awaiting review, units and red tasks not reported this period,
overdue 催办, extension requests to decide, tasks not acknowledged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from tasks.choices import Light, ReviewState, UnitKind
from tasks.models import ProgressReport, Task, TaskUnit
from tasks.querysets import current_work
from tasks.status.clock import Clock, clock_or_now
from tasks.status.rule import silent_link

from ..models import Chase, ExtensionRequest, ExtensionState
from .acknowledgements import NewTasks, new_tasks_list
from .chases import _chase_list, chases_open
from .leader import SilentUnit
from .rows import _search


@dataclass
class OfficeTodo:
    pending_count: int
    pending: list[ProgressReport]
    units: list[SilentUnit]
    overdue_chases: list[Chase]
    extensions: list[ExtensionRequest]
    unacknowledged: list[NewTasks]
    red_silent: int = 0  # red tasks with a lead unit that has not reported this period

    @property
    def red_silent_url(self) -> str:
        return _search(light=Light.RED, reported="no")

    @property
    def total(self) -> int:
        return (
            self.red_silent
            + self.pending_count
            + len(self.units)
            + len(self.overdue_chases)
            + len(self.extensions)
            + len(self.unacknowledged)
        )


PENDING_SHOWN = 10


@dataclass
class _OfficeLists:
    """The office's lists as querysets (besides _new_tasks_rows): the page reads them, the
    header badge counts them."""

    pending: QuerySet[ProgressReport]  # every report awaiting review (the page lists the oldest)
    units: QuerySet[Any]  # one row per unit with lead tasks not reported this period
    overdue_chases: QuerySet[Chase]
    extensions: QuerySet[ExtensionRequest]
    red_silent: QuerySet[Task]  # counted only; the count links to the task search


def _office_lists(*, clock: Clock) -> _OfficeLists:
    return _OfficeLists(
        pending=ProgressReport.objects.filter(review_state=ReviewState.SUBMITTED),
        units=TaskUnit.objects.lead()
        .on_active()
        .with_status(clock)
        .values("unit_id", "unit__name", "unit__kind")
        .annotate(missing=Count("pk", filter=silent_link()))
        .filter(missing__gt=0)
        .order_by("-missing", "unit__name"),
        overdue_chases=chases_open().filter(reply_by__lt=clock.today),
        extensions=ExtensionRequest.objects.filter(current_work("task__"), state=ExtensionState.PENDING),
        red_silent=Task.objects.active().with_status(clock).filter(light=Light.RED, silent_now=True),
    )


def office_todo(*, clock: Clock | None = None) -> OfficeTodo:
    """我的待办 of the office (five queries): reports awaiting review (count and the oldest),
    units that have not reported this period (all plans), red tasks not reported this period,
    open chases past their reply-by date, extension requests to decide (oldest first), units
    that have not acknowledged new tasks."""
    clock = clock_or_now(clock)
    lists = _office_lists(clock=clock)
    pending = list(lists.pending.select_related("task", "unit").order_by("reported_at", "pk")[:PENDING_SHOWN])
    units = [
        SilentUnit(
            unit_id=r["unit_id"],
            name=r["unit__name"],
            missing=r["missing"],
            url=_search(unit=r["unit_id"], reported="no"),
            chaseable=r["unit__kind"] != UnitKind.GROUP,
        )
        for r in lists.units
    ]
    return OfficeTodo(
        pending_count=lists.pending.count(),
        pending=pending,
        units=units,
        overdue_chases=_chase_list(lists.overdue_chases),
        extensions=list(lists.extensions.select_related("task", "unit").order_by("created_at", "pk")),
        unacknowledged=new_tasks_list(),
        red_silent=lists.red_silent.count(),
    )
