from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import SelectableFieldsExportForm
from simple_history.admin import SimpleHistoryAdmin

from accounts.audit import audit_download

from .models import (
    Category,
    Leader,
    Milestone,
    Plan,
    ProgressReport,
    Project,
    ReportAttachment,
    Task,
    TaskLeader,
    TaskStatus,
    TaskUnit,
    Unit,
    UnitAlias,
    UserProfile,
)
from .resources import LeaderResource, TaskResource, UnitResource
from .services import task_status_refresh

admin.site.site_header = "闵行区规划任务跟踪系统"
admin.site.site_title = "任务跟踪管理"
admin.site.index_title = "数据管理"


class ExportFieldsForm(SelectableFieldsExportForm):
    """The export page's column checkboxes, labelled with the file's Chinese column names
    (the library shows the attribute name first, e.g. "City Level (市级任务)")."""

    def _get_field_label(self, resource: Any, field_name: str) -> str:
        field = resource.fields.get(field_name)
        return str(field.column_name) if field and field.column_name else field_name


class ReadableExportMixin(ExportMixin):
    """The admin's exports: xlsx and csv only, cells made safe and readable by the
    resources (tasks.resources.ReadableResource), a Chinese file name with the local date."""

    export_formats = [XLSX, CSV]
    export_form_class = ExportFieldsForm
    # With a BOM, Excel opens the Chinese of a CSV correctly.
    to_encoding = "utf-8-sig"

    def get_export_filename(self, request: HttpRequest, queryset: QuerySet, file_format: Any) -> str:
        return f"{self.model._meta.verbose_name}-{timezone.localdate():%Y%m%d}.{file_format.get_extension()}"

    def _do_file_export(
        self, file_format: Any, request: HttpRequest, queryset: QuerySet, **kwargs: Any
    ) -> HttpResponse:
        response = super()._do_file_export(file_format, request, queryset, **kwargs)
        # The library puts the name in filename="…" unencoded; a Chinese name needs filename*=UTF-8''….
        filename = self.get_export_filename(request, queryset, file_format)
        # 安全审计: who took which list out of the admin, in which format, how many rows, with the
        # change list's filters (the query string of the export page).
        audit_download(
            request,
            object_repr=filename,
            detail={
                "admin": self.model._meta.label,
                "format": file_format.get_extension(),
                "rows": queryset.count(),
                "fields": [key for key, value in request.POST.items() if value == "on"],
            },
        )
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
        return response


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    fields = ["order", "name", "stated_count"]


class PlanAdminForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = "__all__"  # noqa: DJ007 - the admin's own fieldsets choose what is shown

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk and cleaned.get("reporting_period"):
            # 减负: the office's cap on the plan's report frequency (assessment) holds here too.
            from assessment.services import plan_reporting_check

            plan_reporting_check(plan=self.instance, reporting_period=cleaned["reporting_period"])
        return cleaned


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    form = PlanAdminForm
    list_display = ["title", "kind", "year_start", "year_end", "doc_number", "reporting_period", "updated_at"]
    list_filter = ["kind", "reporting_period"]
    search_fields = ["title", "doc_number"]
    inlines = [CategoryInline]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "plan", "stated_count"]
    list_filter = ["plan"]
    search_fields = ["name"]
    list_select_related = ["plan"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "order"]
    list_filter = ["category__plan"]
    search_fields = ["name"]
    list_select_related = ["category"]


class TaskLeaderInline(admin.TabularInline):
    model = TaskLeader
    extra = 0
    autocomplete_fields = ["leader"]


class TaskUnitInline(admin.TabularInline):
    model = TaskUnit
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Task)
class TaskAdmin(ReadableExportMixin, SimpleHistoryAdmin):
    resource_classes = [TaskResource]
    list_display = ["number", "title", "plan", "category", "city_level", "state", "due_date"]
    list_display_links = ["number", "title"]
    list_filter = ["plan", "state", "city_level", "category"]
    search_fields = ["number", "text", "units__name", "leaders__name"]
    list_select_related = ["plan", "category"]
    list_per_page = 100
    autocomplete_fields = ["category", "project"]
    inlines = [TaskLeaderInline, TaskUnitInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # The lead units may have changed, and with them the task's derived status.
        task_status_refresh(task_ids=[form.instance.pk])


@admin.register(TaskStatus)
class TaskStatusAdmin(admin.ModelAdmin):
    """Derived from the reports (services.task_status_refresh): shown, never edited by hand."""

    list_display = ["task", "status", "percent", "lead_units", "reported_since", "pending_period", "refreshed_at"]
    list_filter = ["status"]
    list_select_related = ["task"]
    search_fields = ["task__text"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UnitAliasInline(admin.TabularInline):
    model = UnitAlias
    extra = 1


@admin.register(Unit)
class UnitAdmin(ReadableExportMixin, admin.ModelAdmin):
    resource_classes = [UnitResource]
    list_display = ["name", "kind", "district"]
    list_filter = ["kind", "district"]
    search_fields = ["name", "aliases__name"]
    inlines = [UnitAliasInline]


@admin.register(UnitAlias)
class UnitAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "unit"]
    search_fields = ["name", "unit__name"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit"]


@admin.register(Leader)
class LeaderAdmin(ReadableExportMixin, admin.ModelAdmin):
    resource_classes = [LeaderResource]
    list_display = ["name", "title", "district"]
    list_filter = ["district"]
    search_fields = ["name"]


class ReportAttachmentInline(admin.TabularInline):
    model = ReportAttachment
    extra = 0
    fields = ("original_name", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields


@admin.register(ProgressReport)
class ProgressReportAdmin(SimpleHistoryAdmin):
    list_display = ["task", "unit", "period", "status", "percent", "review_state", "reported_at"]
    list_filter = ["status", "review_state", "period"]
    search_fields = ["task__text", "unit__name"]
    list_select_related = ["task", "unit"]
    raw_id_fields = ["task", "milestones_met"]
    autocomplete_fields = ["unit"]
    inlines = [ReportAttachmentInline]

    # A report edited here changes its task's derived status like one saved on the site.
    def save_model(self, request: HttpRequest, obj: ProgressReport, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        before = form.initial.get("task")
        task_status_refresh(task_ids=[obj.task_id, *([before] if before else [])])

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The milestones a report meets are saved after the report itself: refresh once they are.
        super().save_related(request, form, formsets, change)
        task_status_refresh(task_ids=[form.instance.task_id])

    def delete_model(self, request: HttpRequest, obj: ProgressReport) -> None:
        task_id = obj.task_id
        super().delete_model(request, obj)
        task_status_refresh(task_ids=[task_id])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ProgressReport]) -> None:
        task_ids = set(queryset.values_list("task_id", flat=True))
        super().delete_queryset(request, queryset)
        task_status_refresh(task_ids=task_ids)


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "leader"]
    search_fields = ["user__username", "units__name", "leader__name"]
    autocomplete_fields = ["units", "leader"]


@admin.register(ReportAttachment)
class ReportAttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "report", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["original_name", "report__task__text", "report__unit__name"]
    list_select_related = ["report__task", "report__unit", "uploaded_by"]
    raw_id_fields = ["report"]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    """Readable here; set and removed on the task page's panel (tasks/milestones.py), which checks
    the date against the task and refreshes the task's stored status."""

    list_display = ["task", "due_date", "target", "created_by", "created_at"]
    list_filter = ["due_date"]
    search_fields = ["target", "task__text", "task__unit_links__unit__name"]
    list_select_related = ["task", "created_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Milestone | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Milestone | None = None) -> bool:
        return False
