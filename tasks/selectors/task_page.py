"""The task page: its timeline of reports, the stagnant check, and everything else it shows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, DateField, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from minhang_plans.compiled import Ids, compiled_rows

from ..choices import ReviewState
from ..models import ProgressReport, Task
from ..status.clock import Clock, clock_or_now
from ..status.rule import task_stagnant
from .history import HistoryEntry, task_history
from .row_types import TaskRow
from .rows import task_with_row


def task_report_list(*, task: Task | int) -> QuerySet[ProgressReport]:
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

    office = can_review(user)
    ids: dict[str, Ids] = {"task_id": task.pk} | ({} if office else {"units": sorted(user_unit_ids(user))})

    def build(task_id: int, units: list[int] | None = None) -> QuerySet[ProgressReport]:
        visible = Q() if units is None else (~Q(review_state=ReviewState.DRAFT) | Q(unit_id__in=units))
        mine = ProgressReport.objects.filter(visible, task=task_id).order_by()
        total = mine.annotate(_one=Value(1)).values("_one").annotate(n=Count("pk")).values("n")
        qs = task_report_list(task=task_id).filter(visible).annotate(visible_total=Subquery(total))
        if latest_periods is not None:
            cutoff = mine.order_by("-period").values("period").distinct()[latest_periods - 1 : latest_periods]
            earliest = Coalesce(Subquery(cutoff), Value(datetime.date.min), output_field=DateField())
            qs = qs.filter(Q(period__gte=earliest) | Q(review_state=ReviewState.SUBMITTED))
        return qs.prefetch_related("attachments")

    # Compiled once per shape (minhang_plans.compiled): the task and the person's units are its parameters.
    reports: list[Any] = compiled_rows(key=("timeline", latest_periods), build=build, ids=ids)
    return reports, (reports[0].visible_total if reports else 0)


def task_is_stagnant(*, task: Task, clock: Clock | None = None, reports: list[ProgressReport] | None = None) -> bool:
    """Whether the task's approved reports have not moved for LIGHT_STAGNANT_PERIODS periods
    (status.rule.task_stagnant). `reports`: the task's reports when the caller has those of the
    window already (the task page's timeline does), else one query."""
    since = clock_or_now(clock).stagnant_since(task.plan.reporting_period)
    if reports is None:
        reports = list(ProgressReport.objects.filter(task=task, period__gte=since))
    return task_stagnant(reports=reports, since=since)


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
    # 年终办结 (yearend app): the confirmed final state, and the carry-over link either way.
    final_state_label: str = ""
    # A closed year has no light, no "this period" and no stagnation: its final state speaks.
    plan_closed: bool = False
    continuation_url: str = ""  # the task that continues this one next year
    carried_from_url: str = ""  # the task of an earlier year this one continues

    @property
    def hidden_count(self) -> int:
        return self.report_count - len(self.reports)


def _final_state_label(state: str) -> str:
    if not state:
        return ""
    choices = apps.get_model("yearend", "TaskOutcome")._meta.get_field("state").choices or []
    return str(dict(choices).get(state, state))


def task_page(*, task_id: int, user: User | AnonymousUser, show_all: bool, clock: Clock) -> TaskPage:
    """Everything the task page shows (a fixed number of queries).

    The latest TIMELINE_PERIODS periods only, unless `show_all`: five years of monthly reports
    by several units is hundreds of entries. A report awaiting review is always shown."""
    from ..permissions import can_review, reportable_unit_ids, user_unit_ids

    # The year-end outcome in the same query (the yearend app's tables, read by name: it builds on tasks).
    outcome = apps.get_model("yearend", "TaskOutcome").objects
    task, row = task_with_row(
        lambda: Task.objects.annotate(
            final_state=F("outcome__state"),
            continuation_id=F("outcome__continuation_id"),
            carried_from_id=Subquery(outcome.filter(continuation=OuterRef("pk")).order_by("pk").values("task_id")[:1]),
            plan_closed_at=F("plan__closure__closed_at"),
        ),
        task_id=task_id,
        clock=clock,
    )
    final_state: str = getattr(task, "final_state", None) or ""
    continuation_id: int | None = getattr(task, "continuation_id", None)
    carried_from_id: int | None = getattr(task, "carried_from_id", None)
    # A closed year takes no report (services.report_period_check): no 填报 link either.
    reportable = (
        set(reportable_unit_ids(user, task, lead_unit_ids=[u.id for u in row.lead_units]))
        if not row.withdrawn and getattr(task, "plan_closed_at", None) is None
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
        history=task_history(task=task, draft_units=None if can_review(user) else user_unit_ids(user)),
        final_state_label=_final_state_label(final_state),
        plan_closed=getattr(task, "plan_closed_at", None) is not None,
        continuation_url=reverse("tasks:task", args=[continuation_id]) if continuation_id else "",
        carried_from_url=reverse("tasks:task", args=[carried_from_id]) if carried_from_id else "",
    )
