"""The stored part of a task's status: what its reports say, whatever today is.

Derived once per write and kept in models.TaskStatus and the period columns of
models.TaskUnit. `task_status_refresh` is called by every write that can change
it (report save and review, import and undo, admin edits of reports and links),
in that write's transaction; the conftest checks after every database test that
nothing drifted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.db.models.sql import UpdateQuery

from minhang_plans.compiled import compiled_rows, compiled_statement

from ..choices import (
    COUNTED_REVIEW_STATES,
    REPORTED_REVIEW_STATES,
    STATUS_WORST_FIRST,
    CurrentStatus,
    ReviewState,
    UnitKind,
    UnitRole,
)
from ..models import Milestone, ProgressReport, Task, TaskStatus, TaskUnit

STATUS_FIELDS = ("status", "percent", "lead_units", "reported_since", "pending_period", "next_milestone")
# What a task without a status row reads as: nothing reported, no lead unit, no open milestone.
STATUS_DEFAULT = (CurrentStatus.NOT_REPORTED.value, None, 0, None, None, None)


def worst_first() -> Case:
    """Statuses ordered worst first (the worst of the lead units' latest reports speaks for the task)."""
    return Case(
        *(When(status=status, then=Value(rank)) for rank, status in enumerate(STATUS_WORST_FIRST)),
        default=Value(len(STATUS_WORST_FIRST)),
        output_field=IntegerField(),
    )


def status_from_reports(*, task_ref: str, through: dt.date | OuterRef | None = None) -> tuple[Case, Case]:
    """The rule, in one place: (status, percent) of the task at OuterRef(task_ref), from each lead
    unit's own latest approved report (up to the period `through`, for a past period's snapshot;
    else all). The worst status among them speaks for the task, with the lowest percent; 未报送
    when none is approved. One unit's 6月 已完成 beside another's 5月 滞后 is 滞后. A task is not
    done while one of its lead units (a 泛指 unit aside: it has no liaison) has approved nothing:
    one unit's 已完成 beside another's silence is 未报送 (进展不明), with no percent.

    `through` may be OuterRef(<period field>) of the same outer row as `task_ref`: the status as of
    each outer row's own period (考评's first period done)."""
    is_lead = TaskUnit.objects.filter(task_id=OuterRef("task_id"), unit_id=OuterRef("unit_id"), role=UnitRole.LEAD)
    counted = ProgressReport.objects.filter(
        Exists(is_lead), task_id=OuterRef(task_ref), review_state__in=COUNTED_REVIEW_STATES
    )
    later = ProgressReport.objects.filter(
        task_id=OuterRef("task_id"),
        unit_id=OuterRef("unit_id"),
        review_state__in=COUNTED_REVIEW_STATES,
        period__gt=OuterRef("period"),
    )
    own = ProgressReport.objects.filter(
        task_id=OuterRef("task_id"), unit_id=OuterRef("unit_id"), review_state__in=COUNTED_REVIEW_STATES
    )
    if through is not None:
        # `later` and `own` sit one subquery deeper than `counted`, so an outer period is one OuterRef further.
        deeper = OuterRef(through) if isinstance(through, OuterRef) else through
        counted, later, own = (
            counted.filter(period__lte=through),
            later.filter(period__lte=deeper),
            own.filter(period__lte=deeper),
        )
    latest = counted.exclude(Exists(later))
    silent_lead = (
        TaskUnit.objects.filter(task_id=OuterRef(task_ref), role=UnitRole.LEAD)
        .exclude(unit__kind=UnitKind.GROUP)
        .exclude(Exists(own))
    )
    worst = Subquery(latest.order_by(worst_first()).values("status")[:1])
    lowest = Subquery(latest.order_by("percent").values("percent")[:1])
    not_done_yet = Q(Exists(silent_lead)) & Q(Exact(worst, Value(CurrentStatus.DONE.value)))
    status = Case(
        When(not_done_yet, then=Value(CurrentStatus.NOT_REPORTED.value)),
        default=Coalesce(worst, Value(CurrentStatus.NOT_REPORTED.value)),
    )
    percent = Case(When(not_done_yet, then=Value(None)), default=lowest)
    return status, percent


def _latest_own_period(states: tuple[str, ...]) -> Subquery:
    """The newest period of the link's unit's reports on the link's task, in these review states."""
    return Subquery(
        ProgressReport.objects.filter(task_id=OuterRef("task_id"), unit_id=OuterRef("unit_id"), review_state__in=states)
        .order_by("-period")
        .values("period")[:1]
    )


def _links_values() -> dict[str, Subquery]:
    return {
        "reported_period": _latest_own_period(REPORTED_REVIEW_STATES),
        "approved_period": _latest_own_period(COUNTED_REVIEW_STATES),
    }


def links_refresh(*, links: QuerySet[TaskUnit]) -> int:
    """Recompute reported_period / approved_period of these task–unit links (one UPDATE)."""
    return links.update(**_links_values())


def _links_refresh_sql(*, task_ids: list[int]) -> tuple[str, tuple[Any, ...]]:
    """links_refresh's UPDATE of these tasks' links as SQL, as QuerySet.update() makes it (a
    one-table UPDATE: Django runs no query to make it)."""
    links = TaskUnit.objects.filter(task_id__in=task_ids)
    query = cast(UpdateQuery, links.query.chain(UpdateQuery))
    query.add_update_values(_links_values())
    sql, params = query.get_compiler(links.db).as_sql()
    return sql, tuple(params)


def status_computed(*, tasks: QuerySet[Task]) -> QuerySet:
    """(task id, status, percent, lead_units, reported_since, pending_period) per task.

    Correlated subqueries, evaluated once per task; reported_since reads the links'
    reported_period, so refresh the links first.
    """
    lead_links = TaskUnit.objects.filter(task_id=OuterRef("pk"), role=UnitRole.LEAD)
    is_lead = TaskUnit.objects.filter(task_id=OuterRef("task_id"), unit_id=OuterRef("unit_id"), role=UnitRole.LEAD)
    lead_reports = ProgressReport.objects.filter(Exists(is_lead), task_id=OuterRef("pk"))
    status, percent = status_from_reports(task_ref="pk")
    # Approved reports of a lead unit on a milestone's task (read from inside the milestone's subquery).
    met = ProgressReport.objects.filter(
        Exists(is_lead), task_id=OuterRef("task_id"), review_state__in=COUNTED_REVIEW_STATES
    )
    n_links = lead_links.order_by().annotate(_one=Value(1)).values("_one").annotate(n=Count("pk")).values("n")[:1]
    return (
        tasks.order_by()
        .annotate(
            s_status=status,
            s_percent=percent,
            s_lead_units=Coalesce(Subquery(n_links), Value(0)),
            s_reported_since=Case(
                When(Exists(lead_links.filter(reported_period__isnull=True)), then=Value(None)),
                default=Subquery(lead_links.order_by("reported_period").values("reported_period")[:1]),
            ),
            s_pending_period=Subquery(
                lead_reports.filter(review_state=ReviewState.SUBMITTED).order_by("-period").values("period")[:1]
            ),
            # The earliest 阶段目标 no approved report of a lead unit has marked met.
            s_next_milestone=Subquery(
                Milestone.objects.filter(task_id=OuterRef("pk"))
                .exclude(Exists(met.filter(milestones_met=OuterRef("pk"))))
                .order_by("due_date")
                .values("due_date")[:1]
            ),
        )
        .values_list(
            "pk", "s_status", "s_percent", "s_lead_units", "s_reported_since", "s_pending_period", "s_next_milestone"
        )
    )


def _status_write(computed: Iterable[tuple[Any, ...]]) -> int:
    """Upsert the computed status rows (status_computed's tuples)."""
    rows = [TaskStatus(task_id=pk, **dict(zip(STATUS_FIELDS, values, strict=True))) for pk, *values in computed]
    TaskStatus.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["task"],
        update_fields=[*STATUS_FIELDS, "refreshed_at"],
    )
    return len(rows)


