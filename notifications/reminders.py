"""Scheduled reminders (jobs/schedules.py runs these on the worker, daily and weekly).

- reminders: REMINDER_WORKDAYS_BEFORE (N) working days before a period's deadline, to the
  liaisons of each lead unit that has not reported the period yet;
- escalation: after the deadline, to those units' liaisons; ESCALATION_WORKDAYS_AFTER (M) working
  days after it, one digest to each lead leader's account (their tasks) and one to the office;
- a weekly digest for the office.

Every message goes through message_send with an event key per unit (or recipient group),
period and stage, so a rerun, a catch-up after downtime or a second worker sends nothing twice.
The daily jobs send on working days only (the State Council's calendar, minhang_plans.workdays).

The deadline is each plan's reporting window (tasks.periods.period_deadline: a day of the
period's last month, by default REPORT_DUE_DAY, or the N-th working day after the period); plans
with the same cadence and window share one Window."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.urls import reverse

from minhang_plans.dates import date_long, deadline_text, week_span
from minhang_plans.workdays import calendar_note, workday_add, workday_is, workdays_between
from tasks.models import DueRule, Plan, ReportingPeriod, Role, TaskLeader

# The deadline rule lives with the periods; re-exported here, where the schedules and supervision read it.
from tasks.periods import period_current, period_deadline, period_label, previous_period
from tasks.selectors import Clock, report_pending_list, units_owing_list
from tasks.status.clock import PeriodClock

from .models import MessageKind
from .services import message_send, unit_liaisons

LIST_LIMIT = 30  # task lines in one message; the rest are counted


@dataclass(frozen=True)
class Window:
    """One reporting period of the plans of one cadence, and its deadline."""

    cadence: str
    start: dt.date
    deadline: dt.date
    plan_ids: tuple[int, ...]
    # The plans' window when it is not the default one, so that its event keys are its own.
    rule: str = DueRule.DAY_OF_LAST_MONTH
    number: int | None = None

    @property
    def label(self) -> str:
        return period_label(reporting_period=self.cadence, start=self.start)

    @property
    def key(self) -> str:
        default = self.rule == DueRule.DAY_OF_LAST_MONTH and self.number is None
        return f"{self.cadence}:{self.start:%Y-%m}" + ("" if default else f":{self.rule}{self.number}")


def windows(*, today: dt.date, previous: bool = False) -> Iterator[Window]:
    """The current period (本期, tasks.periods.period_current: under a workdays_after window the
    period that just ended until its deadline) of each cadence and window that plans use, and the
    period before it if asked; each with the plans that owe a report for it (within their years)."""
    groups: dict[tuple[str, str, int | None], list[tuple[int, int, int]]] = defaultdict(list)
    for pk, cadence, rule, number, first_year, last_year in Plan.objects.order_by("pk").values_list(
        "pk", "reporting_period", "report_due_rule", "report_due_number", "year_start", "year_end"
    ):
        groups[(cadence, rule, number)].append((pk, first_year, last_year))
    for cadence in ReportingPeriod.values:
        for (plan_cadence, rule, number), plans in groups.items():
            if plan_cadence != cadence:
                continue
            current = period_current(reporting_period=cadence, today=today, rule=rule, number=number)
            starts = [current, previous_period(reporting_period=cadence, start=current)] if previous else [current]
            for start in starts:
                plan_ids = tuple(pk for pk, first_year, last_year in plans if first_year <= start.year <= last_year)
                if not plan_ids:
                    continue
                deadline = period_deadline(reporting_period=cadence, start=start, rule=rule, number=number)
                yield Window(
                    cadence=cadence, start=start, deadline=deadline, plan_ids=plan_ids, rule=rule, number=number
                )


def window_closed(*, window: Window, today: dt.date) -> bool:
    """The window's period can no longer be reported (the report form takes only the current
    period): today's current period of its plans is a later one."""
    return window.start < period_current(
        reporting_period=window.cadence, today=today, rule=window.rule, number=window.number
    )


def reminder_first_day(*, deadline: dt.date) -> dt.date:
    """The day reminders start: REMINDER_WORKDAYS_BEFORE working days before the deadline; with 0
    and a deadline on a day off (the daily jobs send on working days only), the last working day
    before it."""
    first = workday_add(day=deadline, count=-settings.REMINDER_WORKDAYS_BEFORE)
    return first if workday_is(day=first) else workday_add(day=first, count=-1)


def reminder_when(*, today: dt.date, deadline: dt.date) -> str:
    """How long is left, as the reminder says it: 今天 on the deadline; the last working day
    before a deadline on a day off says so (not "还有0个工作日")."""
    if today == deadline:
        return "今天截止"
    left = workdays_between(start=today, end=deadline)
    if left == 0:
        return "今天是截止前最后一个工作日"
    return f"还有{left}个工作日"


def _date(day: dt.date) -> str:
    return date_long(day)


