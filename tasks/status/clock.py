"""The one injectable "today" that every date-dependent rule reads."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from ..choices import ReportingPeriod
from ..periods import period_start, previous_period


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

    def period_start(self, reporting_period: str) -> datetime.date:
        """First day of the current period of a plan with this reporting period (through
        month_start/quarter_start, so a clock that holds "this period" elsewhere holds it here too)."""
        return self.quarter_start if reporting_period == ReportingPeriod.QUARTERLY else self.month_start

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


def clock_or_now(clock: Clock | None) -> Clock:
    return clock or Clock.now()
