"""View decorators, in one place and applied in one order: the role check outermost, then
the method check (`@reader_required` above `@require_POST`), so an anonymous POST is sent to
the login page rather than told its method is wrong."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from .permissions import can_read, read_refusal

_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


def reader_required(view: _View) -> _View:
    """Logged in (else the login page) and in a role group (else 403): reading is open to every role."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not can_read(request.user):
            raise PermissionDenied(read_refusal(request.user))
        return view(request, *args, **kwargs)

    return cast(_View, login_required(wrapped))
