"""Pages of the security administrator (accounts), the audit administrator (audit log) and
every user (own sessions, password change). Views parse, check permission, call, render."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tasks.models import Role
from tasks.permissions import can_manage_accounts, can_read_audit, require_user, user_role

from . import selectors, services
from .audit import ACTION_LABELS, Action, audit_record
from .forms import AccountCreateForm, AuditFilterForm, RoleForm, UnitsForm
from .models import Outcome
from .sessions import PASSWORD_CHANGE

AUDIT_PAGE_SIZE = 50
AUDIT_EXPORT_MAX_ROWS = 100_000


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


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """After login: each administrator to their own page, everyone else to the task pages."""
    role = user_role(request.user)
    if role == Role.SECURITY:
        return redirect("security:accounts")
    if role == Role.AUDITOR:
        return redirect("security:audit")
    if role is None:
        # A new single sign-on account: roles and units are never granted automatically.
        return render(request, "accounts/waiting.html")
    return redirect("tasks:landing")


# -- accounts (安全管理员) -------------------------------------------------------------------


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
    context = {
        "account": account,
        "role": role,
        "role_form": RoleForm(initial={"role": role.value if role else ""}),
        "units_form": UnitsForm(initial={"units": units}),
        "units": units,
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


@require_POST
@security_admin_required
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


@require_POST
@security_admin_required
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


@require_POST
@security_admin_required
def account_active(request: HttpRequest, user_id: int) -> HttpResponse:
    account = _account(user_id)
    active = request.POST.get("active") == "1"
    return _account_change(
        request,
        user_id,
        lambda: services.account_active_set(actor=request.user, user=account, active=active, request=request),
        f"已{'启用' if active else '停用'}账号 {account.username}。",
    )


@require_POST
@security_admin_required
def account_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    account = _account(user_id)
    try:
        password = services.account_password_reset(actor=request.user, user=account, request=request)
    except ValidationError as invalid:
        return _refusal(request, user_id, invalid)
    return _issued(request, account, password, "密码已重置")


# -- audit log (审计管理员) ------------------------------------------------------------------


def _audit_filters(request: HttpRequest) -> tuple[AuditFilterForm, selectors.AuditFilter | None]:
    form = AuditFilterForm(request.GET or None)
    if not request.GET:
        return form, selectors.AuditFilter()
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, selectors.AuditFilter(
        username=data["username"].strip(),
        action=data["action"],
        date_from=data["date_from"],
        date_to=data["date_to"],
    )


@audit_admin_required
def audit_page(request: HttpRequest) -> HttpResponse:
    form, filters = _audit_filters(request)
    page = None
    if filters is not None:
        paginator = Paginator(selectors.audit_search(filters=filters), AUDIT_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "labels": ACTION_LABELS,
        "outcomes": dict(Outcome.choices),
        "query": query.urlencode(),
        "section": "audit",
    }
    return render(request, "accounts/audit.html", context)


@audit_admin_required
def audit_export(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook

    from tasks.exports import local_time_text, spreadsheet_safe

    form, filters = _audit_filters(request)
    if filters is None:
        return render(request, "accounts/audit.html", {"form": form, "page": None, "section": "audit"}, status=400)
    events = list(selectors.audit_search(filters=filters)[:AUDIT_EXPORT_MAX_ROWS])
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("安全审计记录")
    sheet.append(["编号", "时间", "用户名", "客户端地址", "操作", "对象", "结果", "详情"])
    outcomes = dict(Outcome.choices)
    for event in events:
        row = [
            event.pk,
            local_time_text(event.at),
            event.username,
            event.ip_address,
            ACTION_LABELS.get(event.action, event.action),
            event.object_repr,
            outcomes.get(event.outcome, event.outcome),
            json.dumps(event.detail, ensure_ascii=False) if event.detail else "",
        ]
        sheet.append([spreadsheet_safe(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with transaction.atomic():
        audit_record(
            action=Action.AUDIT_EXPORT,
            user=request.user,
            request=request,
            object_repr=f"{len(events)} 条",
            detail={"filters": request.GET.dict()},
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'安全审计记录-{stamp}.xlsx')}"
    return response


# -- every user: own sessions, password change ----------------------------------------------


@login_required
def sessions_page(request: HttpRequest) -> HttpResponse:
    sessions = list(selectors.sessions_of(user=require_user(request.user, request.user.is_authenticated)))
    context = {"sessions": sessions, "current_key": request.session.session_key, "section": "sessions"}
    return render(request, "accounts/sessions.html", context)


@require_POST
@login_required
def session_end(request: HttpRequest) -> HttpResponse:
    try:
        session_id = int(request.POST.get("session", ""))
    except ValueError:
        session_id = 0
    try:
        services.session_end_own(
            user=require_user(request.user, request.user.is_authenticated), session_id=session_id, request=request
        )
    except ValidationError as invalid:
        messages.error(request, invalid.messages[0])
    else:
        messages.success(request, "已结束该会话。")
    return redirect("security:sessions")


def session_expired(request: HttpRequest) -> HttpResponse:
    from django.conf import settings

    return render(
        request,
        "accounts/session_expired.html",
        {
            "next": request.GET.get("next", ""),
            "idle_minutes": settings.SESSION_IDLE_MINUTES,
            "absolute_hours": settings.SESSION_ABSOLUTE_HOURS,
        },
    )


@never_cache
@login_required
def otp_page(request: HttpRequest) -> HttpResponse:
    """The second sign-in step: enrol an authenticator (first time) or enter its code."""
    from . import two_factor

    if not request.session.get(two_factor.OTP_PENDING):
        return redirect("security:home")
    error = ""
    if request.method == "POST":
        if two_factor.totp_check(request=request, token=request.POST.get("token", "")):
            return redirect("security:home")
        error = "动态验证码不正确或已过期，请重新输入。"
    device = two_factor.confirmed_device(request.user)
    context: dict[str, Any] = {"error": error, "enrolling": device is None}
    if device is None:
        pending = two_factor.pending_device(require_user(request.user, request.user.is_authenticated))
        context.update(secret=two_factor.device_secret(pending), config_url=pending.config_url)
    return render(request, "accounts/otp.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, recorded in the audit log; it clears a forced change."""

    REASONS = {
        "issued": "您正在使用管理员发放的初始密码，请先修改密码后再继续使用。",
        "expired": "您的密码已超过有效期，请先修改密码后再继续使用。",
    }

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        reason = request.session.get(PASSWORD_CHANGE)
        if reason in self.REASONS:
            messages.warning(request, self.REASONS[reason])
        return super().get(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            services.password_change_record(user=form.user, request=self.request)
        self.request.session.pop(PASSWORD_CHANGE, None)
        return response
