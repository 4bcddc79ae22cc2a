from django.contrib import admin

from .models import ImportRecord


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
