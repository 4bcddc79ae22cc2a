"""减负: the burden report and each plan's report-frequency cap (the office)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from minhang_plans.params import ascii_int
from tasks import permissions
from tasks.decorators import reader_required
from tasks.models import Plan
from tasks.status.clock import Clock
from tasks.views.caching import crumbs

from .. import selectors, services
from ..forms import CapForm
from .common import OFFICE_ONLY, act


@reader_required
def burden(request: HttpRequest) -> HttpResponse:
    """减负: reports asked of each unit per month, and each plan's frequency cap."""
    permissions.require(permissions.can_review(request.user), OFFICE_ONLY)
    raw = request.GET.get("year", "")
    year = ascii_int(raw, max_digits=4)
    if year is None or not 2000 <= year <= 2100:
        year = Clock.now().today.year
    return render(
        request,
        "assessment/burden.html",
        {
            "year": year,
            "rows": selectors.burden_rows(year=year),
            "caps": selectors.cap_rows(),
            "cap_form": CapForm(),
            "months": range(1, 13),
            "section": "assessment",
            "breadcrumbs": crumbs(("考评", reverse("assessment:index")), ("减负：报送负担", None)),
        },
    )


@reader_required
@require_POST
def cap_set(request: HttpRequest, plan_id: int) -> HttpResponse:
    permissions.require(permissions.can_review(request.user), OFFICE_ONLY)
    plan = get_object_or_404(Plan, pk=plan_id)
    form = CapForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择报送频次上限。")
    else:
        act(
            request,
            lambda: services.plan_report_cap_set(user=request.user, plan=plan, per_year=form.cleaned_data["per_year"]),
            success=f"已设定{plan.title}的报送频次上限。",
        )
    return redirect("assessment:burden")
