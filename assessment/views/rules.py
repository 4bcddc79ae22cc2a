"""考评 rule sets and their versions (the office)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tasks import permissions
from tasks.decorators import reader_required
from tasks.models import Plan
from tasks.views.caching import crumbs

from .. import services
from ..forms import RuleVersionForm
from ..models import RuleSet
from ..rules import default_rule_set, rule_version_latest
from .common import OFFICE_ONLY, act


@reader_required
def rules(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_review(request.user), OFFICE_ONLY)
    default_rule_set()
    sets = list(RuleSet.objects.select_related("plan").order_by("plan_id", "year"))
    plans = Plan.objects.filter(closure__isnull=True, rule_set__isnull=True).order_by("-year_end", "title")
    return render(
        request,
        "assessment/rules.html",
        {
            "sets": sets,
            "plans": plans,
            "section": "assessment",
            "breadcrumbs": crumbs(("考评", reverse("assessment:index")), ("考评细则", None)),
        },
    )


@reader_required
def rule_set_edit(request: HttpRequest, set_id: int) -> HttpResponse:
    permissions.require(permissions.can_review(request.user), OFFICE_ONLY)
    rule_set = get_object_or_404(RuleSet, pk=set_id)
    current = rule_version_latest(rule_set=rule_set)
    if request.method == "POST":
        form = RuleVersionForm(request.POST)
        if form.is_valid():
            figures = {name: request.POST.get(name, "") for name in form.Meta.fields if name != "note"}
            if act(
                request,
                lambda: services.rule_version_create(
                    user=request.user, rule_set=rule_set, figures=figures, note=form.cleaned_data["note"]
                ),
                success="已保存为新版本。已定稿的考评仍按原版本，之后的计算用新版本。",
            ):
                return redirect("assessment:rule_set", rule_set.pk)
    else:
        form = RuleVersionForm(instance=current, initial={"note": ""})
    return render(
        request,
        "assessment/rule_set.html",
        {
            "rule_set": rule_set,
            "current": current,
            "form": form,
            "versions": rule_set.versions.select_related("created_by").order_by("-number"),
            "section": "assessment",
            "breadcrumbs": crumbs(
                ("考评", reverse("assessment:index")), ("考评细则", reverse("assessment:rules")), (rule_set.name, None)
            ),
        },
    )


@reader_required
@require_POST
def rule_set_for_plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    permissions.require(permissions.can_review(request.user), OFFICE_ONLY)
    plan = get_object_or_404(Plan, pk=plan_id)
    rule_set = services.rule_set_for_plan_create(user=request.user, plan=plan)
    messages.success(request, f"已为{plan.title}单独设定考评细则（起始数值沿用原先适用的细则），可在此修改。")
    return redirect("assessment:rule_set", rule_set.pk)
