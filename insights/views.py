"""Plan-chain pages. Views stay thin: parse the request, check the role on the
server, call selectors/services, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.audit import audit_download
from tasks.decorators import reader_required
from tasks.models import Plan, PlanKind, Task
from tasks.permissions import can_edit_tasks, require

from . import selectors, services
from .exports import comparison_xlsx
from .forms import ActualForm
from .models import Indicator, LinkState, TaskLink


def _crumbs(*items: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [("首页", reverse("tasks:dashboard")), ("规划关联与指标", reverse("insights:index")), *items]


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _plan_param(request: HttpRequest, name: str, kind: str, default: Plan | None) -> Plan | None:
    plan_id = _int(request.GET.get(name))
    if plan_id is None:
        return default
    plan = Plan.objects.filter(pk=plan_id, kind=kind).first()
    if plan is None:
        raise Http404("没有这个计划。")
    return plan


@reader_required
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "insights/index.html",
        {
            "annual_plans": list(selectors.annual_plans()),
            "five_year_plans": list(selectors.five_year_plans()),
            "can_edit": can_edit_tasks(request.user),
            "breadcrumbs": _crumbs(),
        },
    )


def _compared_plans(request: HttpRequest) -> tuple[list[Plan], Plan | None, Plan | None]:
    plans = list(selectors.annual_plans())
    default_new = plans[-1] if plans else None
    default_old = plans[-2] if len(plans) > 1 else None
    old = _plan_param(request, "old", PlanKind.ANNUAL, default_old)
    new = _plan_param(request, "new", PlanKind.ANNUAL, default_new)
    return plans, old, new


@reader_required
def compare(request: HttpRequest) -> HttpResponse:
    plans, old, new = _compared_plans(request)
    comparison = selectors.year_over_year_compare(old_plan=old, new_plan=new) if old and new and old != new else None
    return render(
        request,
        "insights/compare.html",
        {
            "plans": plans,
            "old": old,
            "new": new,
            "comparison": comparison,
            "group_labels": selectors.GROUP_LABELS,
            "groups": selectors.GROUPS,
            "breadcrumbs": _crumbs(("年度对比", None)),
        },
    )


@reader_required
def compare_xlsx(request: HttpRequest) -> HttpResponse:
    _, old, new = _compared_plans(request)
    if not (old and new and old != new):
        raise Http404("请选择两份不同的年度计划。")
    comparison = selectors.year_over_year_compare(old_plan=old, new_plan=new)
    response = HttpResponse(
        comparison_xlsx(comparison),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"compare-{old.year_start}-{new.year_start}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    audit_download(request, object_repr=name)
    return response


@reader_required
def suggestions(request: HttpRequest) -> HttpResponse:
    plans = list(selectors.annual_plans())
    plan = _plan_param(request, "plan", PlanKind.ANNUAL, plans[-1] if plans else None)
    state = request.GET.get("state") or LinkState.SUGGESTED
    if state not in LinkState.values and state not in (selectors.ABSTAINED, "all"):
        state = LinkState.SUGGESTED
    items = selectors.suggestions_for_review(annual_plan=plan, state=None if state == "all" else state) if plan else []
    return render(
        request,
        "insights/suggestions.html",
        {
            "plans": plans,
            "plan": plan,
            "state": state,
            "states": [*LinkState.choices, (selectors.ABSTAINED, "无对应五年规划任务"), ("all", "全部")],
            "items": items,
            "can_edit": can_edit_tasks(request.user),
            "breadcrumbs": _crumbs(("关联建议", None)),
        },
    )


@reader_required
@require_POST
def suggestions_refresh(request: HttpRequest) -> HttpResponse:
    require(can_edit_tasks(request.user), "只有督查室或系统管理员可以生成关联建议。")
    plan = get_object_or_404(Plan, pk=_int(request.POST.get("plan")), kind=PlanKind.ANNUAL)
    count = services.link_suggestions_refresh(annual_plan=plan)
    abstained = selectors.abstentions_count(annual_plan=plan)
    messages.success(request, f"已生成{count}条关联建议；{abstained}条年度任务无对应五年规划任务。")
    return redirect(f"{reverse('insights:suggestions')}?plan={plan.pk}")


@reader_required
@require_POST
def link_decide(request: HttpRequest, link_id: int) -> HttpResponse:
    require(can_edit_tasks(request.user), "只有督查室或系统管理员可以确认关联。")
    link = get_object_or_404(TaskLink.objects.select_related("annual_task"), pk=link_id)
    decision = request.POST.get("decision")
    if decision not in ("confirm", "reject"):
        return HttpResponse("无效的操作。", status=400)
    services.link_decide(user=request.user, link=link, confirm=decision == "confirm")
    messages.success(request, "已确认关联。" if decision == "confirm" else "已否决该建议。")
    back = request.POST.get("next") or ""
    if not back.startswith("/insights/"):
        back = f"{reverse('insights:suggestions')}?plan={link.annual_task.plan_id}"
    return redirect(back)


@reader_required
def chain(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.select_related("plan", "category"), pk=task_id)
    if task.plan.kind != PlanKind.FIVE_YEAR:
        raise Http404("只有五年规划任务有年度分解。")
    return render(
        request,
        "insights/chain.html",
        {
            "task": task,
            "years": selectors.five_year_task_chain(task=task),
            "indicators": selectors.indicators_list(task=task),
            "breadcrumbs": _crumbs((f"第{task.number}项 {task.title}", None)),
        },
    )


@reader_required
def gaps(request: HttpRequest) -> HttpResponse:
    five_year_plans = list(selectors.five_year_plans())
    plan = _plan_param(request, "plan", PlanKind.FIVE_YEAR, five_year_plans[-1] if five_year_plans else None)
    years = sorted(set(selectors.annual_plans().values_list("year_start", flat=True)))
    year = _int(request.GET.get("year")) or (years[-1] if years else None)
    rows = selectors.gaps(five_year_plan=plan, year=year) if plan and year else []
    return render(
        request,
        "insights/gaps.html",
        {
            "plans": five_year_plans,
            "plan": plan,
            "years": years,
            "year": year,
            "rows": rows,
            "breadcrumbs": _crumbs(("未覆盖的五年任务", None)),
        },
    )


@reader_required
def indicators(request: HttpRequest) -> HttpResponse:
    plans = list(Plan.objects.order_by("kind", "year_start"))
    plan_id = _int(request.GET.get("plan"))
    plan = next((p for p in plans if p.pk == plan_id), None)
    rows = selectors.indicators_list(plan=plan)
    return render(
        request,
        "insights/indicators.html",
        {
            "plans": plans,
            "plan": plan,
            "rows": rows,
            "can_edit": can_edit_tasks(request.user),
            "breadcrumbs": _crumbs(("量化指标", None)),
        },
    )


@reader_required
@require_POST
def indicators_extract(request: HttpRequest) -> HttpResponse:
    require(can_edit_tasks(request.user), "只有督查室或系统管理员可以提取指标。")
    plan = get_object_or_404(Plan, pk=_int(request.POST.get("plan")))
    count = services.indicators_extract(plan=plan)
    messages.success(request, f"从“{plan.title}”提取了{count}个新指标。")
    return redirect(f"{reverse('insights:indicators')}?plan={plan.pk}")


@reader_required
def indicator_detail(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator = get_object_or_404(Indicator.objects.select_related("task__plan"), pk=indicator_id)
    form = ActualForm(initial={"year": indicator.target_year})
    if request.method == "POST":
        require(can_edit_tasks(request.user), "只有督查室或系统管理员可以录入指标实际值。")
        form = ActualForm(request.POST)
        if form.is_valid():
            try:
                services.indicator_actual_record(
                    user=request.user,
                    indicator=indicator,
                    year=form.cleaned_data["year"],
                    value=form.cleaned_data["value"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "已录入实际值。")
                return redirect("insights:indicator", indicator_id=indicator.pk)
    actuals, row = selectors.indicator_detail(indicator)
    return render(
        request,
        "insights/indicator.html",
        {
            "indicator": indicator,
            "actuals": actuals,
            "status": row.status,
            "status_from_reports": row.status_from_reports,
            "reported": row.reported,
            "chart": selectors.indicator_chart(indicator, row.status_actuals),
            "form": form,
            "can_edit": can_edit_tasks(request.user),
            "breadcrumbs": _crumbs(("量化指标", reverse("insights:indicators")), (indicator.name, None)),
        },
    )
