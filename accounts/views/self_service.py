"""Every user: own sessions, password change."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tasks.permissions import require_user

from .. import selectors, services
from ..sessions import PASSWORD_CHANGE


@login_required
def sessions_page(request: HttpRequest) -> HttpResponse:
    sessions = list(selectors.sessions_of(user=require_user(request.user, request.user.is_authenticated)))
    context = {"sessions": sessions, "current_key": request.session.session_key, "section": "sessions"}
    return render(request, "accounts/sessions.html", context)


@login_required
@require_POST
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
