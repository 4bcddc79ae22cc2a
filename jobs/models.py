"""Long work done by the worker (django-q2) while the user does something else.

A Job is what the user sees: its kind, who asked, how far it has got, and its result file or
its error in Chinese. The queue itself is django-q2's (its tables, this database)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class JobKind(models.TextChoices):
    LEDGER_EXPORT = "ledger_export", "导出任务台账"
    IMPORT_CONFIRM = "import_confirm", "确认导入"


class JobState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


FINISHED_STATES = (JobState.DONE, JobState.FAILED)


class Job(models.Model):
    kind = models.CharField("类型", max_length=32, choices=JobKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs", verbose_name="发起人"
    )
    state = models.CharField("状态", max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    params = models.JSONField("参数", default=dict, blank=True)
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    # What the worker is doing now (正在生成Excel文件…), shown under the progress bar.
    message = models.CharField("进度说明", max_length=200, blank=True)
    result = models.FileField("结果文件", upload_to="jobs/%Y/%m/", blank=True)
    result_name = models.CharField("下载文件名", max_length=200, blank=True)
    # Shown to the user as is: always Chinese, never a traceback (that goes to the log).
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="job_owner_recent")]
        constraints = [
            models.CheckConstraint(condition=models.Q(done__lte=models.F("total")), name="job_done_within_total"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        return self.done * 100 // self.total if self.total else 0
