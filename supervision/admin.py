from django.contrib import admin

from .models import Chase, ChaseItem, Instruction, InstructionReply, TodoVisit


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
