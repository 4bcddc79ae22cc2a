"""Read-only admin views of 考评: everything is written through the pages (and so audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tasks.choices import Role
from tasks.permissions import user_role

from .models import RuleSet, RuleVersion, ScoreAdjustment, ScoreRun


class ReadOnly(admin.ModelAdmin):
    """The 系统管理员 reads these records (by role, as the supervision admin); every change goes
    through the 考评 pages, which check the office's permission and audit it."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff and user_role(request.user) == Role.ADMIN)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RuleSet)
class RuleSetAdmin(ReadOnly):
    list_display = ["name", "plan", "year"]


@admin.register(RuleVersion)
class RuleVersionAdmin(ReadOnly):
    list_display = ["rule_set", "number", "base", "created_by", "created_at"]


@admin.register(ScoreRun)
class ScoreRunAdmin(ReadOnly):
    list_display = ["plan", "scope", "period", "state", "computed_at", "published_at"]
    list_filter = ["scope", "state"]


@admin.register(ScoreAdjustment)
class ScoreAdjustmentAdmin(ReadOnly):
    list_display = ["plan", "period", "unit", "points", "reason", "created_by", "created_at"]
