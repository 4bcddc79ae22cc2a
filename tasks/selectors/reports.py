"""Reads of progress reports: the task page's timeline, the review queue, the report form."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, DateField, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from ..choices import ReviewState
from ..models import ProgressReport, Task
from ..periods import period_start
from ..status.clock import Clock, clock_or_now
from ..status.rule import task_stagnant
from .history import HistoryEntry, task_history
from .rows import TaskRow, task_with_row


def report_current(*, task: Task, unit_id: int, clock: Clock | None = None) -> ProgressReport | None:
    """The unit's report on the task for the current period, if any."""
    period = clock_or_now(clock).period_start(task.plan.reporting_period)
    return ProgressReport.objects.filter(task=task, unit_id=unit_id, period=period).first()


def report_of_period(*, task: Task, unit_id: int, day: datetime.date) -> ProgressReport | None:
    """The unit's report on the task for the period containing `day`, if any."""
    period = period_start(reporting_period=task.plan.reporting_period, day=day)
    return ProgressReport.objects.filter(task=task, unit_id=unit_id, period=period).first()


def task_report_list(*, task: Task) -> QuerySet[ProgressReport]:
    """The progress timeline, newest first (all review states; the page labels them)."""
    return (
        ProgressReport.objects.filter(task=task)
        .select_related("unit", "reported_by", "reviewed_by")
        .order_by("-period", "unit__name")
    )


def report_timeline(
    *, task: Task, user: User | AnonymousUser, latest_periods: int | None = None
) -> tuple[list[ProgressReport], int]:
    """The reports a user may see on the task page, newest first, and how many they may see in all.

    Drafts only for the user's own units (or the office). With `latest_periods`, only the reports
    of the latest that many reported periods, plus any still awaiting review, however old: the
    database picks them, so a long history is neither fetched nor turned into objects.
    One query, plus one for the shown reports' attachments.
    """
    from ..permissions import can_review, user_unit_ids

    visible = Q() if can_review(user) else (~Q(review_state=ReviewState.DRAFT) | Q(unit_id__in=user_unit_ids(user)))
    mine = ProgressReport.objects.filter(visible, task=task).order_by()
    total = mine.annotate(_one=Value(1)).values("_one").annotate(n=Count("pk")).values("n")
    qs = task_report_list(task=task).filter(visible).annotate(visible_total=Subquery(total))
    if latest_periods is not None:
        cutoff = mine.order_by("-period").values("period").distinct()[latest_periods - 1 : latest_periods]
        earliest = Coalesce(Subquery(cutoff), Value(datetime.date.min), output_field=DateField())
        qs = qs.filter(Q(period__gte=earliest) | Q(review_state=ReviewState.SUBMITTED))
    reports: list[Any] = list(qs.prefetch_related("attachments"))
    return reports, (reports[0].visible_total if reports else 0)


def task_is_stagnant(*, task: Task, clock: Clock | None = None, reports: list[ProgressReport] | None = None) -> bool:
    """Whether the task's approved reports have not moved for LIGHT_STAGNANT_PERIODS periods
    (status.rule.task_stagnant). `reports`: the task's reports when the caller has those of the
    window already (the task page's timeline does), else one query."""
    since = clock_or_now(clock).stagnant_since(task.plan.reporting_period)
    if reports is None:
        reports = list(ProgressReport.objects.filter(task=task, period__gte=since))
    return task_stagnant(reports=reports, since=since)


def report_pending_list() -> QuerySet[ProgressReport]:
    """Submitted reports waiting for the office, oldest first."""
    return (
        ProgressReport.objects.filter(review_state=ReviewState.SUBMITTED)
        .select_related("task", "task__plan", "unit", "reported_by")
        .order_by("reported_at", "pk")
    )


TIMELINE_PERIODS = 12  # a task page shows the reports of this many latest periods unless all are asked for


@dataclass
class TaskPage:
    """The task page: the task, its status row, the timeline the user may see, and the history."""

    task: Task
    row: TaskRow
    reports: list[ProgressReport]
    report_count: int
    reportable_unit_ids: set[int]  # units whose reports this user may write or revise here
    stagnant: bool
    history: list[HistoryEntry]

    @property
    def hidden_count(self) -> int:
        return self.report_count - len(self.reports)


def task_page(*, task_id: int, user: User | AnonymousUser, show_all: bool, clock: Clock) -> TaskPage:
    """Everything the task page shows (a fixed number of queries).

    The latest TIMELINE_PERIODS periods only, unless `show_all`: five years of monthly reports
    by several units is hundreds of entries. A report awaiting review is always shown."""
    from ..permissions import reportable_unit_ids

    task, row = task_with_row(Task.objects.all(), task_id=task_id, clock=clock)
    reportable = (
        set(reportable_unit_ids(user, task, lead_unit_ids=[u.id for u in row.lead_units]))
        if not row.withdrawn
        else set()
    )
    reports, count = report_timeline(task=task, user=user, latest_periods=None if show_all else TIMELINE_PERIODS)
    # Drafts are never counted, so the visible timeline holds every report that matters; the
    # stagnant window (the last few periods) lies inside the shown periods.
    window = reports if settings.LIGHT_STAGNANT_PERIODS <= TIMELINE_PERIODS else None
    return TaskPage(
        task=task,
        row=row,
        reports=reports,
        report_count=count,
        reportable_unit_ids=reportable,
        stagnant=task_is_stagnant(task=task, clock=clock, reports=window),
        history=task_history(task=task),
    )


def report_form_target(
    *, task: Task, unit_id: int, asked: str | None, clock: Clock
) -> tuple[datetime.date, ProgressReport | None]:
    """The period the report form writes and the unit's report for it: the current period, or
    the `asked` earlier one (?period=YYYY-MM-DD) while its report is returned to the unit.
    Raises ValidationError (services.PERIOD_CLOSED_MESSAGE) for any other, Http404 for a bad date."""
    from django.http import Http404
    from django.utils.dateparse import parse_date

    from ..services import report_period_check

    period = clock.period_start(task.plan.reporting_period)
    current = report_current(task=task, unit_id=unit_id, clock=clock)
    if not asked:
        return period, current
    day = parse_date(asked) if len(asked) == 10 else None
    if day is None:
        raise Http404("报送周期无效。")
    asked_start = period_start(reporting_period=task.plan.reporting_period, day=day)
    if asked_start == period:
        return period, current
    earlier = report_of_period(task=task, unit_id=unit_id, day=asked_start)
    report_period_check(task=task, period=asked_start, report=earlier, clock=clock)
    return asked_start, earlier
