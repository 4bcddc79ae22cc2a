"""What a write view tells the user afterwards: a form's errors as one line, and a service's
refusal or success as a message. Every app's POST views use these (supervision, assessment and
yearend through their own short names)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from ..services import ReportConflict

T = TypeVar("T")


def form_errors_text(form: forms.Form) -> str:
    """Every error of a refused form, in one line."""
    return "；".join(str(e) for errors in form.errors.values() for e in errors)


def write_tell(request: HttpRequest, write: Callable[[], T], *, success: Callable[[T], str]) -> T | None:
    """Run a service's write: its refusal (ValidationError, or ReportConflict when someone else
    saved the report first) becomes an error message, else `success(result)` a success message.
    Returns the result, or None when refused."""
    try:
        done = write()
    except ReportConflict as conflict:
        messages.error(request, str(conflict))
    except ValidationError as invalid:
        messages.error(request, "；".join(invalid.messages))
    else:
        messages.success(request, success(done))
        return done
    return None
