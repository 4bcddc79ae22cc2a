"""What the office issues: numbered bulletins (督查通报), supervision slips (督办单), and the
Word templates the bulletins are rendered from. Issued files are stored as issued, in the
database like imported files, so every app server can hand them out and a number always
names the same document."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tasks.models import Leader, Plan, Task, Unit


class DocumentCounter(models.Model):
    """The last number given out per kind of document and year (期号, 督办单号).

    Numbers come from here under a row lock, never from MAX()+1, so two clerks issuing at the
    same moment get two numbers, and a deleted document's number is not given out again."""

    kind = models.CharField("文件种类", max_length=16)
    year = models.PositiveSmallIntegerField("年度")
    last = models.PositiveIntegerField("已用到", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "文件编号"
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="documents_counter_kind_year")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}年：已用到{self.last}"

    def get_kind_display(self) -> str:
        return {"bulletin": "督查通报", "slip": "督办单"}.get(self.kind, self.kind)


class BulletinTemplate(models.Model):
    """A Word template (.docx with docxtpl placeholders) the office uploaded.

    At most one is active; with none active the built-in default is used."""

    name = models.CharField("文件名", max_length=200)
    content = models.BinaryField("模板文件")
    size = models.PositiveIntegerField("大小（字节）")
    is_active = models.BooleanField("正在使用", default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "督查通报模板"
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="documents_one_active")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{'使用中' if self.is_active else '未使用'}）"


class BulletinScope(models.TextChoices):
    PLAN = "plan", "规划"
    UNIT = "unit", "单位"
    LEADER = "leader", "区领导"
    DISTRICT = "district", "全区"


class BulletinIssue(models.Model):
    """One numbered 督查通报: 第N期 of its year, for a scope and a reporting period."""

    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveIntegerField("期号")
    scope = models.CharField("范围", max_length=16, choices=BulletinScope.choices)
    plan = models.ForeignKey(Plan, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="规划")
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="单位")
    leader = models.ForeignKey(Leader, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="区领导")
    scope_label = models.CharField("范围说明", max_length=300)
    period = models.DateField("统计周期（首日）")
    period_label = models.CharField("统计周期", max_length=50)
    as_of = models.DateField("统计截至")
    title = models.CharField("标题", max_length=300)
    template = models.ForeignKey(
        BulletinTemplate, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="所用模板"
    )
    template_name = models.CharField("所用模板名称", max_length=200)
    docx = models.BinaryField("Word 文件")
    pdf = models.BinaryField("PDF 文件", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="印发人"
    )
    created_at = models.DateTimeField("印发时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "督查通报"
        ordering = ["-year", "-number"]
        constraints = [models.UniqueConstraint(fields=["year", "number"], name="documents_bulletin_number")]

    def __str__(self) -> str:
        return f"督查通报{self.year}年第{self.number}期"


class SlipKind(models.TextChoices):
    TASK = "task", "单项任务"
    UNIT_OVERDUE = "unit_overdue", "单位逾期任务"
    # A 催办 of a unit's tasks not reported this period (supervision.services.chase_unit).
    UNIT_SILENT = "unit_silent", "单位未报送任务"


class SlipSource(models.TextChoices):
    OFFICE = "office", "督查室直接生成"
    CHASE = "chase", "催办"


class SupervisionSlip(models.Model):
    """One 督办单 (一事一单): a task, or a unit's overdue tasks, with its own number; made by the
    office on the task or unit page, or with a 催办 (then `chase` is that chase and `tasks` are
    exactly the chased tasks)."""

    year = models.PositiveSmallIntegerField("年度")
    sequence = models.PositiveIntegerField("序号")
    number = models.CharField("督办单号", max_length=50, unique=True)
    kind = models.CharField("督办类型", max_length=16, choices=SlipKind.choices)
    source = models.CharField("来源", max_length=16, choices=SlipSource.choices, default=SlipSource.OFFICE)
    task = models.ForeignKey(
        Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="slips", verbose_name="任务"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="slips", verbose_name="承办单位"
    )
    tasks = models.ManyToManyField(Task, blank=True, related_name="listed_in_slips", verbose_name="涉及任务")
    # The 催办 it was generated with (one slip per chase). SET_NULL: an issued slip is kept.
    chase = models.OneToOneField(
        "supervision.Chase",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="slip",
        verbose_name="催办",
    )
    unit_name = models.CharField("承办单位名称", max_length=300)
    subject = models.TextField("督办事项")
    requirement = models.TextField("督办要求")
    reply_by = models.DateField("反馈期限")
    docx = models.BinaryField("Word 文件")
    pdf = models.BinaryField("PDF 文件", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="督办人"
    )
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "督办单"
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["year", "sequence"], name="documents_slip_sequence")]

    def __str__(self) -> str:
        return self.number
