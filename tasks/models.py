"""The plan domain: plans, their categories, projects and tasks, who leads them,
and the progress units report against them.

Integrity lives in the database first (unique and check constraints, protected
foreign keys); `clean()` repeats what a form should say in Chinese; the
business rules that span rows live in `services/`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

# The value sets live in choices.py (no model imports there); re-exported here, where callers look.
from .choices import (  # noqa: F401
    COUNTED_REVIEW_STATES,
    REPORTED_REVIEW_STATES,
    CurrentStatus,
    DueRule,
    Light,
    PlanKind,
    ProgressStatus,
    ReportingPeriod,
    ReviewState,
    Role,
    TaskState,
    UnitKind,
    UnitRole,
)
from .querysets import TaskLeaderQuerySet, TaskQuerySet, TaskUnitQuerySet


def default_district() -> str:
    return settings.DISTRICT_NAME


class Plan(models.Model):
    # The issuing district: one deployment serves Minhang, but the model (and the
    # city-scale benchmarks) hold the plans of several districts side by side.
    district = models.CharField("区", max_length=50, default=default_district)
    title = models.CharField("标题", max_length=200)
    kind = models.CharField("类型", max_length=16, choices=PlanKind.choices)
    year_start = models.PositiveSmallIntegerField("起始年份")
    year_end = models.PositiveSmallIntegerField("截止年份")
    doc_number = models.CharField("文号", max_length=100, blank=True)
    doc_date = models.DateField("印发日期", null=True, blank=True)
    source_file = models.CharField("来源文件", max_length=255, blank=True)
    reporting_period = models.CharField(
        "报送周期", max_length=16, choices=ReportingPeriod.choices, default=ReportingPeriod.MONTHLY
    )
    # What the document itself states ("共10类41项190条", "（11项）", "共17项"),
    # kept so every page can show found-vs-stated without re-reading the file.
    stated_categories = models.PositiveIntegerField("文件所述类别数", null=True, blank=True)
    stated_projects = models.PositiveIntegerField("文件所述项目数", null=True, blank=True)
    stated_tasks = models.PositiveIntegerField("文件所述任务数", null=True, blank=True)
    stated_city_level = models.PositiveIntegerField("文件所述市级任务数", null=True, blank=True)
    # The reporting window (tasks.periods): the deadline of each period, e.g. the 25th of each
    # month, or the 5th working day after the quarter. No number: settings.REPORT_DUE_DAY.
    report_due_rule = models.CharField(
        "报送截止规则", max_length=16, choices=DueRule.choices, default=DueRule.DAY_OF_LAST_MONTH
    )
    report_due_number = models.PositiveSmallIntegerField(
        "报送截止日（N）",
        null=True,
        blank=True,
        help_text="按“期末月的第N日”时为1–28日；按“期满后第N个工作日”时为1–20。留空则用系统默认（REPORT_DUE_DAY）。",
    )
    # 佐证材料: set by the 系统管理员 in the admin; the report form and report_save read it.
    evidence_required = models.BooleanField(
        "要求上传佐证材料",
        default=False,
        help_text="勾选后，各单位提交本规划任务的进展时须至少附一份佐证材料（附件）；保存草稿不受限制。",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "规划/计划"
        verbose_name_plural = "规划/计划"
        ordering = ["-year_end", "kind", "title"]
        constraints = [
            # A district may have several plans of the same kind and years (the 重点工作 and the 为民办实事
            # of one year); a revised document updates the one with its title (imports/identity.py).
            models.UniqueConstraint(
                fields=["district", "kind", "year_start", "year_end", "title"],
                name="plan_unique_district_kind_years_title",
            ),
            models.CheckConstraint(condition=Q(year_end__gte=models.F("year_start")), name="plan_years_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # The admin's form states the window's rule (tasks.periods) in Chinese.
        from .periods import window_check

        window_check(rule=self.report_due_rule, number=self.report_due_number)

    @property
    def years_label(self) -> str:
        return self.years_label_of(self.year_start, self.year_end)

    @staticmethod
    def years_label_of(year_start: int, year_end: int) -> str:
        """2025年, or 2021—2025年 (also for lists read as values, without instances)."""
        if year_start == year_end:
            return f"{year_start}年"
        return f"{year_start}—{year_end}年"


class Category(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="categories", verbose_name="规划")
    order = models.PositiveSmallIntegerField("序次")
    name = models.CharField("名称", max_length=200)
    stated_count = models.PositiveIntegerField("文件所述任务数", null=True, blank=True)

    class Meta:
        verbose_name = "类别"
        verbose_name_plural = "类别"
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "order"], name="category_unique_order"),
        ]

    def __str__(self) -> str:
        return self.label_of(self.order, self.name)

    @property
    def order_label(self) -> str:
        return self.order_label_of(self.order)

    @staticmethod
    def order_label_of(order: int) -> str:
        from .numerals import to_chinese_numeral

        return f"{to_chinese_numeral(order)}、"

    @classmethod
    def label_of(cls, order: int, name: str) -> str:
        """一、name: what str() shows, also for lists read as values, without instances."""
        return f"{cls.order_label_of(order)}{name}"


class Project(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="projects", verbose_name="类别")
    order = models.PositiveSmallIntegerField("序次")
    name = models.CharField("名称", max_length=200)

    class Meta:
        verbose_name = "项目"
        verbose_name_plural = "项目"
        ordering = ["category", "order"]
        constraints = [
            models.UniqueConstraint(fields=["category", "name"], name="project_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Leader(models.Model):
    name = models.CharField("姓名", max_length=50)
    title = models.CharField("职务", max_length=100, blank=True)
    # Leaders belong to a district: 王华 of a 西湖区 plan is not 王华 of a 徐汇区 plan, and another
    # district's document is never linked to this district's leaders (imports match names within it).
    district = models.CharField("区", max_length=50, default=default_district)

    class Meta:
        verbose_name = "牵头领导"
        verbose_name_plural = "牵头领导"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="leader_unique_district_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    name = models.CharField("规范名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=UnitKind.choices, default=UnitKind.DEPARTMENT)
    # Units belong to a district, as their aliases do: 徐汇区's 区科委 is not 闵行区's, so a task of
    # another district's plan never reaches this district's liaisons.
    district = models.CharField("区", max_length=50, default=default_district)

    class Meta:
        verbose_name = "牵头单位"
        verbose_name_plural = "牵头单位"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="unit_unique_district_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if UnitAlias.objects.filter(district=self.district, name=self.name).exclude(unit_id=self.pk).exists():
            raise ValidationError({"name": f"“{self.name}”已是其他单位的别名。"})


class UnitAlias(models.Model):
    """Another name of the same unit (区发改委 = 区发展改革委)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="aliases", verbose_name="单位")
    name = models.CharField("别名", max_length=100)
    # Aliases belong to the district whose documents taught them: a Minhang short
    # name is never applied silently to another district's document.
    district = models.CharField("区", max_length=50, default=default_district)

    class Meta:
        verbose_name = "单位别名"
        verbose_name_plural = "单位别名"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="unitalias_unique_district_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.unit.name}"

    def clean(self) -> None:
        # Names and aliases share one namespace; the database enforces each
        # table's uniqueness, this closes the gap between the two tables.
        if Unit.objects.filter(district=self.district, name=self.name).exists():
            raise ValidationError({"name": f"“{self.name}”已是一个单位的规范名称。"})


