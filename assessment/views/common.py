"""What the 考评 views share: a service's refusal or success as a message (tasks.views.feedback), the period choices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from django.http import HttpRequest

from tasks.models import Plan
from tasks.views.feedback import write_tell

from .. import selectors, services

OFFICE_ONLY = services.OFFICE_ONLY
T = TypeVar("T")


def act(request: HttpRequest, action: Callable[[], T], *, success: str) -> T | None:
    """Run a service: its result, with `success` as the message; or None, with its refusal."""
    return write_tell(request, action, success=lambda _: success)


def period_choices(plan: Plan, today: dt.date) -> list[tuple[str, str]]:
    """The compute form's choices: each closed period, then each year that is over ("scope:first day").""" ""
    closed = selectors.periods_closed(plan=plan, today=today)
    years = sorted(
        {start.year for start, _ in closed if selectors.year_over(plan=plan, year=start.year, today=today)},
        reverse=True,
    )
    return [(f"period:{start:%Y-%m-%d}", label) for start, label in closed] + [
        (f"year:{year}-01-01", f"{year}年度") for year in years
    ]
