"""What the 督办 views share: a service run with its refusal or success as a message (through
tasks.views.feedback), the task page's 督办 section, the 督办单 in a success message."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from tasks.views.feedback import write_tell

from ..models import Chase

T = TypeVar("T")


def _act(request: HttpRequest, action: Callable[[], T], *, success: Callable[[T], str], back: str) -> HttpResponse:
    """Run a service: its refusal or success as a message, then back to the page."""
    write_tell(request, action, success=success)
    return redirect(back)


def _task_url(task_id: int) -> str:
    return reverse("tasks:task", args=[task_id]) + "#supervision"


def _slip_said(chase: Chase) -> str:
    """The slip's number for the success message, when the chase made one (cached on it by the service)."""
    slip = getattr(chase, "slip", None)
    return f"，并生成督办单 {slip.number}" if slip is not None else ""
