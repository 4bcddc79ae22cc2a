"""Chains between plans: annual items linked to five-year tasks, and the
quantified targets (indicators) a task states, with actual values per year."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tasks.models import Task


class LinkState(models.TextChoices):
    SUGGESTED = "suggested", "待确认"
    CONFIRMED = "confirmed", "已确认"
    REJECTED = "rejected", "已否决"


class TaskLink(models.Model):
    """An annual item carries out (part of) a five-year task."""

    annual_task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="five_year_links", verbose_name="年度任务"
    )
    five_year_task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="annual_links", verbose_name="五年规划任务"
    )
    score = models.FloatField("相似度", default=0.0)
    rank = models.PositiveSmallIntegerField("建议名次", null=True, blank=True)
    state = models.CharField("状态", max_length=16, choices=LinkState.choices, default=LinkState.SUGGESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确认人",
    )
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "年度任务与五年规划任务关联"
        verbose_name_plural = "年度任务与五年规划任务关联"
        ordering = ["annual_task", "rank", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["annual_task", "five_year_task"], name="tasklink_unique_pair"),
            models.CheckConstraint(condition=~Q(annual_task=models.F("five_year_task")), name="tasklink_not_self"),
        ]
        indexes = [models.Index(fields=["five_year_task", "state"], name="tasklink_fyp_state")]

    def __str__(self) -> str:
        return f"{self.annual_task_id} → {self.five_year_task_id} ({self.get_state_display()})"


class LinkAbstention(models.Model):
    """The last refresh found no five-year task of this plan close enough to the
    annual item (and none is confirmed): the page says 无对应五年规划任务."""

    annual_task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="link_abstentions", verbose_name="年度任务"
    )
    five_year_plan = models.ForeignKey(
        "tasks.Plan", on_delete=models.CASCADE, related_name="+", verbose_name="五年规划"
    )
    best_score = models.FloatField("最高得分", default=0.0)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "无对应五年规划任务"
        verbose_name_plural = "无对应五年规划任务"
        ordering = ["annual_task"]
        constraints = [
            models.UniqueConstraint(fields=["annual_task", "five_year_plan"], name="linkabstention_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.annual_task_id}: 无对应五年规划任务"


class Direction(models.TextChoices):
    AT_LEAST = "at_least", "不低于（≥）"
    AT_MOST = "at_most", "不高于（≤）"


class Indicator(models.Model):
    """A quantified target stated in a task: 每万人口发明专利拥有量 ≥ 92 件 by 2025."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="indicators", verbose_name="任务")
    name = models.CharField("指标名称", max_length=200)
    target_value = models.DecimalField("目标值", max_digits=16, decimal_places=4)
    unit = models.CharField("单位", max_length=20, blank=True)
    direction = models.CharField("方向", max_length=16, choices=Direction.choices, default=Direction.AT_LEAST)
    target_year = models.PositiveSmallIntegerField("目标年份")
    cumulative = models.BooleanField("期内累计（从零起算）", default=False)
    baseline = models.DecimalField("基期值", max_digits=16, decimal_places=4, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField("基期年份", null=True, blank=True)
    source_text = models.TextField("原文", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "量化指标"
        verbose_name_plural = "量化指标"
        ordering = ["task", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["task", "name", "target_value", "unit"], name="indicator_unique"),
        ]

    def __str__(self) -> str:
        sign = "≥" if self.direction == Direction.AT_LEAST else "≤"
        return f"{self.name} {sign} {self.target_value.normalize():f}{self.unit}（{self.target_year}年）"


class IndicatorActual(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="actuals", verbose_name="指标")
    year = models.PositiveSmallIntegerField("年份")
    value = models.DecimalField("实际值", max_digits=16, decimal_places=4)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="录入人",
    )
    recorded_at = models.DateTimeField("录入时间", auto_now=True)

    class Meta:
        verbose_name = "指标实际值"
        verbose_name_plural = "指标实际值"
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="indicatoractual_unique_year"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year}: {self.value}"
