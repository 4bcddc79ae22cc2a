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

from minhang_plans.wording import join_messages

from ..services import ReportConflict

T = TypeVar("T")


# Django's own field messages ("这个字段是必填项。", "输入一个有效的日期。") do not say which box
# they are about; in the one line a page shows, they are prefixed with the field's label. A form's
# own messages ("请填写催办内容。") already say it.
GENERIC_CODES = frozenset(
    {"required", "invalid", "invalid_choice", "max_length", "min_length", "max_value", "min_value", "max_digits"}
)


def _own_message(field: forms.Field, code: str | None) -> bool:
    """The form gave this code its own message (error_messages=…), so the text names its subject."""
    defaults: dict[str, object] = {}
    for cls in reversed(type(field).__mro__):
        defaults.update(getattr(cls, "default_error_messages", {}))
    return code is not None and field.error_messages.get(code) != defaults.get(code)


def form_errors_text(form: forms.Form) -> str:
    """Every error of a refused form, in one line; Django's generic messages name their field."""
    parts: list[str] = []
    for name, errors in form.errors.as_data().items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else ""
        for error in errors:
            named = bool(label) and error.code in GENERIC_CODES
            if field is not None and named:
                named = not _own_message(field, error.code)
            parts.extend(f"{label}：{text}" if named else text for text in error.messages)
    return join_messages(parts)


def write_tell(request: HttpRequest, write: Callable[[], T], *, success: Callable[[T], str]) -> T | None:
    """Run a service's write: its refusal (ValidationError, or ReportConflict when someone else
    saved the report first) becomes an error message, else `success(result)` a success message.
    Returns the result, or None when refused."""
    try:
        done = write()
    except ReportConflict as conflict:
        messages.error(request, str(conflict))
    except ValidationError as invalid:
        messages.error(request, join_messages(invalid.messages))
    else:
        messages.success(request, success(done))
        return done
    return None