def _tasks_refresh(ids: list[int]) -> int:
    """A report's write: lock these tasks, refresh their links, then their status. Each statement is
    compiled once (minhang_plans.compiled; its subqueries took longer to build than to run), the ids
    its parameters."""
    # Lock the tasks (in id order: no deadlock between overlapping refreshes) so that two units
    # reporting on one task at once refresh one after the other, the second seeing the first's
    # committed report, rather than each from its own snapshot.
    compiled_rows(
        key="status_lock",
        build=lambda ids: (
            Task.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True)
        ),
        ids={"ids": ids},
    )
    sql, params = compiled_statement(
        key="links_refresh", build=lambda ids: _links_refresh_sql(task_ids=ids), ids={"ids": ids}
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return _status_write(
        compiled_rows(
            key="status_computed",
            build=lambda ids: status_computed(tasks=Task.objects.filter(pk__in=ids)),
            ids={"ids": ids},
        )
    )


def task_status_refresh(*, task_ids: Collection[int] | None = None, plan_ids: Collection[int] | None = None) -> int:
    """Recompute the stored status of these tasks (or of every task of these plans; of all
    tasks when neither is given): links first (the status reads them), then the status rows.
    Returns the number of tasks refreshed."""
    with transaction.atomic():
        if plan_ids is None and task_ids is not None:
            ids = sorted(set(task_ids))
            return _tasks_refresh(ids) if ids else 0
        # Bulk callers (import, data generation): no row locks on a whole plan.
        tasks = Task.objects.all() if plan_ids is None else Task.objects.filter(plan_id__in=list(plan_ids))
        links_refresh(links=TaskUnit.objects.filter(task__in=tasks.values("pk")))
        return _status_write(status_computed(tasks=tasks))


def _status_plan_kept() -> bool:
    """Whether the database keeps TaskStatus.plan. PostgreSQL without PL/pgSQL has no triggers
    (migration 0017), and nothing reads the column there: the page cache is off (0009)."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_trigger WHERE tgname = 'tasks_status_plan'")
        return cursor.fetchone() is not None


def task_status_drift(*, task_ids: Collection[int] | None = None) -> list[int]:
    """Tasks whose stored status differs from what their reports say now, or whose status row names
    another plan than the task's (where migration 0017's triggers keep it); should be none."""
    tasks = Task.objects.all() if task_ids is None else Task.objects.filter(pk__in=list(task_ids))
    rows = TaskStatus.objects.filter(task__in=tasks.values("pk")).values_list(
        "task_id", "plan_id", "task__plan_id", *STATUS_FIELDS
    )
    stored = {row[0]: tuple(row[3:]) for row in rows}
    drift = {row[0] for row in rows if row[1] != row[2]} if _status_plan_kept() else set()
    drift |= {pk for pk, *values in status_computed(tasks=tasks) if stored.get(pk, STATUS_DEFAULT) != tuple(values)}
    links = TaskUnit.objects.filter(task__in=tasks.values("pk")).annotate(
        reported_should=_latest_own_period(REPORTED_REVIEW_STATES),
        approved_should=_latest_own_period(COUNTED_REVIEW_STATES),
    )
    for task_id, reported, approved, *should in links.values_list(
        "task_id", "reported_period", "approved_period", "reported_should", "approved_should"
    ):
        if (reported, approved) != tuple(should):
            drift.add(task_id)
    return sorted(drift)
