from django.contrib import admin

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


class ChaseItemInline(admin.TabularInline):
    model = ChaseItem
    extra = 0
    raw_id_fields = ("task", "unit")


@admin.register(Chase)
class ChaseAdmin(admin.ModelAdmin):
    list_display = ("unit", "day", "reply_by", "created_by", "replied_at")
    list_filter = ("day",)
    search_fields = ("unit__name", "note", "reply_text")
    raw_id_fields = ("unit", "created_by", "replied_by")
    inlines = [ChaseItemInline]


class InstructionReplyInline(admin.TabularInline):
    model = InstructionReply
    extra = 0
    raw_id_fields = ("unit", "written_by")


@admin.register(Instruction)
class InstructionAdmin(admin.ModelAdmin):
    list_display = ("task", "leader", "on_behalf", "written_by", "created_at")
    list_filter = ("on_behalf",)
    search_fields = ("text", "leader__name", "task__title")
    raw_id_fields = ("task", "leader", "written_by")
    inlines = [InstructionReplyInline]


@admin.register(TodoVisit)
class TodoVisitAdmin(admin.ModelAdmin):
    list_display = ("user", "seen_at")
    raw_id_fields = ("user",)


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(admin.ModelAdmin):
    list_display = ("task", "unit", "original_due_date", "requested_date", "state", "granted_date", "decided_by")
    list_filter = ("state",)
    search_fields = ("task__title", "unit__name", "reason", "decision_reason")
    raw_id_fields = ("task", "unit", "requested_by", "decided_by")
    # The due date changes only through the office's decision on the task page (task_due_date_set).
    readonly_fields = ("state", "granted_date", "original_due_date", "decided_by", "decided_at")


class AcknowledgedTaskInline(admin.TabularInline):
    model = AcknowledgedTask
    extra = 0
    raw_id_fields = ("task", "unit")


@admin.register(Acknowledgement)
class AcknowledgementAdmin(admin.ModelAdmin):
    list_display = ("unit", "plan", "task_count", "acknowledged_by", "acknowledged_at")
    raw_id_fields = ("unit", "plan", "acknowledged_by")
    inlines = [AcknowledgedTaskInline]
