"""Pages and actions of 督办: parse, check permission, call a service, render or redirect."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from documents.pdf import pdf_available
from documents.services import can_issue
from tasks import permissions
from tasks.decorators import reader_required
from tasks.forms import MilestoneForm
from tasks.milestones import milestone_rows
from tasks.models import Leader, Plan, Role, Task, TaskState, Unit, UnitRole
from tasks.status.clock import Clock
from yearend.models import PlanClosure

from . import selectors, services
from .context_processors import todo_count_known
from .forms import (
    SLIP_HELP,
    ChaseForm,
    ExtensionDecideForm,
    ExtensionRequestForm,
    InstructionForm,
    ReplyForm,
    TaskChaseForm,
)
from .models import Chase, ExtensionRequest, Instruction

T = TypeVar("T")


def _act(request: HttpRequest, action: Callable[[], T], *, success: Callable[[T], str], back: str) -> HttpResponse:
    """Run a service: its refusal (ValidationError) or success as a message, then back to the page."""
    try:
        done = action()
    except ValidationError as invalid:
        messages.error(request, "；".join(invalid.messages))
    else:
        messages.success(request, success(done))
    return redirect(back)


def _form_errors(form: forms.Form) -> str:
    return "；".join(str(e) for errors in form.errors.values() for e in errors)


def _task_url(task_id: int) -> str:
    return reverse("tasks:task", args=[task_id]) + "#supervision"


def _slip_said(chase: Chase) -> str:
    """The slip's number for the success message, when the chase made one (cached on it by the service)."""
    slip = getattr(chase, "slip", None)
    return f"，并生成督办单 {slip.number}" if slip is not None else ""


@reader_required
def todo(request: HttpRequest) -> HttpResponse:
    """我的待办: what this person has to act on, by role."""
    user = request.user
    role = permissions.user_role(user)
    clock = Clock.now()
    view = {Role.LIAISON: "liaison", Role.LEADER: "leader"}.get(role, "office") if role else "office"
    context: dict[str, object] = {"section": "todo", "role": view, "today": clock.today}
    total = 0
    if role == Role.LIAISON:
        units = selectors.liaison_todo(unit_ids=sorted(permissions.user_unit_ids(user)), clock=clock)
        total = sum(u.total for u in units)
        context["units"] = units
        context["reply_form"] = ReplyForm(label="答复")
    elif role == Role.LEADER and isinstance(user, User):  # a role implies a signed-in account
        # The profile's leader in one query.
        leader = Leader.objects.filter(accounts__user_id=user.pk).first()
        if leader is not None:
            since = services.todo_visit_mark(user=user)
            first = since is None
            if first:
                since = timezone.now() - datetime.timedelta(days=selectors.FIRST_VISIT_DAYS)
            leader_todo = selectors.leader_todo(leader=leader, since=since, clock=clock)
            total = leader_todo.total
            context["leader_todo"] = leader_todo
            context["first_visit"] = first
    else:
        office = selectors.office_todo(clock=clock)
        total = office.total
        context["office"] = office
        context["chase_form"] = ChaseForm()
        context["slip_help"] = SLIP_HELP
        context["slip_links"] = can_issue(user)
        context["pdf"] = pdf_available()
    # The header badge shows this page's own sum: counted afresh it would agree, except for a
    # leader, whose visit was just recorded ("since the last visit" is now nothing).
    todo_count_known(request, count=total)
    return render(request, "supervision/todo.html", context)


