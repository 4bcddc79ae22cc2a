"""申请延期: a lead unit asks for a later due date; the office approves (the task's due date
changes, in its history) or refuses."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.audit import Action, audit_record
from minhang_plans.dates import deadline_text
from notifications.models import MessageKind
from notifications.services import message_send, unit_liaisons
from tasks import permissions
from tasks.models import Role, Task, TaskState, Unit
from tasks.services import due_date_check, task_due_date_set
from tasks.status.clock import Clock, clock_or_now
from yearend.models import PlanClosure

from ..models import ExtensionRequest, ExtensionState
from .common import _text


def _office_people() -> QuerySet[User]:
    return User.objects.filter(groups__name=Role.OFFICE.value, is_active=True).distinct()


def extension_request(
    *,
    user: User | AnonymousUser,
    task: Task,
    unit: Unit,
    requested_date: datetime.date | None,
    reason: str,
    clock: Clock | None = None,
) -> ExtensionRequest:
    """A lead unit asks for a later due date (its own liaison; the office may enter it for the
    unit). Nothing changes on the task until the office decides."""
    requester = permissions.require_user(
        user, permissions.can_answer_for_unit(user, task, unit.pk), "您不能代其他单位申请延期。"
    )
    clock = clock_or_now(clock)
    if task.state != TaskState.ACTIVE:
        raise ValidationError("该任务已撤销，不能申请延期。")
    if PlanClosure.objects.filter(plan_id=task.plan_id).exists():
        raise ValidationError("该任务所属规划已年终办结，不能再申请延期。")
    reason = _text(reason, label="申请理由", required=True)
    if requested_date is None:
        raise ValidationError("请选择申请延至的日期。")
    if requested_date <= clock.today:
        raise ValidationError("申请延至的日期须晚于今天。")
    due_date_check(day=requested_date, label="申请延至的日期")
    if task.due_date is not None and requested_date <= task.due_date:
        raise ValidationError(f"申请延至的日期须晚于现在的截止日期（{task.due_date:%Y-%m-%d}）。")
    pending = "该任务已有本单位待审批的延期申请。"
    if ExtensionRequest.objects.filter(task=task, unit=unit, state=ExtensionState.PENDING).exists():
        raise ValidationError(pending)
    try:
        with transaction.atomic():
            extension = ExtensionRequest.objects.create(
                task=task,
                unit=unit,
                original_due_date=task.due_date,
                requested_date=requested_date,
                reason=reason,
                requested_by=requester,
            )
            message_send(
                recipients=_office_people(),
                kind=MessageKind.EXTENSION,
                title=f"延期申请：{unit.name} 第{task.number}项 {task.title}"[:200],
                body=f"{unit.name}申请将截止日期延至{deadline_text(requested_date)}。理由：{reason}",
                event_key=f"supervision:extension:{extension.pk}:request",
                task=task,
                link=reverse("tasks:task", args=[task.pk]) + "#supervision",
            )
    except IntegrityError:
        raise ValidationError(pending) from None
    return extension


def extension_decide(
    *,
    user: User | AnonymousUser,
    extension: ExtensionRequest,
    approve: bool,
    granted_date: datetime.date | None = None,
    reason: str = "",
    clock: Clock | None = None,
) -> ExtensionRequest:
    """The office approves (the task's due date becomes `granted_date`, in its history) or
    refuses (with a reason). Decided once."""
    office = permissions.require_user(user, permissions.can_decide_extension(user), "只有督查室可以审批延期申请。")
    clock = clock_or_now(clock)
    if PlanClosure.objects.filter(plan_id=extension.task.plan_id).exists():
        raise ValidationError("该任务所属规划已年终办结，不能再审批延期申请。")
    reason = _text(reason, label="不同意的理由" if not approve else "审批意见", required=not approve)
    if approve:
        if granted_date is None:
            raise ValidationError("请填写批准延至的日期。")
        if granted_date < clock.today:
            raise ValidationError("批准延至的日期不能早于今天。")
        due_date_check(day=granted_date, label="批准延至的日期")
    with transaction.atomic():
        current = ExtensionRequest.objects.select_for_update().select_related("task", "unit").get(pk=extension.pk)
        if current.state != ExtensionState.PENDING:
            raise ValidationError("该延期申请已审批。")
        task = current.task
        if approve:
            # An extension moves the deadline later, never earlier (read under the task's lock).
            due = Task.objects.select_for_update().values_list("due_date", flat=True).get(pk=task.pk)
            if due is not None and granted_date is not None and granted_date <= due:
                raise ValidationError(f"批准延至的日期须晚于现在的截止日期（{due:%Y-%m-%d}）。")
            current.original_due_date = task.due_date
            task_due_date_set(user=office, task=task, due_date=granted_date)
            current.granted_date = granted_date
        current.state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
        current.decision_reason = reason
        current.decided_by = office
        current.decided_at = timezone.now()
        current.save()
        audit_record(
            action=Action.EXTENSION_DECIDE,
            user=office,
            object_repr=f"第{task.number}项 · {current.unit.name} · 延期申请",
            detail={
                "extension": current.pk,
                "task": task.pk,
                "decision": current.get_state_display(),
                # ISO dates in the record (the messages say them in words)
                "due_date_before": _iso(current.original_due_date) if approve else None,
                "due_date_after": _iso(granted_date) if approve else None,
                "reason": reason,
            },
        )
        answer = (
            f"督查室同意延期，截止日期由{_day(current.original_due_date)}改为{_day(granted_date)}。"
            if approve
            else f"督查室未同意延期。理由：{reason}"
        )
        message_send(
            recipients=unit_liaisons(unit_ids=[current.unit_id]),
            kind=MessageKind.EXTENSION,
            title=f"延期申请{current.get_state_display()}：第{task.number}项 {task.title}"[:200],
            body=answer + (f"\n审批意见：{reason}" if approve and reason else ""),
            event_key=f"supervision:extension:{current.pk}:decision",
            task=task,
            link=reverse("tasks:task", args=[task.pk]) + "#supervision",
        )
    return current


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _day(day: datetime.date | None) -> str:
    return deadline_text(day) if day else "未规定"
