"""我的待办 by role, and 签收 from it."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from documents.pdf import pdf_available
from documents.services import can_issue
from minhang_plans.wording import join_messages
from tasks import permissions
from tasks.decorators import reader_required
from tasks.models import Leader, Plan, Role, Unit
from tasks.status.clock import Clock

from .. import selectors, services
from ..context_processors import todo_count_known
from ..forms import SLIP_HELP, ChaseForm, ReplyForm


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
@require_POST
def acknowledge(request: HttpRequest, unit_id: int, plan_id: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=unit_id)
    plan = get_object_or_404(Plan, pk=plan_id)
    permissions.require(permissions.can_acknowledge(request.user, unit.pk), "只有本单位的联络员可以签收。")
    try:
        ack = services.acknowledge_plan(user=request.user, unit=unit, plan=plan)
    except ValidationError as invalid:
        messages.error(request, join_messages(invalid.messages))
    else:
        messages.success(request, f"{unit.name}已签收{plan.title}的{ack.task_count}项新任务。")
    return redirect("supervision:todo")
