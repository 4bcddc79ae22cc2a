"""减负: each plan's report-frequency cap, set by the office and held by the admin's plan form."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.audit import Action, audit_record
from tasks.choices import ReportingPeriod
from tasks.models import Plan

from ..models import (
    PlanReportCap,
    ReportCap,
)
from .common import office_writer


def plan_report_cap_set(*, user: User | AnonymousUser, plan: Plan, per_year: int) -> PlanReportCap:
    """The most reports per task per year the plan may ask; a plan asking more is brought down to it."""
    writer = office_writer(user)
    if per_year not in ReportCap.values:
        raise ValidationError("请选择报送频次上限。")
    with transaction.atomic():
        cap, _ = PlanReportCap.objects.update_or_create(plan=plan, defaults={"per_year": per_year, "set_by": writer})
        if per_year == ReportCap.QUARTERLY and plan.reporting_period == ReportingPeriod.MONTHLY:
            plan.reporting_period = ReportingPeriod.QUARTERLY
            plan.save(update_fields=["reporting_period", "updated_at"])
        audit_record(
            action=Action.ASSESSMENT_REPORT_CAP,
            user=writer,
            object_repr=plan.title,
            detail={"per_year": per_year, "reporting_period": plan.reporting_period},
        )
    return cap


def plan_reporting_check(*, plan: Plan, reporting_period: str) -> None:
    """Refuse a reporting period more frequent than the plan's cap (the admin's plan form calls it)."""
    cap = PlanReportCap.objects.filter(plan_id=plan.pk).values_list("per_year", flat=True).first()
    if cap == ReportCap.QUARTERLY and reporting_period == ReportingPeriod.MONTHLY:
        raise ValidationError(
            {"reporting_period": "督查室已将该规划的报送频次上限设为每季度一次（减负），不能改为每月报送。"}
        )
