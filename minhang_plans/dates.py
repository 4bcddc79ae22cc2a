"""Dates as users read them: one format for every page and message.

- ``date_long``: 2025年6月25日 (the report form, messages);
- ``deadline_text``: 2025年6月25日（周三）, for deadlines in lists and messages (the weekday tells
  a reader at once whether it is before a weekend).

Templates use the filters of the same names (tasks.templatetags.dates_cn)."""

from __future__ import annotations

import datetime as dt

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def date_long(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def weekday_cn(day: dt.date) -> str:
    return WEEKDAYS[day.weekday()]


def deadline_text(day: dt.date) -> str:
    return f"{date_long(day)}（{weekday_cn(day)}）"


def week_span(*, monday: dt.date) -> str:
    """The days of a week, Monday to Sunday: 12月29日—1月4日."""
    sunday = monday + dt.timedelta(days=6)
    return f"{monday.month}月{monday.day}日—{sunday.month}月{sunday.day}日"