def _missing(window: Window, *, today: dt.date) -> list[tuple[int, str, list]]:
    """(unit id, unit name, tasks it has not reported) for the window's plans and period: the rows
    and the rule of 我的待办 (tasks.selectors.units_owing_list), on today's tasks (an 已完成 task
    owes nothing), named units only."""
    clock = PeriodClock(today=today, period=window.start)
    return [(u.unit_id, u.unit, u.tasks) for u in units_owing_list(clock=clock, plan_ids=window.plan_ids)]


def _task_lines(tasks: list) -> str:
    lines = [f"  - 《{t.plan_title}》第{t.number}项 {t.title}" for t in tasks[:LIST_LIMIT]]
    if len(tasks) > LIST_LIMIT:
        lines.append(f"  …等共{len(tasks)}项")
    return "\n".join(lines)


def _calendar_line(day: dt.date) -> str:
    note = calendar_note(year=day.year)
    return f"\n\n注：{note}" if note else ""


def _users() -> QuerySet[User]:
    return User.objects.filter(is_active=True)


def _office() -> list[User]:
    return list(_users().filter(groups__name=Role.OFFICE.value).distinct())


def reminders_send() -> int:
    """Before the deadline: each unit that has not reported gets one reminder per period."""
    today = Clock.now().today
    if not workday_is(day=today):
        return 0
    sent = 0
    for window in windows(today=today):
        if not reminder_first_day(deadline=window.deadline) <= today <= window.deadline:
            continue
        when = reminder_when(today=today, deadline=window.deadline)
        for unit_id, unit, tasks in _missing(window, today=today):
            body = (
                f"{unit}尚有{len(tasks)}项任务未报送{window.label}进展，"
                f"报送截止日期为{deadline_text(window.deadline)}，{when}：\n{_task_lines(tasks)}"
                f"{_calendar_line(window.deadline)}"
            )
            sent += len(
                message_send(
                    recipients=unit_liaisons(unit_ids=[unit_id]),
                    kind=MessageKind.REMINDER,
                    title=f"{window.label}进展报送提醒（{unit}）",
                    body=body,
                    link=reverse("tasks:unit", args=[unit_id]),
                    event_key=f"remind:{window.key}:unit{unit_id}",
                )
            )
    return sent


def escalations_send() -> int:
    """After the deadline: the units' liaisons at once; M working days later, a digest to each
    lead leader's account and to the office. Covers the current and the previous period."""
    today = Clock.now().today
    if not workday_is(day=today):
        return 0
    sent = 0
    for window in windows(today=today, previous=True):
        if today <= window.deadline:
            continue
        missing = _missing(window, today=today)
        closed = window_closed(window=window, today=today)
        for unit_id, unit, tasks in missing:
            body = escalation_body(window=window, unit=unit, tasks=tasks, closed=closed)
            sent += len(
                message_send(
                    recipients=unit_liaisons(unit_ids=[unit_id]),
                    kind=MessageKind.ESCALATION,
                    title=f"{window.label}进展逾期未报送（{unit}）",
                    body=body,
                    link=reverse("tasks:unit", args=[unit_id]),
                    event_key=f"escalate:{window.key}:unit{unit_id}",
                )
            )
        if missing and today >= workday_add(day=window.deadline, count=settings.ESCALATION_WORKDAYS_AFTER):
            sent += _leader_digests(window=window, missing=missing, today=today)
            sent += _office_digest(window=window, missing=missing, today=today)
    return sent


def escalation_body(*, window: Window, unit: str, tasks: list, closed: bool) -> str:
    """While the period can still be reported (late, 逾期报送), ask for it; once it has closed (the
    form takes the next period only), say it is recorded as not reported (缺报) and what to do."""
    passed = f"{window.label}进展的报送截止日期{deadline_text(window.deadline)}已过，"
    if not closed:
        return f"{passed}{unit}仍有{len(tasks)}项任务未报送，请尽快报送（将标记为逾期报送）：\n{_task_lines(tasks)}"
    following = period_label(
        reporting_period=window.cadence, start=period_end_next(cadence=window.cadence, start=window.start)
    )
    return (
        f"{passed}报送期已结束，{unit}有{len(tasks)}项任务未报送，记为缺报，不能再补报。"
        f"请在报送{following}进展时一并说明上述任务的进展；如有特殊情况，请联系督查室：\n{_task_lines(tasks)}"
    )


