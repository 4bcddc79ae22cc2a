"""催办 of one task or of all a unit's unreported tasks (optionally with its 督办单), at most once
per task, unit and day, with its message; and the unit's reply."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from documents import services as documents
from minhang_plans.dates import deadline_text
from minhang_plans.workdays import reply_by_default
from notifications.models import MessageKind
from notifications.services import message_send, unit_liaisons
from tasks import permissions
from tasks.models import Task, TaskState, TaskUnit, Unit, UnitKind, UnitRole
from tasks.status.clock import Clock, clock_or_now
from tasks.status.rule import silent_link
from yearend.models import PlanClosure

from ..models import Chase, ChaseItem
from .common import _text

ONCE_A_DAY = "今天已催办过{what}，每项任务每个单位每天只能催办一次。"
SLIP_NOTE_TOO_LONG = f"同时生成督办单时，催办意见即督办单的督办要求，不能超过{documents.REQUIREMENT_MAX}字。"
SLIP_NOT_STORED = "督办单未能编号保存，催办未发出，请重试。"


def _reply_by(reply_by: datetime.date | None, *, clock: Clock, slip: bool = False) -> datetime.date | None:
    """The chase's 答复期限. With a 督办单 it is also the slip's 反馈期限, so it is never empty:
    left blank, it is minhang_plans.workdays.reply_by_default."""
    if reply_by is not None and reply_by < clock.today:
        raise ValidationError("答复期限不能早于今天。")
    if slip and reply_by is None:
        return reply_by_default(today=clock.today)
    return reply_by


def _slip_check(*, note: str) -> None:
    """Before anything is written: the note fits the slip (who may chase may issue slips:
    permissions.can_chase; slip_create checks it again)."""
    if len(" ".join(note.split())) > documents.REQUIREMENT_MAX:
        raise ValidationError(SLIP_NOTE_TOO_LONG)


def _chase_message(*, chase: Chase, tasks: list[Task], slip_number: str = "") -> None:
    first = tasks[0]
    what = f"第{first.number}项 {first.title}" if len(tasks) == 1 else f"{len(tasks)}项未报送任务"
    lines = [f"督查室对{chase.unit.name}的{what}进行催办。"]
    if len(tasks) > 1:
        lines += [f"· {t.plan.title} 第{t.number}项 {t.title}" for t in tasks]
    if chase.note:
        lines.append(f"催办意见：{chase.note}")
    if chase.reply_by:
        lines.append(f"请于{deadline_text(chase.reply_by)}前报送或答复。")
    if slip_number:
        lines.append(f"督查室同时印发督办单（{slip_number}），请按督办单要求反馈。")
    message_send(
        recipients=unit_liaisons(unit_ids=[chase.unit_id]),
        kind=MessageKind.CHASE,
        title=f"催办：{chase.unit.name} {what}"[:200],
        body="\n".join(lines),
        event_key=f"supervision:chase:{chase.pk}",
        task=first if len(tasks) == 1 else None,
        link=reverse("tasks:task", args=[first.pk]) + "#supervision"
        if len(tasks) == 1
        else reverse("supervision:todo"),
    )


def _chase_slip(*, user: User, chase: Chase, note: str, clock: Clock) -> str:
    """The chase's 督办单 (inside the chase's transaction); its number. A refusal is the chase's."""
    try:
        return documents.slip_create(user=user, chase=chase, requirement=note, clock=clock).number
    except documents.DocumentError as refused:
        raise ValidationError(str(refused)) from None
    except IntegrityError:
        # Not the chase's own once-a-day rule (the caller's handler says that): the slip's number.
        raise ValidationError(SLIP_NOT_STORED) from None


def _chase_write(
    *,
    user: User,
    unit: Unit,
    tasks: list[Task],
    note: str,
    reply_by: datetime.date | None,
    clock: Clock,
    slip: bool = False,
) -> Chase:
    """The chase, its items, its 督办单 when asked (exactly these tasks, linked to the chase:
    `chase.slip`) and the message, in one transaction: any refusal leaves none of them."""
    try:
        with transaction.atomic():
            chase = Chase.objects.create(unit=unit, note=note, reply_by=reply_by, day=clock.today, created_by=user)
            ChaseItem.objects.bulk_create(
                ChaseItem(
                    chase=chase,
                    task=task,
                    unit=unit,
                    day=clock.today,
                    period=clock.plan_period(task.plan),
                )
                for task in tasks
            )
            number = _chase_slip(user=user, chase=chase, note=note, clock=clock) if slip else ""
            _chase_message(chase=chase, tasks=tasks, slip_number=number)
    except IntegrityError:
        # Another office pressed 催办 at the same moment: the unique (task, unit, day) refused this one.
        what = f"第{tasks[0].number}项任务" if len(tasks) == 1 else "该单位的任务"
        raise ValidationError(ONCE_A_DAY.format(what=what)) from None
    return chase


