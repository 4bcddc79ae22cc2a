"""Writes for plan chains and indicators. Every user-facing write checks the
role here, on the server, whatever the page showed."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tasks.models import Plan, PlanKind, Task
from tasks.permissions import can_edit_tasks, require

from .models import Indicator, IndicatorActual, LinkState, TaskLink
from .similarity import TfidfModel, rank
from .targets import extract_targets

SUGGESTIONS_PER_ITEM = 3
# Below this cosine a "suggestion" is noise; the office would only reject it.
MIN_SUGGESTION_SCORE = 0.05


def five_year_plan_for(*, annual_plan: Plan) -> Plan | None:
    """The five-year plan an annual plan implements: the one covering its year,
    else the latest one that started before it (a 2026 plan before the 15th is imported)."""
    year = annual_plan.year_start
    plans = Plan.objects.filter(kind=PlanKind.FIVE_YEAR)
    return (
        plans.filter(year_start__lte=year, year_end__gte=year).order_by("-year_start").first()
        or plans.filter(year_start__lte=year).order_by("-year_end").first()
    )


def link_suggestions_refresh(*, annual_plan: Plan, five_year_plan: Plan | None = None) -> int:
    """Recompute suggested links for every item of `annual_plan`: the top three
    five-year tasks by text similarity. Confirmed and rejected decisions stay;
    a rejected pair is never suggested again. Returns the number of suggestions."""
    if annual_plan.kind != PlanKind.ANNUAL:
        raise ValidationError("只能为年度重点工作生成关联建议。")
    five_year_plan = five_year_plan or five_year_plan_for(annual_plan=annual_plan)
    if five_year_plan is None:
        return 0
    annual = list(Task.objects.filter(plan=annual_plan).only("pk", "text"))
    targets = list(Task.objects.filter(plan=five_year_plan).only("pk", "text"))
    model = TfidfModel([t.text for t in annual] + [t.text for t in targets])
    candidates = [(t.pk, model.vector(t.text)) for t in targets]
    with transaction.atomic():
        existing = {
            (link.annual_task_id, link.five_year_task_id): link
            for link in TaskLink.objects.filter(annual_task__plan=annual_plan, five_year_task__plan=five_year_plan)
        }
        TaskLink.objects.filter(
            annual_task__plan=annual_plan, five_year_task__plan=five_year_plan, state=LinkState.SUGGESTED
        ).delete()
        fresh, updated = [], []
        for item in annual:
            for position, (target_id, score) in enumerate(
                rank(model.vector(item.text), candidates, top=SUGGESTIONS_PER_ITEM), start=1
            ):
                if score < MIN_SUGGESTION_SCORE:
                    break
                decided = existing.get((item.pk, target_id))
                if decided is not None and decided.state != LinkState.SUGGESTED:
                    decided.score, decided.rank = round(score, 4), position
                    updated.append(decided)
                    continue
                fresh.append(
                    TaskLink(annual_task=item, five_year_task_id=target_id, score=round(score, 4), rank=position)
                )
        TaskLink.objects.bulk_create(fresh)
        if updated:
            TaskLink.objects.bulk_update(updated, ["score", "rank"])
    return len(fresh)


def link_decide(*, user: Any, link: TaskLink, confirm: bool) -> TaskLink:
    require(can_edit_tasks(user), "只有督查室或系统管理员可以确认关联。")
    link.state = LinkState.CONFIRMED if confirm else LinkState.REJECTED
    link.decided_by = user
    link.decided_at = timezone.now()
    link.save(update_fields=["state", "decided_by", "decided_at"])
    return link


def link_confirm_pair(*, user: Any, annual_task: Task, five_year_task: Task) -> TaskLink:
    """The office links an item to a task the suggestions missed."""
    require(can_edit_tasks(user), "只有督查室或系统管理员可以确认关联。")
    if annual_task.plan.kind != PlanKind.ANNUAL or five_year_task.plan.kind != PlanKind.FIVE_YEAR:
        raise ValidationError("关联须从年度任务指向五年规划任务。")
    link, _ = TaskLink.objects.get_or_create(annual_task=annual_task, five_year_task=five_year_task)
    return link_decide(user=user, link=link, confirm=True)


def indicators_extract(*, plan: Plan) -> int:
    """Create an indicator for each quantified target stated in the plan's tasks.
    Existing indicators (perhaps corrected by hand) are kept. Returns the number created."""
    have = set(Indicator.objects.filter(task__plan=plan).values_list("task_id", "name", "target_value", "unit"))
    fresh = []
    for task in Task.objects.filter(plan=plan).only("pk", "text"):
        for target in extract_targets(task.text, default_year=plan.year_end):
            key = (task.pk, target.name[:200], target.value, target.unit)
            if key in have:
                continue
            have.add(key)
            fresh.append(
                Indicator(
                    task=task,
                    name=target.name[:200],
                    target_value=target.value,
                    unit=target.unit,
                    direction=target.direction,
                    target_year=target.year,
                    cumulative=target.cumulative,
                    baseline=Decimal(0) if target.cumulative else None,
                    baseline_year=plan.year_start - 1 if target.cumulative else None,
                    source_text=target.source_text,
                )
            )
    Indicator.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def indicator_actual_record(*, user: Any, indicator: Indicator, year: int, value: Any) -> IndicatorActual:
    require(can_edit_tasks(user), "只有督查室或系统管理员可以录入指标实际值。")
    try:
        value = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"value": "请输入数字。"}) from exc
    if not value.is_finite():
        raise ValidationError({"value": "请输入数字。"})
    if not 1990 <= int(year) <= 2100:
        raise ValidationError({"year": "年份超出范围。"})
    actual, _ = IndicatorActual.objects.update_or_create(
        indicator=indicator, year=int(year), defaults={"value": value, "recorded_by": user}
    )
    return actual
