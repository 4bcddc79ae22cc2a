"""The events a plan's scores are made of, read from the database for one period or one year.

A handful of queries per period, whatever the plan's size; every event keeps the ids of what
caused it (task, report, instruction, adjustment), so each line on a sheet links back to it.

- 缺报 (missing): a lead unit with no submitted report for the period on an open task (not done
  in an earlier period, and not added by a revision after the period closed);
- 逾期报送 (late): a report submitted after the plan's reporting deadline (ProgressReport.late);
- 报告被退回 (returned): a report of the period that the office returned at least once (its history);
- 期末逾期未完成 (overdue): a task past its due date and not done at the period's close — read from
  the status snapshot taken at the close (trends), or, where none was taken, from the reports;
- 提前完成 (early): the first period at which the task is done by the status rule
  (`tasks.status.stored.status_from_reports` as of each period), when that period ended before the due date;
- 领导表扬 (praise): an instruction marked 表扬 written during the period;
- 年终未完成 / 年终基本完成: the final states confirmed at the plan's close (yearend), on the year sheet.
Events on a task go to each of its units, lead or supporting, weighted by the rule set.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import OuterRef
from django.utils import timezone

from supervision.models import Instruction
from tasks.choices import (
    COUNTED_REVIEW_STATES,
    CurrentStatus,
    ProgressStatus,
    ReportingPeriod,
    ReviewState,
    TaskState,
    UnitKind,
    UnitRole,
)
from tasks.models import Plan, ProgressReport, Task, TaskUnit
from tasks.periods import period_close, period_end
from tasks.status.stored import status_from_reports
from trends.models import StatusSnapshot
from trends.selectors import snapshot_overdue
from yearend.models import FinalState, PlanClosure, TaskOutcome

from .models import LineKind, Scope, ScoreAdjustment
from .scoring import ROLE_LEAD, ROLE_SUPPORT, Event


def year_periods(*, plan: Plan, year: int) -> list[dt.date]:
    """The first days of the plan's reporting periods in `year`."""
    step = 3 if plan.reporting_period == ReportingPeriod.QUARTERLY else 1
    return [dt.date(year, month, 1) for month in range(1, 13, step)]


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class PlanLinks:
    """Every unit of every active task of the plan with its role, and the period each task was first
    done by the status rule (two queries, read once for all the periods of a run)."""

    def __init__(self, *, plan: Plan) -> None:
        self.plan_created = plan.created_at
        self.by_task: dict[int, list[tuple[int, str]]] = defaultdict(list)
        self.unit_ids: set[int] = set()
        rows = (
            TaskUnit.objects.filter(task__plan=plan, task__state=TaskState.ACTIVE)
            .exclude(unit__kind=UnitKind.GROUP)
            .values_list("task_id", "unit_id", "role", "task__created_at")
        )
        self.created: dict[int, dt.datetime] = {}
        for task_id, unit_id, role, created in rows:
            self.by_task[task_id].append((unit_id, ROLE_LEAD if role == UnitRole.LEAD else ROLE_SUPPORT))
            self.unit_ids.add(unit_id)
            self.created[task_id] = created
        self.first_done = _first_done(plan=plan)

    def added_after(self, *, task_id: int, moment: dt.datetime) -> bool:
        """The task came with a later revision of the plan, after `moment`: it owed nothing before.
        (Tasks of the plan's first import owe every period, however late the plan was entered.)"""
        created = self.created[task_id]
        # Calendar days in the district's time zone: the database hands back UTC, and a plan imported
        # just after midnight in Shanghai falls on the day before in UTC.
        return created >= moment and timezone.localdate(created) > timezone.localdate(self.plan_created)

    def events(self, *, kind: str, task_id: int, **ids: object) -> Iterable[Event]:
        for unit_id, role in self.by_task.get(task_id, ()):
            yield Event(kind=kind, unit_id=unit_id, role=role, task_id=task_id, **ids)  # type: ignore[arg-type]


def _first_done(*, plan: Plan) -> dict[int, dt.date]:
    """Each task's first period at which the status rule (tasks/status/stored.py,
    `status_from_reports`) calls it done, as of that period. A task turns done only in a period in
    which a lead unit's approved report says 已完成, so those periods are the candidates. One query."""
    status, _ = status_from_reports(task_ref="task_id", through=OuterRef("period"))
    rows = (
        ProgressReport.objects.filter(
            task__plan=plan, review_state__in=COUNTED_REVIEW_STATES, status=ProgressStatus.DONE
        )
        .annotate(task_status=status)
        .filter(task_status=CurrentStatus.DONE)
        .values_list("task_id", "period")
        .distinct()
    )
    first: dict[int, dt.date] = {}
    for task_id, period in rows:
        if task_id not in first or period < first[task_id]:
            first[task_id] = period
    return first


def _overdue_at_close(*, plan: Plan, start: dt.date, close: dt.date, done: set[int]) -> set[int]:
    """From the snapshot taken at the close (trends); where none was taken (a period before the
    product was installed), from the due dates and the approved reports up to that period."""
    taken = StatusSnapshot.objects.filter(plan=plan, period=start)
    if taken.exists():
        return snapshot_overdue(plan_id=plan.pk, period=start)
    due = Task.objects.filter(plan=plan, state=TaskState.ACTIVE, due_date__lt=close).values_list("pk", flat=True)
    return set(due) - done


