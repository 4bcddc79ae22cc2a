"""Figures over time: each task's status as it stood at the close of each reporting period.

One row per task and period, written by the job runner once the period has closed (the later of
its last day and its reporting deadline) and never recomputed from history afterwards: trend
charts and the assessment's scores read these rows, not the reports. Written by
`trends.services` only (the values come from the status rule, tasks/status/rule.py)."""

from __future__ import annotations

from django.db import models

from tasks.choices import CurrentStatus, Light
from tasks.models import Plan, Task


class StatusSnapshot(models.Model):
    # No index of their own: the unique (task, period) and the (plan, period) indexes lead with them,
    # and a lone plan index drew the planner away from (plan, period) at city scale.
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="snapshots", verbose_name="任务", db_index=False
    )
    # The task's plan, copied for the (plan, period) index every trend query reads.
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+", verbose_name="规划", db_index=False)
    # First day of the reporting period (tasks/periods.py), as everywhere in the product.
    period = models.DateField("报送周期（首日）")
    light = models.CharField("灯号", max_length=16, choices=Light.choices)
    status = models.CharField("状态", max_length=16, choices=CurrentStatus.choices)
    percent = models.PositiveSmallIntegerField("完成百分比", null=True)
    # Every lead unit had reported (submitted or approved) for the period.
    reported = models.BooleanField("本期已报送")
    # Due before the close day and not done.
    overdue = models.BooleanField("已逾期")
    done = models.BooleanField("已完成")
    # Owed a report for the period: open (not done) with a lead unit, as the links stood at the close.
    owed = models.BooleanField("本期应报送", default=False)
    taken_at = models.DateTimeField("快照时间")

    class Meta:
        verbose_name = "期末状态快照"
        verbose_name_plural = "期末状态快照"
        constraints = [models.UniqueConstraint(fields=["task", "period"], name="snapshot_task_period")]
        indexes = [models.Index(fields=["plan", "period"], name="snapshot_plan_period")]

    def __str__(self) -> str:
        return f"{self.task_id} / {self.period:%Y-%m}: {self.light}"
