"""The leader page's 领导驾驶舱: figures by light, final states of closed plans, the trend, and the
drill-down unit → task → latest report (three queries)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.urls import reverse

from minhang_plans.compiled import compiled_rows, ids_padded
from tasks.choices import ProgressStatus, ReviewState, TaskState
from tasks.models import Leader, ProgressReport, TaskLeader, TaskUnit, UserProfile
from tasks.periods import period_label
from tasks.selectors.row_reuse import Reuse, pieces_reused
from tasks.selectors.row_types import FigureRow, TaskRow
from tasks.selectors.rows import url_pattern
from tasks.selectors.units import figure_rows_sorted
from tasks.selectors.version import Scope, scope_version_annotations, version_of
from tasks.status.clock import Clock, clock_or_now
from tasks.status.rule import flag, silent_link
from tasks.status.summary import Summary
from yearend.models import FinalState
from yearend.selectors import FigureLine

from .trends import LIGHT_ORDER, Trend, trend_of_leader


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


@dataclass(frozen=True)
class ClosedPlan:
    """A plan closed at year end: the final states of the leader's tasks in it (年终办结)."""

    plan_id: int
    url: str  # its 年终办结 page
    figures: FigureLine


@dataclass
class Cockpit:
    summary: Summary
    units: list[FigureRow]  # the units table (as selectors.leader_unit_list gives it)
    drill: list[DrillUnit]
    closed: list[ClosedPlan]
    trend: Trend


def leader_get_for(*, leader_id: int, user_id: int | None) -> tuple[Leader, bool, tuple[int, int, int] | None]:
    """The leader of a leader page (404 if none), whether the account `user_id` is that leader's
    own (its profile names them: the page offers its own leader 批示 on each task), and the
    version of the leader's tasks (the page's cache key, tasks.selectors.version): one query,
    which on PostgreSQL reads each of the leader's tasks' versions (the rows a rebuilt page may
    reuse: tasks.selectors.leader_rows_reuse)."""

    def build(leader_id: int, user_id: int) -> QuerySet[Leader]:
        own = UserProfile.objects.filter(user_id=user_id, leader_id=OuterRef("pk"))
        leaders = Leader.objects.annotate(
            viewer_is_leader=Exists(own),
            **scope_version_annotations(scope=Scope.leader(leader_id), with_tasks=True),
        )
        return leaders.filter(pk=leader_id)

    # Compiled once (minhang_plans.compiled): the ids are its parameters. No account: no match.
    found = compiled_rows(key="leader_get_for", build=build, ids={"leader_id": leader_id, "user_id": user_id or 0})
    if not found:
        raise Http404("没有这位领导。")
    leader = found[0]
    return leader, bool(leader.viewer_is_leader), version_of(leader)  # type: ignore[attr-defined]  # annotated


def summary_of_rows(rows: Sequence[TaskRow]) -> Summary:
    """Counts by light, completion and 本期未报送 of these task rows (withdrawn ones left out): the
    figures `summary_total` counts in SQL, from rows that carry the same rule's values."""
    summary = Summary()
    for row in rows:
        if row.withdrawn:
            continue
        silent = row.units_lead > 0 and not row.is_reported and row.status != ProgressStatus.DONE
        summary.count(light=row.light, status=row.status, silent=silent, n=1)
    return summary


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


def _closed_plans(*, leader: Leader) -> list[ClosedPlan]:
    """Final states of the leader's tasks in closed plans, per plan, newest first: one query."""
    counts: dict[str, Any] = {"n_total": Count("pk")}
    for state in FinalState:
        counts[f"n_{state.value}"] = Count("pk", filter=Q(task__outcome__state=state.value))
    rows = compiled_rows(
        key="leader.closed_plans",
        build=lambda leader_id: (
            TaskLeader.objects.filter(
                leader_id=leader_id, task__state=TaskState.ACTIVE, task__plan__closure__isnull=False
            )
            .values("task__plan_id", "task__plan__title", "task__plan__year_end")
            .annotate(**counts)
            .order_by("-task__plan__year_end", "task__plan_id")
        ),
        ids={"leader_id": leader.pk},
    )
    return [
        ClosedPlan(
            plan_id=row["task__plan_id"],
            url=reverse("yearend:plan", args=[row["task__plan_id"]]),
            figures=FigureLine(
                name=row["task__plan__title"],
                total=row["n_total"],
                done=row[f"n_{FinalState.DONE.value}"],
                mostly_done=row[f"n_{FinalState.MOSTLY_DONE.value}"],
                not_done=row[f"n_{FinalState.NOT_DONE.value}"],
                carried=row[f"n_{FinalState.CARRIED.value}"],
                dropped=row[f"n_{FinalState.DROPPED.value}"],
            ),
        )
        for row in rows
    ]


def _leads(leader_id: int) -> Q:
    return Q(Exists(TaskLeader.objects.filter(task_id=OuterRef("task_id"), leader_id=leader_id)))


def _links_by_task(*, clock: Clock, leader_id: int = 0, ids: list[int] | None = None) -> dict[int, tuple[Any, ...]]:
    """The drill-down's link rows grouped by task (each task's by unit name): of the leader's
    tasks, or of the tasks with these ids (a rebuilt page's changed ones)."""
    if ids is None:
        rows = compiled_rows(
            key=("cockpit", clock),
            build=lambda leader_id: _links(tasks=_leads(leader_id), clock=clock),
            ids={"leader_id": leader_id},
        )
    elif ids:
        rows = compiled_rows(
            key=("cockpit.ids", clock),
            build=lambda ids: _links(tasks=Q(task_id__in=ids), clock=clock),
            ids={"ids": ids_padded(ids)},
        )
    else:
        rows = []
    grouped: dict[int, list[tuple[Any, ...]]] = {task_id: [] for task_id in ids or ()}
    for row in rows:
        grouped.setdefault(row[2], []).append(row)
    return {task_id: tuple(found) for task_id, found in grouped.items()}


def leader_cockpit(
    *, leader: Leader, tasks: Sequence[TaskRow], clock: Clock | None = None, reuse: Reuse | None = None
) -> Cockpit:
    """The 领导驾驶舱 of a leader's page, given the page's task rows (selectors.leader_task_list):
    three queries — the lead links with their latest reports (the units table and the drill-down),
    the final states of closed plans, and the trend. The figures by light come from the rows.
    With `reuse`, the links of tasks whose version stands come from the process's store
    (tasks.selectors.row_reuse) and only the others' are read."""
    clock = clock_or_now(clock)
    units: dict[int, DrillUnit] = {}
    if reuse is None:
        by_task = _links_by_task(clock=clock, leader_id=leader.pk)
    else:
        by_task = dict(
            pieces_reused(kind="cockpit_links", reuse=reuse, fetch=lambda ids: _links_by_task(clock=clock, ids=ids))
        )
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
    unit_url = url_pattern("tasks:unit")
    figure_rows = figure_rows_sorted(
        [FigureRow(id=u.id, name=u.name, url=unit_url.format(u.id), summary=u.summary) for u in units.values()],
        figure="total",
    )
    return Cockpit(
        summary=summary_of_rows(tasks),
        units=figure_rows,
        drill=[units[row.id] for row in figure_rows],
        closed=_closed_plans(leader=leader),
        trend=trend_of_leader(leader=leader, clock=clock),
    )
