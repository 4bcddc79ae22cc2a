"""What each import did, kept for history, re-download and undo."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class ImportOutcome(models.TextChoices):
    APPLIED = "applied", "已导入"
    # 回退, not 撤销: 撤销 is a withdrawn task.
    UNDONE = "undone", "已回退"


class ImportRecord(models.Model):
    plan = models.ForeignKey(
        "tasks.Plan", on_delete=models.SET_NULL, null=True, blank=True, related_name="imports", verbose_name="规划"
    )
    file_name = models.CharField("文件名", max_length=255)
    file_format = models.CharField("格式", max_length=16)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.PositiveIntegerField("大小（字节）")
    # The original bytes, so the file can be downloaded again from any app server.
    content = models.BinaryField("原始文件")
    outcome = models.CharField("结果", max_length=16, choices=ImportOutcome.choices)
    counts = models.JSONField("数量（识别/文件所述）", default=dict)
    changes = models.JSONField("变更", default=dict)
    warnings = models.JSONField("警告", default=list)
    # The plan as it was before this import (our CSV export), for undo; empty
    # when the import created the plan.
    before_csv = models.TextField("导入前快照", blank=True)
    undone_at = models.DateTimeField("回退时间", null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="回退人",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="导入人"
    )
    created_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({timezone.localtime(self.created_at):%Y-%m-%d %H:%M})"


class PendingImport(models.Model):
    """An uploaded file between preview and confirm.

    Kept in the database (not a temp folder) so that it survives a restart and
    any app server can confirm it; bound to the uploader and expiring.
    """

    token = models.UUIDField("标识", unique=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="上传人"
    )
    file_name = models.CharField("文件名", max_length=255)
    content = models.BinaryField("文件内容")
    sha256 = models.CharField("SHA-256", max_length=64)
    overrides = models.JSONField("规划信息修正", default=dict)
    unit_mapping = models.JSONField("单位对应", default=dict)
    leader_mapping = models.JSONField("领导对应", default=dict)
    # The admin's choice of role per column ({header: role}); empty = as recognised (or a saved layout).
    column_roles = models.JSONField("列对应", default=dict)
    # The admin's choice of the plan this file updates: "" = as recognised (imports/identity.py),
    # "new" = a new plan, else the id of a plan of the same district, kind and years.
    plan_choice = models.CharField("导入到", max_length=20, blank=True, default="")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    expires_at = models.DateTimeField("过期时间")
    # Kept (without its bytes) after confirming until it expires, so that a second
    # confirm, or the page opened again, is told the import was already applied.
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    record = models.ForeignKey(
        ImportRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="导入记录"
    )

    class Meta:
        verbose_name = "待确认导入"
        verbose_name_plural = "待确认导入"
        indexes = [models.Index(fields=["expires_at"], name="pendingimport_expires")]

    def __str__(self) -> str:
        return self.file_name


class ImportLayout(models.Model):
    """A confirmed column mapping, named by the header it was made for. The next
    document with the same header is read with it (and the preview says so)."""

    # SHA-256 of the header keys joined with "|" (columns.ColumnPlan.signature).
    signature = models.CharField("表头标识", max_length=64, unique=True)
    headers = models.JSONField("表头", default=list)
    roles = models.JSONField("各列用途", default=dict)  # {header as printed: role}
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="保存人",
    )
    created_at = models.DateTimeField("保存时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "表格版式"
        verbose_name_plural = "表格版式"
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The header, as people recognise it."""
        shown = "｜".join(h for h in self.headers if h)
        return shown if len(shown) <= 60 else shown[:59] + "…"
