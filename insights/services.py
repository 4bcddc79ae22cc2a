"""Writes for plan chains and indicators. Every user-facing write checks the
role here, on the server, whatever the page showed."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import Action, audit_record
from tasks.models import Plan, PlanKind, Task
from tasks.permissions import can_edit_tasks, require

from . import selectors
from .linkmodel import Linker, Params
from .matching import NO_SYNONYMS, Matcher, Synonyms
from .models import Indicator, IndicatorActual, LinkAbstention, LinkState, TaskLink
from .targets import extract_targets

SUGGESTIONS_PER_ITEM = 3


def _editor(user: User | AnonymousUser, message: str) -> User:
    """The user, who may edit links and indicators (督查室, 系统管理员): the signed-in account
    the decision or value records."""
    require(can_edit_tasks(user), message)
    if not isinstance(user, User):
        raise PermissionDenied(message)
    return user


def five_year_plan_for(*, annual_plan: Plan) -> Plan | None:
    """The five-year plan an annual plan implements: the same district's plan covering
    its year, else its latest one that started before it (a 2026 plan before the 15th is imported)."""
    year = annual_plan.year_start
    plans = Plan.objects.filter(kind=PlanKind.FIVE_YEAR, district=annual_plan.district)
    return (
        plans.filter(year_start__lte=year, year_end__gte=year).order_by("-year_start").first()
        or plans.filter(year_start__lte=year).order_by("-year_end").first()
    )


def link_suggestions_refresh(
    *, annual_plan: Plan, five_year_plan: Plan | None = None, params: Params | None = None
) -> int:
    """Recompute suggested links for every item of `annual_plan`: up to three
    five-year tasks, best first (insights.linkmodel). When the model judges the item
    to have no link, or every task is decided, and the item has no confirmed link,
    the item gets an abstention instead (无对应五年规划任务). The office's decisions stay as
    they are: a confirmed or rejected pair is never suggested again. Returns the
    number of suggestions."""
    if annual_plan.kind != PlanKind.ANNUAL:
        raise ValidationError("只能为年度重点工作生成关联建议。")
    five_year_plan = five_year_plan or five_year_plan_for(annual_plan=annual_plan)
    if five_year_plan is None:
        return 0
    params = params or Params.load()
    items = selectors.match_documents(plan=annual_plan)
    tasks = selectors.match_documents(plan=five_year_plan)
    if not items or not tasks:
        return 0
    linker = Linker(Matcher(items, tasks, synonyms=Synonyms.load() if params.synonyms else NO_SYNONYMS), params)
    with transaction.atomic():
        pairs = TaskLink.objects.filter(annual_task__plan=annual_plan, five_year_task__plan=five_year_plan)
        decided: dict[int, dict[int, str]] = {}
        for annual_id, target_id, state in pairs.exclude(state=LinkState.SUGGESTED).values_list(
            "annual_task_id", "five_year_task_id", "state"
        ):
            decided.setdefault(annual_id, {})[target_id] = state
        pairs.filter(state=LinkState.SUGGESTED).delete()
        LinkAbstention.objects.filter(annual_task__plan=annual_plan, five_year_plan=five_year_plan).delete()
        fresh: list[TaskLink] = []
        abstentions: list[LinkAbstention] = []
        for index, item in enumerate(items):
            mine = decided.get(item.key, {})
            ranked = linker.rank(index, top=SUGGESTIONS_PER_ITEM + len(mine))
            open_ = [(position, key, score) for position, (key, score) in enumerate(ranked, 1) if key not in mine]
            open_ = open_[:SUGGESTIONS_PER_ITEM]
            if not open_ or linker.abstains(index):
                if LinkState.CONFIRMED not in mine.values():
                    best = open_[0][2] if open_ else 0.0
                    abstentions.append(
                        LinkAbstention(
                            annual_task_id=item.key, five_year_plan=five_year_plan, best_score=round(best, 4)
                        )
                    )
                continue
            fresh.extend(
                TaskLink(annual_task_id=item.key, five_year_task_id=key, score=round(score, 4), rank=position)
                for position, key, score in open_
            )
        TaskLink.objects.bulk_create(fresh)
        LinkAbstention.objects.bulk_create(abstentions)
    return len(fresh)


def link_decide(*, user: User | AnonymousUser, link: TaskLink, confirm: bool) -> TaskLink:
    editor = _editor(user, "只有督查室或系统管理员可以确认关联。")
    link.state = LinkState.CONFIRMED if confirm else LinkState.REJECTED
    link.decided_by = editor
    link.decided_at = timezone.now()
    with transaction.atomic():
        link.save(update_fields=["state", "decided_by", "decided_at"])
        if confirm:  # the item has a five-year task now
            LinkAbstention.objects.filter(
                annual_task_id=link.annual_task_id, five_year_plan_id=link.five_year_task.plan_id
            ).delete()
        audit_record(
            action=Action.REVIEW,
            user=editor,
            object_repr=f"关联：年度任务{link.annual_task_id} → 五年规划任务{link.five_year_task_id}",
            detail={"link": link.pk, "decision": "confirm" if confirm else "reject"},
        )
    return link


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


def indicator_actual_record(
    *, user: User | AnonymousUser, indicator: Indicator, year: int, value: Decimal | int | str
) -> IndicatorActual:
    editor = _editor(user, "只有督查室或系统管理员可以录入指标实际值。")
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"value": "请输入数字。"}) from exc
    if not number.is_finite():
        raise ValidationError({"value": "请输入数字。"})
    if not 1990 <= int(year) <= 2100:
        raise ValidationError({"year": "年份超出范围。"})
    actual, _ = IndicatorActual.objects.update_or_create(
        indicator=indicator, year=int(year), defaults={"value": number, "recorded_by": editor}
    )
    return actual
