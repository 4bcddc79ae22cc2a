"""Working days (工作日): China's statutory holidays and make-up working days (调休).

The calendar is the State Council's, as shipped by `chinesecalendar` (pinned in requirements.txt;
a new release each year adds the next year's arrangement). For a year its data does not cover,
every function here falls back to Monday–Friday, and `calendar_note` says so in the words the
pages show: a deadline counted in such a year may be off by the holidays nobody has published yet.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import chinese_calendar
from chinese_calendar import constants as _calendar_data

FALLBACK_RULE = "按周一至周五为工作日计算"


@cache
def _covered_years() -> tuple[int, int]:
    """First and last year the library has the holiday arrangement for (its own range check)."""
    return min(_calendar_data.holidays).year, max(_calendar_data.holidays).year


def calendar_covers(*, year: int) -> bool:
    """True when the library ships the State Council's arrangement for `year`."""
    first, last = _covered_years()
    return first <= year <= last


def calendar_note(*, year: int) -> str:
    """The sentence a page shows when `year` is not covered ("" when it is)."""
    if calendar_covers(year=year):
        return ""
    first, last = _covered_years()
    return (
        f"{year}年的法定节假日和调休安排尚未收录（日历数据覆盖{first}—{last}年），"
        f"该年的工作日暂{FALLBACK_RULE}，未计入节假日。"
    )


def workday_is(*, day: dt.date) -> bool:
    """A working day: the State Council's calendar, or Monday–Friday for a year it does not cover."""
    if calendar_covers(year=day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def workday_add(*, day: dt.date, count: int) -> dt.date:
    """The `count`-th working day after `day` (before it when negative); `day` itself for 0.
    `day` need not be a working day: one working day after a Saturday is the next working day."""
    step = dt.timedelta(days=1 if count > 0 else -1)
    remaining = abs(count)
    while remaining:
        day += step
        if workday_is(day=day):
            remaining -= 1
    return day


def workdays_between(*, start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (negative when `end` is earlier),
    so that workdays_between(start=d, end=workday_add(day=d, count=n)) == n."""
    if end < start:
        return -workdays_between(start=end, end=start)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if workday_is(day=day):
            count += 1
    return count


REPLY_WORKDAYS = 5  # the default 答复期限 / 反馈期限 of a 催办, 督办单 or 督查通报: a calendar week of work


def reply_by_default(*, today: dt.date) -> dt.date:
    """The default date to reply by: REPLY_WORKDAYS working days after `today` on the State Council
    calendar, so it never falls in a holiday (2025-09-26, the Friday before 国庆, gives 2025-10-10,
    counting the make-up Sunday of 09-28). One rule for chases, slips and bulletins."""
    return workday_add(day=today, count=REPLY_WORKDAYS)
