"""The framework's authentication events, recorded in the audit log (login, failed login,
logout, lockout). Connected in AccountsConfig.ready."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from .audit import Action, audit_record
from .models import Outcome, UserSession


def _logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    from .sessions import session_start

    if request is None:
        return
    session_start(request=request, user=user)
    audit_record(action=Action.LOGIN, user=user, request=request, object_repr=user.get_username())


def _logged_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if request is None:
        return
    key = request.session.session_key
    if key:
        UserSession.objects.filter(session_key=key).delete()
    if user is None:
        return
    action = getattr(request, "_security_logout_action", Action.LOGOUT)
    audit_record(action=action, user=user, request=request, object_repr=user.get_username())


def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        action=Action.LOGIN_FAILED,
        username=username,
        request=request,
        object_repr=username,
        outcome=Outcome.FAILURE,
    )


def _locked_out(
    sender: Any, request: Any, username: str | None = None, ip_address: str | None = None, **kwargs: Any
) -> None:
    audit_record(
        action=Action.LOCKOUT,
        username=(username or "")[:150],
        request=request,
        object_repr=username or ip_address or "",
        outcome=Outcome.DENIED,
        detail={"ip_address": ip_address or ""},
    )


_ADMIN_CHANGES = {1: "新增", 2: "修改", 3: "删除"}


def _admin_changed(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    """Every change made in the Django admin (配置变更), in the admin's own transaction: the
    admin writes its LogEntry there, one per object (several deleted at once: see below)."""
    if not created:
        return
    content_type = instance.content_type
    label = content_type.name if content_type else ""
    audit_record(
        action=Action.CONFIG_CHANGE,
        user=instance.user,
        object_repr=f"{label}：{instance.object_repr}" if label else instance.object_repr,
        detail={
            "via": "admin",
            "model": f"{content_type.app_label}.{content_type.model}" if content_type else "",
            "object_id": instance.object_id or "",
            "change": _ADMIN_CHANGES.get(instance.action_flag, str(instance.action_flag)),
            "message": instance.get_change_message(),
        },
    )


@admin.action(permissions=["delete"], description=gettext_lazy("Delete selected %(verbose_name_plural)s"))
def _audited_delete_selected(modeladmin: Any, request: Any, queryset: Any) -> Any:
    """The admin's 删除所选 action: Django logs several deletions in one bulk insert, which sends
    no signal, so they are recorded here as one record (a single one goes through _admin_changed)."""
    from django.contrib.admin.actions import delete_selected
    from django.db import transaction

    confirmed = bool(request.POST.get("post"))
    count = queryset.count() if confirmed else 0
    names = [str(obj) for obj in queryset[:100]] if count > 1 else []
    with transaction.atomic():
        response = delete_selected(modeladmin, request, queryset)
        if response is None and count > 1:
            meta = modeladmin.model._meta
            audit_record(
                action=Action.CONFIG_CHANGE,
                request=request,
                object_repr=f"{meta.verbose_name}：{count} 条",
                detail={"via": "admin", "model": meta.label_lower, "change": "删除", "objects": names},
            )
    return response


def connect() -> None:
    from axes.signals import user_locked_out
    from django.contrib.admin.models import LogEntry
    from django.db.models.signals import post_save

    post_save.connect(_admin_changed, sender=LogEntry, dispatch_uid="accounts.admin_changed")
    admin.site.add_action(_audited_delete_selected, "delete_selected")

    user_logged_in.connect(_logged_in, dispatch_uid="accounts.logged_in")
    user_logged_out.connect(_logged_out, dispatch_uid="accounts.logged_out")
    user_login_failed.connect(_login_failed, dispatch_uid="accounts.login_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="accounts.locked_out")
