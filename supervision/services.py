"""Writes of 督办: 催办 (optionally with its 督办单) and its reply, 批示 and its 落实情况, the
to-do page's last visit.

Each write checks permission on the server, validates before writing, runs in one
transaction with its messages (notifications.message_send), and raises ValidationError
with the Chinese text the user reads; nothing is half-written."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from documents import services as documents
from notifications.models import MessageKind
from notifications.services import message_send
from tasks import permissions
from tasks.models import Leader, Plan, ProgressReport, Role, Task, TaskState, TaskUnit, Unit, UnitRole
from tasks.services import task_due_date_set
from tasks.status.clock import Clock, clock_or_now
from tasks.status.rule import silent_link
from yearend.models import PlanClosure

from .models import (
    AcknowledgedTask,
    Acknowledgement,
    Chase,
    ChaseItem,
    ExtensionRequest,
    ExtensionState,
    Instruction,
    InstructionReply,
    TodoVisit,
)
from .selectors import unacknowledged_links

TEXT_MAX = 2000
ONCE_A_DAY = "今天已催办过{what}，每项任务每个单位每天只能催办一次。"
SLIP_NOTE_TOO_LONG = f"同时生成督办单时，催办意见即督办单的督办要求，不能超过{documents.REQUIREMENT_MAX}字。"
SLIP_NOT_STORED = "督办单未能编号保存，催办未发出，请重试。"


def unit_liaisons(*, unit_ids: list[int]) -> QuerySet[User]:
    """The active accounts that report for these units."""
    return User.objects.filter(profile__units__in=unit_ids, is_active=True).distinct()


def _text(value: str, *, label: str, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(f"请填写{label}。")
    if len(value) > TEXT_MAX:
        raise ValidationError(f"{label}不能超过{TEXT_MAX}字。")
    if "\x00" in value:
        raise ValidationError(f"{label}含有无效字符。")
    return value


def _reply_by(reply_by: datetime.date | None, *, clock: Clock, slip: bool = False) -> datetime.date | None:
    """The chase's 答复期限. With a 督办单 it is also the slip's 反馈期限, so it is never empty:
    left blank, it is the slip's usual time (documents.services.REPLY_DAYS from today)."""
    if reply_by is not None and reply_by < clock.today:
        raise ValidationError("答复期限不能早于今天。")
    if slip and reply_by is None:
        return clock.today + datetime.timedelta(days=documents.REPLY_DAYS)
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
        lines.append(f"请于{chase.reply_by:%Y-%m-%d}前报送或答复。")
    if slip_number:
        lines.append(f"督查室同时印发督办单（{slip_number}），请按督办单要求反馈。")
    message_send(
        recipients=unit_liaisons(unit_ids=[chase.unit_id]),
        kind=MessageKind.CHASE,
        title=f"催办：{chase.unit.name} {what}"[:200],
        body="\n".join(lines),
        event_key=f"supervision:chase:{chase.pk}",
        task=first if len(tasks) == 1 else None,
        link=reverse("tasks:task", args=[first.pk]) if len(tasks) == 1 else reverse("supervision:todo"),
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
                    period=clock.period_start(task.plan.reporting_period),
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


def instruction_create(
    *, user: User | AnonymousUser, task: Task, text: str, leader: Leader | None = None, praise: bool = False
) -> Instruction:
    """批示 on a task. A leader writes their own; the office names one of the task's leaders (代录).
    `praise` (表扬) earns the task's units 考评's praise bonus in the instruction's period."""
    writer = permissions.require_user(
        user, permissions.can_instruct(user, task), "只有该任务的牵头领导或督查室可以录入批示。"
    )
    own_leader_id = permissions.user_leader_id(user)
    text = _text(text, label="批示内容", required=True)
    if task.state != TaskState.ACTIVE:
        raise ValidationError("该任务已撤销，不能批示。")
    task_leader_ids = set(task.leader_links.values_list("leader_id", flat=True))
    if own_leader_id is not None:
        leader_id, on_behalf = own_leader_id, False
    else:
        if leader is None or leader.pk not in task_leader_ids:
            raise ValidationError("请选择该任务的牵头领导。")
        leader_id, on_behalf = leader.pk, True
    with transaction.atomic():
        instruction = Instruction.objects.create(
            task=task, leader_id=leader_id, text=text, on_behalf=on_behalf, written_by=writer, praise=praise
        )
        leader_name = Leader.objects.get(pk=leader_id).name
        lead_unit_ids = list(TaskUnit.objects.filter(task=task, role=UnitRole.LEAD).values_list("unit_id", flat=True))
        marked = "（督查室代录）" if on_behalf else ""
        message_send(
            recipients=unit_liaisons(unit_ids=lead_unit_ids),
            kind=MessageKind.INSTRUCTION,
            title=f"批示：{leader_name}对第{task.number}项 {task.title}"[:200],
            body=f"{leader_name}{'表扬' if praise else ''}批示{marked}：{text}\n请在任务页填写落实情况。",
            event_key=f"supervision:instruction:{instruction.pk}",
            task=task,
            link=reverse("tasks:task", args=[task.pk]),
        )
    return instruction


def instruction_reply(
    *, user: User | AnonymousUser, instruction: Instruction, unit: Unit, text: str
) -> InstructionReply:
    """落实情况 of one lead unit against an instruction (once per unit)."""
    task = instruction.task
    writer = permissions.require_user(
        user, permissions.can_answer_for_unit(user, task, unit.pk), "您不能代其他单位填写落实情况。"
    )
    text = _text(text, label="落实情况", required=True)
    try:
        with transaction.atomic():
            return InstructionReply.objects.create(instruction=instruction, unit=unit, text=text, written_by=writer)
    except IntegrityError:
        raise ValidationError(f"{unit.name}已填写过该批示的落实情况。") from None


# The report form's field for an instruction's 落实情况 (tasks.forms.ReportForm); the service names
# it in its refusals so that each one stands beside its own box.
ANSWER_FIELD = "instruction_{pk}"


def instruction_answers_record(
    *, user: User, task: Task, unit: Unit, report: ProgressReport, answers: Mapping[int, str]
) -> list[InstructionReply]:
    """落实情况 sent with a progress report (tasks.services.report_save, inside its transaction, so
    that a refused report keeps no answer). `answers` maps instruction ids to the text the unit
    wrote; blank ones are skipped. Each is for an instruction on the report's task that the unit
    has not answered yet, or answered in this same report (then the text is revised: the report
    is being revised too). The caller has checked that `user` may report for `unit`."""
    permissions.require_user(
        user, permissions.can_answer_for_unit(user, task, unit.pk), "您不能代其他单位填写落实情况。"
    )
    texts: dict[int, str] = {}
    errors: dict[str, str] = {}
    for pk, raw in answers.items():
        try:
            text = _text(raw, label="落实情况", required=False)
        except ValidationError as invalid:
            errors[ANSWER_FIELD.format(pk=pk)] = invalid.messages[0]
            continue
        if text:
            texts[pk] = text
    if errors:
        raise ValidationError(errors)
    if not texts:
        return []
    instructions = {i.pk: i for i in Instruction.objects.filter(task=task, pk__in=texts)}
    existing = {
        r.instruction_id: r
        for r in InstructionReply.objects.select_for_update().filter(instruction_id__in=texts, unit=unit)
    }
    saved: list[InstructionReply] = []
    now = timezone.now()
    for pk, text in texts.items():
        field = ANSWER_FIELD.format(pk=pk)
        if pk not in instructions:
            raise ValidationError({field: "该批示已不存在或不属于本任务，请刷新页面。"})
        reply = existing.get(pk)
        if reply is not None and reply.report_id != report.pk:
            raise ValidationError({field: f"{unit.name}已填写过该批示的落实情况。"})
        if reply is None:
            reply = InstructionReply(instruction_id=pk, unit=unit, report=report)
        elif reply.text == text:
            saved.append(reply)
            continue
        reply.text, reply.written_by, reply.created_at = text, user, now
        try:
            with transaction.atomic():
                reply.save()
        except IntegrityError:
            # Written on the task page's panel a moment ago.
            raise ValidationError({field: f"{unit.name}已填写过该批示的落实情况。"}) from None
        saved.append(reply)
    return saved


def todo_visit_mark(*, user: User) -> datetime.datetime | None:
    """Record this visit to 我的待办; returns the previous one (None on the first).

    Two single statements, each atomic on its own (no savepoint: the page's query budget); two
    tabs opening the page at once both read the same previous visit, which is what they show."""
    now = timezone.now()
    previous = TodoVisit.objects.filter(user=user).values_list("seen_at", flat=True).first()
    if previous is None:
        TodoVisit.objects.bulk_create([TodoVisit(user=user, seen_at=now)], ignore_conflicts=True)
    else:
        TodoVisit.objects.filter(user=user).update(seen_at=now)
    return previous


# -- 申请延期 ------------------------------------------------------------------------------------


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
    reason = _text(reason, label="申请理由", required=True)
    if requested_date is None:
        raise ValidationError("请选择申请延至的日期。")
    if requested_date <= clock.today:
        raise ValidationError("申请延至的日期须晚于今天。")
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
                body=f"{unit.name}申请将截止日期延至{requested_date:%Y-%m-%d}。理由：{reason}",
                event_key=f"supervision:extension:{extension.pk}:request",
                task=task,
                link=reverse("tasks:task", args=[task.pk]),
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
    reason = _text(reason, label="不同意的理由" if not approve else "审批意见", required=not approve)
    if approve:
        if granted_date is None:
            raise ValidationError("请填写批准延至的日期。")
        if granted_date < clock.today:
            raise ValidationError("批准延至的日期不能早于今天。")
    with transaction.atomic():
        current = ExtensionRequest.objects.select_for_update().select_related("task", "unit").get(pk=extension.pk)
        if current.state != ExtensionState.PENDING:
            raise ValidationError("该延期申请已审批。")
        task = current.task
        if approve:
            current.original_due_date = task.due_date
            task_due_date_set(user=office, task=task, due_date=granted_date)
            current.granted_date = granted_date
        current.state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
        current.decision_reason = reason
        current.decided_by = office
        current.decided_at = timezone.now()
        current.save()
        answer = (
            f"督查室同意延期，截止日期由{_day(current.original_due_date)}改为{granted_date:%Y-%m-%d}。"
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
            link=reverse("tasks:task", args=[task.pk]),
        )
    return current


def _day(day: datetime.date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else "未规定"


# -- 签收 ----------------------------------------------------------------------------------------


def acknowledge_plan(*, user: User | AnonymousUser, unit: Unit, plan: Plan) -> Acknowledgement:
    """The unit acknowledges every active task of `plan` it leads and has not acknowledged yet."""
    liaison = permissions.require_user(user, permissions.can_acknowledge(user, unit.pk), "只有本单位的联络员可以签收。")
    with transaction.atomic():
        task_ids = list(unacknowledged_links().filter(unit=unit, task__plan=plan).values_list("task_id", flat=True))
        if not task_ids:
            raise ValidationError(f"{plan.title}没有需要{unit.name}签收的新任务。")
        ack = Acknowledgement.objects.create(unit=unit, plan=plan, acknowledged_by=liaison, task_count=len(task_ids))
        # ignore_conflicts: a second tab signing at the same moment covers the same tasks once.
        AcknowledgedTask.objects.bulk_create(
            [AcknowledgedTask(acknowledgement=ack, task_id=task_id, unit=unit) for task_id in task_ids],
            ignore_conflicts=True,
        )
    return ack
