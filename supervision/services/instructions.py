"""批示 on a task (a leader's own, or entered by the office) and its 落实情况: written on the
task page's panel, or sent with a progress report (instruction_answers_record)."""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from notifications.models import MessageKind
from notifications.services import message_send, unit_liaisons
from tasks import permissions
from tasks.models import Leader, ProgressReport, Task, TaskState, TaskUnit, Unit, UnitRole

from ..models import Instruction, InstructionReply
from .common import _text


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
            link=reverse("tasks:task", args=[task.pk]) + "#supervision",
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
