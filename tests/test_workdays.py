"""Working days follow the State Council's calendar (chinesecalendar), with a stated fallback."""

from __future__ import annotations

import datetime as dt

import pytest

from minhang_plans.workdays import calendar_covers, calendar_note, workday_add, workday_is, workdays_between

D = dt.date


@pytest.mark.parametrize("day", [D(2025, 10, 1), D(2025, 10, 3), D(2025, 10, 6), D(2025, 10, 8)])
def test_national_day_week_2025_is_a_holiday_even_on_weekdays(day):
    assert not workday_is(day=day)


@pytest.mark.parametrize("day", [D(2025, 9, 28), D(2025, 10, 11)])
def test_make_up_weekend_days_of_national_day_2025_are_working_days(day):
    # 2025-09-28 is a Sunday and 2025-10-11 a Saturday: 调休.
    assert day.weekday() >= 5
    assert workday_is(day=day)


def test_counting_across_the_national_day_week():
    # The working day after Tuesday 2025-09-30 is Thursday 2025-10-09 (10-01…10-08 off).
    assert workday_add(day=D(2025, 9, 30), count=1) == D(2025, 10, 9)
    # Three working days before 2025-10-09: 09-30, 09-29, 09-28 (the make-up Sunday).
    assert workday_add(day=D(2025, 10, 9), count=-3) == D(2025, 9, 28)
    assert workdays_between(start=D(2025, 9, 26), end=D(2025, 10, 12)) == 6  # 9-28,29,30; 10-9,10,11


def test_a_window_closing_on_a_friday_before_a_holiday():
    # Friday 2025-05-30 precedes the Dragon Boat holiday (05-31…06-02, Monday included).
    deadline = D(2025, 5, 30)
    assert workday_is(day=deadline)
    assert workday_add(day=deadline, count=-3) == D(2025, 5, 27)  # three working days of warning
    assert workday_add(day=deadline, count=1) == D(2025, 6, 3)  # the first working day after it
    assert workday_add(day=deadline, count=3) == D(2025, 6, 5)
    # And the Friday before the 2025 National Day: the next working day is the make-up Sunday.
    assert workday_add(day=D(2025, 9, 26), count=1) == D(2025, 9, 28)


def test_add_and_between_agree_and_zero_is_the_day_itself():
    start = D(2025, 1, 20)
    for n in (0, 1, 5, 12, 30):
        assert workdays_between(start=start, end=workday_add(day=start, count=n)) == n
    assert workdays_between(start=D(2025, 10, 9), end=D(2025, 9, 30)) == -1
    assert workday_add(day=D(2025, 10, 4), count=0) == D(2025, 10, 4)


def test_a_year_the_calendar_does_not_cover_falls_back_to_monday_to_friday_and_says_so():
    assert calendar_covers(year=2025) and calendar_note(year=2025) == ""
    assert not calendar_covers(year=2099)
    # 2099-01-01 is a Thursday: without published data it counts as a working day.
    assert workday_is(day=D(2099, 1, 1)) and not workday_is(day=D(2099, 1, 3))
    assert workday_add(day=D(2099, 1, 2), count=1) == D(2099, 1, 5)
    assert calendar_note(year=2099) == (
        "2099年的法定节假日和调休安排尚未收录（日历数据覆盖2004—2026年），该年的工作日暂按周一至周五为工作日计算，未计入节假日。"
    )