def period_end_next(*, cadence: str, start: dt.date) -> dt.date:
    """The first day of the period after the one starting on `start`."""
    months = 3 if cadence == ReportingPeriod.QUARTERLY else 1
    month = start.month - 1 + months
    return dt.date(start.year + month // 12, month % 12 + 1, 1)


def _leader_digests(*, window: Window, missing: list, today: dt.date) -> int:
    """One digest per lead leader's account: their tasks and the units that have not reported."""
    units_of_task: dict[int, list[str]] = defaultdict(list)
    tasks = {}
    for _unit_id, unit, unit_tasks in missing:
        for task in unit_tasks:
            units_of_task[task.task_id].append(unit)
            tasks[task.task_id] = task
    tasks_of_leader: dict[int, list[int]] = defaultdict(list)
    for task_id, leader_id in TaskLeader.objects.filter(task_id__in=tasks).values_list("task_id", "leader_id"):
        tasks_of_leader[leader_id].append(task_id)
    accounts: dict[int, list[User]] = defaultdict(list)
    for user in _users().filter(profile__leader_id__in=tasks_of_leader).select_related("profile"):
        account_leader = user.profile.leader_id
        if account_leader is not None:  # always, by the filter; the check tells the type checker
            accounts[account_leader].append(user)
    silent_units = {task_id: "、".join(names) for task_id, names in units_of_task.items()}
    sent = 0
    for leader_id, task_ids in tasks_of_leader.items():
        if not accounts.get(leader_id):
            continue
        lines = [
            f"  - 《{tasks[t].plan_title}》第{tasks[t].number}项 {tasks[t].title}（未报送：{silent_units[t]}）"
            for t in task_ids[:LIST_LIMIT]
        ]
        if len(task_ids) > LIST_LIMIT:
            lines.append(f"  …等共{len(task_ids)}项")
        body = (
            f"截至{_date(today)}，您牵头的{len(task_ids)}项任务仍有单位未报送{window.label}进展"
            f"，截止日期为{deadline_text(window.deadline)}：\n" + "\n".join(lines)
        )
        sent += len(
            message_send(
                recipients=accounts[leader_id],
                kind=MessageKind.DIGEST,
                title=f"{window.label}进展逾期未报送汇总",
                body=body,
                link=reverse("tasks:leader", args=[leader_id]),
                event_key=f"escalate-leader:{window.key}:leader{leader_id}",
            )
        )
    return sent


def _office_digest(*, window: Window, missing: list, today: dt.date) -> int:
    lines = [f"  - {unit}：{len(tasks)}项" for _unit_id, unit, tasks in missing]
    late = workdays_between(start=window.deadline, end=today)
    body = (
        f"截至{_date(today)}，{len(missing)}个单位仍未报送{window.label}进展"
        f"，截止日期为{deadline_text(window.deadline)}，已逾期{late}个工作日：\n" + "\n".join(lines)
    )
    return len(
        message_send(
            recipients=_office(),
            kind=MessageKind.DIGEST,
            title=f"{window.label}进展逾期未报送汇总（督查室）",
            body=body,
            link=reverse("tasks:task_search") + "?reported=no",
            event_key=f"escalate-office:{window.key}",
        )
    )


def weekly_digest_day(*, today: dt.date) -> dt.date | None:
    """The day of this week's digest: WEEKLY_DIGEST_WEEKDAY of the week (Monday to Sunday), or the
    first working day after it when that is a day off (a holiday Monday: the daily jobs skip
    holidays too); None when no working day is left in the week."""
    monday = today - dt.timedelta(days=today.weekday())
    day = monday + dt.timedelta(days=settings.WEEKLY_DIGEST_WEEKDAY - 1)
    while not workday_is(day=day):
        day += dt.timedelta(days=1)
        if day > monday + dt.timedelta(days=6):
            return None
    return day


def weekly_digest_send() -> int:
    """The office's weekly digest: reports awaiting review and units that have not reported (the
    rows of 我的待办, tasks.selectors.units_owing_list). The schedule runs daily; the digest goes
    out on weekly_digest_day, once a week, titled by the week's dates (每周汇总（12月29日—1月4日）),
    not by an ISO week number, whose year is not the calendar's at a year's turn."""
    clock = Clock.now()
    today = clock.today
    if weekly_digest_day(today=today) != today:
        return 0
    monday = today - dt.timedelta(days=today.weekday())
    plan_ids = list(
        Plan.objects.filter(year_start__lte=today.year, year_end__gte=today.year).values_list("pk", flat=True)
    )
    silent = units_owing_list(clock=clock, plan_ids=plan_ids) if plan_ids else []
    pending = report_pending_list().count()
    lines = [f"待审核的进展报告：{pending}份。"]
    if silent:
        lines.append(f"本期尚未报送的单位（{len(silent)}个）：")
        lines.extend(f"  - {s.unit}：{len(s.tasks)}项" for s in silent[:LIST_LIMIT])
        if len(silent) > LIST_LIMIT:
            lines.append(f"  …等共{len(silent)}个单位")
    else:
        lines.append("本期各单位均已报送。")
    return len(
        message_send(
            recipients=_office(),
            kind=MessageKind.DIGEST,
            title=f"每周汇总（{week_span(monday=monday)}）",
            body="\n".join(lines),
            link=reverse("tasks:review_queue"),
            event_key=f"weekly:{monday:%Y-%m-%d}",
        )
    )
