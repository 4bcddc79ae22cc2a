"""The task page's 批示与催办 panel with the forms this person may use."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from documents.pdf import pdf_available
from documents.services import can_issue
from tasks import permissions
from tasks.decorators import reader_required
from tasks.forms import MilestoneForm
from tasks.milestones import milestone_rows
from tasks.models import Leader, Task, TaskState, Unit, UnitRole
from tasks.status.clock import Clock
from yearend.models import PlanClosure

from .. import selectors
from ..forms import SLIP_HELP, ExtensionDecideForm, ExtensionRequestForm, InstructionForm, TaskChaseForm


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
