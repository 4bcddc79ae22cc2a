from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tasks.choices import Role
from tasks.permissions import user_role

from .models import (
    AcknowledgedTask,
    Acknowledgement,
    Chase,
    ChaseItem,
    ExtensionRequest,
    Instruction,
    InstructionReply,
    TodoVisit,
)


class SystemAdminOnly:
    """The 系统管理员 reads and corrects these records here (by role, like the tasks admin); new ones
    are made only through the pages' services, which check permissions and send the messages."""

    def _admin(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff and user_role(request.user) == Role.ADMIN)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._admin(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ChaseItemInline(SystemAdminOnly, admin.TabularInline):
    model = ChaseItem
    extra = 0
    raw_id_fields = ("task", "unit")


@admin.register(Chase)
class ChaseAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ("unit", "day", "reply_by", "created_by", "replied_at")
    list_filter = ("day",)
    search_fields = ("unit__name", "note", "reply_text")
    raw_id_fields = ("unit", "created_by", "replied_by")
    inlines = [ChaseItemInline]


class InstructionReplyInline(SystemAdminOnly, admin.TabularInline):
    model = InstructionReply
    extra = 0
    raw_id_fields = ("unit", "written_by")


@admin.register(Instruction)
class InstructionAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ("task", "leader", "on_behalf", "written_by", "created_at")
    list_filter = ("on_behalf",)
    search_fields = ("text", "leader__name", "task__title")
    raw_id_fields = ("task", "leader", "written_by")
    inlines = [InstructionReplyInline]


@admin.register(TodoVisit)
class TodoVisitAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ("user", "seen_at")
    raw_id_fields = ("user",)


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ("task", "unit", "original_due_date", "requested_date", "state", "granted_date", "decided_by")
    list_filter = ("state",)
    search_fields = ("task__title", "unit__name", "reason", "decision_reason")
    raw_id_fields = ("task", "unit", "requested_by", "decided_by")
    # The due date changes only through the office's decision on the task page (task_due_date_set).
    readonly_fields = ("state", "granted_date", "original_due_date", "decided_by", "decided_at")


class AcknowledgedTaskInline(SystemAdminOnly, admin.TabularInline):
    model = AcknowledgedTask
    extra = 0
    raw_id_fields = ("task", "unit")


@admin.register(Acknowledgement)
class AcknowledgementAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ("unit", "plan", "task_count", "acknowledged_by", "acknowledged_at")
    raw_id_fields = ("unit", "plan", "acknowledged_by")
    inlines = [AcknowledgedTaskInline]
