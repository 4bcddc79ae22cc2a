"""催办 of a task or of a unit, and the unit's reply."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from minhang_plans.wording import join_messages
from tasks import permissions
from tasks.decorators import reader_required
from tasks.models import Task, Unit
from tasks.views.feedback import form_errors_text

from .. import services
from ..forms import ChaseForm, ReplyForm, TaskChaseForm
from ..models import Chase
from .common import _act, _slip_said, _task_url


@reader_required
@require_POST
def task_chase(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.select_related("plan"), pk=task_id)
    permissions.require(permissions.can_chase(request.user), "只有督查室可以催办。")
    units = list(Unit.objects.filter(task_links__task=task).values_list("pk", "name"))
    form = TaskChaseForm(request.POST, units=units)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(_task_url(task.pk))
    unit = Unit.objects.get(pk=form.cleaned_data["unit"])
    return _act(
        request,
        lambda: services.chase_task(
            user=request.user,
            task=task,
            unit=unit,
            note=form.cleaned_data["note"],
            reply_by=form.cleaned_data["reply_by"],
            slip=form.cleaned_data["slip"],
        ),
        success=lambda chase: f"已向{unit.name}发出催办{_slip_said(chase)}。",
        back=_task_url(task.pk),
    )


@reader_required
@require_POST
def unit_chase(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=unit_id)
    permissions.require(permissions.can_chase(request.user), "只有督查室可以催办。")
    form = ChaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("supervision:todo")
    return _act(
        request,
        lambda: services.chase_unit(
            user=request.user,
            unit=unit,
            note=form.cleaned_data["note"],
            reply_by=form.cleaned_data["reply_by"],
            slip=form.cleaned_data["slip"],
        ),
        success=lambda chase: f"已向{unit.name}发出催办，涉及{chase.items.count()}项未报送任务{_slip_said(chase)}。",
        back="supervision:todo",
    )


@reader_required
@require_POST
def chase_reply(request: HttpRequest, chase_id: int) -> HttpResponse:
    chase = get_object_or_404(Chase, pk=chase_id)
    form = ReplyForm(request.POST, label="答复内容")
    back = request.POST.get("back") == "task"
    first_task = chase.items.values_list("task_id", flat=True).first()
    target = _task_url(first_task) if back and first_task else reverse("supervision:todo")
    permissions.require(permissions.can_answer_chase(request.user, chase.unit_id), "您不能答复其他单位的催办。")
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(target)
    try:
        services.chase_reply(user=request.user, chase=chase, text=form.cleaned_data["text"])
    except ValidationError as invalid:
        messages.error(request, join_messages(invalid.messages))
    else:
        messages.success(request, "已答复催办。")
    return redirect(target)
