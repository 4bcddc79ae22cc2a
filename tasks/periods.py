"""Reporting periods: a period is named by its first day (monthly or quarterly per plan)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError

from minhang_plans.workdays import workday_add, workdays_between

from .choices import DueRule, ReportingPeriod

if TYPE_CHECKING:
    from .models import Plan


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


DAY_MAX = 28  # the last day every month has: a window on the 31st has no day in February
WORKDAYS_MAX = 20


def window_check(*, rule: str, number: int | None) -> None:
    """A plan's reporting window, or ValidationError in Chinese (the admin's form shows it)."""
    if number is None:
        return
    if rule == DueRule.DAY_OF_LAST_MONTH and not 1 <= number <= DAY_MAX:
        short = f"{number}日在2月等短月中不存在，各月截止日无法统一。"
        raise ValidationError({"report_due_number": f"报送截止日须在1至{DAY_MAX}日之间：{short}"})
    if rule == DueRule.WORKDAYS_AFTER and not 1 <= number <= WORKDAYS_MAX:
        raise ValidationError({"report_due_number": f"期满后的工作日数须在1至{WORKDAYS_MAX}之间。"})


def period_end(*, reporting_period: str, start: dt.date) -> dt.date:
    """The last day of the period starting on `start`."""
    months = 3 if reporting_period == ReportingPeriod.QUARTERLY else 1
    month = start.month + months
    following = dt.date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def period_deadline(
    *, reporting_period: str, start: dt.date, rule: str = DueRule.DAY_OF_LAST_MONTH, number: int | None = None
) -> dt.date:
    """The reporting deadline of the period starting on `start` (reminders before it, escalation and
    逾期报送 after it; the report form and 我的待办 show it), by the plan's window:
    - the `number`-th day of the period's last month (default settings.REPORT_DUE_DAY), or
    - the `number`-th working day after the period ends (China's statutory holidays and 调休 make-up
      days, minhang_plans.workdays)."""
    end = period_end(reporting_period=reporting_period, start=start)
    if rule == DueRule.WORKDAYS_AFTER:
        return workday_add(day=end, count=number or 1)
    return end.replace(day=number or settings.REPORT_DUE_DAY)


def period_current(
    *, reporting_period: str, today: dt.date, rule: str = DueRule.DAY_OF_LAST_MONTH, number: int | None = None
) -> dt.date:
    """The period a plan's units report now (本期): the one home of the window rule, read by the
    status rule (tasks.status.rule.period_now, the same rule in SQL), the report form, 我的待办,
    reminders, escalations and chases.

    Under a day-of-the-last-month window the deadline falls inside the period, so the current
    period is the one containing `today`. Under a workdays_after window (the N-th working day
    after the period) the period that just ended stays the current one until its deadline has
    passed: on 2025-10-10, with quarterly periods and the 5th working day after, it is 2025年第3季度
    (deadline 2025-10-14); on 2025-10-15 it is 2025年第4季度."""
    start = period_start(reporting_period=reporting_period, day=today)
    if rule == DueRule.WORKDAYS_AFTER:
        previous = previous_period(reporting_period=reporting_period, start=start)
        deadline = period_deadline(reporting_period=reporting_period, start=previous, rule=rule, number=number)
        if today <= deadline:
            return previous
    return start


def period_current_workdays_needed(*, reporting_period: str, today: dt.date) -> int:
    """For the SQL form of period_current: the smallest N for which, under "the N-th working day
    after the period", the previous period is still the current one on `today` (the working days
    after it ended and before `today`, plus one)."""
    start = period_start(reporting_period=reporting_period, day=today)
    return workdays_between(start=start - dt.timedelta(days=1), end=today - dt.timedelta(days=1)) + 1


def plan_period_current(*, plan: Plan, today: dt.date) -> dt.date:
    """period_current with the plan's own window."""
    return period_current(
        reporting_period=plan.reporting_period, today=today, rule=plan.report_due_rule, number=plan.report_due_number
    )


def plan_deadline(*, plan: Plan, start: dt.date) -> dt.date:
    """period_deadline with the plan's own window."""
    return period_deadline(
        reporting_period=plan.reporting_period, start=start, rule=plan.report_due_rule, number=plan.report_due_number
    )


# A period's close (snapshots of trends and the scores of assessment are taken then) -------------


def period_close(*, plan: Plan, period: dt.date) -> dt.date:
    """The close day of the plan's period starting on `period`: the later of its last day and its
    reporting deadline (tasks.periods.period_end, plan_deadline)."""
    return max(period_end(reporting_period=plan.reporting_period, start=period), plan_deadline(plan=plan, start=period))


def plan_periods_bounds(*, plan: Plan) -> tuple[dt.date, dt.date]:
    """The first and last period of the plan's years (a plan's periods end with its year)."""
    last = period_start(reporting_period=plan.reporting_period, day=dt.date(plan.year_end, 12, 1))
    return dt.date(plan.year_start, 1, 1), last


def period_closed_latest(*, plan: Plan, today: dt.date) -> dt.date | None:
    """The plan's latest period whose close day is before `today` (None: none has closed yet)."""
    first, last = plan_periods_bounds(plan=plan)
    period = min(period_start(reporting_period=plan.reporting_period, day=today), last)
    while period_close(plan=plan, period=period) >= today:
        period = previous_period(reporting_period=plan.reporting_period, start=period)
    return period if period >= first else None


def periods_closed(*, plan: Plan, today: dt.date, count: int) -> list[dt.date]:
    """The plan's last `count` closed periods (oldest first), within its years."""
    latest = period_closed_latest(plan=plan, today=today)
    if latest is None or count < 1:
        return []
    first, _ = plan_periods_bounds(plan=plan)
    periods = [latest]
    while len(periods) < count:
        earlier = previous_period(reporting_period=plan.reporting_period, start=periods[-1])
        if earlier < first:
            break
        periods.append(earlier)
    return periods[::-1]
