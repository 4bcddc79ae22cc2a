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

from minhang_plans.workdays import calendar_note, workday_add, workday_is, workdays_between
from tasks.models import DueRule, Plan, ReportingPeriod, Role, Task, TaskLeader

# The deadline rule lives with the periods; re-exported here, where the schedules and supervision read it.
from tasks.periods import period_deadline, period_label, period_start, previous_period
from tasks.selectors import Clock, reminder_list, report_pending_list, units_silent_list

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
    """The current period (and the one before, if asked) of each cadence that plans in force use."""
    for cadence in ReportingPeriod.values:
        start = period_start(reporting_period=cadence, day=today)
        starts = [start, previous_period(reporting_period=cadence, start=start)] if previous else [start]
        for first in starts:
            by_window: dict[tuple[str, int | None], list[int]] = defaultdict(list)
            for pk, rule, number in (
                Plan.objects.filter(reporting_period=cadence, year_start__lte=first.year, year_end__gte=first.year)
                .order_by("pk")
                .values_list("pk", "report_due_rule", "report_due_number")
            ):
                by_window[(rule, number)].append(pk)
            for (rule, number), plan_ids in by_window.items():
                deadline = period_deadline(reporting_period=cadence, start=first, rule=rule, number=number)
                yield Window(
                    cadence=cadence, start=first, deadline=deadline, plan_ids=tuple(plan_ids), rule=rule, number=number
                )


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _missing(window: Window) -> list[tuple[int, str, list]]:
    """(unit id, unit name, tasks it has not reported) for the window's plans, as of its deadline."""
    task_ids = set(Task.objects.filter(plan_id__in=window.plan_ids).values_list("pk", flat=True))
    found = []
    for unit in reminder_list(clock=Clock(today=window.deadline)):
        tasks = [t for t in unit.missing if t.task_id in task_ids]
        if tasks:
            found.append((unit.unit_id, unit.unit, tasks))
    return found


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
        first_day = workday_add(day=window.deadline, count=-settings.REMINDER_WORKDAYS_BEFORE)
        if not first_day <= today <= window.deadline:
            continue
        left = workdays_between(start=today, end=window.deadline)
        when = "今天" if today == window.deadline else f"还有{left}个工作日"
        for unit_id, unit, tasks in _missing(window):
            body = (
                f"{unit}尚有{len(tasks)}项任务未报送{window.label}进展，"
                f"报送截止日期为{_date(window.deadline)}（{when}）：\n{_task_lines(tasks)}"
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
        missing = _missing(window)
        for unit_id, unit, tasks in missing:
            body = (
                f"{window.label}进展的报送截止日期（{_date(window.deadline)}）已过，"
                f"{unit}仍有{len(tasks)}项任务未报送，请尽快报送：\n{_task_lines(tasks)}"
            )
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
            f"（截止日期{_date(window.deadline)}）：\n" + "\n".join(lines)
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
    body = (
        f"截至{_date(today)}，{len(missing)}个单位仍未报送{window.label}进展"
        f"（截止日期{_date(window.deadline)}，已逾期{workdays_between(start=window.deadline, end=today)}个工作日）：\n"
        + "\n".join(lines)
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


def weekly_digest_send() -> int:
    """The office's weekly digest: reports awaiting review and units that have not reported."""
    clock = Clock.now()
    today = clock.today
    year, week, _ = today.isocalendar()
    plan_ids = list(
        Plan.objects.filter(year_start__lte=today.year, year_end__gte=today.year).values_list("pk", flat=True)
    )
    titles = dict(Plan.objects.filter(pk__in=plan_ids).values_list("pk", "title"))
    silent = units_silent_list(clock=clock, plan_ids=plan_ids) if plan_ids else []
    pending = report_pending_list().count()
    lines = [f"待审核的进展报告：{pending}份。"]
    if silent:
        lines.append(f"本期尚未报送的单位（{len({s.unit_id for s in silent})}个）：")
        lines.extend(f"  - 《{titles[s.plan_id]}》{s.name}：{s.missing}项" for s in silent[:LIST_LIMIT])
        if len(silent) > LIST_LIMIT:
            lines.append(f"  …等共{len(silent)}条")
    else:
        lines.append("本期各单位均已报送。")
    return len(
        message_send(
            recipients=_office(),
            kind=MessageKind.DIGEST,
            title=f"每周汇总（{year}年第{week}周）",
            body="\n".join(lines),
            link=reverse("tasks:review_queue"),
            event_key=f"weekly:{year}-W{week:02d}",
        )
    )
