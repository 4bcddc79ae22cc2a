"""Reads for reminders: per lead unit, what it has not reported this period and what turned yellow or red."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, F, Value, When

from ..choices import Light, UnitKind
from ..models import TaskUnit
from ..status.clock import Clock, clock_or_now
from ..status.rule import silent_link


@dataclass(frozen=True)
class ReminderTask:
    task_id: int
    number: str
    title: str
    plan_title: str
    light: str


@dataclass
class UnitReminder:
    unit_id: int
    unit: str
    missing: list[ReminderTask] = field(default_factory=list)  # no report this period by the unit itself
    red: list[ReminderTask] = field(default_factory=list)
    yellow: list[ReminderTask] = field(default_factory=list)


def reminder_list(*, clock: Clock | None = None) -> list[UnitReminder]:
    """Per lead unit: active tasks it has not reported on this period, and tasks now yellow or red (one query)."""
    rows = (
        TaskUnit.objects.lead()
        .on_active()
        .with_status(clock_or_now(clock))
        .annotate(
            light_now=F("light"),
            # Not reported this period by the unit itself, on an open task: 我的待办's rule.
            silent=Case(When(silent_link(), then=Value(True)), default=Value(False), output_field=BooleanField()),
        )
        .values_list(
            "unit_id",
            "unit__name",
            "task_id",
            "task__number",
            "task__title",
            "task__plan__title",
            "light_now",
            "silent",
        )
        .order_by("unit__name", "task__plan_id", "task__position")
    )
    units: dict[int, UnitReminder] = {}
    for unit_id, unit_name, task_id, number, title, plan_title, light, silent in rows:
        entry = units.setdefault(unit_id, UnitReminder(unit_id=unit_id, unit=unit_name))
        task = ReminderTask(task_id=task_id, number=number, title=title, plan_title=plan_title, light=light)
        if silent:
            entry.missing.append(task)
        if light == Light.RED:
            entry.red.append(task)
        elif light == Light.YELLOW:
            entry.yellow.append(task)
    return [u for u in units.values() if u.missing or u.red or u.yellow]


@dataclass(frozen=True)
class UnitOwing:
    unit_id: int
    unit: str
    tasks: list[ReminderTask]


def units_owing_list(*, clock: Clock, plan_ids: Collection[int]) -> list[UnitOwing]:
    """Per named lead unit (not a 泛指 one: nobody reads or reports for it), the open tasks of these
    plans it has not reported for the clock's period: the rows of 我的待办 and of the search's
    `reported=no` (status.rule.silent_link), so a reminder, an escalation or a digest counts what
    the unit's and the office's 我的待办 show (one query)."""
    rows = (
        TaskUnit.objects.lead()
        .on_active()
        .filter(task__plan_id__in=list(plan_ids))
        .exclude(unit__kind=UnitKind.GROUP)
        .with_status(clock)
        .filter(silent_link())
        .annotate(light_now=F("light"))
        .values_list(
            "unit_id", "unit__name", "task_id", "task__number", "task__title", "task__plan__title", "light_now"
        )
        .order_by("unit__name", "unit_id", "task__plan_id", "task__position")
    )
    units: dict[int, UnitOwing] = {}
    for unit_id, unit_name, task_id, number, title, plan_title, light in rows:
        entry = units.setdefault(unit_id, UnitOwing(unit_id=unit_id, unit=unit_name, tasks=[]))
        entry.tasks.append(
            ReminderTask(task_id=task_id, number=number, title=title, plan_title=plan_title, light=light)
        )
    return list(units.values())
