"""申请延期 and the office's decision."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from tasks import permissions
from tasks.decorators import reader_required
from tasks.models import Task, Unit, UnitRole
from tasks.views.feedback import form_errors_text

from .. import services
from ..forms import ExtensionDecideForm, ExtensionRequestForm
from ..models import ExtensionRequest
from .common import _act, _task_url


@reader_required
@require_POST
def extension_request(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(Task, pk=task_id)
    units = list(Unit.objects.filter(task_links__task=task, task_links__role=UnitRole.LEAD).values_list("pk", "name"))
    mine = permissions.reportable_unit_ids(request.user, task, lead_unit_ids=[pk for pk, _ in units])
    permissions.require(bool(mine), "您不能代其他单位申请延期。")
    form = ExtensionRequestForm(request.POST, units=[(pk, name) for pk, name in units if pk in mine])
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(_task_url(task.pk))
    unit = Unit.objects.get(pk=form.cleaned_data["unit"])
    return _act(
        request,
        lambda: services.extension_request(
            user=request.user,
            task=task,
            unit=unit,
            requested_date=form.cleaned_data["requested_date"],
            reason=form.cleaned_data["reason"],
        ),
        success=lambda _: "延期申请已提交，等待督查室审批。",
        back=_task_url(task.pk),
    )


@reader_required
@require_POST
def extension_decide(request: HttpRequest, extension_id: int) -> HttpResponse:
    extension = get_object_or_404(ExtensionRequest, pk=extension_id)
    permissions.require(permissions.can_decide_extension(request.user), "只有督查室可以审批延期申请。")
    form = ExtensionDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(_task_url(extension.task_id))
    approve = form.cleaned_data["decision"] == "approve"
    return _act(
        request,
        lambda: services.extension_decide(
            user=request.user,
            extension=extension,
            approve=approve,
            granted_date=form.cleaned_data["granted_date"],
            reason=form.cleaned_data["reason"],
        ),
        success=lambda _: "已同意延期，截止日期已更新。" if approve else "已答复：不同意延期。",
        back=_task_url(extension.task_id),
    )
