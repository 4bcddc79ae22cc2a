"""Review of progress reports by the office: 审核通过 and 退回 one by one or in a batch, and
撤回审核 (an approval taken back); each decision with its history entry and audit record, and
each return with a message to the unit (notifications.reviews)."""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import Action, audit_record
from notifications.reviews import report_returned_notify

from ..models import Plan, ProgressReport, ReviewState, Task, TaskState
from ..periods import period_label
from ..status.stored import task_status_refresh
from .common import ReportConflict, _report_lock, history_note

PLAN_CLOSED_REVIEW_MESSAGE = "{plan}已年终办结，不能再审核或撤回审核进展报告；如需更正，请先撤销办结。"


def _plans_open_check(*, task_ids: list[int]) -> None:
    """Refuse a review decision on a plan whose year is closed (yearend): its figures and scores
    are final, and a report returned then could never be resubmitted."""
    closed = Plan.objects.filter(tasks__pk__in=task_ids, closure__isnull=False).values_list("title", flat=True)
    title = next(iter(closed.distinct()[:1]), None)
    if title is not None:
        raise ValidationError(PLAN_CLOSED_REVIEW_MESSAGE.format(plan=title))


def _review_write(*, reviewer: User, current: ProgressReport, state: str, comment: str, batch: bool = False) -> None:
    """One report's decision, its history entry and its audit record (the caller holds the locks
    and refreshes the task's status)."""
    if current.review_state != ReviewState.SUBMITTED:
        raise ValidationError(f"只能审核“已报送待审核”的报告（当前：{current.get_review_state_display()}）。")
    current.review_state = state
    current.review_comment = comment.strip()
    current.reviewed_by = reviewer
    current.reviewed_at = timezone.now()
    current.version += 1
    reason = "审核通过" if state == ReviewState.APPROVED else "退回"
    history_note(current, user=reviewer, reason=f"批量{reason}" if batch else reason)
    current.save()
    _review_audit(
        user=reviewer,
        report=current,
        action=Action.REVIEW_APPROVE if state == ReviewState.APPROVED else Action.REVIEW_RETURN,
        comment=current.review_comment,
    )
    if state == ReviewState.RETURNED:
        report_returned_notify(report=current)


def _review(
    *, user: User | AnonymousUser, report: ProgressReport, version: int, state: str, comment: str
) -> ProgressReport:
    from ..permissions import can_review, require_user

    reviewer = require_user(user, can_review(user), "只有督查室可以审核进展报告。")
    with transaction.atomic():
        _state, current = _report_lock(report=report)
        if current.version != version:
            raise ReportConflict(current)
        _plans_open_check(task_ids=[current.task_id])
        _review_write(reviewer=reviewer, current=current, state=state, comment=comment)
        task_status_refresh(task_ids=[current.task_id])
    return current


BATCH_EMPTY_MESSAGE = "请先勾选要审核的报告。"
BATCH_GONE_MESSAGE = "所选报告中有的已不存在，本批未审核任何报告。请刷新页面后重试。"
BATCH_CHANGED_MESSAGE = "{name}的报告在页面打开后已被修改（现为版本{version}），本批未审核任何报告。请刷新页面后重试。"


