"""Reads of progress reports: the task page's timeline, the review queue, the report form."""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, DateField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from ..choices import ProgressStatus, ReviewState
from ..models import ProgressReport, Task
from ..periods import period_label, period_start
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
    return _previous_reports(task=task, unit=unit_id, period=period).first()


# -- what changed since the previous period -----------------------------------------------------

# A text is compared clause by clause (a clause ends at Chinese punctuation or a line break):
# readable in Chinese, where a word-level diff has no words, and linear enough for the queue.
_CLAUSE = re.compile(r"[^，。；：！？、,;\n]+[，。；：！？、,;\n]*|[，。；：！？、,;\n]+")


@dataclass(frozen=True)
class DiffPart:
    kind: str  # "same", "del" or "ins"
    text: str


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    before: str
    after: str
    parts: tuple[DiffPart, ...] = ()  # texts only: the clauses kept, removed and added


@dataclass(frozen=True)
class ReportChanges:
    """The report against the unit's previous sent report on the task."""

    previous_label: str  # "2025年5月"; empty when there is no previous report
    changes: tuple[FieldChange, ...]

    @property
    def first(self) -> bool:
        return not self.previous_label

    @property
    def unchanged(self) -> bool:
        return bool(self.previous_label) and not self.changes


def text_diff(before: str, after: str) -> tuple[DiffPart, ...]:
    old, new = _CLAUSE.findall(before), _CLAUSE.findall(after)
    parts: list[DiffPart] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(DiffPart("same", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            parts.append(DiffPart("del", "".join(old[i1:i2])))
        if j2 > j1:
            parts.append(DiffPart("ins", "".join(new[j1:j2])))
    return tuple(parts)


REPORT_TEXT_FIELDS = (("progress_text", "进展情况"), ("problems", "存在问题"), ("next_steps", "下步计划"))


def report_changes(
    *,
    previous_label: str,
    before: dict[str, Any] | None,
    after: dict[str, Any],
) -> ReportChanges:
    """What changed from `before` (the previous report's status, percent and texts; None: there
    is none) to `after` (the same keys; texts not given are not compared)."""
    if before is None:
        return ReportChanges(previous_label="", changes=())
    changes: list[FieldChange] = []
    status_labels = dict(ProgressStatus.choices)
    old_status, new_status = str(before.get("status") or ""), str(after.get("status") or "")
    if old_status != new_status:
        changes.append(
            FieldChange("status", "进展状态", status_labels.get(old_status, "无"), status_labels.get(new_status, "无"))
        )
    if str(before.get("percent")) != str(after.get("percent")):
        changes.append(FieldChange("percent", "完成百分比", f"{before.get('percent')}%", f"{after.get('percent')}%"))
    for name, label in REPORT_TEXT_FIELDS:
        if name not in after:
            continue
        old, new = (before.get(name) or "").strip(), (str(after.get(name) or "")).strip()
        if old != new:
            changes.append(FieldChange(name, label, old, new, text_diff(old, new)))
    return ReportChanges(previous_label=previous_label, changes=tuple(changes))


def report_pending_changes(*, reports: Iterable[ProgressReport]) -> dict[int, ReportChanges]:
    """Each queued report (from report_pending_list) against the unit's previous one: status,
    percent and 进展情况."""
    result: dict[int, ReportChanges] = {}
    for r in reports:
        prev_period = getattr(r, "prev_period", None)
        before = (
            None
            if prev_period is None
            else {
                "status": getattr(r, "prev_status", None),
                "percent": getattr(r, "prev_percent", None),
                "progress_text": getattr(r, "prev_progress_text", ""),
            }
        )
        label = period_label(reporting_period=r.task.plan.reporting_period, start=prev_period) if prev_period else ""
        result[r.pk] = report_changes(
            previous_label=label,
            before=before,
            after={"status": r.status, "percent": r.percent, "progress_text": r.progress_text},
        )
    return result


# -- 落实情况 on the report form -----------------------------------------------------------------


@dataclass(frozen=True)
class FormInstruction:
    """An instruction the unit answers in this report: not answered yet, or answered in this
    same report (`answer`, revisable with it)."""

    pk: int
    leader_name: str
    text: str
    on_behalf: bool
    created_at: datetime.datetime
    answer: str


def report_form_instructions(*, task: Task, unit_id: int, report: ProgressReport | None) -> list[FormInstruction]:
    """The task's instructions (批示) the unit's report form asks 落实情况 for, oldest first (one query)."""
    from supervision.models import Instruction, InstructionReply

    reply = InstructionReply.objects.filter(instruction_id=OuterRef("pk"), unit_id=unit_id)
    rows = (
        Instruction.objects.filter(task=task)
        .annotate(
            reply_report=Subquery(reply.values("report_id")[:1]),
            reply_text=Subquery(reply.values("text")[:1]),
            answered=Exists(reply),
        )
        .filter(Q(answered=False) | Q(reply_report=report.pk if report is not None and report.pk else -1))
        .select_related("leader")
        .order_by("created_at", "pk")
    )
    return [
        FormInstruction(
            pk=i.pk,
            leader_name=i.leader.name,
            text=i.text,
            on_behalf=i.on_behalf,
            created_at=i.created_at,
            answer=getattr(i, "reply_text", None) or "",
        )
        for i in rows
    ]


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
    from ..permissions import reportable_unit_ids

    # The year-end outcome in the same query (the yearend app's tables, read by name: it builds on tasks).
    outcome = apps.get_model("yearend", "TaskOutcome").objects
    task, row = task_with_row(
        Task.objects.annotate(
            final_state=F("outcome__state"),
            continuation_id=F("outcome__continuation_id"),
            carried_from_id=Subquery(outcome.filter(continuation=OuterRef("pk")).order_by("pk").values("task_id")[:1]),
        ),
        task_id=task_id,
        clock=clock,
    )
    final_state: str = getattr(task, "final_state", None) or ""
    continuation_id: int | None = getattr(task, "continuation_id", None)
    carried_from_id: int | None = getattr(task, "carried_from_id", None)
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
        final_state_label=_final_state_label(final_state),
        continuation_url=reverse("tasks:task", args=[continuation_id]) if continuation_id else "",
        carried_from_url=reverse("tasks:task", args=[carried_from_id]) if carried_from_id else "",
    )


def report_form_target(
    *, task: Task, unit_id: int, asked: str | None, clock: Clock
) -> tuple[datetime.date, ProgressReport | None]:
    """The period the report form writes and the unit's report for it: the current period, or
    the `asked` earlier one (?period=YYYY-MM-DD) while its report is returned to the unit.
    Raises ValidationError (services.PERIOD_CLOSED_MESSAGE) for any other, Http404 for a bad date."""
    from django.http import Http404
    from django.utils.dateparse import parse_date

    from ..services import report_period_check, report_period_in_plan_check

    period = clock.period_start(task.plan.reporting_period)
    current = report_current(task=task, unit_id=unit_id, clock=clock)
    if not asked:
        # The current period may itself be past the plan's year (the save checks the rest).
        report_period_in_plan_check(task=task, period=period)
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
