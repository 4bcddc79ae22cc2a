"""The task page and the office's edits of a task."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from minhang_plans.wording import join_messages

from .. import permissions, selectors, services
from ..choices import ReviewState
from ..decorators import reader_required
from ..forms import DueDateForm, MilestoneForm, ReopenForm, ReviewForm
from ..milestones import milestone_add, milestone_remove
from ..models import Milestone, Task
from ..selectors.attachments import attachment_previewable
from ..status.clock import Clock
from .caching import crumbs
from .feedback import form_errors_text


@reader_required
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    user = request.user
    page = selectors.task_page(task_id=task_id, user=user, show_all=request.GET.get("all") == "1", clock=Clock.now())
    task, row = page.task, page.row
    review_forms = {}
    reopen_forms = {}
    if permissions.can_review(user):
        review_forms = {
            r.pk: ReviewForm(initial={"version": r.version})
            for r in page.reports
            if r.review_state == ReviewState.SUBMITTED
        }
        # An approval can be taken back (撤回审核) while the task is active.
        if not row.withdrawn:
            reopen_forms = {
                r.pk: ReopenForm(initial={"version": r.version}, prefix=f"reopen-{r.pk}")
                for r in page.reports
                if r.review_state == ReviewState.APPROVED
            }
    return render(
        request,
        "tasks/task_detail.html",
        {
            "task": task,
            "row": row,
            "page": page,
            "reportable_units": [u for u in row.lead_units if u.id in page.reportable_unit_ids],
            "timeline_periods": selectors.TIMELINE_PERIODS,
            "review_forms": review_forms,
            "reopen_forms": reopen_forms,
            "previewable": {
                a.pk for r in page.reports for a in r.attachments.all() if attachment_previewable(a.original_name)
            },
            "can_edit": permissions.can_edit_tasks(user),
            "due_form": DueDateForm(initial={"due_date": task.due_date}),
            "section": "plans",
            "breadcrumbs": crumbs(
                (task.plan.title, reverse("tasks:plan", args=[task.plan_id])),
                (str(task.category), reverse("tasks:category", args=[task.plan_id, task.category_id])),
                (f"第{task.number}项", None),
            ),
        },
    )


@reader_required
@require_POST
def task_due_date(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(Task, pk=task_id)
    permissions.require(permissions.can_edit_tasks(request.user), "只有督查室可以修改任务。")
    form = DueDateForm(request.POST)
    if form.is_valid():
        due_date = form.cleaned_data["due_date"]
        try:
            changed = services.task_due_date_set(user=request.user, task=task, due_date=due_date)
        except ValidationError as invalid:
            messages.error(request, join_messages(invalid.messages))
        else:
            if not changed:
                messages.info(request, "截止日期未改变。")
            else:
                messages.success(request, "截止日期已更新。" if due_date else "截止日期已清除。")
    else:
        messages.error(request, form_errors_text(form))
    return redirect("tasks:task", task_id=task.pk)


def _panel_url(task_id: int) -> str:
    return reverse("tasks:task", args=[task_id]) + "#supervision"


@reader_required
@require_POST
def task_milestone_add(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.select_related("plan"), pk=task_id)
    permissions.require(
        permissions.can_set_milestones(request.user, task), "只有督查室或该任务牵头单位的联络员可以设定阶段目标。"
    )
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(_panel_url(task.pk))
    try:
        milestone = milestone_add(
            user=request.user, task=task, due_date=form.cleaned_data["due_date"], target=form.cleaned_data["target"]
        )
    except ValidationError as invalid:
        messages.error(request, join_messages(invalid.messages))
    else:
        messages.success(request, f"已设定阶段目标：{milestone.due_date:%Y-%m-%d} {milestone.target}")
    return redirect(_panel_url(task.pk))


@reader_required
@require_POST
def task_milestone_remove(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone.objects.select_related("task"), pk=milestone_id)
    permissions.require(
        permissions.can_set_milestones(request.user, milestone.task),
        "只有督查室或该任务牵头单位的联络员可以修改阶段目标。",
    )
    try:
        milestone_remove(user=request.user, milestone=milestone)
    except ValidationError as invalid:
        messages.error(request, join_messages(invalid.messages))
    else:
        messages.success(request, "已删除阶段目标。")
    return redirect(_panel_url(milestone.task_id))