def report_review_batch(
    *, user: User | AnonymousUser, versions: Mapping[int, int], approve: bool, comment: str = ""
) -> list[ProgressReport]:
    """批量通过 / 批量退回 from the review queue: `versions` maps each ticked report to the
    version the page showed. All or none: a report changed since (another reviewer, a
    revision by the unit) or no longer awaiting review refuses the whole batch, naming it.
    Each report gets its own decision, history entry and audit record, as one by one."""
    from ..permissions import can_review_batch, require_user

    reviewer = require_user(user, can_review_batch(user), "只有督查室可以审核进展报告。")
    if not versions:
        raise ValidationError(BATCH_EMPTY_MESSAGE)
    if not approve and not comment.strip():
        raise ValidationError({"comment": "批量退回时请填写退回意见。"})
    if len(comment) > 2000:
        raise ValidationError({"comment": "审核意见不能超过 2000 字。"})
    state = ReviewState.APPROVED if approve else ReviewState.RETURNED
    with transaction.atomic():
        # The locking order of every report write: the tasks first (in id order), then the reports.
        task_ids = sorted(set(ProgressReport.objects.filter(pk__in=versions).values_list("task_id", flat=True)))
        list(Task.objects.select_for_update().filter(pk__in=task_ids).order_by("pk").values_list("pk", flat=True))
        reports = list(ProgressReport.objects.select_for_update(of=("self",)).filter(pk__in=versions).order_by("pk"))
        if len(reports) != len(versions):
            raise ValidationError(BATCH_GONE_MESSAGE)
        named = {
            r.pk: r
            for r in ProgressReport.objects.filter(pk__in=versions).select_related("task__plan", "unit").order_by("pk")
        }
        for current in reports:
            # The task and unit for the messages and the audit record (read after the lock).
            current.task, current.unit = named[current.pk].task, named[current.pk].unit
            if current.version != versions[current.pk] or current.review_state != ReviewState.SUBMITTED:
                label = period_label(reporting_period=current.task.plan.reporting_period, start=current.period)
                name = f"第{current.task.number}项 {current.unit.name} {label}"
                raise ValidationError(BATCH_CHANGED_MESSAGE.format(name=name, version=current.version))
        _plans_open_check(task_ids=task_ids)
        for current in reports:
            _review_write(reviewer=reviewer, current=current, state=state, comment=comment, batch=True)
        task_status_refresh(task_ids=task_ids)
    return reports


def _review_audit(*, user: User, report: ProgressReport, action: str, comment: str) -> None:
    """The security audit's record of a review decision, in the decision's transaction."""
    audit_record(
        action=action,
        user=user,
        object_repr=f"第{report.task.number}项 · {report.unit.name} · {report.period:%Y-%m}",
        detail={"report": report.pk, "task": report.task_id, "comment": comment},
    )


def report_approve(
    *, user: User | AnonymousUser, report: ProgressReport, version: int, comment: str = ""
) -> ProgressReport:
    return _review(user=user, report=report, version=version, state=ReviewState.APPROVED, comment=comment)


def report_return(*, user: User | AnonymousUser, report: ProgressReport, version: int, comment: str) -> ProgressReport:
    if not comment.strip():
        raise ValidationError({"comment": "退回时请填写退回意见。"})
    return _review(user=user, report=report, version=version, state=ReviewState.RETURNED, comment=comment)


def report_reopen(*, user: User | AnonymousUser, report: ProgressReport, version: int, reason: str) -> ProgressReport:
    """The office takes back its approval (撤回审核): the report goes back to the unit as
    returned, with the reason as the office's comment; the unit can edit and resubmit it."""
    from ..permissions import can_review, require_user

    reviewer = require_user(user, can_review(user), "只有督查室可以撤回审核。")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "撤回审核时请填写理由。"})
    if len(reason) > 2000:
        raise ValidationError({"reason": "理由不能超过 2000 字。"})
    with transaction.atomic():
        state, current = _report_lock(report=report)
        if current.version != version:
            raise ReportConflict(current)
        if current.review_state != ReviewState.APPROVED:
            raise ValidationError(f"只能撤回已审核通过的报告（当前：{current.get_review_state_display()}）。")
        _plans_open_check(task_ids=[current.task_id])
        if state != TaskState.ACTIVE:
            # A withdrawn task takes no reports: the unit could not revise it.
            raise ValidationError("该任务已撤销，不能撤回审核。")
        current.review_state = ReviewState.RETURNED
        current.review_comment = reason
        current.reviewed_by = reviewer
        current.reviewed_at = timezone.now()
        current.version += 1
        reason_field = current.history.model._meta.get_field("history_change_reason")
        history_note(current, user=reviewer, reason=f"撤回审核：{reason}"[: reason_field.max_length])
        current.save()
        task_status_refresh(task_ids=[current.task_id])
        _review_audit(user=reviewer, report=current, action=Action.REVIEW_REOPEN, comment=reason)
        report_returned_notify(report=current, reopened=True)
    return current
