"""The leader page's 领导驾驶舱: figures by light, final states of closed plans, the trend, and the
drill-down unit → task → latest report (three queries)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from minhang_plans.compiled import compiled_rows
from tasks.choices import ProgressStatus, TaskState
from tasks.models import Leader, TaskLeader, UserProfile
from tasks.selectors.row_reuse import Reuse
from tasks.selectors.row_types import FigureRow, TaskRow
from tasks.selectors.rows import url_pattern
from tasks.selectors.units import figure_rows_sorted
from tasks.selectors.version import Scope, scope_version_annotations, version_of
from tasks.status.clock import Clock, clock_or_now
from tasks.status.summary import Summary
from yearend.models import FinalState
from yearend.selectors import FigureLine

from .drill import DrillTask, DrillUnit, LatestReport, drill_units  # noqa: F401  (re-exported)
from .trends import Trend, trend_of_leader


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


def leader_cockpit(
    *, leader: Leader, tasks: Sequence[TaskRow], clock: Clock | None = None, reuse: Reuse | None = None
) -> Cockpit:
    """The 领导驾驶舱 of a leader's page, given the page's task rows (selectors.leader_task_list):
    three queries — the lead links with their latest reports (the units table and the drill-down),
    the final states of closed plans, and the trend. The figures by light come from the rows.
    With `reuse`, the links of tasks whose version stands come from the process's store
    (tasks.selectors.row_reuse) and only the others' are read."""
    clock = clock_or_now(clock)
    units = drill_units(leader_id=leader.pk, tasks=tasks, clock=clock, reuse=reuse)
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
