"""我的待办 of a leader: red and yellow tasks they lead, their lead units that have not reported,
the reports sent on their tasks since their last visit."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from tasks.choices import Light, ReviewState
from tasks.models import Leader, ProgressReport, Task, TaskLeader, TaskUnit
from tasks.querysets import current_work
from tasks.status.clock import Clock, clock_or_now
from tasks.status.rule import silent_link

from .rows import TodoTask, _search

FIRST_VISIT_DAYS = 7  # a leader's first visit to 我的待办 shows the reports of the last week


@dataclass
class SilentUnit:
    unit_id: int
    name: str
    missing: int
    url: str
    chaseable: bool = True  # a 泛指 unit (相关街镇) has no liaison to chase


@dataclass
class LeaderTodo:
    leader: Leader
    red: list[TodoTask]
    yellow: list[TodoTask]
    units: list[SilentUnit]
    new_reports: list[ProgressReport]  # the newest NEW_REPORTS_SHOWN
    since: datetime.datetime | None
    new_reports_count: int = 0  # all of them: the heading and the header badge count every one

    @property
    def new_reports_more(self) -> int:
        """How many older reports the list leaves out."""
        return self.new_reports_count - len(self.new_reports)

    @property
    def red_url(self) -> str:
        return _search(leader=self.leader.pk, light=Light.RED)

    @property
    def yellow_url(self) -> str:
        return _search(leader=self.leader.pk, light=Light.YELLOW)

    @property
    def total(self) -> int:
        return len(self.red) + len(self.yellow) + len(self.units) + self.new_reports_count


NEW_REPORTS_SHOWN = 50


@dataclass
class _LeaderLists:
    """The leader's lists as querysets: the page reads them, the header badge counts them."""

    lights: QuerySet[Task]  # red and yellow tasks they lead
    units: QuerySet[Any]  # one row per lead unit with tasks not reported this period
    reports: QuerySet[ProgressReport]  # reports on their tasks since `since`, newest first (the page shows 50)


def _leader_lists(
    *, leader_id: int | Subquery, since: datetime.datetime | Coalesce | None, clock: Clock
) -> _LeaderLists:
    # Q(...): a subquery is a valid value here, which the stubs' lookup check does not know.
    led = TaskLeader.objects.filter(Q(leader_id=leader_id), task_id=OuterRef("pk"))
    lights = Task.objects.active().filter(Exists(led)).with_status(clock).filter(light__in=[Light.RED, Light.YELLOW])
    units = (
        TaskUnit.objects.lead()
        .on_active()
        .filter(Exists(TaskLeader.objects.filter(Q(leader_id=leader_id), task_id=OuterRef("task_id"))))
        .with_status(clock)
        .values("unit_id", "unit__name")
        .annotate(missing=Count("pk", filter=silent_link()))
        .filter(missing__gt=0)
        .order_by("-missing", "unit__name")
    )
    reports = ProgressReport.objects.filter(
        Exists(TaskLeader.objects.filter(Q(leader_id=leader_id), task_id=OuterRef("task_id"))),
        current_work("task__"),
        review_state__in=[ReviewState.SUBMITTED, ReviewState.APPROVED],
        reported_at__isnull=False,
    )
    if since is not None:
        reports = reports.filter(reported_at__gt=since)
    return _LeaderLists(lights=lights, units=units, reports=reports.order_by("-reported_at", "-pk"))


def leader_todo(*, leader: Leader, since: datetime.datetime | None, clock: Clock | None = None) -> LeaderTodo:
    """我的待办 of a leader (three queries, four when the reports fill the list): red and yellow tasks
    they lead, their lead units that have not reported, the reports sent on their tasks since
    `since` (their last visit), the newest NEW_REPORTS_SHOWN of them listed and all counted."""
    clock = clock_or_now(clock)
    lists = _leader_lists(leader_id=leader.pk, since=since, clock=clock)
    red: list[TodoTask] = []
    yellow: list[TodoTask] = []
    for row in (
        lists.lights.annotate(shown_light=F("light"))
        .order_by("due_date", "plan_id", "position")
        .values("pk", "number", "title", "plan__title", "due_date", "shown_light")
    ):
        task = TodoTask(
            id=row["pk"],
            number=row["number"],
            title=row["title"],
            plan_title=row["plan__title"],
            due_date=row["due_date"],
            light=row["shown_light"],
        )
        (red if task.light == Light.RED else yellow).append(task)
    units = [
        SilentUnit(
            unit_id=r["unit_id"],
            name=r["unit__name"],
            missing=r["missing"],
            url=_search(leader=leader.pk, unit=r["unit_id"], reported="no"),
        )
        for r in lists.units
    ]
    new_reports = list(lists.reports.select_related("task", "unit")[:NEW_REPORTS_SHOWN])
    # Counted only when the list is full: a shorter list is all of them.
    count = lists.reports.count() if len(new_reports) == NEW_REPORTS_SHOWN else len(new_reports)
    return LeaderTodo(
        leader=leader,
        red=red,
        yellow=yellow,
        units=units,
        new_reports=new_reports,
        since=since,
        new_reports_count=count,
    )
