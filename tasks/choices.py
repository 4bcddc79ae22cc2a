"""Every closed set of values of the plan domain, with its Chinese label.

Models, status rules, forms, filters, legends and the docs all take their values
and labels from here, so a value has one spelling and one label. It imports no
model, so the status rules and the querysets can use it without a cycle.
"""

from __future__ import annotations

from django.db import models


class PlanKind(models.TextChoices):
    FIVE_YEAR = "five_year", "五年规划"
    ANNUAL = "annual", "年度重点工作"


class ReportingPeriod(models.TextChoices):
    MONTHLY = "monthly", "按月"
    QUARTERLY = "quarterly", "按季度"


class DueRule(models.TextChoices):
    """How a plan's reporting deadline is counted (tasks.periods.period_deadline)."""

    DAY_OF_LAST_MONTH = "day", "期末月的第N日"
    WORKDAYS_AFTER = "workdays_after", "期满后第N个工作日"


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", "区级部门"
    TOWN = "town", "镇"
    STREET = "street", "街道"
    COMPANY = "company", "企业/集团"
    GROUP = "group", "泛指（相关/各单位）"
    OTHER = "other", "其他"


class TaskState(models.TextChoices):
    ACTIVE = "active", "有效"
    WITHDRAWN = "withdrawn", "已撤销"


class UnitRole(models.TextChoices):
    LEAD = "lead", "牵头"
    SUPPORT = "support", "配合"


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started", "未启动"
    IN_PROGRESS = "in_progress", "推进中"
    DONE = "done", "已完成"
    BEHIND = "behind", "滞后"
    ONGOING = "ongoing", "持续推进"


class ReviewState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送待审核"
    APPROVED = "approved", "已审核"
    RETURNED = "returned", "已退回"


class Role(models.TextChoices):
    """Django group names; a user's role is the group they are in."""

    ADMIN = "系统管理员", "系统管理员"
    # 三员分立: accounts, roles and units; and the audit log only (accounts app).
    SECURITY = "安全管理员", "安全管理员"
    AUDITOR = "审计管理员", "审计管理员"
    OFFICE = "督查室", "督查室"
    LIAISON = "单位联络员", "单位联络员"
    LEADER = "区领导", "区领导"


class CurrentStatus(models.TextChoices):
    """A task's current status as stored (models.TaskStatus.status) and shown.

    The progress statuses a report can state, worst first (the worst status of a
    period speaks for the task), then NOT_REPORTED (nothing approved yet); PENDING
    is shown, never stored: reported this period, nothing approved yet.
    """

    BEHIND = ProgressStatus.BEHIND.value, ProgressStatus.BEHIND.label
    NOT_STARTED = ProgressStatus.NOT_STARTED.value, ProgressStatus.NOT_STARTED.label
    IN_PROGRESS = ProgressStatus.IN_PROGRESS.value, ProgressStatus.IN_PROGRESS.label
    ONGOING = ProgressStatus.ONGOING.value, ProgressStatus.ONGOING.label
    DONE = ProgressStatus.DONE.value, ProgressStatus.DONE.label
    NOT_REPORTED = "not_reported", "未报送"
    PENDING = "pending", "待审核"


# Worst first: the order in which a period's statuses are ranked (CurrentStatus's own order).
STATUS_WORST_FIRST: tuple[str, ...] = tuple(s for s in CurrentStatus.values if s in ProgressStatus.values)


class Light(models.TextChoices):
    """三色预警 (grey: 进展不明, never green). When each applies: tasks.status.rule.LIGHT_RULES."""

    RED = "red", "逾期或滞后"
    YELLOW = "yellow", "临近截止或进度偏慢"
    GREEN = "green", "正常推进"
    GREY = "grey", "进展不明"


# The review states a summary counts (approved), and those in which the unit has done its part.
COUNTED_REVIEW_STATES: tuple[str, ...] = (ReviewState.APPROVED.value,)
REPORTED_REVIEW_STATES: tuple[str, ...] = (ReviewState.SUBMITTED.value, ReviewState.APPROVED.value)
