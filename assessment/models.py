"""考评: rule sets (versioned), score runs per plan and period or year, their lines (each point
traceable to its event), unit sheets, manual adjustments, and each plan's report-frequency cap.

A run's lines are written once: recomputing makes a new run (the old one is kept as 已被重算, so
the two can be compared), and a frozen (定稿) run is never recomputed, so a rule changed later
cannot rewrite a closed period's scores."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from tasks.models import Plan, ProgressReport, Task, Unit


class LineKind(models.TextChoices):
    """What a line of a score sheet is for; deductions first, then bonuses, then the rest."""

    MISSING = "missing", "缺报"
    LATE = "late", "逾期报送"
    RETURNED = "returned", "报告被退回"
    OVERDUE = "overdue", "期末逾期未完成"
    UNFINISHED = "unfinished", "年终未完成"
    MOSTLY_DONE = "mostly_done", "年终基本完成"
    EARLY = "early", "提前完成"
    PRAISE = "praise", "领导表扬"
    CAP = "cap", "封顶"
    MANUAL = "manual", "人工调整"


class Scope(models.TextChoices):
    PERIOD = "period", "报送周期"
    YEAR = "year", "年度"


class RunState(models.TextChoices):
    DRAFT = "draft", "草稿（可重算）"
    FROZEN = "frozen", "已定稿"
    SUPERSEDED = "superseded", "已被重算"


class ReportCap(models.IntegerChoices):
    MONTHLY = 12, "每月一次"
    QUARTERLY = 4, "每季度一次"


class RuleSet(models.Model):
    """The rules of one plan (plan set), of one year (year set) or the default (neither)."""

    name = models.CharField("名称", max_length=100)
    plan = models.OneToOneField(
        Plan, on_delete=models.CASCADE, null=True, blank=True, related_name="rule_set", verbose_name="规划"
    )
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True, unique=True)

    class Meta:
        verbose_name = "考评细则"
        verbose_name_plural = "考评细则"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(plan__isnull=True) | models.Q(year__isnull=True), name="ruleset_plan_or_year"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RuleVersion(models.Model):
    """One version of a rule set's figures. Never edited: a change is a new version."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="versions", verbose_name="考评细则")
    number = models.PositiveIntegerField("版本")
    base = models.DecimalField("基础分", max_digits=7, decimal_places=2)
    missing_report = models.DecimalField("每缺报一次扣分", max_digits=7, decimal_places=2)
    late_report = models.DecimalField("每逾期报送一次扣分", max_digits=7, decimal_places=2)
    returned_report = models.DecimalField("每份报告被退回扣分", max_digits=7, decimal_places=2)
    overdue_task = models.DecimalField("期末每项逾期未完成任务扣分", max_digits=7, decimal_places=2)
    unfinished_task = models.DecimalField("年终每项未完成任务扣分", max_digits=7, decimal_places=2)
    mostly_done_task = models.DecimalField("年终每项基本完成任务扣分", max_digits=7, decimal_places=2)
    early_bonus = models.DecimalField("每项提前完成加分", max_digits=7, decimal_places=2)
    praise_bonus = models.DecimalField("每次领导表扬加分", max_digits=7, decimal_places=2)
    lead_weight = models.DecimalField("牵头单位权重", max_digits=4, decimal_places=2)
    support_weight = models.DecimalField("配合单位权重", max_digits=4, decimal_places=2)
    # Caps: the most a kind can take off (or add) on one sheet; empty: no cap.
    missing_cap = models.DecimalField("缺报扣分上限", null=True, blank=True, max_digits=7, decimal_places=2)
    late_cap = models.DecimalField("逾期报送扣分上限", null=True, blank=True, max_digits=7, decimal_places=2)
    returned_cap = models.DecimalField("退回扣分上限", null=True, blank=True, max_digits=7, decimal_places=2)
    overdue_cap = models.DecimalField("逾期未完成扣分上限", null=True, blank=True, max_digits=7, decimal_places=2)
    yearend_cap = models.DecimalField("年终未完成扣分上限", null=True, blank=True, max_digits=7, decimal_places=2)
    early_cap = models.DecimalField("提前完成加分上限", null=True, blank=True, max_digits=7, decimal_places=2)
    praise_cap = models.DecimalField("表扬加分上限", null=True, blank=True, max_digits=7, decimal_places=2)
    note = models.TextField("修改说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="修改人",
    )
    created_at = models.DateTimeField("修改时间", auto_now_add=True)

    class Meta:
        verbose_name = "考评细则版本"
        verbose_name_plural = "考评细则版本"
        ordering = ["rule_set", "-number"]
        constraints = [models.UniqueConstraint(fields=["rule_set", "number"], name="ruleversion_unique_number")]

    def __str__(self) -> str:
        return f"{self.rule_set}（第{self.number}版）"


