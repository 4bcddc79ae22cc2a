"""The one injectable "today" that every date-dependent rule reads."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from ..choices import DueRule, ReportingPeriod
from ..periods import period_current, period_start, previous_period

if TYPE_CHECKING:
    from ..models import Plan


@dataclass(frozen=True)
class Clock:
    """The dates status depends on; injectable so tests can pin "today"."""

    today: datetime.date

    @classmethod
    def now(cls) -> Clock:
        # DEMO_TODAY is set only in demo mode (settings): the quick start's plans stay "in progress".
        return cls(today=settings.DEMO_TODAY or timezone.localdate())

    @property
    def month_start(self) -> datetime.date:
        return period_start(reporting_period=ReportingPeriod.MONTHLY, day=self.today)

    @property
    def quarter_start(self) -> datetime.date:
        return period_start(reporting_period=ReportingPeriod.QUARTERLY, day=self.today)

    @property
    def period_held(self) -> datetime.date | None:
        """A period this clock holds as 本期 whatever the plan's window (trends' CloseClock); None:
        each plan's current period by its window (tasks.periods.period_current)."""
        return None

    def period_start(
        self, reporting_period: str, *, rule: str = DueRule.DAY_OF_LAST_MONTH, number: int | None = None
    ) -> datetime.date:
        """First day of the current period (本期) of a plan with this reporting period and window:
        tasks.periods.period_current, the one rule (a workdays_after plan's previous period stays
        current until its deadline)."""
        held = self.period_held
        if held is not None:
            return held
        return period_current(reporting_period=reporting_period, today=self.today, rule=rule, number=number)

    def plan_period(self, plan: Plan) -> datetime.date:
        """The plan's current period (period_start with the plan's own window)."""
        return self.period_start(plan.reporting_period, rule=plan.report_due_rule, number=plan.report_due_number)

    @property
    def due_soon(self) -> datetime.date:
        """Tasks due on or before this day (and not done) are yellow."""
        return self.today + datetime.timedelta(days=settings.LIGHT_DUE_SOON_DAYS)

    def stagnant_since(self, reporting_period: str) -> datetime.date:
        """First day of the window of LIGHT_STAGNANT_PERIODS periods ending with the current one."""
        start = self.period_start(reporting_period)
        for _ in range(settings.LIGHT_STAGNANT_PERIODS - 1):
            start = previous_period(reporting_period=reporting_period, start=start)
        return start


@dataclass(frozen=True)
class PeriodClock(Clock):
    """The one clock's day with 本期 held at a given period (a reminder or an escalation about
    that period asks whether each unit reported it, whatever the current period is today)."""

    period: datetime.date = datetime.date.min

    @property
    def period_held(self) -> datetime.date | None:
        return self.period


def clock_or_now(clock: Clock | None) -> Clock:
    return clock or Clock.now()
