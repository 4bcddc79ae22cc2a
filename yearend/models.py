"""年终办结: closing a plan's year. Each task gets a final state, proposed by a lead unit and
confirmed by the office; then the office closes the plan, which leaves the current dashboard
and shows its final figures instead of lights. A task carried into next year (结转下年) is
linked to its continuation in a later plan, confirmed by the office."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from tasks.models import Plan, Task, Unit


class FinalState(models.TextChoices):
    DONE = "done", "已完成"
    MOSTLY_DONE = "mostly_done", "基本完成"
    NOT_DONE = "not_done", "未完成"
    CARRIED = "carried", "结转下年"
    DROPPED = "dropped", "不再实施"


class TaskOutcome(models.Model):
    """A task's final state: what its lead unit proposed and what the office confirmed."""

    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="outcome", verbose_name="任务")
    proposed_state = models.CharField("单位建议办结状态", max_length=16, choices=FinalState.choices, blank=True)
    proposed_note = models.TextField("单位办结说明", blank=True)
    proposed_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="建议单位"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="建议人",
    )
    proposed_at = models.DateTimeField("建议时间", null=True, blank=True)
    state = models.CharField("确认办结状态", max_length=16, choices=FinalState.choices, blank=True)
    note = models.TextField("办结说明", blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确认人",
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    # 结转下年: the task that continues it in a later plan, once the office has linked them.
    continuation = models.ForeignKey(
        Task,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_from",
        verbose_name="下年接续任务",
    )
    # Who proposed, confirmed or linked what, and when: the task's history shows each step.
    history = HistoricalRecords()

    class Meta:
        verbose_name = "任务办结状态"
        verbose_name_plural = "任务办结状态"

    def __str__(self) -> str:
        return f"{self.task_id}: {self.state or self.proposed_state or '未定'}"


class PlanClosure(models.Model):
    """The office closed the plan's year: it leaves the dashboard, shows final states, takes no reports."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="closure", verbose_name="规划")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="办结人"
    )
    closed_at = models.DateTimeField("办结时间")
    note = models.TextField("办结说明", blank=True)

    class Meta:
        verbose_name = "规划年终办结"
        verbose_name_plural = "规划年终办结"

    def __str__(self) -> str:
        return f"{self.plan}（{self.closed_at:%Y-%m-%d}办结）"