class Task(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks", verbose_name="规划")
    # RESTRICT, not PROTECT: a category with tasks cannot be deleted on its own,
    # but deleting a whole plan (which cascades to both) still works.
    category = models.ForeignKey(Category, on_delete=models.RESTRICT, related_name="tasks", verbose_name="类别")
    project = models.ForeignKey(
        Project, on_delete=models.RESTRICT, related_name="tasks", null=True, blank=True, verbose_name="项目"
    )
    number = models.CharField("序号", max_length=20)
    position = models.PositiveIntegerField("文件中的顺序")
    text = models.TextField("任务内容")
    title = models.CharField("简称", max_length=120)
    city_level = models.BooleanField("市级任务", default=False)
    note = models.TextField("备注", blank=True)
    deadline_text = models.CharField("完成时限（原文）", max_length=100, blank=True)
    due_date = models.DateField("截止日期", null=True, blank=True)
    state = models.CharField("状态", max_length=16, choices=TaskState.choices, default=TaskState.ACTIVE)
    source_row = models.PositiveIntegerField("来源行号", null=True, blank=True)
    # Columns of the source document that have no field of their own, kept in the
    # document's order as [{"header": ..., "value": ...}], shown on the task page and
    # exported in the ledger, so an import never drops a column silently.
    extras = models.JSONField("其他列", default=list, blank=True)
    leaders: models.ManyToManyField[Leader, TaskLeader] = models.ManyToManyField(
        Leader, through="TaskLeader", related_name="tasks", verbose_name="牵头领导"
    )
    history = HistoricalRecords(excluded_fields=["position", "source_row", "created_at", "updated_at"])
    units: models.ManyToManyField[Unit, TaskUnit] = models.ManyToManyField(
        Unit, through="TaskUnit", related_name="tasks", verbose_name="牵头单位"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务"
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="task_unique_number"),
        ]
        indexes = [models.Index(fields=["plan", "position"], name="task_plan_position")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def clean(self) -> None:
        if self.category_id and self.plan_id and self.category.plan_id != self.plan_id:
            raise ValidationError({"category": "类别不属于该规划。"})
        if self.project is not None and self.category_id and self.project.category_id != self.category_id:
            raise ValidationError({"project": "项目不属于该类别。"})


class TaskLeader(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="leader_links")
    leader = models.ForeignKey(Leader, on_delete=models.PROTECT, related_name="task_links", verbose_name="领导")
    position = models.PositiveSmallIntegerField("顺序")

    objects = TaskLeaderQuerySet.as_manager()

    class Meta:
        verbose_name = "任务牵头领导"
        verbose_name_plural = "任务牵头领导"
        ordering = ["task", "position"]
        constraints = [
            models.UniqueConstraint(fields=["task", "leader"], name="taskleader_unique"),
            models.UniqueConstraint(fields=["task", "position"], name="taskleader_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.leader}"


class TaskUnit(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="unit_links")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="task_links", verbose_name="单位")
    position = models.PositiveSmallIntegerField("顺序")
    role = models.CharField("角色", max_length=16, choices=UnitRole.choices, default=UnitRole.LEAD)
    # The name as the document printed it (an alias, a bracketed second name).
    printed_name = models.CharField("文件原文", max_length=200, blank=True)
    # Derived from the unit's reports on the task and kept current by
    # services.task_status_refresh, so that "who has not reported this period"
    # is a column comparison rather than a lookup per link.
    reported_period = models.DateField("最近报送周期", null=True, blank=True, editable=False)
    approved_period = models.DateField("最近审核通过周期", null=True, blank=True, editable=False)

    objects = TaskUnitQuerySet.as_manager()

    class Meta:
        verbose_name = "任务牵头单位"
        verbose_name_plural = "任务牵头单位"
        ordering = ["task", "position"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit"], name="taskunit_unique"),
            models.UniqueConstraint(fields=["task", "position"], name="taskunit_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.unit}"


class Milestone(models.Model):
    """A stage target (阶段目标) of a task: what should be reached by a date, e.g. a quarter's target
    from a breakdown table's 第一季度…第四季度 columns, or a dated milestone set by the lead unit or
    the office. Met when an approved report of a lead unit says so (ProgressReport.milestones_met);
    one due before today and not met makes the task 进度偏慢 (tasks.status.rule)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones", verbose_name="任务")
    due_date = models.DateField("完成日期")
    target = models.CharField("阶段目标", max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="设定人",
    )
    created_at = models.DateTimeField("设定时间", auto_now_add=True)

    class Meta:
        verbose_name = "阶段目标"
        verbose_name_plural = "阶段目标"
        ordering = ["task", "due_date", "pk"]

    def __str__(self) -> str:
        return f"{self.due_date:%Y-%m-%d} {self.target}"


class ProgressReport(models.Model):
    """One lead unit's report on one task for one reporting period."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="reports", verbose_name="任务")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="reports", verbose_name="报送单位")
    period = models.DateField("报送周期（首日）")
    status = models.CharField("进展状态", max_length=16, choices=ProgressStatus.choices)
    percent = models.PositiveSmallIntegerField(
        "完成百分比", default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    progress_text = models.TextField("进展情况", blank=True)
    problems = models.TextField("存在问题", blank=True)
    next_steps = models.TextField("下步计划", blank=True)
    review_state = models.CharField(
        "审核状态", max_length=16, choices=ReviewState.choices, default=ReviewState.SUBMITTED
    )
    review_comment = models.TextField("审核意见", blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="报送人",
    )
    reported_at = models.DateTimeField("报送时间", null=True, blank=True)
    # 逾期报送: first submitted after its period's deadline (tasks.periods.period_deadline), by the
    # one clock's date. Kept through a return and resubmission: the lateness was the first one's.
    late = models.BooleanField("逾期报送", default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    # Optimistic locking: a save must name the version it edited.
    version = models.PositiveIntegerField("版本", default=1)
    # 阶段目标 this report says are met (counted once the report is approved: tasks.status.stored).
    milestones_met: models.ManyToManyField[Milestone, Any] = models.ManyToManyField(
        Milestone, blank=True, related_name="met_in", verbose_name="本期完成的阶段目标"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = "进展报告"
        verbose_name_plural = "进展报告"
        ordering = ["-period", "task"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit", "period"], name="report_unique_task_unit_period"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="report_percent_max_100"),
        ]
        indexes = [
            models.Index(fields=["unit", "period"], name="report_unit_period"),
            # The review queue and the office's 我的待办 badge read the reports awaiting review: a
            # few among hundreds of thousands (a parallel scan of all of them took 58 ms at city scale).
            models.Index(fields=["reported_at"], name="report_awaiting_review", condition=Q(review_state="submitted")),
        ]

    def __str__(self) -> str:
        return f"{self.task} / {self.unit} / {self.period:%Y-%m}"


class TaskStatus(models.Model):
    """A task's current status, derived from its lead units' reports.

    Kept current by services.task_status_refresh, called by every write that can
    change it (report save and review, import, undo, admin); summaries count and
    filter these plain columns instead of re-deriving each task's status from its
    reports in every query. The clock-dependent parts (overdue, due soon, "this
    period") stay in the queries: what is stored does not age.
    """

    task = models.OneToOneField(Task, on_delete=models.CASCADE, primary_key=True, related_name="current")
    # Worst status the lead units reported (approved) in the latest period any of them did;
    # "not_reported" when nothing is approved yet.
    status = models.CharField("当前状态", max_length=16, default="not_reported")
    # The lowest percent in that period.
    percent = models.PositiveSmallIntegerField("完成百分比", null=True)
    # The earliest 阶段目标 not yet met by an approved report of a lead unit (NULL: none open).
    next_milestone = models.DateField("最早未完成阶段目标日期", null=True)
    lead_units = models.PositiveSmallIntegerField("牵头单位数", default=0)
    # Every lead unit has a report (submitted or approved) for this period or a later one;
    # NULL when some lead unit never reported (or there is none).
    reported_since = models.DateField("全部牵头单位已报送至", null=True)
    # Latest period in which a lead unit's report awaits review.
    pending_period = models.DateField("待审核报告周期", null=True)
    refreshed_at = models.DateTimeField("计算时间", auto_now=True)
    # Grows by one with every change to what the task's rows show: its status (this row), its text,
    # its links and its reports. Bumped by database triggers (migration 0012), never by application
    # code; the cached pages of a plan, unit or leader are keyed by the sum over their tasks.
    version = models.BigIntegerField("版本号", default=1, editable=False)
    # The task's plan, copied by database triggers (migration 0017) when the row is written and
    # when the task moves, never by application code: the home page reads every plan's version
    # (count and sum of `version`) from this table alone, without joining 19,000 tasks.
    plan = models.ForeignKey(
        Plan,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # only read whole, grouped; and without it SQLite drops the column in place
        null=True,
        editable=False,
        related_name="+",
        verbose_name="所属规划",
    )

    class Meta:
        verbose_name = "任务当前状态"
        verbose_name_plural = "任务当前状态"

    def __str__(self) -> str:
        return f"{self.task_id}: {self.status}"


class DataVersion(models.Model):
    """One row whose number grows with every write that can change many pages at once: plans,
    categories, projects, leaders, units and their names, and any deletion of tasks or of their
    links (migrations 0009 and 0012).

    Bumped by database triggers, not by application code, so no write path can forget it:
    services, importer, admin, bulk COPY, a hand-run SQL statement. Reports and status changes
    do not move it: they move their own task's TaskStatus.version, so a report expires only the
    pages that show that task (selectors.version). No row means no working triggers (a database
    without PL/pgSQL): the pages are then built fresh every time.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    number = models.BigIntegerField("版本号", default=0)
    # PostgreSQL: the transaction that last bumped it, so that a transaction of many statements
    # (an import, a bulk delete) bumps once instead of rewriting this row per statement.
    xact = models.BigIntegerField(null=True, editable=False)

    class Meta:
        verbose_name = "数据版本"
        verbose_name_plural = "数据版本"

    def __str__(self) -> str:
        return str(self.number)


def _attachment_path(instance: ReportAttachment, filename: str) -> str:
    # A random name: the original name is kept in the row, never used as a path.
    import uuid

    return f"attachments/{instance.report.period:%Y/%m}/{uuid.uuid4().hex}"


class ReportAttachment(models.Model):
    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="attachments", verbose_name="进展报告"
    )
    file = models.FileField("文件", upload_to=_attachment_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class UserProfile(models.Model):
    """Links an account to the units it reports for, or the leader it is."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name="用户"
    )
    units = models.ManyToManyField(Unit, blank=True, related_name="liaisons", verbose_name="所属单位")
    leader = models.ForeignKey(
        Leader, on_delete=models.SET_NULL, null=True, blank=True, related_name="accounts", verbose_name="对应领导"
    )

    class Meta:
        verbose_name = "用户资料"
        verbose_name_plural = "用户资料"

    def __str__(self) -> str:
        return str(self.user)
