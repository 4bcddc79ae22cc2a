"""Reporting periods: a period is named by its first day (monthly or quarterly per plan)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from .choices import ReportingPeriod


def period_start(*, reporting_period: str, day: dt.date) -> dt.date:
    if reporting_period == ReportingPeriod.QUARTERLY:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(day=1)


def previous_period(*, reporting_period: str, start: dt.date) -> dt.date:
    step = 3 if reporting_period == ReportingPeriod.QUARTERLY else 1
    month = start.month - step
    year = start.year
    while month < 1:
        month += 12
        year -= 1
    return dt.date(year, month, 1)


def period_label(*, reporting_period: str, start: dt.date) -> str:
    if reporting_period == ReportingPeriod.QUARTERLY:
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return f"{start.year}年{start.month}月"


def period_deadline(*, reporting_period: str, start: dt.date) -> dt.date:
    """The reporting deadline of the period starting on `start`: the REPORT_DUE_DAY-th of its last
    month (reminders before it, escalation after it, the report form shows it)."""
    months = 3 if reporting_period == ReportingPeriod.QUARTERLY else 1
    return dt.date(start.year, start.month + months - 1, settings.REPORT_DUE_DAY)
