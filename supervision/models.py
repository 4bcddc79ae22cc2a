"""督办: chasing (催办), leaders' instructions (批示) and when each person last opened 我的待办.

A chase is pressed for one unit and covers one or more of its tasks (a task page: one task;
a unit's row on the office's to-do page: every task it has not reported). Each covered task
is a ChaseItem with the day it was chased: the database allows one per task, unit and day,
which is the rate limit even when two offices press at once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tasks.models import Leader, Task, Unit


class Chase(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="chases", verbose_name="被催办单位")
    note = models.TextField("催办意见", blank=True)
    reply_by = models.DateField("答复期限", null=True, blank=True)
    day = models.DateField("催办日期")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="催办人"
    )
    created_at = models.DateTimeField("催办时间", default=timezone.now)
    reply_text = models.TextField("答复", blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="答复人",
    )
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    # Not fields: the chase's items with their tasks, and its 督办单's id and number (None and ""
    # without one), set by supervision.selectors for the to-do page.
    item_list: list[ChaseItem]
    slip_id: int | None
    slip_number: str

    class Meta:
        verbose_name = "催办"
        verbose_name_plural = "催办"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["unit", "replied_at"], name="chase_unit_open")]

    def __str__(self) -> str:
        return f"催办{self.unit}（{self.day:%Y-%m-%d}）"


class ChaseItem(models.Model):
    chase = models.ForeignKey(Chase, on_delete=models.CASCADE, related_name="items", verbose_name="催办")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="chase_items", verbose_name="任务")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    day = models.DateField("催办日期")
    # The task's reporting period when chased: the unit's report for it settles the item.
    period = models.DateField("报送周期")

    class Meta:
        verbose_name = "催办任务"
        verbose_name_plural = "催办任务"
        constraints = [
            models.UniqueConstraint(fields=["task", "unit", "day"], name="chase_once_per_task_unit_day"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}/{self.unit_id}/{self.day}"


class Instruction(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="instructions", verbose_name="任务")
    leader = models.ForeignKey(Leader, on_delete=models.PROTECT, related_name="instructions", verbose_name="批示领导")
    text = models.TextField("批示内容")
    # 代录: the office wrote it down on the leader's behalf.
    on_behalf = models.BooleanField("代录", default=False)
    # 表扬: the leader praises the units' work; 考评 adds its bonus to the task's units.
    praise = models.BooleanField("表扬", default=False)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("批示时间", default=timezone.now)

    class Meta:
        verbose_name = "领导批示"
        verbose_name_plural = "领导批示"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.leader}批示（{self.task}）"


class InstructionReply(models.Model):
    """落实情况: one lead unit's account of how it carried out an instruction."""

    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, related_name="replies", verbose_name="批示")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    text = models.TextField("落实情况")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="填写人"
    )
    created_at = models.DateTimeField("填写时间", default=timezone.now)
    # The progress report it was submitted with (empty: written on the task page's panel). While
    # that report can still be revised, the unit revises its 落实情况 on the same form.
    report = models.ForeignKey(
        "tasks.ProgressReport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="instruction_replies",
        verbose_name="随进展报告报送",
    )

    class Meta:
        verbose_name = "批示落实情况"
        verbose_name_plural = "批示落实情况"
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["instruction", "unit"], name="instruction_reply_once_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.unit}落实情况"


class TodoVisit(models.Model):
    """When the person last opened 我的待办 (a leader's "reports since my last visit")."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="todo_visit", verbose_name="用户"
    )
    seen_at = models.DateTimeField("上次查看时间")

    class Meta:
        verbose_name = "待办查看记录"
        verbose_name_plural = "待办查看记录"

    def __str__(self) -> str:
        return f"{self.user}：{self.seen_at}"


class ExtensionState(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已同意"
    REFUSED = "refused", "未同意"


class ExtensionRequest(models.Model):
    """申请延期: a lead unit asks for a later due date; the office approves (with the date it
    grants) or refuses (with a reason). The task's due date changes only on approval, through
    tasks.services.task_due_date_set (its history); the date before is kept here."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="extension_requests", verbose_name="任务")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="申请单位")
    original_due_date = models.DateField("原截止日期", null=True, blank=True)
    requested_date = models.DateField("申请延至")
    reason = models.TextField("申请理由")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    state = models.CharField("状态", max_length=16, choices=ExtensionState.choices, default=ExtensionState.PENDING)
    granted_date = models.DateField("批准延至", null=True, blank=True)
    decision_reason = models.TextField("审批意见", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审批人",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One open request per task and unit at a time.
            models.UniqueConstraint(
                fields=["task", "unit"],
                condition=models.Q(state="pending"),
                name="extension_one_pending_per_task_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit}申请延期至{self.requested_date:%Y-%m-%d}"


class Acknowledgement(models.Model):
    """签收: a unit's liaison acknowledges, in one action, every task of a plan newly assigned to
    the unit (lead) and not yet acknowledged; each covered task is an AcknowledgedTask."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    plan = models.ForeignKey("tasks.Plan", on_delete=models.CASCADE, related_name="+", verbose_name="规划")
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="签收人"
    )
    acknowledged_at = models.DateTimeField("签收时间", default=timezone.now)
    task_count = models.PositiveIntegerField("签收任务数")

    class Meta:
        verbose_name = "签收"
        verbose_name_plural = "签收"
        ordering = ["-acknowledged_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.unit}签收{self.task_count}项"


class AcknowledgedTask(models.Model):
    acknowledgement = models.ForeignKey(
        Acknowledgement, on_delete=models.CASCADE, related_name="items", verbose_name="签收"
    )
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+", verbose_name="任务")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="单位")

    class Meta:
        verbose_name = "已签收任务"
        verbose_name_plural = "已签收任务"
        constraints = [models.UniqueConstraint(fields=["task", "unit"], name="acknowledged_once_per_task_unit")]

    def __str__(self) -> str:
        return f"{self.task_id}/{self.unit_id}"
