"""考评 pages of runs: the index, computing, a ranking, a unit's sheet, adjustments, freezing and
publishing, the ranking workbook."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.audit import audit_download
from minhang_plans.params import ascii_int
from tasks import permissions
from tasks.decorators import reader_required
from tasks.models import Plan, Role, Unit
from tasks.status.clock import Clock
from tasks.views.caching import crumbs
from tasks.views.feedback import form_errors_text

from .. import exports, selectors, services
from ..forms import AdjustmentForm, ComputeForm
from ..models import RunState, ScoreRun
from .common import OFFICE_ONLY, act, period_choices


@reader_required
def index(request: HttpRequest) -> HttpResponse:
    """The office: compute, runs, rules and 减负; a leader: published rankings and their units;
    a liaison: their units' sheets."""
    user = request.user
    office = permissions.can_review(user)
    role = permissions.user_role(user)
    today = Clock.now().today
    context: dict[str, object] = {"office": office, "section": "assessment", "breadcrumbs": crumbs(("考评", None))}
    if office:
        # Open plans, and those of the last year even once closed: the year's run with its
        # 年终未完成 / 基本完成 lines is computed after the close.
        plans = list(
            Plan.objects.filter(Q(closure__isnull=True) | Q(year_end__gte=today.year - 1)).order_by(
                "-year_end", "title"
            )
        )
        context["compute_forms"] = [
            (
                plan,
                ComputeForm(
                    plans=[(plan.pk, plan.title)], periods=period_choices(plan, today), initial={"plan": plan.pk}
                ),
            )
            for plan in plans
        ]
        context["runs"] = selectors.run_rows()
    elif role == Role.LEADER:
        context["runs"] = selectors.run_rows(published_only=True)
        context["unit_scores"] = selectors.leader_unit_scores(user=user)
    else:
        units = Unit.objects.filter(pk__in=permissions.user_unit_ids(user)).order_by("name")
        context["unit_sheets"] = [(unit, selectors.unit_runs(unit=unit)) for unit in units]
    return render(request, "assessment/index.html", context)


@reader_required
@require_POST
def compute(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_review(request.user), OFFICE_ONLY)
    raw = request.POST.get("plan", "")
    plan = get_object_or_404(Plan, pk=ascii_int(raw) or 0)
    form = ComputeForm(request.POST, plans=[(plan.pk, plan.title)], periods=period_choices(plan, Clock.now().today))
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("assessment:index")
    scope, _, day = form.cleaned_data["period"].partition(":")
    start = dt.date.fromisoformat(day)
    label = selectors.run_label(plan=plan, scope=scope, start=start)
    computed = act(
        request,
        lambda: services.score_run_compute(plan=plan, scope=scope, start=start, user=request.user),
        success=f"已计算{plan.title}{label}的考评得分（草稿，可对比后定稿）。",
    )
    return redirect("assessment:run", computed.pk) if computed else redirect("assessment:index")


RANKING_LEADERS_ONLY = "全区考评排名只供督查室和区领导下载；单位联络员可以在排名页查看本单位的得分。"


@reader_required
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(ScoreRun.objects.select_related("plan", "rule_version__rule_set"), pk=run_id)
    user = request.user
    office = permissions.can_review(user)
    whole = selectors.can_see_ranking(user=user, run=run)
    if not whole:
        # A liaison or a leader still reads their own units' sheets from the list.
        own = permissions.user_unit_ids(user) | selectors.leader_unit_ids(user=user, plan_id=run.plan_id)
        permissions.require(bool(own), "考评排名由督查室发布后，区领导可以查看；单位联络员可以查看本单位的得分。")
        groups = selectors.ranking_groups(run=run, unit_ids=own)
    else:
        groups = selectors.ranking_groups(run=run)
    replaced, changes = selectors.run_compare(run=run) if office else (None, [])
    label = selectors.run_label(plan=run.plan, scope=run.scope, start=run.period)
    return render(
        request,
        "assessment/run.html",
        {
            "run": run,
            "label": label,
            "groups": groups,
            "office": office,
            "draft": run.state == RunState.DRAFT,
            "superseded": run.state == RunState.SUPERSEDED,
            "replaced": replaced,
            "changes": changes,
            "may_download": whole,  # the workbook is the whole ranking
            "rule_label": f"{run.rule_version.rule_set.name}第{run.rule_version.number}版",
            "section": "assessment",
            "breadcrumbs": crumbs(("考评", reverse("assessment:index")), (f"{run.plan.title} {label}", None)),
        },
    )


