"""Progress reports: a unit's report on a task for a period, checked and saved with its
attachments, its 落实情况 and its 阶段目标 (report_save), and the rules it is checked by
(the reason required, the period that may be reported)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from minhang_plans.compiled import compiled_rows

from ..models import Milestone, Plan, ProgressReport, ProgressStatus, ReviewState, Task, TaskState, Unit
from ..periods import period_label, period_start, plan_deadline
from ..status.clock import Clock, clock_or_now
from ..status.stored import task_status_refresh
from .attachments import _attachment_store, _files_discard, attachment_check
from .common import TASK_GONE_MESSAGE, ReportConflict, _task_lock, history_note


@dataclass(frozen=True)
class ReportInput:
    status: str
    percent: int
    progress_text: str = ""
    problems: str = ""
    next_steps: str = ""


BEHIND_REASON_MESSAGE = "状态为“滞后”时，请填写存在问题。"
OVERDUE_REASON_MESSAGE = "任务已过截止日期（{due:%Y-%m-%d}），请在“存在问题”中说明逾期原因。"
EVIDENCE_MESSAGE = "本规划要求提交进展时附佐证材料，请至少上传一个附件。"
ATTACHMENTS_PER_SAVE = 10
ATTACHMENTS_TOO_MANY_MESSAGE = f"一次最多上传{ATTACHMENTS_PER_SAVE}个附件。"


def report_reason_required(*, task: Task, status: str, today: dt.date) -> str | None:
    """Why a reason (存在问题) is required for this report, as the error the form shows; None when
    it is not: the status is 滞后, or the task is past its due date (before today)."""
    if status == ProgressStatus.BEHIND:
        return BEHIND_REASON_MESSAGE
    if task.due_date is not None and task.due_date < today:
        return OVERDUE_REASON_MESSAGE.format(due=task.due_date)
    return None


def _validate_report_input(data: ReportInput, *, task: Task, today: dt.date) -> None:
    errors: dict[str, str] = {}
    if data.status not in ProgressStatus.values:
        errors["status"] = "请选择有效的进展状态。"
    if not 0 <= data.percent <= 100:
        errors["percent"] = "完成百分比应在 0 到 100 之间。"
    if data.status == ProgressStatus.DONE and data.percent != 100:
        errors["percent"] = "状态为“已完成”时，完成百分比应为 100。"
    if data.status == ProgressStatus.NOT_STARTED and data.percent != 0:
        errors["percent"] = "状态为“未启动”时，完成百分比应为 0。"
    if data.status in (ProgressStatus.IN_PROGRESS, ProgressStatus.BEHIND, ProgressStatus.DONE) and not (
        data.progress_text.strip()
    ):
        errors["progress_text"] = "请填写进展情况。"
    reason = report_reason_required(task=task, status=data.status, today=today)
    if reason and not data.problems.strip():
        errors["problems"] = reason
    for name in ("progress_text", "problems", "next_steps"):
        if len(getattr(data, name)) > 5000:
            errors[name] = "内容不能超过 5000 字。"
    if errors:
        raise ValidationError(errors)


PERIOD_CLOSED_MESSAGE = "只能填报本期进展，或修改被退回的往期报告。"
PLAN_CLOSED_REPORT_MESSAGE = "该规划已年终办结，不再接受进展报告。"
PLAN_ENDED_MESSAGE = "该规划的报送期已于{last}结束，不再接受以后各期的进展报告；请待督查室年终办结。"


def report_submit_decides_late(*, report: ProgressReport | None) -> bool:
    """The first submission of the period decides 逾期报送: a new report or a draft; a returned
    report resubmitted keeps what its first submission decided."""
    return report is None or report.pk is None or report.review_state == ReviewState.DRAFT


def report_submit_late(
    *, task: Task, period: dt.date, report: ProgressReport | None, clock: Clock | None = None
) -> bool:
    """Whether submitting now marks the report 逾期报送 (the report form warns before it happens)."""
    if not report_submit_decides_late(report=report):
        return bool(report and report.late)
    return clock_or_now(clock).today > plan_deadline(plan=task.plan, start=period)


def report_period_in_plan_check(*, task: Task, period: dt.date) -> None:
    """Not filed as "2026年12月" on a 2025 plan: a plan's periods end with its year (no query)."""
    last = period_start(reporting_period=task.plan.reporting_period, day=dt.date(task.plan.year_end, 12, 31))
    if period > last:
        ended = period_label(reporting_period=task.plan.reporting_period, start=last)
        raise ValidationError(PLAN_ENDED_MESSAGE.format(last=ended))


def report_period_check(
    *, task: Task, period: dt.date, report: ProgressReport | None, clock: Clock | None = None
) -> None:
    """A report is written for the plan's current period, or for an earlier one while its report
    is returned to the unit; anything else raises ValidationError(PERIOD_CLOSED_MESSAGE). A plan whose
    year the office has closed (yearend app) takes no report at all (PLAN_CLOSED_REPORT_MESSAGE)."""
    closed = compiled_rows(
        key="plan_closed",
        build=lambda plan_id: Plan.objects.filter(pk=plan_id, closure__isnull=False).values_list("pk")[:1],
        ids={"plan_id": task.plan_id},
    )
    if closed:
        raise ValidationError(PLAN_CLOSED_REPORT_MESSAGE)
    report_period_in_plan_check(task=task, period=period)
    current = clock_or_now(clock).plan_period(task.plan)
    if period == current:
        return
    if period < current and report is not None and report.pk and report.review_state == ReviewState.RETURNED:
        return
    raise ValidationError(PERIOD_CLOSED_MESSAGE)


