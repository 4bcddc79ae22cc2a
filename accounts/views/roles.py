"""The role checks the administrators' pages are decorated with."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from tasks.permissions import can_manage_accounts, can_read_audit


def _role_required(check: Callable[[User | AnonymousUser], bool], message: str) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


security_admin_required = _role_required(can_manage_accounts, "只有安全管理员可以管理账号。")
audit_admin_required = _role_required(can_read_audit, "只有审计管理员可以查看安全审计记录。")
