"""年终办结 pages: parse, check permission, call a service or selector, render or redirect."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tasks import permissions
from tasks.decorators import reader_required
from tasks.models import Plan, Role, Task
from tasks.views.caching import crumbs
from tasks.views.feedback import form_errors_text, write_tell

from . import selectors, services
from .forms import CloseForm, ContinuationForm, OutcomeForm
from .models import FinalState


def _page(plan_id: int) -> str:
    return reverse("yearend:plan", args=[plan_id])


def _act(request: HttpRequest, action: Callable[[], object], *, success: str, back: str) -> HttpResponse:
    write_tell(request, action, success=lambda _: success)
    return redirect(back)


@reader_required
def plan_yearend(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The closing table (before) or the final figures and states (after) of a plan's year."""
    plan = get_object_or_404(Plan, pk=plan_id)
    user = request.user
    role = permissions.user_role(user)
    office = permissions.can_review(user)
    # A liaison works on the tasks their units lead; everyone else reads the whole plan.
    mine = permissions.user_unit_ids(user) if role == Role.LIAISON else None
    closure = selectors.plan_closure(plan=plan)
    rows = selectors.outcome_rows(plan=plan, unit_ids=mine)
    if office:
        rows = selectors.with_suggestions(rows=rows, plan=plan)
    return render(
        request,
        "yearend/plan.html",
        {
            "plan": plan,
            "closure": closure,
            "rows": rows,
            "figures": selectors.final_figures(plan=plan),
            "office": office,
            "acting": closure is None and (office or mine is not None),
            "mine": sorted(mine) if mine is not None else None,
            "states": FinalState.choices,
            "section": "plans",
            "breadcrumbs": crumbs((plan.title, reverse("tasks:plan", args=[plan.pk])), ("年终办结", None)),
        },
    )


@reader_required
@require_POST
def outcome_propose(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(Task, pk=task_id)
    form = OutcomeForm(request.POST)
    if not form.is_valid() or form.cleaned_data["unit"] is None:
        messages.error(request, form_errors_text(form) or "请选择建议单位。")
        return redirect(_page(task.plan_id))
    data = form.cleaned_data
    return _act(
        request,
        lambda: services.outcome_propose(
            user=request.user, task=task, unit_id=data["unit"], state=data["state"], note=data["note"]
        ),
        success=f"已提交第{task.number}项的办结建议，等待督查室确认。",
        back=_page(task.plan_id),
    )


@reader_required
@require_POST
def outcome_confirm(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(Task, pk=task_id)
    permissions.require(permissions.can_review(request.user), "只有督查室可以确认办结状态。")
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(_page(task.plan_id))
    data = form.cleaned_data
    return _act(
        request,
        lambda: services.outcome_confirm(user=request.user, task=task, state=data["state"], note=data["note"]),
        success=f"已确认第{task.number}项：{FinalState(data['state']).label}。",
        back=_page(task.plan_id),
    )


@reader_required
@require_POST
def plan_close(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    permissions.require(permissions.can_review(request.user), "只有督查室可以办结规划。")
    form = CloseForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _act(
        request,
        lambda: services.plan_close(user=request.user, plan=plan, note=note),
        success=f"“{plan.title}”已年终办结。",
        back=_page(plan.pk),
    )


@reader_required
@require_POST
def plan_reopen(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    permissions.require(permissions.can_review(request.user), "只有督查室可以撤销办结。")
    return _act(
        request,
        lambda: services.plan_reopen(user=request.user, plan=plan),
        success=f"已撤销“{plan.title}”的年终办结。",
        back=_page(plan.pk),
    )


@reader_required
@require_POST
def continuation_link(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.select_related("plan"), pk=task_id)
    permissions.require(permissions.can_review(request.user), "只有督查室可以关联接续任务。")
    form = ContinuationForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(_page(task.plan_id))
    picked = form.cleaned_data["continuation"]
    continuation = Task.objects.select_related("plan").filter(pk=picked).first() if picked else None
    if picked and continuation is None:
        messages.error(request, "接续任务不存在。")
        return redirect(_page(task.plan_id))
    return _act(
        request,
        lambda: services.continuation_link(user=request.user, task=task, continuation=continuation),
        success=f"第{task.number}项已关联接续任务。" if continuation else f"已取消第{task.number}项的接续关联。",
        back=_page(task.plan_id),
    )