class ScoreRun(models.Model):
    """One computation of a plan's scores for a period (its first day) or a year (1 January)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="score_runs", verbose_name="规划")
    scope = models.CharField("范围", max_length=8, choices=Scope.choices)
    period = models.DateField("周期（首日）")
    rule_version = models.ForeignKey(
        RuleVersion, on_delete=models.PROTECT, related_name="runs", verbose_name="所用考评细则"
    )
    state = models.CharField("状态", max_length=12, choices=RunState.choices, default=RunState.DRAFT)
    computed_at = models.DateTimeField("计算时间")
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="计算人",
    )
    frozen_at = models.DateTimeField("定稿时间", null=True, blank=True)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="定稿人",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="发布人",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "考评计算"
        verbose_name_plural = "考评计算"
        ordering = ["plan", "-period", "-computed_at"]
        constraints = [
            # At most one live (draft or frozen) run per plan, scope and period.
            models.UniqueConstraint(
                fields=["plan", "scope", "period"],
                condition=~models.Q(state="superseded"),
                name="scorerun_one_live",
            ),
        ]
        indexes = [models.Index(fields=["plan", "scope", "period"], name="scorerun_plan_period")]

    def __str__(self) -> str:
        return f"{self.plan} {self.period:%Y-%m}（{self.get_state_display()}）"


class ScoreSheet(models.Model):
    """A unit's total in a run, with its rank among units of its kind (1 = best)."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="sheets", verbose_name="考评计算")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="score_sheets", verbose_name="单位")
    unit_kind = models.CharField("单位类型", max_length=16)
    total = models.DecimalField("得分", max_digits=7, decimal_places=2)
    deducted = models.DecimalField("扣分", max_digits=7, decimal_places=2)
    added = models.DecimalField("加分", max_digits=7, decimal_places=2)
    rank = models.PositiveIntegerField("同类排名")

    class Meta:
        verbose_name = "单位得分"
        verbose_name_plural = "单位得分"
        constraints = [models.UniqueConstraint(fields=["run", "unit"], name="scoresheet_unique_unit")]
        indexes = [models.Index(fields=["unit", "run"], name="scoresheet_unit_run")]

    def __str__(self) -> str:
        return f"{self.unit} {self.total}"


class ScoreAdjustment(models.Model):
    """人工调整 by the office: kept apart from runs, so every recomputation includes it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+", verbose_name="规划")
    scope = models.CharField("范围", max_length=8, choices=Scope.choices)
    period = models.DateField("周期（首日）")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    points = models.DecimalField("调整分值", max_digits=7, decimal_places=2)
    reason = models.TextField("调整理由")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="调整人"
    )
    created_at = models.DateTimeField("调整时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "人工调整"
        verbose_name_plural = "人工调整"
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.unit} {self.points:+}"


class ScoreLine(models.Model):
    """One event's points on a unit's sheet, linked to what caused it."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="lines", verbose_name="考评计算")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    kind = models.CharField("事项", max_length=12, choices=LineKind.choices)
    points = models.DecimalField("分值", max_digits=7, decimal_places=2)
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="任务"
    )
    period = models.DateField("报送周期", null=True, blank=True)
    report = models.ForeignKey(
        ProgressReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="报告"
    )
    instruction = models.ForeignKey(
        "supervision.Instruction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="批示",
    )
    adjustment = models.ForeignKey(
        ScoreAdjustment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="人工调整"
    )
    role = models.CharField("承担角色", max_length=16, blank=True)
    capped_kind = models.CharField("封顶事项", max_length=12, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "得分明细"
        verbose_name_plural = "得分明细"
        indexes = [models.Index(fields=["run", "unit"], name="scoreline_run_unit")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points:+}"


class PlanReportCap(models.Model):
    """减负: the most reports per task per year a plan may ask of a unit, set by the office."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="report_cap", verbose_name="规划")
    per_year = models.PositiveSmallIntegerField("报送频次上限", choices=ReportCap.choices, default=ReportCap.MONTHLY)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="设定人"
    )
    set_at = models.DateTimeField("设定时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "报送频次上限"
        verbose_name_plural = "报送频次上限"

    def __str__(self) -> str:
        return f"{self.plan}：{self.get_per_year_display()}"
