"""Writes: every change to the domain goes through a function here."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Group, User
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

# The stored status is refreshed by every write path in its own transaction; its home is
# tasks.status.stored, re-exported here because writes reach it through the services.
from accounts.audit import Action, audit_record

from .models import (
    Milestone,
    Plan,
    ProgressReport,
    ProgressStatus,
    ReportAttachment,
    ReviewState,
    Role,
    Task,
    TaskState,
    Unit,
)
from .periods import period_label, period_start, plan_deadline
from .status.clock import Clock, clock_or_now
from .status.stored import task_status_drift, task_status_refresh  # noqa: F401

logger = logging.getLogger(__name__)


# What 系统管理员 administers in the Django admin (README: imports, accounts, Django admin):
# every model of these apps, accounts and groups, and the login-protection records.
ADMIN_ROLE_APPS = ("tasks", "imports", "insights", "documents", "axes")
ADMIN_ROLE_MODELS = (("auth", "user"), ("auth", "group"))


def roles_ensure() -> dict[str, Group]:
    """The role groups, with the 系统管理员 group holding the admin permissions (added, never
    removed: an administrator may grant more). Permissions that do not exist yet (during
    migrate, before Django creates them) are granted on the next call; post_migrate calls this."""
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    groups = {role.value: Group.objects.get_or_create(name=role.value)[0] for role in Role}
    scope = Q(content_type__app_label__in=ADMIN_ROLE_APPS)
    for app_label, model in ADMIN_ROLE_MODELS:
        scope |= Q(content_type__app_label=app_label, content_type__model=model)
    admin_group = groups[Role.ADMIN.value]
    missing = Permission.objects.filter(scope).exclude(group=admin_group)
    admin_group.permissions.add(*missing)
    return groups


# -- progress reports ------------------------------------------------------------


class ReportConflict(Exception):
    """Somebody else saved the report since it was opened; nothing was overwritten."""

    def __init__(self, current: ProgressReport):
        self.current = current
        who = current.reported_by.get_username() if current.reported_by is not None else "其他用户"
        super().__init__(
            f"保存失败：该报告已被{who}于{timezone.localtime(current.updated_at):%Y-%m-%d %H:%M}"
            f"修改（版本{current.version}）。"
            "请查看对方的内容后再保存，您的修改未被写入。"
        )


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


def _task_lock(*, task_id: int) -> str | None:
    """Lock the task row for the rest of the transaction and return its state (None: gone).

    Every write on a task's reports takes this lock first (then the report's), in that one
    order, so that two writers never deadlock. An import being undone locks the tasks it
    deletes: a report waits for it and then finds the task gone, instead of inserting a
    report whose task disappears under it (a foreign-key error at commit, a 500)."""
    return Task.objects.select_for_update().filter(pk=task_id).values_list("state", flat=True).first()


TASK_GONE_MESSAGE = "该任务已不存在（所属导入可能已被回退），进展未保存。请返回规划页面查看。"
REPORT_GONE_MESSAGE = "该报告已不存在，请刷新页面。"


def _report_lock(*, report: ProgressReport) -> tuple[str, ProgressReport]:
    """The task's state and the current report, both locked (task first); a report whose task
    was deleted meanwhile (an import rolled back) is a clear error, not a 500."""
    state = _task_lock(task_id=report.task_id)
    current = ProgressReport.objects.select_for_update(of=("self",)).filter(pk=report.pk).first()
    if state is None or current is None:
        raise ValidationError(REPORT_GONE_MESSAGE)
    return state, current


def history_note(obj: Model, *, user: User, reason: str) -> None:
    """Who and why, read by django-simple-history when `obj` is next saved (also outside a
    web request, where its middleware does not run). setattr: these are the library's
    attributes on the instance, not model fields."""
    setattr(obj, "_change_reason", reason)  # noqa: B010
    setattr(obj, "_history_user", user)  # noqa: B010


PERIOD_CLOSED_MESSAGE = "只能填报本期进展，或修改被退回的往期报告。"
PLAN_CLOSED_REPORT_MESSAGE = "该规划已年终办结，不再接受进展报告。"
PLAN_ENDED_MESSAGE = "该规划的报送期已于{last}结束，不再接受以后各期的进展报告；请待督查室年终办结。"


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
    if Plan.objects.filter(pk=task.plan_id, closure__isnull=False).exists():
        raise ValidationError(PLAN_CLOSED_REPORT_MESSAGE)
    report_period_in_plan_check(task=task, period=period)
    current = clock_or_now(clock).period_start(task.plan.reporting_period)
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
    from .permissions import can_report, can_review, require_user

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
            names = [attachment_check(name=upload.name, size=upload.size) for upload in uploads]
            now = timezone.now()
            report = (
                # No select_related here: after waiting for the lock, PostgreSQL re-checks
                # only the locked row and can return the outer-joined side as NULL.
                ProgressReport.objects.select_for_update(of=("self",))
                .filter(task=task, unit=unit, period=period)
                .first()
            )
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
            if submit and (report.pk is None or report.review_state == ReviewState.DRAFT):
                # The first submission of the period decides 逾期报送 (a resubmission after a return keeps it).
                report.late = clock_or_now(clock).today > plan_deadline(plan=task.plan, start=period)
            report.review_state = ReviewState.SUBMITTED if submit else ReviewState.DRAFT
            report.review_comment = report.review_comment if report.review_state == ReviewState.DRAFT else ""
            report.reported_by = author
            report.reported_at = now
            report.reviewed_by = None
            report.reviewed_at = None
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


def _review(
    *, user: User | AnonymousUser, report: ProgressReport, version: int, state: str, comment: str
) -> ProgressReport:
    from .permissions import can_review, require_user

    reviewer = require_user(user, can_review(user), "只有督查室可以审核进展报告。")
    with transaction.atomic():
        _state, current = _report_lock(report=report)
        if current.version != version:
            raise ReportConflict(current)
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
    from .permissions import can_review_batch, require_user

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
    from .permissions import can_review, require_user

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
    return current


# -- attachments -------------------------------------------------------------------

# Files a browser would run as active content if one were ever served inline: refused even
# when ATTACHMENT_EXTENSIONS lists them.
ACTIVE_CONTENT_EXTENSIONS = frozenset(
    {"svg", "svgz", "html", "htm", "xhtml", "xht", "shtml", "mht", "mhtml", "xml", "xsl", "js", "mjs", "hta", "swf"}
)


def attachment_extensions() -> list[str]:
    """The extensions an attachment may have: the configured ones, less active content."""
    configured = (e.strip().lower().lstrip(".") for e in settings.ATTACHMENT_EXTENSIONS)
    return [e for e in dict.fromkeys(configured) if e and e not in ACTIVE_CONTENT_EXTENSIONS]


def file_size_text(size: int) -> str:
    mb = 1024 * 1024
    return f"{size / mb:.3g} MB" if size >= mb else f"{-(-size // 1024)} KB"


def attachment_check(*, name: str | None, size: int | None) -> str:
    """The name to keep for an acceptable upload; ValidationError (Chinese) otherwise.

    Called by the form before anything is written, and again by the services that store."""
    clean = (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].strip()[:200]
    extension = clean.rsplit(".", 1)[-1].lower() if "." in clean else ""
    allowed = attachment_extensions()
    if extension not in allowed:
        kind = f"“.{extension}”" if extension else "（没有扩展名）"
        raise ValidationError(f"不支持的附件类型{kind}。允许：{'、'.join(allowed)}。")
    if size is None or size > settings.ATTACHMENT_MAX_BYTES:
        shown = f"（该文件 {file_size_text(size)}）" if size else ""
        raise ValidationError(f"附件不能超过 {file_size_text(settings.ATTACHMENT_MAX_BYTES)}{shown}。")
    return clean


def _files_discard(names: list[str]) -> None:
    storage: Storage = ReportAttachment._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # the original error matters more; an orphan file is only logged
            logger.exception("could not remove attachment file %s", name)


def _attachment_store(
    *, user: User, report: ProgressReport, upload: UploadedFile, name: str, written: list[str]
) -> ReportAttachment:
    """Write the file, then its row (inside the caller's transaction). A failed write leaves
    no partial file and becomes a form error, which rolls the caller's transaction back."""
    field = ReportAttachment._meta.get_field("file")
    attachment = ReportAttachment(report=report, original_name=name, size=upload.size or 0, uploaded_by=user)
    path = field.generate_filename(attachment, name)
    try:
        stored = field.storage.save(path, upload, max_length=field.max_length)
    except OSError as exc:
        # A write that failed midway (disk full) may have left part of the file behind.
        with contextlib.suppress(Exception):
            field.storage.delete(path)
        logger.warning("attachment write failed for report %s: %s", report.pk, exc)
        cause = "服务器存储空间不足" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else "服务器无法写入附件"
        raise ValidationError({"attachment": f"{cause}，本次填报和附件均未保存。请稍后重试或联系系统管理员。"}) from exc
    written.append(stored)
    attachment.file = stored
    attachment.save()
    return attachment


def attachment_add(*, user: User | AnonymousUser, report: ProgressReport, upload: UploadedFile) -> ReportAttachment:
    """Attach a file to a report the user may edit; size and type limited; the file and its
    row are stored together or not at all."""
    from .permissions import can_report, require_user

    uploader = require_user(user, can_report(user, report.task, report.unit_id), "您不能为该报告上传附件。")
    name = attachment_check(name=upload.name, size=upload.size)
    written: list[str] = []
    try:
        with transaction.atomic():
            return _attachment_store(user=uploader, report=report, upload=upload, name=name, written=written)
    except BaseException:
        _files_discard(written)
        raise


def task_due_date_set(*, user: User | AnonymousUser, task: Task, due_date: dt.date | None) -> bool:
    """The office may change a task's due date (None clears it); the change is kept in its
    history. Returns whether anything changed: saving the date the task already has writes
    nothing and logs nothing."""
    from .permissions import can_edit_tasks, require_user

    editor = require_user(user, can_edit_tasks(user), "只有督查室可以修改任务。")
    if due_date is not None and not (dt.date(2000, 1, 1) <= due_date <= dt.date(2100, 12, 31)):
        raise ValidationError({"due_date": "截止日期不合理。"})
    with transaction.atomic():
        current = Task.objects.select_for_update().filter(pk=task.pk).first()
        if current is None:
            raise ValidationError("该任务已不存在。")
        task.due_date = current.due_date
        if current.due_date == due_date:
            return False
        current.due_date = due_date
        history_note(current, user=editor, reason="修改截止日期" if due_date else "清除截止日期")
        current.save(update_fields=["due_date", "updated_at"])
    task.due_date = due_date
    return True
