"""The documents in the Django admin, in Chinese. Issued documents are records: they can be
looked at and downloaded from the pages, not edited here (a number always names the same file)."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from .models import BulletinIssue, BulletinTemplate, DocumentCounter, SupervisionSlip


class ReadOnlyAdmin(admin.ModelAdmin):
    # Without the change permission Django shows every model field read-only, in model order;
    # readonly_fields name only what the form leaves out (auto_now_add, the download link).

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(BulletinTemplate)
class BulletinTemplateAdmin(ReadOnlyAdmin):
    list_display = ("name", "is_active", "size", "uploaded_by", "uploaded_at", "note")
    list_filter = ("is_active",)
    search_fields = ("name", "note")
    exclude = ("content",)
    readonly_fields = ("name", "size", "is_active", "uploaded_by", "uploaded_at", "note", "download")

    @admin.display(description="下载")
    def download(self, obj: BulletinTemplate) -> str:
        return format_html('<a href="{}">下载模板</a>', reverse("documents:template_file", args=[obj.pk]))


@admin.register(BulletinIssue)
class BulletinIssueAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "title", "scope", "period_label", "template_name", "created_by", "created_at")
    list_filter = ("year", "scope")
    search_fields = ("title", "scope_label")
    exclude = ("docx", "pdf")
    readonly_fields = ("created_at", "download")

    @admin.display(description="下载")
    def download(self, obj: BulletinIssue) -> str:
        return format_html(
            '<a href="{}">Word 文件</a>', reverse("documents:bulletin_file", kwargs={"issue_id": obj.pk, "fmt": "docx"})
        )


@admin.register(SupervisionSlip)
class SupervisionSlipAdmin(ReadOnlyAdmin):
    list_display = ("number", "kind", "unit_name", "subject", "reply_by", "source", "created_by", "created_at")
    list_filter = ("year", "kind", "source")
    search_fields = ("number", "unit_name", "subject")
    exclude = ("docx", "pdf", "tasks")
    readonly_fields = ("created_at", "download")

    @admin.display(description="下载")
    def download(self, obj: SupervisionSlip) -> str:
        return format_html(
            '<a href="{}">Word 文件</a>', reverse("documents:slip_file", kwargs={"slip_id": obj.pk, "fmt": "docx"})
        )


@admin.register(DocumentCounter)
class DocumentCounterAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "kind", "year", "last")
    readonly_fields = ("kind", "year", "last")
