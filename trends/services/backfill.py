"""Past periods reconstructed from the reports (an approximation): for the demo and after an install."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from django.db import transaction
from django.db.models import (
    Case,
    DateField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from tasks.choices import (
    COUNTED_REVIEW_STATES,
    REPORTED_REVIEW_STATES,
    TaskState,
    UnitRole,
)
from tasks.models import Milestone, Plan, ProgressReport, Task, TaskStatus, TaskUnit
from tasks.periods import (  # a period's close has its one home there (trends and assessment read it)
    period_close,
    period_start,
    periods_closed,
)
from tasks.status.clock import Clock, clock_or_now
from tasks.status.stored import status_from_reports

from ..models import StatusSnapshot
from .snapshots import Taken, plan_lock, snapshot_values, snapshot_write


def _status_as_of(*, tasks: QuerySet[Task], period: dt.date) -> int:
    """Rewrite the stored status of these tasks as their reports up to `period` say (the same
    definition as tasks/status/stored.py, cut at the period). Only ever inside a savepoint that
    is rolled back: the stored status stays what the reports say today."""
    is_lead = TaskUnit.objects.filter(task_id=OuterRef("task_id"), unit_id=OuterRef("unit_id"), role=UnitRole.LEAD)
    # The rule's one home, cut at the period.
    status, percent = status_from_reports(task_ref="task_id", through=period)
    # A lead unit without a report (submitted or approved) for the period itself.
    unreported = TaskUnit.objects.filter(task_id=OuterRef("task_id"), role=UnitRole.LEAD).exclude(
        Exists(
            ProgressReport.objects.filter(
                task_id=OuterRef("task_id"),
                unit_id=OuterRef("unit_id"),
                period=period,
                review_state__in=REPORTED_REVIEW_STATES,
            )
        )
    )
    met = ProgressReport.objects.filter(
        Exists(is_lead), task_id=OuterRef("task_id"), review_state__in=COUNTED_REVIEW_STATES, period__lte=period
    )
    return TaskStatus.objects.filter(task__in=tasks.values("pk")).update(
        status=status,
        percent=percent,
        # The rule asks only whether every lead unit reported for the period (reported_since >= it).
        reported_since=Case(
            When(Q(lead_units__gt=0) & ~Exists(unreported), then=Value(period)),
            default=Value(None),
            output_field=DateField(),
        ),
        pending_period=None,
        next_milestone=Subquery(
            Milestone.objects.filter(task_id=OuterRef("task_id"))
            .exclude(Exists(met.filter(milestones_met=OuterRef("pk"))))
            .order_by("due_date")
            .values("due_date")[:1]
        ),
    )


def snapshot_values_as_of(*, plan: Plan, period: dt.date) -> list[tuple]:
    """A past period's snapshot values (snapshot_values' rows) rebuilt from the reports, as
    `snapshots_backfill` describes, without writing anything: the 督查通报 of a period that has
    no snapshot (a plan imported after it closed) reads them."""
    period = period_start(reporting_period=plan.reporting_period, day=period)
    with transaction.atomic():
        plan_lock(plan)
        # The stored status is set back to the period inside a savepoint, the snapshot is read
        # with the same query as a live one, and the savepoint is rolled back.
        savepoint = transaction.savepoint()
        try:
            _status_as_of(tasks=Task.objects.filter(plan_id=plan.pk, state=TaskState.ACTIVE), period=period)
            return snapshot_values(plan=plan, period=period, close=period_close(plan=plan, period=period))
        finally:
            transaction.savepoint_rollback(savepoint)


def snapshot_reconstruct(*, plan: Plan, period: dt.date) -> Taken:
    """A past period's snapshot rebuilt from the reports and written."""
    period = period_start(reporting_period=plan.reporting_period, day=period)
    with transaction.atomic():
        values = snapshot_values_as_of(plan=plan, period=period)
        return snapshot_write(plan=plan, period=period, values=values)


def snapshots_backfill(
    *,
    periods: int = 12,
    clock: Clock | None = None,
    plan_ids: Collection[int] | None = None,
    replace: bool = False,
) -> list[Taken]:
    """Snapshots of each plan's last `periods` closed periods that have none (all of them with
    `replace`), reconstructed from the reports. An approximation, for the demo and after an
    install, not a record:

    - the status of a period is the worst status of the lead units' latest approved reports up to
      it, and "reported" is a submitted or approved report for the period — by the reports' review
      states today (a report approved later counts as approved then; one returned later, not);
    - the lead units, due dates, milestones and tasks are today's (a task withdrawn since is left
      out, one added since is in);
    - the light is the status rule on the period's close day over those values, as a live snapshot.
    """
    today = clock_or_now(clock).today
    plans = Plan.objects.order_by("pk")
    if plan_ids is not None:
        plans = plans.filter(pk__in=list(plan_ids))
    out = []
    for plan in plans:
        wanted = periods_closed(plan=plan, today=today, count=periods)
        if not replace:
            have = set(
                StatusSnapshot.objects.filter(plan_id=plan.pk, period__in=wanted)
                .values_list("period", flat=True)
                .distinct()
            )
            wanted = [p for p in wanted if p not in have]
        for period in wanted:
            out.append(snapshot_reconstruct(plan=plan, period=period))
    return out
