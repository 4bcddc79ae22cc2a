"""The leader cockpit's drill-down: unit → task → the unit's latest report, for the leader's
tasks (one query; with `reuse`, only the tasks whose version moved: tasks.selectors.row_reuse)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from minhang_plans.compiled import compiled_rows, ids_padded
from tasks.choices import ReviewState
from tasks.models import ProgressReport, TaskLeader, TaskUnit
from tasks.periods import period_label
from tasks.selectors.row_reuse import Reuse, pieces_reused
from tasks.selectors.row_types import TaskRow
from tasks.status.clock import Clock
from tasks.status.rule import flag, silent_link
from tasks.status.summary import Summary

from .trends import LIGHT_ORDER


@dataclass(frozen=True)
class LatestReport:
    """A lead unit's latest report on a task (drafts left out), as it was sent."""

    period: dt.date
    period_label: str
    status: str
    percent: int | None
    progress: str
    review: str
    comment: str


@dataclass(frozen=True)
class DrillTask:
    id: int
    number: str
    title: str
    plan_title: str
    light: str
    status: str
    silent: bool  # the unit has not reported this period (open task)
    latest: LatestReport | None


@dataclass
class DrillUnit:
    """A lead unit of the leader's tasks, with those tasks and its own latest report on each."""

    id: int
    name: str
    summary: Summary = field(default_factory=Summary)
    tasks: list[DrillTask] = field(default_factory=list)


def _links(*, tasks: Q, clock: Clock) -> QuerySet[Any]:
    """The lead links of these current tasks (`tasks`: a condition on the links) with the task's
    status, the link's own silence and the unit's latest report (not a draft): one query."""
    latest = (
        ProgressReport.objects.filter(task_id=OuterRef("task_id"), unit_id=OuterRef("unit_id"))
        .exclude(review_state=ReviewState.DRAFT)
        .order_by("-period")
    )
    fields = {"period": "period", "status": "status", "percent": "percent"}
    fields |= {"progress": "progress_text", "review": "review_state", "comment": "review_comment"}
    return (
        TaskUnit.objects.lead()
        .on_active()
        .filter(tasks)
        .with_status(clock)
        .annotate(
            s_light=F("light"),
            s_status=F("task_status"),
            s_silent=flag(silent_link()),
            **{f"r_{name}": Subquery(latest.values(column)[:1]) for name, column in fields.items()},
        )
        .order_by("-task__plan__year_end", "task__plan__kind", "task__position", "unit__name")
        .values_list(
            "unit_id",
            "unit__name",
            "task_id",
            "task__number",
            "task__title",
            "task__plan__title",
            "task__plan__reporting_period",
            "s_light",
            "s_status",
            "s_silent",
            *(f"r_{name}" for name in fields),
        )
    )


def _leads(leader_id: int) -> Q:
    return Q(Exists(TaskLeader.objects.filter(task_id=OuterRef("task_id"), leader_id=leader_id)))


def _by_task(rows: list[Any], ids: list[int] | None = None) -> dict[int, tuple[Any, ...]]:
    """Link rows grouped by task, in their order (each task's by unit name); every id of `ids`
    has its entry, an empty one for a task without links."""
    grouped: dict[int, list[Any]] = {task_id: [] for task_id in ids or ()}
    for row in rows:
        grouped.setdefault(row[2], []).append(row)
    return {task_id: tuple(found) for task_id, found in grouped.items()}


def _links_of_leader(*, leader_id: int, clock: Clock) -> dict[int, tuple[Any, ...]]:
    rows = compiled_rows(
        key=("cockpit", clock),
        build=lambda leader_id: _links(tasks=_leads(leader_id), clock=clock),
        ids={"leader_id": leader_id},
    )
    return _by_task(rows)


def _links_of_tasks(*, ids: list[int], clock: Clock) -> dict[int, tuple[Any, ...]]:
    """The links of these tasks (a rebuilt page's changed ones)."""
    rows = compiled_rows(
        key=("cockpit.ids", clock),
        build=lambda ids: _links(tasks=Q(task_id__in=ids), clock=clock),
        ids={"ids": ids_padded(ids)},
    )
    return _by_task(rows, ids)


def drill_units(*, leader_id: int, tasks: Sequence[TaskRow], clock: Clock, reuse: Reuse | None) -> dict[int, DrillUnit]:
    """The lead units of these task rows (the leader's, in page order), each with its tasks, the
    problems first, and its own latest report on each."""
    units: dict[int, DrillUnit] = {}
    if reuse is None:
        by_task = _links_of_leader(leader_id=leader_id, clock=clock)
    else:
        fetched = pieces_reused(
            kind="cockpit_links", reuse=reuse, fetch=lambda ids: _links_of_tasks(ids=ids, clock=clock)
        )
        by_task = dict(fetched)
    # In the page's order of tasks (the rows'), each task's links by unit name.
    links = [row for task in tasks for row in by_task.get(task.id, ())]
    for row in links:
        unit_id, unit_name, task_id, number, title, plan_title, cadence, light, status, silent, *report = row
        unit = units.get(unit_id)
        if unit is None:
            unit = units[unit_id] = DrillUnit(id=unit_id, name=unit_name)
        unit.summary.count(light=light, status=status, silent=bool(silent), n=1)
        period, r_status, percent, progress, review, comment = report
        latest = None
        if period is not None:
            latest = LatestReport(
                period=period,
                period_label=period_label(reporting_period=cadence, start=period),
                status=r_status,
                percent=percent,
                progress=progress or "",
                review=review,
                comment=comment or "",
            )
        unit.tasks.append(
            DrillTask(
                id=task_id,
                number=number,
                title=title,
                plan_title=plan_title,
                light=light,
                status=status,
                silent=bool(silent),
                latest=latest,
            )
        )
    for unit in units.values():
        # The problems first: red, yellow, grey, then green (the document's order within each).
        unit.tasks.sort(key=lambda t: LIGHT_ORDER.get(t.light, len(LIGHT_ORDER)))
    return units
