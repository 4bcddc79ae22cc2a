"""年终办结 writes: propose and confirm a task's final state, close and reopen a plan, link a
carried task to its continuation. Each checks permission on the server and is atomic."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tasks.models import Plan, ProgressReport, ReviewState, Task, TaskState
from tasks.permissions import can_report, can_review, require_user
from tasks.services import history_note

from .models import FinalState, PlanClosure, TaskOutcome

RETURNED_OPEN_MESSAGE = (
    "还有 {n} 份进展报告已退回、尚待单位修改后重新提交，办结后将无法再提交；请催办单位提交后审核，或撤回退回，再办结。"
)
PLAN_CLOSED_MESSAGE = "该规划已年终办结，办结状态不能再修改。如需修改，请督查室先撤销办结。"
NOTE_REQUIRED_MESSAGE = "“{state}”须填写办结说明。"
# A closing note is required wherever the task did not simply get done.
NOTE_REQUIRED = (FinalState.NOT_DONE, FinalState.CARRIED, FinalState.DROPPED)
MISSING_LIMIT = 10  # task numbers named in the refusal to close


def _state_check(*, state: str, note: str) -> None:
    if state not in FinalState.values:
        raise ValidationError("请选择办结状态。")
    if state in NOTE_REQUIRED and not note.strip():
        raise ValidationError(NOTE_REQUIRED_MESSAGE.format(state=FinalState(state).label))
    if len(note) > 2000:
        raise ValidationError("办结说明不能超过 2000 字。")


def _open_plan_lock(*, plan_id: int) -> Plan:
    """Lock the plan (closing and final-state writes on one plan go one at a time) and refuse a closed one."""
    plan = Plan.objects.select_for_update().get(pk=plan_id)
    if PlanClosure.objects.filter(plan=plan).exists():
        raise ValidationError(PLAN_CLOSED_MESSAGE)
    return plan


def outcome_propose(*, user: User | AnonymousUser, task: Task, unit_id: int, state: str, note: str) -> TaskOutcome:
    """A lead unit proposes the task's final state (again, until the office confirms one)."""
    author = require_user(user, can_report(user, task, unit_id), "您只能为本单位牵头的任务建议办结状态。")
    _state_check(state=state, note=note)
    with transaction.atomic():
        _open_plan_lock(plan_id=task.plan_id)
        # Under the plan's lock: no other write on this plan's outcomes can create the row meanwhile.
        outcome = TaskOutcome.objects.select_for_update().filter(task=task).first() or TaskOutcome(task=task)
        if outcome.state:
            raise ValidationError("督查室已确认该任务的办结状态，不能再提出建议。")
        outcome.proposed_state = state
        outcome.proposed_note = note.strip()
        outcome.proposed_unit_id = unit_id
        outcome.proposed_by = author
        outcome.proposed_at = timezone.now()
        history_note(outcome, user=author, reason=f"单位建议办结状态：{FinalState(state).label}")
        outcome.save()
    return outcome


def outcome_confirm(*, user: User | AnonymousUser, task: Task, state: str, note: str) -> TaskOutcome:
    """The office sets the task's final state (usually the unit's proposal, possibly another)."""
    author = require_user(user, can_review(user), "只有督查室可以确认办结状态。")
    _state_check(state=state, note=note)
    with transaction.atomic():
        _open_plan_lock(plan_id=task.plan_id)
        # Under the plan's lock: no other write on this plan's outcomes can create the row meanwhile.
        outcome = TaskOutcome.objects.select_for_update().filter(task=task).first() or TaskOutcome(task=task)
        outcome.state = state
        outcome.note = note.strip()
        outcome.confirmed_by = author
        outcome.confirmed_at = timezone.now()
        if state != FinalState.CARRIED:
            outcome.continuation = None
        history_note(outcome, user=author, reason=f"督查室确认办结状态：{FinalState(state).label}")
        outcome.save()
    return outcome


def plan_close(*, user: User | AnonymousUser, plan: Plan, note: str = "") -> PlanClosure:
    """Close the plan's year. Refused while an active task has no confirmed final state, a report
    of the plan awaits review or waits, returned, for its unit, or an extension request waits."""
    author = require_user(user, can_review(user), "只有督查室可以办结规划。")
    with transaction.atomic():
        locked = _open_plan_lock(plan_id=plan.pk)
        missing = list(
            Task.objects.filter(plan=locked, state=TaskState.ACTIVE)
            .exclude(outcome__state__in=FinalState.values)
            .order_by("position")
            .values_list("number", flat=True)
        )
        if missing:
            named = "、".join(missing[:MISSING_LIMIT]) + ("等" if len(missing) > MISSING_LIMIT else "")
            raise ValidationError(f"还有 {len(missing)} 项任务未确认办结状态（序号 {named}），不能办结。")
        # A closed plan takes no review decision (tasks.services.review) and no report: none may be
        # left waiting for one, or it is lost with the close (and counted against its unit).
        waiting = ProgressReport.objects.filter(task__plan=locked, review_state=ReviewState.SUBMITTED).count()
        if waiting:
            raise ValidationError(f"还有 {waiting} 份进展报告待审核，请审核后再办结。")
        returned = ProgressReport.objects.filter(task__plan=locked, review_state=ReviewState.RETURNED).count()
        if returned:
            raise ValidationError(RETURNED_OPEN_MESSAGE.format(n=returned))
        # Nor an extension request: deciding one after the close would move a closed plan's due date.
        extensions = apps.get_model("supervision", "ExtensionRequest")
        pending = extensions.objects.filter(task__plan=locked, state="pending").count()
        if pending:
            raise ValidationError(f"还有 {pending} 份延期申请待审批，请审批后再办结。")
        return PlanClosure.objects.create(plan=locked, closed_by=author, closed_at=timezone.now(), note=note.strip())


def plan_reopen(*, user: User | AnonymousUser, plan: Plan) -> None:
    """Undo a closing (a mistake, a late correction): the plan is current again."""
    require_user(user, can_review(user), "只有督查室可以撤销办结。")
    with transaction.atomic():
        Plan.objects.select_for_update().get(pk=plan.pk)
        if not PlanClosure.objects.filter(plan=plan).delete()[0]:
            raise ValidationError("该规划尚未办结。")


def continuation_link(*, user: User | AnonymousUser, task: Task, continuation: Task | None) -> TaskOutcome:
    """Link a task carried into next year (结转下年) to the task that continues it (None: unlink)."""
    author = require_user(user, can_review(user), "只有督查室可以关联接续任务。")
    with transaction.atomic():
        outcome = TaskOutcome.objects.select_for_update().filter(task=task).first()
        if outcome is None or outcome.state != FinalState.CARRIED:
            raise ValidationError("只有确认为“结转下年”的任务才能关联接续任务。")
        if continuation is not None and continuation.plan.year_start <= task.plan.year_end:
            raise ValidationError(f"接续任务须属于 {task.plan.year_end + 1} 年及以后的规划。")
        outcome.continuation = continuation
        history_note(outcome, user=author, reason="关联接续任务" if continuation else "取消关联接续任务")
        outcome.save()
    return outcome
