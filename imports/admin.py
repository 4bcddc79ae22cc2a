from django.contrib import admin

from .models import ImportRecord, PendingImport


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    list_display = ["file_name", "plan", "outcome", "file_format", "size", "created_by", "created_at"]
    list_filter = ["outcome", "file_format"]
    search_fields = ["file_name", "sha256"]
    exclude = ["content"]
    readonly_fields = [
        "plan",
        "file_name",
        "file_format",
        "sha256",
        "size",
        "outcome",
        "counts",
        "changes",
        "warnings",
        "created_by",
        "created_at",
    ]

    def has_add_permission(self, request) -> bool:  # imports are made by the importer only
        return False


@admin.register(PendingImport)
class PendingImportAdmin(admin.ModelAdmin):
    """Uploads between preview and confirm; they expire by themselves after 24 hours."""

    list_display = ["file_name", "user", "created_at", "expires_at"]
    exclude = ["content"]
    readonly_fields = [
        "token",
        "user",
        "file_name",
        "sha256",
        "overrides",
        "unit_mapping",
        "leader_mapping",
        "created_at",
        "expires_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False
