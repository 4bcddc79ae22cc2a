"""The supervision-slip panel of the task and unit pages (office and administrators only).

An inclusion tag, so those pages need one line each and their views stay as they are; it runs
outside the pages' cached fragments (what it shows depends on the user), and one query, only
for the office."""

from __future__ import annotations

from django import template
from django.template import Context

from minhang_plans.workdays import reply_by_default
from tasks.models import Task, Unit

from .. import selectors, services
from ..forms import SlipForm
from ..pdf import pdf_available

register = template.Library()


@register.inclusion_tag("documents/partials/slips.html", takes_context=True)
def slip_panel(context: Context, task: Task | None = None, unit: Unit | None = None) -> dict[str, object]:
    user = getattr(context.get("request"), "user", None)  # a page rendered without a request shows nothing
    if user is None or not services.can_issue(user):
        return {"show": False}
    reply_by = reply_by_default(today=selectors.today())
    return {
        "show": True,
        "task": task,
        "unit": unit,
        "slips": selectors.slip_list(task=task, unit=unit),
        "form": SlipForm(initial={"reply_by": reply_by}, auto_id="slip_%s"),
        "pdf": pdf_available(),
        "csrf_token": context.get("csrf_token"),
    }
