"""批示 on a task and a unit's 落实情况 of it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from minhang_plans.wording import join_messages
from tasks import permissions
from tasks.decorators import reader_required
from tasks.models import Leader, Task, Unit
from tasks.views.feedback import form_errors_text

from .. import services
from ..forms import InstructionForm, ReplyForm
from ..models import Instruction
from .common import _act, _task_url


@reader_required
@require_POST
def instruction_create(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(Task, pk=task_id)
    permissions.require(permissions.can_instruct(request.user, task), "只有该任务的牵头领导或督查室可以录入批示。")
    leaders = list(Leader.objects.filter(task_links__task=task).values_list("pk", "name"))
    form = InstructionForm(request.POST, leaders=leaders)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(_task_url(task.pk))
    leader_id = form.cleaned_data.get("leader")
    leader = Leader.objects.filter(pk=leader_id).first() if leader_id else None
    try:
        services.instruction_create(
            user=request.user,
            task=task,
            text=form.cleaned_data["text"],
            leader=leader,
            praise=form.cleaned_data["praise"],
        )
    except ValidationError as invalid:
        messages.error(request, join_messages(invalid.messages))
    else:
        messages.success(request, "批示已录入，并已通知牵头单位。")
    return redirect(_task_url(task.pk))


@reader_required
@require_POST
def instruction_reply(request: HttpRequest, instruction_id: int, unit_id: int) -> HttpResponse:
    instruction = get_object_or_404(Instruction.objects.select_related("task"), pk=instruction_id)
    unit = get_object_or_404(Unit, pk=unit_id)
    permissions.require(
        permissions.can_answer_for_unit(request.user, instruction.task, unit.pk), "您不能代其他单位填写落实情况。"
    )
    form = ReplyForm(request.POST, label="落实情况")
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(_task_url(instruction.task_id))
    return _act(
        request,
        lambda: services.instruction_reply(
            user=request.user, instruction=instruction, unit=unit, text=form.cleaned_data["text"]
        ),
        success=lambda _: "落实情况已保存。",
        back=_task_url(instruction.task_id),
    )
