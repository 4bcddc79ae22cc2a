"""Reads for reminders: per lead unit, what it has not reported this period and what turned yellow or red."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, F, Value, When

from ..choices import Light
from ..models import TaskUnit
from ..status.clock import Clock, clock_or_now


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
            # The unit's own latest submitted-or-approved period, stored on the link.
            own_now=Case(
                When(reported_period__gte=F("period_now"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .values_list(
            "unit_id",
            "unit__name",
            "task_id",
            "task__number",
            "task__title",
            "task__plan__title",
            "light_now",
            "own_now",
        )
        .order_by("unit__name", "task__plan_id", "task__position")
    )
    units: dict[int, UnitReminder] = {}
    for unit_id, unit_name, task_id, number, title, plan_title, light, own_now in rows:
        entry = units.setdefault(unit_id, UnitReminder(unit_id=unit_id, unit=unit_name))
        task = ReminderTask(task_id=task_id, number=number, title=title, plan_title=plan_title, light=light)
        if not own_now:
            entry.missing.append(task)
        if light == Light.RED:
            entry.red.append(task)
        elif light == Light.YELLOW:
            entry.yellow.append(task)
    return [u for u in units.values() if u.missing or u.red or u.yellow]