def report_save(
    *,
    user: User | AnonymousUser,
    task: Task,
    unit: Unit,
    period: dt.date,
    data: ReportInput,
    version: int | None,
    submit: bool = True,
    attachment: UploadedFile | None = None,
    attachments: Sequence[UploadedFile] = (),
    instruction_answers: Mapping[int, str] | None = None,
    milestones_met: Collection[int] | None = None,
    clock: Clock | None = None,
) -> ProgressReport:
    """Create or revise the unit's report on the task for the period, with its attachments
    (`attachment`, one, and/or `attachments`, several) and, when submitted, the unit's
    落实情况 of the task's instructions (`instruction_answers`: instruction id → text).

    A reason (存在问题) is required when the status is 滞后 or the task is past due; a plan that
    requires evidence (Plan.evidence_required) takes no submission without an attachment (those
    already on the report count). A draft records no 落实情况: it is part of what is sent.

    The period is the plan's current one, or an earlier one whose report the office returned
    (退回 or 撤回审核); any other is refused.

    `version` is the version the user edited (None for a new report). If the
    report changed since, ReportConflict is raised and nothing is written.
    The report, its attachments and its 落实情况 are stored together or not at all: a refused
    or unwritable file (wrong type, too large, disk full), a refused answer or a refused report
    leaves no report, no row and no file.
    """
    from ..permissions import can_report, can_review, require_user

    uploads = [*([attachment] if attachment is not None else []), *attachments]
    clock = clock_or_now(clock)

    written: list[str] = []  # files stored by this call, removed again if the transaction fails
    try:
        with transaction.atomic():
            state = _task_lock(task_id=task.pk)
            if state is None:
                raise ValidationError(TASK_GONE_MESSAGE)
            author = require_user(user, can_report(user, task, unit.pk), "您只能为本单位牵头的任务填报进展。")
            if state != TaskState.ACTIVE:
                raise ValidationError("该任务已撤销，不能再填报进展。")
            _validate_report_input(data, task=task, today=clock.today)
            if len(uploads) > ATTACHMENTS_PER_SAVE:
                raise ValidationError({"attachment": ATTACHMENTS_TOO_MANY_MESSAGE})
            names = [attachment_check(name=upload.name, size=upload.size, stream=upload) for upload in uploads]
            now = timezone.now()
            # No select_related here: after waiting for the lock, PostgreSQL re-checks only the
            # locked row and can return the outer-joined side as NULL. Compiled once per period,
            # the task and unit its parameters.
            locked = compiled_rows(
                key=("report_save.lock", period),
                build=lambda task_id, unit_id: (
                    ProgressReport.objects.select_for_update(of=("self",))
                    .filter(task_id=task_id, unit_id=unit_id, period=period)
                    .order_by("pk")[:1]
                ),
                ids={"task_id": task.pk, "unit_id": unit.pk},
            )
            report = locked[0] if locked else None
            if report is None:
                if version is not None:
                    raise ValidationError("该报告已不存在，请刷新页面。")
                report = ProgressReport(task=task, unit=unit, period=period, version=0)
            elif version != report.version:
                raise ReportConflict(report)
            elif report.review_state == ReviewState.APPROVED and not can_review(user):
                raise ValidationError("该报告已审核通过，如需修改请联系督查室撤回审核。")
            report_period_check(task=task, period=period, report=report, clock=clock)
            if (
                submit
                and task.plan.evidence_required
                and not uploads
                and not (report.pk and report.attachments.exists())
            ):
                raise ValidationError({"attachment": EVIDENCE_MESSAGE})
            report.status = data.status
            report.percent = data.percent
            report.progress_text = data.progress_text.strip()
            report.problems = data.problems.strip()
            report.next_steps = data.next_steps.strip()
            if submit and report_submit_decides_late(report=report):
                report.late = report_submit_late(task=task, period=period, report=report, clock=clock)
            # A returned report saved as a draft stays returned: the office's comment stays on the form
            # and on 我的待办 until it is resubmitted, and an earlier period's report can still be
            # resubmitted (report_period_check takes an earlier period only while it is returned).
            kept_returned = not submit and report.review_state == ReviewState.RETURNED
            if not kept_returned:
                report.review_state = ReviewState.SUBMITTED if submit else ReviewState.DRAFT
                report.review_comment = report.review_comment if report.review_state == ReviewState.DRAFT else ""
                report.reviewed_by = None
                report.reviewed_at = None
            report.reported_by = author
            report.reported_at = now
            report.version += 1
            history_note(report, user=author, reason="提交" if submit else "保存草稿")
            try:
                with transaction.atomic():
                    report.save()
            except IntegrityError:
                # Created by someone else between our read and our insert.
                raise ReportConflict(ProgressReport.objects.get(task=task, unit=unit, period=period)) from None
            for upload, name in zip(uploads, names, strict=True):
                _attachment_store(user=author, report=report, upload=upload, name=name, written=written)
            if submit and instruction_answers:
                # supervision builds on tasks (its services import this module): imported here.
                from supervision.services import instruction_answers_record

                instruction_answers_record(
                    user=author, task=task, unit=unit, report=report, answers=instruction_answers
                )
            if milestones_met is not None:
                # 阶段目标 the report says are met: only the task's own (a forged id is refused, nothing kept).
                chosen = set(milestones_met)
                own = set(Milestone.objects.filter(task=task, pk__in=chosen).values_list("pk", flat=True))
                if chosen - own:
                    raise ValidationError({"milestones_met": "所选阶段目标不属于该任务，请刷新页面后重试。"})
                report.milestones_met.set(own)
            task_status_refresh(task_ids=[task.pk])
    except BaseException:
        _files_discard(written)
        raise
    return report
