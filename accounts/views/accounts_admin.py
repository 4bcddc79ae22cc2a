"""Accounts (安全管理员): create, role, units, enable or disable, password reset."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tasks.models import Role
from tasks.permissions import user_role

from .. import selectors, services
from ..forms import AccountCreateForm, LeaderForm, RoleForm, UnitsForm
from .roles import security_admin_required


@security_admin_required
def accounts_page(request: HttpRequest) -> HttpResponse:
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        role = Role(form.cleaned_data["role"]) if form.cleaned_data["role"] else None
        try:
            user, password = services.account_create(
                actor=request.user,
                username=form.cleaned_data["username"],
                full_name=form.cleaned_data["full_name"],
                role=role,
                unit_ids=[unit.pk for unit in form.cleaned_data["units"]],
                request=request,
            )
        except ValidationError as invalid:
            _form_errors(form, invalid)
        else:
            return _issued(request, user, password, "账号已创建")
    accounts = list(selectors.accounts_list())
    rows = [
        {
            "user": account,
            "roles": [group.name for group in account.role_groups],
            "units": [unit.name for unit in account.profile.units.all()] if hasattr(account, "profile") else [],
        }
        for account in accounts
    ]
    return render(request, "accounts/accounts.html", {"rows": rows, "form": form, "section": "accounts"})


def _form_errors(form: Any, invalid: ValidationError) -> None:
    pairs = invalid.message_dict.items() if hasattr(invalid, "error_dict") else [(None, invalid.messages)]
    for field, errors in pairs:
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


@never_cache
def _issued(request: HttpRequest, user: User, password: str, title: str) -> HttpResponse:
    return render(request, "accounts/issued.html", {"account": user, "password": password, "title": title})


def _account(user_id: int) -> User:
    return get_object_or_404(get_user_model().objects.select_related("profile"), pk=user_id)


@security_admin_required
def account_page(request: HttpRequest, user_id: int) -> HttpResponse:
    account = _account(user_id)
    role = user_role(account)
    units = list(account.profile.units.all()) if hasattr(account, "profile") else []
    leader = account.profile.leader if hasattr(account, "profile") else None
    context = {
        "account": account,
        "role": role,
        "role_form": RoleForm(initial={"role": role.value if role else ""}),
        "units_form": UnitsForm(initial={"units": units}),
        "leader_form": LeaderForm(initial={"leader": leader}),
        "units": units,
        "leader": leader,
        "auditor": role == Role.AUDITOR,
        "section": "accounts",
    }
    return render(request, "accounts/account.html", context)


def _refusal(request: HttpRequest, user_id: int, invalid: ValidationError) -> HttpResponse:
    for message in invalid.messages:
        messages.error(request, message)
    return redirect("security:account", user_id=user_id)


def _account_change(request: HttpRequest, user_id: int, change: Callable[[], object], success: str) -> HttpResponse:
    """Run one service call on the account page: its refusal or `success` as a message, back to the page."""
    try:
        change()
    except ValidationError as invalid:
        return _refusal(request, user_id, invalid)
    messages.success(request, success)
    return redirect("security:account", user_id=user_id)


@security_admin_required
@require_POST
def account_role(request: HttpRequest, user_id: int) -> HttpResponse:
    account = _account(user_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _refusal(request, user_id, ValidationError("未知的角色。"))
    role = Role(form.cleaned_data["role"]) if form.cleaned_data["role"] else None
    return _account_change(
        request,
        user_id,
        lambda: services.account_role_assign(actor=request.user, user=account, role=role, request=request),
        f"已将 {account.username} 的角色设为“{role.label if role else '无角色'}”。",
    )


@security_admin_required
@require_POST
def account_units(request: HttpRequest, user_id: int) -> HttpResponse:
    account = _account(user_id)
    form = UnitsForm(request.POST)
    if not form.is_valid():
        return _refusal(request, user_id, ValidationError("所选单位不存在。"))
    unit_ids = [unit.pk for unit in form.cleaned_data["units"]]
    return _account_change(
        request,
        user_id,
        lambda: services.account_units_assign(actor=request.user, user=account, unit_ids=unit_ids, request=request),
        f"已更新 {account.username} 的所属单位。",
    )


@security_admin_required
@require_POST
def account_leader(request: HttpRequest, user_id: int) -> HttpResponse:
    account = _account(user_id)
    form = LeaderForm(request.POST)
    if not form.is_valid():
        return _refusal(request, user_id, ValidationError("所选领导不存在。"))
    leader = form.cleaned_data["leader"]
    return _account_change(
        request,
        user_id,
        lambda: services.account_leader_assign(actor=request.user, user=account, leader=leader, request=request),
        f"已将 {account.username} 关联为“{leader.name}”。" if leader else f"已取消 {account.username} 的领导关联。",
    )


@security_admin_required
@require_POST
def account_active(request: HttpRequest, user_id: int) -> HttpResponse:
    account = _account(user_id)
    active = request.POST.get("active") == "1"
    return _account_change(
        request,
        user_id,
        lambda: services.account_active_set(actor=request.user, user=account, active=active, request=request),
        f"已{'启用' if active else '停用'}账号 {account.username}。",
    )


@security_admin_required
@require_POST
def account_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    account = _account(user_id)
    try:
        password = services.account_password_reset(actor=request.user, user=account, request=request)
    except ValidationError as invalid:
        return _refusal(request, user_id, invalid)
    return _issued(request, account, password, "密码已重置")