def period_events(*, plan: Plan, start: dt.date, links: PlanLinks | None = None) -> list[Event]:
    links = links or PlanLinks(plan=plan)
    close = period_close(plan=plan, period=start)
    closed_at = _day_start(close + dt.timedelta(days=1))
    first_done = links.first_done
    done_before = {task_id for task_id, first in first_done.items() if first < start}
    done_by_close = {task_id for task_id, first in first_done.items() if first <= start}
    events: list[Event] = []

    reported: dict[tuple[int, int], tuple[int, bool]] = {}
    for pk, task_id, unit_id, late in (
        ProgressReport.objects.filter(task__plan=plan, period=start)
        .exclude(review_state=ReviewState.DRAFT)
        .values_list("pk", "task_id", "unit_id", "late")
    ):
        reported[(task_id, unit_id)] = (pk, late)
    for task_id, owners in links.by_task.items():
        if task_id in done_before or links.added_after(task_id=task_id, moment=closed_at):
            continue
        for unit_id, role in owners:
            if role != ROLE_LEAD:
                continue
            report = reported.get((task_id, unit_id))
            if report is None:
                events.append(Event(kind=LineKind.MISSING, unit_id=unit_id, task_id=task_id, period=start))
            elif report[1]:
                events.append(
                    Event(kind=LineKind.LATE, unit_id=unit_id, task_id=task_id, period=start, report_id=report[0])
                )

    history = ProgressReport.history.model
    returned = (
        history.objects.filter(task__plan=plan, period=start, review_state=ReviewState.RETURNED)
        .values_list("id", "task_id", "unit_id")
        .distinct()
    )
    for pk, task_id, unit_id in returned:
        if unit_id in links.unit_ids:
            events.append(Event(kind=LineKind.RETURNED, unit_id=unit_id, task_id=task_id, period=start, report_id=pk))

    for task_id in sorted(_overdue_at_close(plan=plan, start=start, close=close, done=done_by_close)):
        events.extend(links.events(kind=LineKind.OVERDUE, task_id=task_id, period=start))

    # Done in a period that ended before the due date: ahead of time, by the calendar of periods
    # (not by the submission's clock time, so a recomputation gives the same answer).
    ended = period_end(reporting_period=plan.reporting_period, start=start)
    early = (
        ProgressReport.objects.filter(
            task__plan=plan,
            review_state__in=COUNTED_REVIEW_STATES,
            status=ProgressStatus.DONE,
            period=start,
            task__due_date__gt=ended,
        )
        .order_by("task_id", "pk")
        .values_list("pk", "task_id")
    )
    seen: set[int] = set()
    for pk, task_id in early:
        if task_id in seen or first_done.get(task_id) != start:
            continue
        seen.add(task_id)
        events.extend(links.events(kind=LineKind.EARLY, task_id=task_id, period=start, report_id=pk))

    praised = Instruction.objects.filter(
        task__plan=plan,
        praise=True,
        created_at__gte=_day_start(start),
        created_at__lt=_day_start(ended + dt.timedelta(days=1)),
    ).values_list("pk", "task_id")
    for pk, task_id in praised:
        events.extend(links.events(kind=LineKind.PRAISE, task_id=task_id, period=start, instruction_id=pk))
    return events


def yearend_events(*, plan: Plan, links: PlanLinks) -> list[Event]:
    """年终未完成 / 基本完成, once the plan is closed (its confirmed final states)."""
    if not PlanClosure.objects.filter(plan=plan).exists():
        return []
    kinds = {FinalState.NOT_DONE: LineKind.UNFINISHED, FinalState.MOSTLY_DONE: LineKind.MOSTLY_DONE}
    events: list[Event] = []
    for task_id, state in TaskOutcome.objects.filter(task__plan=plan, state__in=list(kinds)).values_list(
        "task_id", "state"
    ):
        events.extend(links.events(kind=kinds[FinalState(state)], task_id=task_id))
    return events


def adjustment_events(*, plan: Plan, scope: str, start: dt.date) -> list[Event]:
    return [
        Event(kind=LineKind.MANUAL, unit_id=unit_id, adjustment_id=pk, points=points, note=reason)
        for pk, unit_id, points, reason in ScoreAdjustment.objects.filter(
            plan=plan, scope=scope, period=start
        ).values_list("pk", "unit_id", "points", "reason")
    ]


def run_events(*, plan: Plan, scope: str, start: dt.date, today: dt.date) -> tuple[list[Event], set[int]]:
    """All events of a run, and the units that get a sheet."""
    links = PlanLinks(plan=plan)
    if scope == Scope.PERIOD:
        events = period_events(plan=plan, start=start, links=links)
    else:
        events = []
        for first in year_periods(plan=plan, year=start.year):
            if period_close(plan=plan, period=first) < today and plan.year_start <= first.year <= plan.year_end:
                events.extend(period_events(plan=plan, start=first, links=links))
        if start.year == plan.year_end:
            events.extend(yearend_events(plan=plan, links=links))
    events.extend(adjustment_events(plan=plan, scope=scope, start=start))
    return events, links.unit_ids | {e.unit_id for e in events}
