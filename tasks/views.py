"""Browsing pages. Views stay thin: parse the request, check the role, call selectors, render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from . import selectors
from .filters import TaskFilter
from .models import TaskState, UnitRole
from .permissions import can_read

PAGE_SIZE = 50
Crumbs = list[tuple[str, str | None]]


def reader_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in (else the login page) and in a role group (else 403): reading is open to every role."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_read(request.user):
            raise PermissionDenied("您的账号尚未分配角色，无法查看。")
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _crumbs(*items: tuple[str, str | None]) -> Crumbs:
    return [("首页", reverse("tasks:dashboard")), *items]


@reader_required
def dashboard(request: HttpRequest) -> HttpResponse:
    overviews = selectors.dashboard_overview()
    return render(
        request,
        "tasks/dashboard.html",
        {"overviews": overviews, "section": "home", "light_labels": selectors.Light.LABELS},
    )


@reader_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get(plan_id=plan_id)
    blocks = selectors.plan_tree(plan=plan)
    return render(
        request,
        "tasks/plan_detail.html",
        {
            "plan": plan,
            "blocks": blocks,
            "category": None,
            "section": "plans",
            "categories": [block.category for block in blocks],
            "breadcrumbs": _crumbs((plan.title, None)),
        },
    )


@reader_required
def category_detail(request: HttpRequest, plan_id: int, category_id: int) -> HttpResponse:
    plan = selectors.plan_get(plan_id=plan_id)
    blocks = selectors.plan_tree(plan=plan, category_id=category_id)
    if not blocks:
        raise Http404("没有这个类别。")
    category = blocks[0].category
    return render(
        request,
        "tasks/plan_detail.html",
        {
            "plan": plan,
            "blocks": blocks,
            "category": category,
            "section": "plans",
            "breadcrumbs": _crumbs((plan.title, reverse("tasks:plan", args=[plan.pk])), (str(category), None)),
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
    rows = selectors.unit_summary_list(kind=kind, order=order)
    return render(
        request,
        "tasks/unit_index.html",
        {
            "rows": rows,
            "kind": kind,
            "order": order,
            "kinds": selectors.UNIT_KIND_FILTERS,
            "sorts": selectors.UNIT_SORTS,
            "section": "units",
            "breadcrumbs": _crumbs(("单位", None)),
        },
    )


@reader_required
def unit_by_name(request: HttpRequest, name: str) -> HttpResponse:
    """A unit by any of its names: 区发改委 and 区发展改革委 lead to the same page."""
    unit = selectors.unit_resolve(name=name)
    if unit is None:
        raise Http404("没有这个单位。")
    return redirect("tasks:unit", unit_id=unit.pk)


def _unit_context(unit_id: int) -> dict[str, Any]:
    unit = selectors.unit_get(unit_id=unit_id)
    tasks = list(selectors.unit_task_list(unit=unit))
    lead_tasks = [t for t in tasks if t.unit_role == UnitRole.LEAD]
    return {
        "unit": unit,
        "aliases": [a.name for a in unit.aliases.all()],
        "tasks": tasks,
        "lead_count": len(lead_tasks),
        "support_count": len(tasks) - len(lead_tasks),
        "summary": selectors.unit_summary(unit=unit),
        "section": "units",
        "breadcrumbs": _crumbs(("单位", reverse("tasks:unit_index")), (unit.name, None)),
    }


@reader_required
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    return render(request, "tasks/unit_detail.html", _unit_context(unit_id))


@reader_required
def unit_print(request: HttpRequest, unit_id: int) -> HttpResponse:
    context = _unit_context(unit_id)
    context["tasks"] = [t for t in context["tasks"] if t.state == TaskState.ACTIVE]
    return render(request, "tasks/unit_print.html", context)


@reader_required
def leader_index(request: HttpRequest) -> HttpResponse:
    order = request.GET.get("order") or "led"
    if order not in selectors.LEADER_SORTS:
        order = "led"
    rows = selectors.leader_summary_list(order=order)
    return render(
        request,
        "tasks/leader_index.html",
        {
            "rows": rows,
            "order": order,
            "sorts": selectors.LEADER_SORTS,
            "section": "leaders",
            "breadcrumbs": _crumbs(("牵头领导", None)),
        },
    )


@reader_required
def leader_detail(request: HttpRequest, leader_id: int) -> HttpResponse:
    leader = selectors.leader_get(leader_id=leader_id)
    tasks = list(selectors.leader_task_list(leader=leader))
    return render(
        request,
        "tasks/leader_detail.html",
        {
            "leader": leader,
            "tasks": tasks,
            "active_count": sum(1 for t in tasks if t.state == TaskState.ACTIVE),
            "summary": selectors.leader_summary(leader=leader),
            "units": selectors.leader_unit_list(leader=leader),
            "section": "leaders",
            "breadcrumbs": _crumbs(("牵头领导", reverse("tasks:leader_index")), (leader.name, None)),
        },
    )


@reader_required
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    task = selectors.task_get(task_id=task_id)
    links = list(task.unit_links.all())
    return render(
        request,
        "tasks/task_detail.html",
        {
            "task": task,
            "lead_links": [link for link in links if link.role == UnitRole.LEAD],
            "support_links": [link for link in links if link.role != UnitRole.LEAD],
            "reports": selectors.task_report_list(task=task),
            "section": "plans",
            "breadcrumbs": _crumbs(
                (task.plan.title, reverse("tasks:plan", args=[task.plan_id])),
                (str(task.category), reverse("tasks:category", args=[task.plan_id, task.category_id])),
                (f"第{task.number}项", None),
            ),
        },
    )


@reader_required
def task_search(request: HttpRequest) -> HttpResponse:
    clock = selectors.Clock.now()
    filterset = TaskFilter(request.GET or None, queryset=selectors.task_search_base(clock=clock), clock=clock)
    if not filterset.is_bound:
        matches = filterset.queryset.filter(state=TaskState.ACTIVE)
    elif filterset.is_valid():
        matches = filterset.qs
    else:
        matches = filterset.queryset.none()
    # Ids first (one query over tasks and plans), then only the shown page's rows: the status
    # filters never meet the joins a table of results needs.
    page = Paginator(list(matches.values_list("pk", flat=True)), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.task_rows(ids=list(page.object_list), clock=clock)
    return render(
        request,
        "tasks/task_search.html",
        {
            "filter": filterset,
            "page": page,
            "section": "search",
            "permalink": request.build_absolute_uri(),
            "breadcrumbs": _crumbs(("查找任务", None)),
        },
    )
