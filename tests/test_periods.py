"""tasks/periods.py: periods and their deadline, and where the report form shows it."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from tasks.choices import DueRule, ReportingPeriod
from tasks.models import Plan, Task, Unit
from tasks.periods import period_close, period_closed_latest, period_deadline, periods_closed


def test_the_deadline_is_the_due_day_of_the_periods_last_month(settings):
    settings.REPORT_DUE_DAY = 25
    assert period_deadline(reporting_period="monthly", start=dt.date(2025, 6, 1)) == dt.date(2025, 6, 25)
    assert period_deadline(reporting_period="quarterly", start=dt.date(2025, 4, 1)) == dt.date(2025, 6, 25)
    settings.REPORT_DUE_DAY = 5
    assert period_deadline(reporting_period="quarterly", start=dt.date(2025, 10, 1)) == dt.date(2025, 12, 5)


def test_the_report_form_shows_the_period_and_its_deadline(seed_plans, client_as, liaison_user, pinned_clock):
    task = Task.objects.get(plan__kind="annual", number="4")  # led by 区科委, the liaison's unit
    unit = Unit.objects.get(name="区科委")
    page = client_as(liaison_user).get(reverse("tasks:report_edit", args=[task.pk, unit.pk])).content.decode()
    assert "报送周期：<strong>2025年6月</strong>" in page
    assert "报送截止：<strong data-deadline>2025年6月25日</strong>" in page


# -- a plan's own reporting window (issue 17 item 1) ------------------------------------------


def test_a_window_counted_in_working_days_follows_the_statutory_calendar():
    from tasks.choices import DueRule

    after = DueRule.WORKDAYS_AFTER
    # Q3 2025 ends on Tuesday 30 September; 1–8 October is the National Day holiday and Saturday
    # 11 October a make-up working day (调休): the 5th working day after is Tuesday 14 October.
    q3 = period_deadline(reporting_period="quarterly", start=dt.date(2025, 7, 1), rule=after, number=5)
    assert q3 == dt.date(2025, 10, 14)
    assert period_deadline(reporting_period="quarterly", start=dt.date(2025, 7, 1), rule=after, number=3) == dt.date(
        2025, 10, 11
    )  # the make-up Saturday counts
    # January 2025 ends in the Spring Festival holiday (28 January – 4 February): the 1st working
    # day after is 5 February.
    january = period_deadline(reporting_period="monthly", start=dt.date(2025, 1, 1), rule=after, number=1)
    assert january == dt.date(2025, 2, 5)
    # A day of the last month, as before, and the plan's own day over the setting.
    day = DueRule.DAY_OF_LAST_MONTH
    assert period_deadline(reporting_period="monthly", start=dt.date(2025, 2, 1), rule=day, number=28) == dt.date(
        2025, 2, 28
    )


def test_a_window_day_a_short_month_lacks_is_refused_in_chinese(seed_plans):
    import pytest
    from django.core.exceptions import ValidationError

    from tasks.choices import DueRule
    from tasks.models import Plan

    plan = Plan.objects.get(kind="annual")
    plan.report_due_number = 31
    with pytest.raises(ValidationError) as refused:
        plan.full_clean()
    assert refused.value.message_dict["report_due_number"] == [
        "报送截止日须在1至28日之间：31日在2月等短月中不存在，各月截止日无法统一。"
    ]
    plan.report_due_rule, plan.report_due_number = DueRule.WORKDAYS_AFTER, 25
    with pytest.raises(ValidationError, match="期满后的工作日数须在1至20之间。"):
        plan.full_clean()


def _report_through_the_form(client, task, unit) -> str:
    from tests.test_supervision_views import form_on

    url = reverse("tasks:report_edit", args=[task.pk, unit.pk])
    html = client.get(url).content.decode()
    form = form_on(html, "enctype", "multipart/form-data")  # the report form (the header has a log-out form)
    data = {k: v for k, v in form["fields"].items() if v is not None}
    data |= {"status": "in_progress", "percent": "40", "progress_text": "按计划推进。", "problems": "无。"}
    data["action"] = "submit"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return html


def test_the_todo_page_names_the_period_and_its_deadline(seed_plans, client_as, liaison_user, pinned_clock):
    from tasks.models import Plan

    plan = Plan.objects.get(kind="annual")
    plan.report_due_number = 20
    plan.save()
    html = client_as(liaison_user).get(reverse("supervision:todo")).content.decode()
    assert "报送周期 2025年6月，截止2025年6月20日（周五）</span></li>" in html  # not yet overdue


def test_the_todo_page_marks_a_passed_reporting_deadline(seed_plans, client_as, liaison_user, clock_at):
    """After the deadline (the period still open: a report is 逾期报送), 我的待办 says 已逾期."""
    plan = Plan.objects.get(kind="annual")
    plan.report_due_number = 20
    plan.save()
    clock_at(D(2025, 6, 23))
    html = client_as(liaison_user).get(reverse("supervision:todo")).content.decode()
    assert '报送周期 2025年6月，截止2025年6月20日（周五）</span> <span class="bad" data-overdue>已逾期</span>' in html


def test_after_a_plans_last_period_the_todo_owes_nothing(seed_plans, client_as, liaison_user, office_user, clock_at):
    """2026-01-05, 2025 plans not closed: no 本期未报送 for 2026年1月, which their form refuses, and
    no unit for the office to chase (催办 would send a chase and a 督办单 for nothing)."""
    clock_at(D(2026, 1, 5))
    html = client_as(liaison_user).get(reverse("supervision:todo")).content.decode()
    todo = html.split("<h1>我的待办</h1>", 1)[1]  # the lists (the print line above names the date)
    assert "报送周期 2026年1月" not in todo and "2026年1月" not in todo
    assert 'data-count="silent" data-link="silent">0</a>' in html
    office = client_as(office_user).get(reverse("supervision:todo")).content.decode()
    assert '本期未报送的单位（<span data-count="units">0</span>）' in office
    assert "data-unit-chase" not in office


def test_a_report_after_the_plans_deadline_is_marked_late(seed_plans, client_as, liaison_user, office_user, clock_at):
    """The plan closes its June window on Friday 26 September's pattern: here the 20th. A report on
    the 18th is on time; one on the 23rd is 逾期报送, said on the form before and marked after, on
    the review queue and the task page; a return and resubmission keeps the mark."""
    from tasks.models import Plan, ProgressReport
    from tasks.services import report_return

    plan = Plan.objects.get(kind="annual")
    plan.report_due_number = 20
    plan.save()
    keji = Unit.objects.get(name="区科委")
    led = Task.objects.filter(plan=plan, unit_links__unit=keji, unit_links__role="lead").order_by("position")
    on_time, late = led[:2]
    liaison = client_as(liaison_user)

    clock_at(dt.date(2025, 6, 18))
    form = _report_through_the_form(liaison, on_time, keji)
    assert "报送截止：<strong data-deadline>2025年6月20日</strong>" in form and "data-past-deadline" not in form
    clock_at(dt.date(2025, 6, 23))
    form = _report_through_the_form(liaison, late, keji)
    assert "已过截止日，现在提交将标记为逾期报送" in form
    reports = {r.task_id: r for r in ProgressReport.objects.filter(unit=keji, period=dt.date(2025, 6, 1))}
    assert (reports[on_time.pk].late, reports[late.pk].late) == (False, True)

    office = client_as(office_user)
    queue = office.get(reverse("tasks:review_queue")).content.decode()
    assert queue.count("data-late>逾期报送") == 1
    page = office.get(reverse("tasks:task", args=[late.pk])).content.decode()
    assert "data-late>逾期报送" in page

    report = reports[late.pk]
    report_return(user=office_user, report=report, version=report.version, comment="请补充数据。")
    clock_at(dt.date(2025, 6, 24))
    _report_through_the_form(client_as(liaison_user), late, keji)
    assert ProgressReport.objects.get(pk=report.pk).late is True

    # A report sent on time and returned after the deadline is not warned about, nor marked.
    first = reports[on_time.pk]
    report_return(user=office_user, report=first, version=first.version, comment="请补充数据。")
    form = _report_through_the_form(client_as(liaison_user), on_time, keji)
    assert "data-past-deadline" not in form
    assert ProgressReport.objects.get(pk=first.pk).late is False


def test_a_window_closing_on_the_friday_before_the_national_day_holiday():
    """September 2025 closes on Friday the 26th: the reminders start three working days before
    (Tuesday the 23rd), and the escalation three working days after counts the make-up Sunday
    of the 28th (Tuesday the 30th), never a day of the 1–8 October holiday."""
    from minhang_plans.workdays import workday_add, workday_is
    from tasks.choices import DueRule

    deadline = period_deadline(
        reporting_period="monthly", start=dt.date(2025, 9, 1), rule=DueRule.DAY_OF_LAST_MONTH, number=26
    )
    assert deadline == dt.date(2025, 9, 26) and deadline.weekday() == 4
    assert workday_add(day=deadline, count=-3) == dt.date(2025, 9, 23)
    assert workday_is(day=dt.date(2025, 9, 28))  # 调休: a Sunday that is a working day
    assert workday_add(day=deadline, count=3) == dt.date(2025, 9, 30)
    assert workday_add(day=deadline, count=4) == dt.date(2025, 10, 9)  # after the holiday week


def test_a_plan_takes_no_report_for_a_period_after_its_year(seed_plans, client_as, liaison_user, clock_at):
    """Not filed as "2026年1月" on a 2025 plan: the form sends the unit back with the reason, and the
    service refuses a direct write too."""
    import pytest
    from django.core.exceptions import ValidationError

    from tasks.services import PLAN_ENDED_MESSAGE, ReportInput, report_save

    task = Task.objects.get(plan__kind="annual", number="4")  # led by 区科委, the liaison's unit
    unit = Unit.objects.get(name="区科委")
    clock_at(dt.date(2026, 1, 12))
    client = client_as(liaison_user)
    response = client.get(reverse("tasks:report_edit", args=[task.pk, unit.pk]), follow=True)
    message = PLAN_ENDED_MESSAGE.format(last="2025年12月")
    assert message == "该规划的报送期已于2025年12月结束，不再接受以后各期的进展报告；请待督查室年终办结。"
    assert message in response.content.decode()
    data = ReportInput(status="in_progress", percent=90, progress_text="补报。", problems="逾期原因。")
    with pytest.raises(ValidationError) as refused:
        report_save(user=liaison_user, task=task, unit=unit, period=dt.date(2026, 1, 1), data=data, version=None)
    assert refused.value.messages == [message]
    assert not task.reports.exists()
    # December 2025 itself was still the plan's own period.
    clock_at(dt.date(2025, 12, 10))
    assert client.get(reverse("tasks:report_edit", args=[task.pk, unit.pk])).status_code == 200


D = dt.date


# -- the close of a period (trends' snapshots and 考评's scores are taken then) ---------------------------


def test_a_period_closes_on_its_last_day_or_its_deadline_whichever_is_later():
    monthly = Plan(title="月报", kind="annual", year_start=2025, year_end=2025)
    # The default deadline is the 25th of the month: the month's last day is later.
    assert period_close(plan=monthly, period=D(2025, 5, 1)) == D(2025, 5, 31)
    # The 5th working day after 31 May 2025, after the Dragon Boat holiday (31 May – 2 June).
    monthly.report_due_rule, monthly.report_due_number = DueRule.WORKDAYS_AFTER, 5
    assert period_close(plan=monthly, period=D(2025, 5, 1)) == D(2025, 6, 9)
    quarterly = Plan(
        title="季报",
        kind="annual",
        year_start=2025,
        year_end=2025,
        reporting_period=ReportingPeriod.QUARTERLY,
        report_due_rule=DueRule.WORKDAYS_AFTER,
        report_due_number=5,
    )
    # README: for Q3 2025 the 5th working day after the quarter is 14 October (National Day holiday).
    assert period_close(plan=quarterly, period=D(2025, 7, 1)) == D(2025, 10, 14)


def test_the_latest_closed_period_waits_for_the_close_day_to_end():
    plan = Plan(
        title="月报",
        kind="annual",
        year_start=2025,
        year_end=2025,
        report_due_rule=DueRule.WORKDAYS_AFTER,
        report_due_number=5,
    )
    assert period_closed_latest(plan=plan, today=D(2025, 6, 9)) == D(2025, 4, 1)  # May closes at the end of 9 June
    assert period_closed_latest(plan=plan, today=D(2025, 6, 10)) == D(2025, 5, 1)
    # Before the plan's first period closed: none. After its year: its last period.
    assert period_closed_latest(plan=plan, today=D(2025, 1, 20)) is None
    assert period_closed_latest(plan=plan, today=D(2026, 3, 1)) == D(2025, 12, 1)
    assert periods_closed(plan=plan, today=D(2025, 6, 10), count=12) == [D(2025, m, 1) for m in range(1, 6)]


# -- the current period (本期) under a workdays_after window (QA 4, item 1) -------------------------


def test_under_a_workdays_after_window_the_ended_period_stays_current_until_its_deadline():
    from tasks.periods import period_current

    after = DueRule.WORKDAYS_AFTER
    q = ReportingPeriod.QUARTERLY
    # Q3 2025's 5th working day after is Tuesday 14 October (国庆 1–8 October, make-up Saturday 11th).
    assert period_current(reporting_period=q, today=D(2025, 10, 10), rule=after, number=5) == D(2025, 7, 1)
    assert period_current(reporting_period=q, today=D(2025, 10, 14), rule=after, number=5) == D(2025, 7, 1)
    assert period_current(reporting_period=q, today=D(2025, 10, 15), rule=after, number=5) == D(2025, 10, 1)
    # A day of the last month: the calendar period, whatever the day.
    assert period_current(reporting_period=q, today=D(2025, 10, 10)) == D(2025, 10, 1)
    # January 2026 is still December 2025's window on the 1st working day after (Sunday 4 Jan → 5 Jan).
    m = ReportingPeriod.MONTHLY
    assert period_current(reporting_period=m, today=D(2026, 1, 4), rule=after, number=1) == D(2025, 12, 1)
    assert period_current(reporting_period=m, today=D(2026, 1, 6), rule=after, number=1) == D(2026, 1, 1)


def test_the_sql_current_period_agrees_with_the_rule_every_day(seed_plans):
    """tasks.status.rule.period_now (SQL, for every list and count) and tasks.periods.period_current
    (the form, reminders, chases) on every day of 2025 and early 2026, for each cadence and window."""
    from django.db.models import F

    from tasks.periods import period_current
    from tasks.status.clock import Clock

    plan = Plan.objects.get(kind="annual")
    task = Task.objects.filter(plan=plan).first()
    windows = [(DueRule.DAY_OF_LAST_MONTH, None), (DueRule.DAY_OF_LAST_MONTH, 20)] + [
        (DueRule.WORKDAYS_AFTER, n) for n in (None, 1, 3, 5, 20)
    ]
    days = [D(2025, 1, 1) + dt.timedelta(days=i) for i in range(0, 400, 3)]
    for cadence in ReportingPeriod.values:
        for rule, number in windows:
            Plan.objects.filter(pk=plan.pk).update(
                reporting_period=cadence, report_due_rule=rule, report_due_number=number
            )
            for day in days:
                rows = Task.objects.filter(pk=task.pk).with_status(Clock(today=day))
                sql = rows.annotate(now=F("period_now")).values_list("now", flat=True)
                expected = period_current(reporting_period=cadence, today=day, rule=rule, number=number)
                assert sql.get() == expected, (cadence, rule, number, day)


def test_a_workdays_after_plan_is_reported_for_the_ended_quarter_in_its_window(
    seed_plans, client_as, liaison_user, clock_at
):
    """Quarterly, the 5th working day after: on 2025-10-10 the form and 我的待办 target 2025年第3季度
    (deadline 14 October), not 2025年第4季度; on the 15th the form has moved on."""
    plan = Plan.objects.get(kind="annual")
    Plan.objects.filter(pk=plan.pk).update(
        reporting_period=ReportingPeriod.QUARTERLY, report_due_rule=DueRule.WORKDAYS_AFTER, report_due_number=5
    )
    task = Task.objects.get(plan=plan, number="4")  # led by 区科委, the liaison's unit
    unit = Unit.objects.get(name="区科委")
    clock_at(D(2025, 10, 10))
    client = client_as(liaison_user)
    page = client.get(reverse("tasks:report_edit", args=[task.pk, unit.pk])).content.decode()
    assert "报送周期：<strong>2025年第3季度</strong>" in page
    assert "报送截止：<strong data-deadline>2025年10月14日</strong>" in page
    todo = client.get(reverse("supervision:todo")).content.decode()
    assert "报送周期 2025年第3季度" in todo and "2025年第4季度" not in todo
    _report_through_the_form(client, task, unit)
    assert task.reports.get().period == D(2025, 7, 1)
    clock_at(D(2025, 10, 15))
    page = client.get(reverse("tasks:report_edit", args=[task.pk, unit.pk])).content.decode()
    assert "报送周期：<strong>2025年第4季度</strong>" in page
