"""The reading pages: dashboard, plan and category, units, leaders. Parse, call a selector, render."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from assessment.selectors import leader_scores
from minhang_plans.params import ascii_int
from trends.selectors import leader_cockpit, leader_get_for, trend_of_district

from .. import permissions, selectors
from ..decorators import reader_required
from ..models import Role
from ..selectors.version import Scope, scope_version
from ..status.clock import Clock
from ..status.rule import light_legend, light_legend_steps
from .caching import crumbs, lazy, page_key


def _int_param(value: str) -> int | None:
    return ascii_int(value, max_digits=9)


@reader_required
def dashboard(request: HttpRequest) -> HttpResponse:
    clock = Clock.now()
    district = request.GET.get("district") or None
    # The page's key and the plans' kept counts share one read of the version (selectors.version).
    version = scope_version(scope=Scope.everything())
    number = version[0] if version else None
    board = lazy(lambda: selectors.dashboard_overview(clock=clock, district=district, data_number=number))
    return render(
        request,
        "tasks/dashboard.html",
        {
            "board": board,
            # The district's trends over the last 12 periods (trends app: one query over the snapshots).
            "trend": lazy(lambda: trend_of_district(district=board.district or "", clock=clock)),
            "page_key": page_key(clock, Scope.everything(), district, version=version),
            "section": "home",
            "legend": light_legend(),
            "legend_steps": light_legend_steps(),
        },
    )


@reader_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    clock = Clock.now()
    plan = selectors.plan_get(plan_id=plan_id)
    if plan.closed_at:  # type: ignore[attr-defined]  # annotated by plan_get
        # A closed year shows its final states and figures, not lights (yearend app).
        return redirect("yearend:plan", plan_id=plan.pk)
    blocks = lazy(lambda: selectors.plan_tree(plan=plan, clock=clock))
    return render(
        request,
        "tasks/plan_detail.html",
        {
            "plan": plan,
            "blocks": blocks,
            # The 各类别任务状态 chart: the same category rows as the table above it.
            "categories": lazy(lambda: [block.category for block in blocks]),
            "category": None,
            "page_key": page_key(clock, Scope.plan(plan.pk)),
            "section": "plans",
            "breadcrumbs": crumbs((plan.title, None)),
        },
    )


@reader_required
def category_detail(request: HttpRequest, plan_id: int, category_id: int) -> HttpResponse:
    clock = Clock.now()
    plan = selectors.plan_get(plan_id=plan_id)
    if plan.closed_at:  # type: ignore[attr-defined]  # annotated by plan_get
        return redirect("yearend:plan", plan_id=plan.pk)
    category = selectors.category_get(plan=plan, category_id=category_id)
    return render(
        request,
        "tasks/plan_detail.html",
        {
            "plan": plan,
            "blocks": lazy(lambda: selectors.plan_tree(plan=plan, category_id=category_id, clock=clock)),
            "category": category,
            "page_key": page_key(clock, Scope.plan(plan.pk), category.pk),
            "section": "plans",
            "breadcrumbs": crumbs((plan.title, reverse("tasks:plan", args=[plan.pk])), (str(category), None)),
        },
    )


@reader_required
def unit_index(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind") or None
    if kind not in selectors.UNIT_KIND_FILTERS:
        kind = None
    order = request.GET.get("order") or "led"
    if order not in selectors.UNIT_SORTS:
        order = "led"
    # One plan's figures (the dashboard's silent-unit list links here with its plan).
    plan_id = _int_param(request.GET.get("plan", ""))
    plan = lazy(lambda: selectors.plan_find(plan_id=plan_id))
    clock = Clock.now()
    return render(
        request,
        "tasks/unit_index.html",
        {
            # An unknown plan id is ignored, not an empty list.
            "rows": lazy(
                lambda: selectors.unit_summary_list(
                    kind=kind, order=order, plan_id=plan.pk if plan else None, clock=clock
                )
            ),
            "plan": plan,
            "page_key": page_key(clock, Scope.everything(), kind, order, plan_id),
            "kind": kind,
            "order": order,
            "kinds": selectors.UNIT_KIND_FILTERS,
            "sorts": selectors.UNIT_SORTS,
            "section": "units",
            "breadcrumbs": crumbs(("单位", None)),
        },
    )


@reader_required
def unit_by_name(request: HttpRequest, name: str) -> HttpResponse:
    """A unit by any of its names: 区发改委 and 区发展改革委 lead to the same page."""
    unit = selectors.unit_resolve(name=name)
    if unit is None:
        raise Http404("没有这个单位。")
    return redirect("tasks:unit", unit_id=unit.pk)


def _unit_context(request: HttpRequest, unit_id: int, clock: Clock) -> dict[str, object]:
    unit = selectors.unit_get(unit_id=unit_id)
    return {
        "unit": unit,
        "aliases": [a.name for a in unit.aliases.all()],
        "page": lazy(lambda: selectors.UnitTasks(tasks=selectors.unit_task_list(unit=unit, clock=clock))),
        "summary": lazy(lambda: selectors.unit_summary(unit=unit, clock=clock)),
        "today": clock.today,
        "section": "units",
        "breadcrumbs": crumbs(("单位", reverse("tasks:unit_index")), (unit.name, None)),
    }


@reader_required
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    clock = Clock.now()
    context = _unit_context(request, unit_id, clock)
    unit_pk = unit_id
    context["page_key"] = page_key(clock, Scope.unit(unit_pk))
    # The unit's own liaisons also see what waits for them (outside the shared cached fragment).
    user = request.user
    if permissions.user_role(user) == Role.LIAISON and unit_pk in permissions.user_unit_ids(user):
        context["to_fix"] = selectors.unit_reports_to_fix(unit=context["unit"], clock=clock)  # type: ignore[arg-type]
    return render(request, "tasks/unit_detail.html", context)


@reader_required
def unit_print(request: HttpRequest, unit_id: int) -> HttpResponse:
    # Not cached: a print is rare and needs no data version.
    return render(request, "tasks/unit_print.html", _unit_context(request, unit_id, Clock.now()))


@reader_required
def leader_index(request: HttpRequest) -> HttpResponse:
    order = request.GET.get("order") or "led"
    if order not in selectors.LEADER_SORTS:
        order = "led"
    clock = Clock.now()
    return render(
        request,
        "tasks/leader_index.html",
        {
            "rows": lazy(lambda: selectors.leader_summary_list(order=order, clock=clock)),
            "page_key": page_key(clock, Scope.everything(), order),
            "order": order,
            "sorts": selectors.LEADER_SORTS,
            "section": "leaders",
            "breadcrumbs": crumbs(("牵头领导", None)),
        },
    )


@reader_required
def leader_detail(request: HttpRequest, leader_id: int) -> HttpResponse:
    clock = Clock.now()
    # The cockpit's one-tap actions from a task: 批示 for the leader whose page it is, 催办 for the office.
    leader, own_page, version = leader_get_for(leader_id=leader_id, user_id=request.user.pk)
    may_instruct = own_page and permissions.user_role(request.user) == Role.LEADER
    may_chase = permissions.can_chase(request.user)
    # After a report, only the reported task's row and links are read again (selectors.row_reuse).
    reuse = selectors.leader_rows_reuse(leader=leader, clock=clock, shared=version[0] if version else None)
    tasks = lazy(lambda: selectors.leader_task_list(leader=leader, clock=clock, reuse=reuse))
    return render(
        request,
        "tasks/leader_detail.html",
        {
            "leader": leader,
            "tasks": tasks,
            "active_count": lazy(lambda: sum(1 for t in tasks if not t.withdrawn)),
            "plans": lazy(lambda: list(dict.fromkeys((t.plan_id, t.plan_title) for t in tasks))),
            # 领导驾驶舱 (trends): figures by light (from the rows), units, final states, trends, drill-down.
            "cockpit": lazy(lambda: leader_cockpit(leader=leader, tasks=tasks, clock=clock, reuse=reuse)),
            # 考评: their units' published scores over the last 12 months (one query).
            "cockpit_scores": lazy(lambda: leader_scores(leader_id=leader.pk, clock=clock)),
            "may_instruct": may_instruct,
            "may_chase": may_chase,
            "page_key": page_key(clock, Scope.leader(leader.pk), may_instruct, may_chase, version=version),
            "section": "leaders",
            "breadcrumbs": crumbs(("牵头领导", reverse("tasks:leader_index")), (leader.name, None)),
        },
    )


@reader_required
def landing(request: HttpRequest) -> HttpResponse:
    """After login every role lands on 我的待办 (supervision), which links on to their pages."""
    return redirect("supervision:todo")
