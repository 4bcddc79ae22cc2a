"""What each import did, kept for history, re-download and undo."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportOutcome(models.TextChoices):
    APPLIED = "applied", "已导入"
    UNCHANGED = "unchanged", "无变化"


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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="导入人"
    )
    created_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"
