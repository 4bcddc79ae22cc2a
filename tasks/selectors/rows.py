"""Typed rows: what crosses from the selectors into the templates, under plain names.

A task row is read from a queryset with the status selected (`with_status_shown`),
related rows joined and links prefetched (`task_row_queryset`), then copied into a
TaskRow: a template reads `task.light`, `task.lead_units`, never an ORM path.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from ..choices import TaskState, UnitRole
from ..models import Task, TaskLeader, TaskUnit
from ..querysets import TaskQuerySet
from ..status.clock import Clock
from ..status.summary import Summary


@dataclass(frozen=True)
class Named:
    """A leader or unit as a list shows it: its page and its name."""

    id: int
    name: str
    printed: str = ""  # a unit as the document printed it, when that differs from its name


@dataclass(frozen=True)
class OwnReport:
    """A unit's latest report (not a draft) on a task, as the unit's page shows it."""

    period: datetime.date
    status: str
    percent: int | None
    progress: str
    review: str
    comment: str


@dataclass
class TaskRow:
    id: int
    number: str
    title: str
    city_level: bool
    withdrawn: bool
    category_id: int
    category: str
    project: str | None
    plan_id: int
    plan_title: str
    plan_label: str  # "2025年年度重点工作"
    reporting_period: str
    leaders: list[Named]
    lead_units: list[Named]
    support_units: list[Named]
    due_date: datetime.date | None
    deadline_text: str
    light: str
    status: str  # CurrentStatus value, PENDING included
    percent: int | None
    units_lead: int
    units_reported: int
    is_reported: bool
    is_pending: bool
    unit_role: str | None = None  # on a unit's page: the unit's role on the task
    own: OwnReport | None = None  # on a unit's page: the unit's latest report


@dataclass
class ChartRow:
    """One bar of a stacked-bar chart: a label, its page, and its counts."""

    label: str
    url: str | None
    summary: Summary


@dataclass
class FigureRow:
    """A unit or leader with the counts of the tasks it leads (index pages, leader's units)."""

    id: int
    name: str
    url: str
    summary: Summary
    note: str = ""  # the unit's kind or the leader's title
    plans: int = 0

    @property
    def label(self) -> str:
        return self.name


@dataclass
class PlanFigures:
    """A unit's figures on one plan."""

    plan_id: int
    title: str
    summary: Summary


@dataclass
class SilentUnit:
    """A lead unit with open tasks it has not reported on this period, in one plan."""

    plan_id: int
    unit_id: int
    name: str
    missing: int


@dataclass
class CategoryRow:
    id: int
    order: int
    name: str
    url: str
    project_count: int
    stated_count: int | None
    summary: Summary = field(default_factory=Summary)

    @property
    def label(self) -> str:
        return self.name

    @property
    def found_count(self) -> int:
        return self.summary.total

    @property
    def matches(self) -> bool:
        return self.stated_count is None or self.stated_count == self.found_count


def task_row_queryset(qs: TaskQuerySet, *, clock: Clock) -> QuerySet[Any]:
    """A task list ready for rows: related rows joined, leaders and units prefetched, status selected."""
    return (
        qs.select_related("plan", "category", "project")
        .prefetch_related(
            Prefetch("unit_links", queryset=TaskUnit.objects.select_related("unit").order_by("role", "position")),
            Prefetch("leader_links", queryset=TaskLeader.objects.select_related("leader")),
        )
        .with_status_shown(clock)
    )


def task_row(task: Any) -> TaskRow:
    """A TaskRow from a task of `task_row_queryset` (no query). `task` is a Task with the
    status annotations of `with_status_shown`, which the type checker cannot see; this
    function is where they become typed fields."""
    links = list(task.unit_links.all())
    own = None
    if getattr(task, "own_period", None) is not None:
        own = OwnReport(
            period=task.own_period,
            status=task.own_status,
            percent=task.own_percent,
            progress=task.own_progress or "",
            review=task.own_review,
            comment=task.own_comment or "",
        )
    plan = task.plan
    return TaskRow(
        id=task.pk,
        number=task.number,
        title=task.title,
        city_level=task.city_level,
        withdrawn=task.state == TaskState.WITHDRAWN,
        category_id=task.category_id,
        category=str(task.category),
        project=task.project.name if task.project is not None else None,
        plan_id=task.plan_id,
        plan_title=plan.title,
        plan_label=f"{plan.years_label}{plan.get_kind_display()}",
        reporting_period=plan.reporting_period,
        leaders=[Named(link.leader_id, link.leader.name) for link in task.leader_links.all()],
        lead_units=[
            Named(link.unit_id, link.unit.name, link.printed_name if link.printed_name != link.unit.name else "")
            for link in links
            if link.role == UnitRole.LEAD
        ],
        support_units=[Named(link.unit_id, link.unit.name) for link in links if link.role != UnitRole.LEAD],
        due_date=task.due_date,
        deadline_text=task.deadline_text,
        light=task.light,
        status=task.status,
        percent=task.percent,
        units_lead=task.units_lead,
        units_reported=task.units_reported,
        is_reported=task.is_reported,
        is_pending=task.is_pending,
        unit_role=getattr(task, "unit_role", None),
        own=own,
    )


def task_rows_of(tasks: Iterable[Task]) -> list[TaskRow]:
    return [task_row(task) for task in tasks]


def url(name: str, *args: int) -> str:
    return reverse(name, args=args)
