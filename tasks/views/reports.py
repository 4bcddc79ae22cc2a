"""A lead unit's progress report: the form, its draft and its submission (review: review.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from minhang_plans.wording import join_messages

from .. import permissions, selectors, services
from ..choices import ReviewState
from ..decorators import reader_required
from ..forms import ReportForm
from ..periods import period_label, plan_deadline
from ..selectors.report_changes import COMPARED_FIELDS, report_form_changes
from ..selectors.report_form import report_form_initial, report_form_milestones, report_saved_text
from ..selectors.reports import (
    report_form_instructions,
    report_previous,
)
from ..status.clock import Clock
from .caching import crumbs


def _form_errors(form: ReportForm, invalid: ValidationError) -> None:
    """Show a service's refusal on the form, next to the field it names."""
    pairs = invalid.message_dict.items() if hasattr(invalid, "error_dict") else [(None, invalid.messages)]
    for field, errors in pairs:
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


@reader_required
def report_edit(request: HttpRequest, task_id: int, unit_id: int) -> HttpResponse:
    """Record (or revise) a lead unit's progress on a task for the current period."""
    task = selectors.task_get(task_id=task_id)
    unit = selectors.unit_get(unit_id=unit_id, aliases=False)
    permissions.require(permissions.can_report(request.user, task, unit.pk), "您只能为本单位牵头的任务填报进展。")
    clock = Clock.now()
    try:
        period, current = selectors.report_form_target(
            task=task, unit_id=unit.pk, asked=request.GET.get("period"), clock=clock
        )
    except ValidationError as closed:
        messages.error(request, join_messages(closed.messages))
        return redirect("tasks:task", task_id=task.pk)
    conflict: services.ReportConflict | None = None
    instructions = report_form_instructions(task=task, unit_id=unit.pk, report=current)
    reason_hint = services.report_reason_required(task=task, status="", today=clock.today) or ""

    milestones = report_form_milestones(task=task, today=clock.today)

    def report_form(*args: Any, **kwargs: Any) -> ReportForm:
        return ReportForm(
            *args,
            instructions=instructions,
            evidence_required=task.plan.evidence_required,
            reason_hint=reason_hint,
            milestones=milestones,
            **kwargs,
        )

    if request.method == "POST":
        form = report_form(request.POST, request.FILES)
        if form.is_valid():
            data = services.ReportInput(
                **{k: form.cleaned_data[k] for k in ("status", "percent", "progress_text", "problems", "next_steps")}
            )
            try:
                # The report and its attachment are saved together or not at all.
                report = services.report_save(
                    user=request.user,
                    task=task,
                    unit=unit,
                    period=period,
                    data=data,
                    version=form.cleaned_data["version"],
                    submit=request.POST.get("action") != "draft",
                    attachments=form.cleaned_data["attachment"],
                    instruction_answers=form.instruction_answers(),
                    milestones_met=form.cleaned_data.get("milestones_met") if milestones else None,
                    clock=clock,
                )
            except services.ReportConflict as exc:
                conflict = exc
                # Keep what the user typed; let them save again over the version they have now seen.
                kept = {k: v for k, v in form.cleaned_data.items() if k != "attachment"}
                form = report_form(initial={**kept, "version": exc.current.version})
            except ValidationError as invalid:
                _form_errors(form, invalid)
            else:
                answered = sum(1 for text in form.instruction_answers().values() if text.strip())
                text = report_saved_text(
                    report=report, unit_name=unit.name, task=task, period=period, answered=answered
                )
                messages.success(request, text)
                return redirect("tasks:task", task_id=task.pk)
    # Read only to draw the form (pre-filled from it, compared with it): a save that succeeds never needs it.
    previous = report_previous(task=task, unit_id=unit.pk, period=period)
    if request.method != "POST":
        form = report_form(initial=report_form_initial(current=current, previous=previous))
    changes = report_form_changes(
        previous=previous,
        reporting_period=task.plan.reporting_period,
        values={name: form[name].value() for name in COMPARED_FIELDS},
    )
    return render(
        request,
        "tasks/report_form.html",
        {
            "task": task,
            "unit": unit,
            "form": form,
            # An approved report is the unit's no more (report_save refuses it): shown, not offered for editing.
            "locked": current is not None
            and current.review_state == ReviewState.APPROVED
            and not permissions.can_review(request.user),
            "current": current,
            "previous": previous,
            "prefilled": current is None and previous is not None,
            "changes": changes,
            "attachments": list(current.attachments.all()) if current else [],
            "conflict": conflict,
            "period_label": period_label(reporting_period=task.plan.reporting_period, start=period),
            "deadline": plan_deadline(plan=task.plan, start=period),
            "past_deadline": services.report_submit_late(task=task, period=period, report=current, clock=clock),
            "breadcrumbs": crumbs((f"第{task.number}项", reverse("tasks:task", args=[task.pk])), ("填报进展", None)),
        },
        status=409 if conflict else (400 if request.method == "POST" else 200),
    )
