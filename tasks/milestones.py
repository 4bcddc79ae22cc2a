"""阶段目标 (milestones) of a task: set, removed, listed. Whether one is met is the reports' say
(ProgressReport.milestones_met, counted when approved); the stored status keeps the earliest one
still open (tasks.status.stored), which the light rule compares with today."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from minhang_plans.compiled import compiled_rows

from .choices import COUNTED_REVIEW_STATES
from .models import Milestone, ProgressReport, Task
from .permissions import can_set_milestones, require_user
from .status.stored import task_status_refresh

TARGET_MAX = 300


def milestone_add(*, user: User | AnonymousUser, task: Task, due_date: dt.date | None, target: str) -> Milestone:
    """A new stage target; refused in Chinese when its date or text does not fit the task."""
    author = require_user(user, can_set_milestones(user, task), "只有督查室或该任务牵头单位的联络员可以设定阶段目标。")
    target = target.strip()
    if not target:
        raise ValidationError({"target": "请填写阶段目标。"})
    if len(target) > TARGET_MAX:
        raise ValidationError({"target": f"阶段目标不能超过 {TARGET_MAX} 字。"})
    if due_date is None:
        raise ValidationError({"due_date": "请填写完成日期（格式：2025-06-30）。"})
    if task.due_date and due_date > task.due_date:
        raise ValidationError({"due_date": f"阶段目标的完成日期不能晚于任务的截止日期（{task.due_date:%Y-%m-%d}）。"})
    if not task.plan.year_start <= due_date.year <= task.plan.year_end:
        raise ValidationError({"due_date": f"阶段目标的完成日期须在规划年度（{task.plan.years_label}）之内。"})
    with transaction.atomic():
        milestone = Milestone.objects.create(task=task, due_date=due_date, target=target, created_by=author)
        task_status_refresh(task_ids=[task.pk])
    return milestone


def milestone_remove(*, user: User | AnonymousUser, milestone: Milestone) -> None:
    """Remove a stage target no approved report has met yet."""
    require_user(user, can_set_milestones(user, milestone.task), "只有督查室或该任务牵头单位的联络员可以修改阶段目标。")
    with transaction.atomic():
        if ProgressReport.objects.filter(milestones_met=milestone, review_state__in=COUNTED_REVIEW_STATES).exists():
            raise ValidationError("该阶段目标已由审核通过的报告确认完成，不能删除。")
        task_id = milestone.task_id
        milestone.delete()
        task_status_refresh(task_ids=[task_id])


@dataclass(frozen=True)
class MilestoneRow:
    pk: int
    due_date: dt.date
    target: str
    met: bool  # an approved report of a lead unit says so
    overdue: bool  # due before today and not met


def milestone_rows(*, task: Task, today: dt.date) -> list[MilestoneRow]:
    """The task's stage targets in date order, each with whether it is met or overdue (one query)."""

    def build(task_id: int) -> QuerySet[Milestone]:
        approved = ProgressReport.objects.filter(
            milestones_met=OuterRef("pk"), task_id=OuterRef("task_id"), review_state__in=COUNTED_REVIEW_STATES
        )
        return Milestone.objects.filter(task=task_id).annotate(met=Exists(approved)).order_by("due_date", "pk")

    # On every report form and its POST: compiled once (minhang_plans.compiled), the task its parameter.
    rows: list[Any] = compiled_rows(key="milestone_rows", build=build, ids={"task_id": task.pk})
    return [
        MilestoneRow(pk=m.pk, due_date=m.due_date, target=m.target, met=m.met, overdue=not m.met and m.due_date < today)
        for m in rows
    ]