GROUP_UNIT_CHASE = "{unit}是泛指单位，没有联络员，催办无人接收；请催办具体的牵头单位。"


def _chaseable_check(*, unit: Unit) -> None:
    """A 泛指 unit (相关街镇、园区) stands for many; nobody reports or reads for it."""
    if unit.kind == UnitKind.GROUP:
        raise ValidationError(GROUP_UNIT_CHASE.format(unit=unit.name))


def chase_task(
    *,
    user: User | AnonymousUser,
    task: Task,
    unit: Unit,
    note: str = "",
    reply_by: datetime.date | None = None,
    slip: bool = False,
    clock: Clock | None = None,
) -> Chase:
    """催办 one lead unit of one task (at most once per task, unit and day); with `slip`, also
    the task's 督办单 to that unit, by the chase's 答复期限 (chase.slip)."""
    office = permissions.require_user(user, permissions.can_chase(user), "只有督查室可以催办。")
    clock = clock_or_now(clock)
    if task.state != TaskState.ACTIVE:
        raise ValidationError("该任务已撤销，不能催办。")
    if PlanClosure.objects.filter(plan_id=task.plan_id).exists():
        raise ValidationError("该任务所属规划已年终办结，不能催办。")
    if not TaskUnit.objects.filter(task=task, unit=unit, role=UnitRole.LEAD).exists():
        raise ValidationError("只能催办该任务的牵头单位。")
    _chaseable_check(unit=unit)
    note = _text(note, label="催办意见", required=False)
    if slip:
        _slip_check(note=note)
    reply_by = _reply_by(reply_by, clock=clock, slip=slip)
    if ChaseItem.objects.filter(task=task, unit=unit, day=clock.today).exists():
        raise ValidationError(ONCE_A_DAY.format(what=f"第{task.number}项任务"))
    return _chase_write(user=office, unit=unit, tasks=[task], note=note, reply_by=reply_by, clock=clock, slip=slip)


def chase_unit(
    *,
    user: User | AnonymousUser,
    unit: Unit,
    note: str = "",
    reply_by: datetime.date | None = None,
    slip: bool = False,
    clock: Clock | None = None,
) -> Chase:
    """One 催办 for a unit covering every task it has not reported this period (the read side's
    rule), except those already chased today; refused when none is left. With `slip`, also one
    督办单 listing exactly those tasks, to the unit, by the chase's 答复期限 (chase.slip)."""
    office = permissions.require_user(user, permissions.can_chase(user), "只有督查室可以催办。")
    clock = clock_or_now(clock)
    _chaseable_check(unit=unit)
    note = _text(note, label="催办意见", required=False)
    if slip:
        _slip_check(note=note)
    reply_by = _reply_by(reply_by, clock=clock, slip=slip)
    silent_ids = list(
        TaskUnit.objects.lead()
        .on_active()
        .filter(unit=unit)
        .with_status(clock)
        .filter(silent_link())
        .values_list("task_id", flat=True)
    )
    if not silent_ids:
        raise ValidationError(f"{unit.name}本期没有未报送的任务，无需催办。")
    chased_today = set(
        ChaseItem.objects.filter(unit=unit, day=clock.today, task_id__in=silent_ids).values_list("task_id", flat=True)
    )
    tasks = list(
        Task.objects.filter(pk__in=[i for i in silent_ids if i not in chased_today])
        .select_related("plan")
        .order_by("plan_id", "position")
    )
    if not tasks:
        raise ValidationError(ONCE_A_DAY.format(what=f"{unit.name}的全部未报送任务"))
    return _chase_write(user=office, unit=unit, tasks=tasks, note=note, reply_by=reply_by, clock=clock, slip=slip)


def chase_reply(*, user: User | AnonymousUser, chase: Chase, text: str) -> Chase:
    """The chased unit answers (its liaison, or the office recording a phone answer)."""
    with transaction.atomic():
        chase = Chase.objects.select_for_update().get(pk=chase.pk)
        answerer = permissions.require_user(
            user, permissions.can_answer_chase(user, chase.unit_id), "您不能答复其他单位的催办。"
        )
        text = _text(text, label="答复内容", required=True)
        if chase.replied_at is not None:
            raise ValidationError("该催办已答复。")
        chase.reply_text = text
        chase.replied_by = answerer
        chase.replied_at = timezone.now()
        chase.save(update_fields=["reply_text", "replied_by", "replied_at"])
    return chase