@reader_required
def sheet(request: HttpRequest, run_id: int, unit_id: int) -> HttpResponse:
    run = get_object_or_404(ScoreRun.objects.select_related("plan", "rule_version__rule_set"), pk=run_id)
    unit = get_object_or_404(Unit, pk=unit_id)
    permissions.require(
        selectors.can_see_sheet(user=request.user, run=run, unit_id=unit.pk), "您只能查看本单位的考评得分。"
    )
    found = selectors.sheet_of(run=run, unit=unit)
    if found is None:
        return render(request, "404.html", {"message": "该单位不在这次考评中。"}, status=404)
    label = selectors.run_label(plan=run.plan, scope=run.scope, start=run.period)
    office = permissions.can_review(request.user)
    return render(
        request,
        "assessment/sheet.html",
        {
            "run": run,
            "label": label,
            "sheet": found,
            "office": office,
            "adjust_form": AdjustmentForm() if office and run.state == RunState.DRAFT else None,
            "section": "assessment",
            "breadcrumbs": crumbs(
                ("考评", reverse("assessment:index")),
                (f"{run.plan.title} {label}", reverse("assessment:run", args=[run.pk])),
                (unit.name, None),
            ),
        },
    )


@reader_required
@require_POST
def adjust(request: HttpRequest, run_id: int, unit_id: int) -> HttpResponse:
    permissions.require(permissions.can_review(request.user), OFFICE_ONLY)
    run = get_object_or_404(ScoreRun, pk=run_id)
    unit = get_object_or_404(Unit, pk=unit_id)
    form = AdjustmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("assessment:sheet", run.pk, unit.pk)
    recomputed = act(
        request,
        lambda: services.adjustment_create(
            user=request.user,
            run=run,
            unit=unit,
            points=form.cleaned_data["points"],
            reason=form.cleaned_data["reason"],
        ),
        success="已记录人工调整，并按调整重新计算。",
    )
    return redirect("assessment:sheet", (recomputed or run).pk, unit.pk)


def _run_action(request: HttpRequest, run_id: int, action: str) -> HttpResponse:
    permissions.require(permissions.can_review(request.user), OFFICE_ONLY)
    run = get_object_or_404(ScoreRun.objects.select_related("plan"), pk=run_id)
    if action == "recompute":
        recomputed = act(
            request,
            lambda: services.score_run_compute(plan=run.plan, scope=run.scope, start=run.period, user=request.user),
            success="已重新计算；下方列出与上次计算相比得分有变化的单位。",
        )
        if recomputed:
            return redirect("assessment:run", recomputed.pk)
    elif action == "freeze":
        act(request, lambda: services.score_run_freeze(user=request.user, run=run), success="已定稿。定稿后不再重算。")
    else:
        act(request, lambda: services.score_run_publish(user=request.user, run=run), success="已发布给区领导。")
    return redirect("assessment:run", run.pk)


@reader_required
@require_POST
def recompute(request: HttpRequest, run_id: int) -> HttpResponse:
    return _run_action(request, run_id, "recompute")


@reader_required
@require_POST
def freeze(request: HttpRequest, run_id: int) -> HttpResponse:
    return _run_action(request, run_id, "freeze")


@reader_required
@require_POST
def publish(request: HttpRequest, run_id: int) -> HttpResponse:
    return _run_action(request, run_id, "publish")


@reader_required
def run_xlsx(request: HttpRequest, run_id: int) -> FileResponse:
    run = get_object_or_404(ScoreRun.objects.select_related("plan"), pk=run_id)
    refused = "考评排名由督查室发布后才能下载。" if run.published_at is None else RANKING_LEADERS_ONLY
    permissions.require(selectors.can_see_ranking(user=request.user, run=run), refused)
    label = selectors.run_label(plan=run.plan, scope=run.scope, start=run.period)
    data = exports.ranking_xlsx(run=run, label=label)
    filename = f"考评排名-{run.plan.title}-{label}.xlsx"
    audit_download(request, object_repr=filename, detail={"run": run.pk, "plan": run.plan_id, "period": label})
    response = FileResponse(
        data,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Cache-Control"] = "no-store"
    return response
