from django.contrib import admin

from .models import Indicator, IndicatorActual, LinkAbstention, TaskLink


@admin.register(TaskLink)
class TaskLinkAdmin(admin.ModelAdmin):
    list_display = ("annual_task", "five_year_task", "score", "rank", "state", "decided_by", "decided_at")
    list_filter = ("state",)
    raw_id_fields = ("annual_task", "five_year_task")
    readonly_fields = ("decided_by", "decided_at", "created_at")


@admin.register(LinkAbstention)
class LinkAbstentionAdmin(admin.ModelAdmin):
    list_display = ("annual_task", "five_year_plan", "best_score", "created_at")
    raw_id_fields = ("annual_task",)
    readonly_fields = ("annual_task", "five_year_plan", "best_score", "created_at")


class IndicatorActualInline(admin.TabularInline):
    model = IndicatorActual
    extra = 0
    readonly_fields = ("recorded_by", "recorded_at")


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("name", "task", "target_value", "unit", "direction", "target_year", "cumulative")
    list_filter = ("direction", "target_year")
    search_fields = ("name", "source_text")
    raw_id_fields = ("task",)
    inlines = [IndicatorActualInline]


@admin.register(IndicatorActual)
class IndicatorActualAdmin(admin.ModelAdmin):
    list_display = ("indicator", "year", "value", "recorded_by", "recorded_at")
    raw_id_fields = ("indicator",)
    readonly_fields = ("recorded_by", "recorded_at")