@reader_required
def task_panel(request: HttpRequest, task_id: int) -> HttpResponse:
    """批示与催办 of a task with the forms this person may use: the task page loads it into its
    section (?fragment=1); on its own it is a page (the link without JavaScript)."""
    user = request.user
    # Whether its plan is closed rides on the task's own query: a closed plan's task is not chased.
    task = get_object_or_404(
        Task.objects.annotate(plan_closed=Exists(PlanClosure.objects.filter(plan_id=OuterRef("plan_id")))), pk=task_id
    )
    lead_units = list(
        Unit.objects.filter(task_links__task=task, task_links__role=UnitRole.LEAD).order_by("task_links__position")
    )
    leaders = list(Leader.objects.filter(task_links__task=task).order_by("task_links__position"))
    panel = selectors.task_panel(task=task, user=user)
    answerable = set(permissions.reportable_unit_ids(user, task, lead_unit_ids=[u.pk for u in lead_units]))
    withdrawn = task.state != TaskState.ACTIVE
    # For the forms only; each action checks again on the server.
    office = permissions.can_chase(user)
    own_leader = panel.leader_id
    leader_ids = {leader.pk for leader in leaders}
    may_instruct = not withdrawn and (office or (own_leader is not None and own_leader in leader_ids))
    for instruction in panel.instructions:
        replied = {reply.unit_id for reply in instruction.replies}
        instruction.answer_units = [u for u in lead_units if u.pk in answerable and u.pk not in replied]
    for chase in panel.chases:
        chase.may_reply = chase.replied_at is None and permissions.can_answer_chase(user, chase.unit_id)
    if permissions.can_decide_extension(user):
        for extension in panel.extensions:
            if extension.pending:
                # The date box shows the requested date (yyyy-mm-dd, as <input type="date"> needs).
                extension.decide_form = ExtensionDecideForm(
                    initial={"granted_date": extension.requested_date}, auto_id=f"id_ext{extension.pk}_%s"
                )
    pending_units = {e.unit_id for e in panel.extensions if e.pending}
    may_request = [u for u in lead_units if u.pk in answerable and u.pk not in pending_units]
    context = {
        "task": task,
        "panel": panel,
        "milestones": milestone_rows(task=task, today=Clock.now().today),
        "milestone_form": MilestoneForm(auto_id="id_milestone_%s")
        if not withdrawn and permissions.can_set_milestones(user, task)
        else None,
        "chase_form": TaskChaseForm(units=[(u.pk, u.name) for u in lead_units])
        if office and lead_units and not withdrawn and not task.plan_closed  # type: ignore[attr-defined]
        else None,
        "instruction_form": InstructionForm(leaders=[(leader.pk, leader.name) for leader in leaders])
        if may_instruct and leader_ids
        else None,
        "on_behalf": own_leader is None,
        "office": office,
        # A chase's 督办单: its number for whoever sees the chase, its files for those who issue slips.
        "slip_links": can_issue(user),
        "pdf": pdf_available(),
        "slip_help": SLIP_HELP,
        "extension_form": ExtensionRequestForm(units=[(u.pk, u.name) for u in may_request])
        if may_request and not withdrawn
        else None,
        "section": "plans",
    }
    if request.GET.get("fragment") == "1":
        return render(request, "supervision/partials/task_panel_body.html", context)
    return render(request, "supervision/task_panel_page.html", context)


@reader_required
@require_POST
def task_chase(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.select_related("plan"), pk=task_id)
    permissions.require(permissions.can_chase(request.user), "只有督查室可以催办。")
    units = list(Unit.objects.filter(task_links__task=task).values_list("pk", "name"))
    form = TaskChaseForm(request.POST, units=units)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
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
        messages.error(request, _form_errors(form))
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
        messages.error(request, _form_errors(form))
        return redirect(target)
    try:
        services.chase_reply(user=request.user, chase=chase, text=form.cleaned_data["text"])
    except ValidationError as invalid:
        messages.error(request, "；".join(invalid.messages))
    else:
        messages.success(request, "已答复催办。")
    return redirect(target)


@reader_required
@require_POST
def instruction_create(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(Task, pk=task_id)
    permissions.require(permissions.can_instruct(request.user, task), "只有该任务的牵头领导或督查室可以录入批示。")
    leaders = list(Leader.objects.filter(task_links__task=task).values_list("pk", "name"))
    form = InstructionForm(request.POST, leaders=leaders)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
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
        messages.error(request, "；".join(invalid.messages))
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
        messages.error(request, _form_errors(form))
        return redirect(_task_url(instruction.task_id))
    return _act(
        request,
        lambda: services.instruction_reply(
            user=request.user, instruction=instruction, unit=unit, text=form.cleaned_data["text"]
        ),
        success=lambda _: "落实情况已保存。",
        back=_task_url(instruction.task_id),
    )


@reader_required
@require_POST
def extension_request(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(Task, pk=task_id)
    units = list(Unit.objects.filter(task_links__task=task, task_links__role=UnitRole.LEAD).values_list("pk", "name"))
    mine = permissions.reportable_unit_ids(request.user, task, lead_unit_ids=[pk for pk, _ in units])
    permissions.require(bool(mine), "您不能代其他单位申请延期。")
    form = ExtensionRequestForm(request.POST, units=[(pk, name) for pk, name in units if pk in mine])
    if not form.is_valid():
        messages.error(request, _form_errors(form))
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
        messages.error(request, _form_errors(form))
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


@reader_required
@require_POST
def acknowledge(request: HttpRequest, unit_id: int, plan_id: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=unit_id)
    plan = get_object_or_404(Plan, pk=plan_id)
    permissions.require(permissions.can_acknowledge(request.user, unit.pk), "只有本单位的联络员可以签收。")
    try:
        ack = services.acknowledge_plan(user=request.user, unit=unit, plan=plan)
    except ValidationError as invalid:
        messages.error(request, "；".join(invalid.messages))
    else:
        messages.success(request, f"{unit.name}已签收{plan.title}的{ack.task_count}项新任务。")
    return redirect("supervision:todo")
