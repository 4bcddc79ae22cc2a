from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .columns import ROLE_CHOICES
from .models import ImportLayout, ImportRecord, PendingImport


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    list_display = ["file_name", "plan", "outcome", "file_format", "size", "created_by", "created_at"]
    list_filter = ["outcome", "file_format"]
    search_fields = ["file_name", "sha256"]
    # The JSON columns are shown in words (below), never as raw JSON with English keys.
    exclude = ["content", "counts", "changes", "warnings"]
    readonly_fields = [
        "plan",
        "file_name",
        "file_format",
        "sha256",
        "size",
        "outcome",
        "counts_text",
        "changes_text",
        "warnings_text",
        "created_by",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:  # imports are made by the importer only
        return False

    @admin.display(description="数量（识别/文件所述）")
    def counts_text(self, record: ImportRecord) -> str:
        lines = record.counts.get("lines", []) if isinstance(record.counts, dict) else []
        return "；".join(
            f"{line.get('label', '')}：{line.get('found', 0)} / {'—' if line.get('stated') is None else line['stated']}"
            for line in lines
        )

    @admin.display(description="变更")
    def changes_text(self, record: ImportRecord) -> str:
        changes = record.changes if isinstance(record.changes, dict) else {}
        return (
            f"新增任务 {len(changes.get('added', []))}，修改任务 {len(changes.get('changed', []))}，"
            f"撤销任务 {len(changes.get('withdrawn', []))}；新单位 {len(changes.get('new_units', {}))}，"
            f"新领导 {len(changes.get('new_leaders', []))}"
        )

    @admin.display(description="警告")
    def warnings_text(self, record: ImportRecord) -> str:
        warnings = record.warnings if isinstance(record.warnings, list) else []
        return "\n".join(str(w.get("text", "")) if isinstance(w, dict) else str(w) for w in warnings) or "没有警告"


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
        "column_roles",
        "created_at",
        "expires_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ImportLayout)
class ImportLayoutAdmin(admin.ModelAdmin):
    """Column mappings confirmed on an import, one per header; delete one to read
    that header by its names again. Made by confirming an import, not here."""

    list_display = ["__str__", "created_by", "updated_at"]
    exclude = ["signature", "headers", "roles"]
    readonly_fields = ["roles_text", "created_by", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ImportLayout | None = None) -> bool:
        return False

    @admin.display(description="各列的用途")
    def roles_text(self, layout: ImportLayout) -> str:
        labels = dict(ROLE_CHOICES)
        roles = layout.roles if isinstance(layout.roles, dict) else {}
        return "；".join(f"{header} → {labels.get(role, role)}" for header, role in roles.items())
