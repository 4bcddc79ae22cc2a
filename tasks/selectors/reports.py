"""Reads of progress reports: a unit's report of a period, the review queue, the report form's target.

The task page's timeline (task_page), what changed since the previous report (report_changes)
and the form's instructions (report_form) live beside it; their names are re-exported here.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from minhang_plans.compiled import compiled_rows

from ..choices import ReviewState
from ..models import ProgressReport, Task
from ..periods import period_start
from ..status.clock import Clock, clock_or_now
from .report_changes import (
    REPORT_TEXT_FIELDS,
    DiffPart,
    FieldChange,
    ReportChanges,
    report_changes,
    report_pending_changes,
    text_diff,
)
from .report_form import FormInstruction, report_form_instructions
from .task_page import (
    TIMELINE_PERIODS,
    TaskPage,
    report_timeline,
    task_is_stagnant,
    task_page,
    task_report_list,
)

__all__ = [
    "REPORT_TEXT_FIELDS",
    "TIMELINE_PERIODS",
    "DiffPart",
    "FieldChange",
    "FormInstruction",
    "ReportChanges",
    "TaskPage",
    "report_changes",
    "report_current",
    "report_form_instructions",
    "report_form_target",
    "report_of_period",
    "report_pending_changes",
    "report_pending_list",
    "report_previous",
    "report_timeline",
    "task_is_stagnant",
    "task_page",
    "task_report_list",
    "text_diff",
]


def report_current(*, task: Task, unit_id: int, clock: Clock | None = None) -> ProgressReport | None:
    """The unit's report on the task for the current period, if any."""
    period = clock_or_now(clock).plan_period(task.plan)
    found = compiled_rows(
        key=("report_current", period),
        build=lambda task_id, unit_id: ProgressReport.objects.filter(
            task=task_id, unit_id=unit_id, period=period
        ).order_by("pk")[:1],
        ids={"task_id": task.pk, "unit_id": unit_id},
    )
    return found[0] if found else None


def report_of_period(*, task: Task, unit_id: int, day: datetime.date) -> ProgressReport | None:
    """The unit's report on the task for the period containing `day`, if any."""
    period = period_start(reporting_period=task.plan.reporting_period, day=day)
    return ProgressReport.objects.filter(task=task, unit_id=unit_id, period=period).first()


def _previous_reports(*, task: Any, unit: Any, period: Any) -> QuerySet[ProgressReport]:
    """The unit's sent reports on the task for periods before `period`, latest first (the
    arguments are values or OuterRef)."""
    return (
        ProgressReport.objects.filter(task=task, unit=unit, period__lt=period)
        .exclude(review_state=ReviewState.DRAFT)
        .order_by("-period")
    )


def report_pending_list() -> QuerySet[ProgressReport]:
    """Submitted reports waiting for the office, oldest first, each with the status, percent and
    进展情况 of the unit's previous sent report on the task (prev_*; None when it is the first), in
    the same query: the queue shows what changed."""
    previous = _previous_reports(task=OuterRef("task_id"), unit=OuterRef("unit_id"), period=OuterRef("period"))
    return (
        ProgressReport.objects.filter(review_state=ReviewState.SUBMITTED)
        .select_related("task", "task__plan", "unit", "reported_by")
        .annotate(
            prev_period=Subquery(previous.values("period")[:1]),
            prev_status=Subquery(previous.values("status")[:1]),
            prev_percent=Subquery(previous.values("percent")[:1]),
            prev_progress_text=Subquery(previous.values("progress_text")[:1]),
        )
        .order_by("reported_at", "pk")
    )


def report_previous(*, task: Task, unit_id: int, period: datetime.date) -> ProgressReport | None:
    """The unit's latest sent (not draft) report on the task before `period`: what the form is
    pre-filled from and compared with."""
    found = compiled_rows(
        key=("report_previous", period),
        build=lambda task_id, unit_id: _previous_reports(task=task_id, unit=unit_id, period=period)[:1],
        ids={"task_id": task.pk, "unit_id": unit_id},
    )
    return found[0] if found else None


def report_form_target(
    *, task: Task, unit_id: int, asked: str | None, clock: Clock
) -> tuple[datetime.date, ProgressReport | None]:
    """The period the report form writes and the unit's report for it: the current period, or
    the `asked` earlier one (?period=YYYY-MM-DD) while its report is returned to the unit.
    Raises ValidationError (services.PERIOD_CLOSED_MESSAGE) for any other, Http404 for a bad date."""
    from django.http import Http404
    from django.utils.dateparse import parse_date

    from ..services import report_period_check

    period = clock.plan_period(task.plan)
    current = report_current(task=task, unit_id=unit_id, clock=clock)
    if not asked:
        # A closed year, or a current period past the plan's year, is refused before the form is drawn.
        report_period_check(task=task, period=period, report=current, clock=clock)
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
