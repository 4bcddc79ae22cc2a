"""What the 考评 views share: a service's refusal or success as a message, and form errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from tasks.models import Plan

from .. import selectors, services
from ..forms import AdjustmentForm, CapForm, ComputeForm, RuleVersionForm

OFFICE_ONLY = services.OFFICE_ONLY
T = TypeVar("T")


def act(request: HttpRequest, action: Callable[[], T], *, success: str) -> T | None:
    """Run a service: its result, with `success` as the message; or None, with its refusal."""
    try:
        done = action()
    except ValidationError as invalid:
        messages.error(request, "；".join(invalid.messages))
        return None
    messages.success(request, success)
    return done


def form_errors(form: AdjustmentForm | ComputeForm | CapForm | RuleVersionForm) -> str:
    return "；".join(str(e) for errors in form.errors.values() for e in errors)


def period_choices(plan: Plan, today: dt.date) -> list[tuple[str, str]]:
    """The compute form's choices: each closed period, then each year that has one ("scope:first day")."""
    closed = selectors.periods_closed(plan=plan, today=today)
    years = sorted({start.year for start, _ in closed}, reverse=True)
    return [(f"period:{start:%Y-%m-%d}", label) for start, label in closed] + [
        (f"year:{year}-01-01", f"{year}年度") for year in years
    ]
