"""Writes of the trends app: each task's status at the close of a reporting period, kept.

- `snapshot_take(plan=, period=)` — the snapshot of one plan and period, read from the stored
  status (tasks/status/stored.py) with the status rule evaluated on the close day
  (tasks/status/rule.py `status_alias`): one SELECT, then one INSERT per batch of rows.
  Taking a period again replaces it (under the plan's row lock), so a rerun changes nothing.
- `snapshots_take_due()` — the daily job (jobs/schedules.py): every open plan whose latest closed
  period has no snapshot yet gets one.
- `snapshots_backfill(periods=12)` — past periods reconstructed from the reports (an
  approximation, see its docstring): for the demo and after an install.

The close of a period is the later of its last day and its reporting deadline (tasks/periods.py):
until then a unit may still report for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from tasks.choices import (
    REPORTED_REVIEW_STATES,
    STATUS_WORST_FIRST,
    CurrentStatus,
    ProgressStatus,
    ReviewState,
    TaskState,
    UnitRole,
)
from tasks.models import Milestone, Plan, ProgressReport, Task, TaskStatus, TaskUnit
from tasks.periods import (  # a period's close has its one home there (trends and assessment read it)
    period_close,
    period_closed_latest,
    period_start,
    periods_closed,
)
from tasks.status.clock import Clock, clock_or_now

from .models import StatusSnapshot

BATCH = 1000  # rows per INSERT


@dataclass(frozen=True)
class CloseClock(Clock):
    """The one clock on a period's close day, with "this period" (本期) held at the period being
    closed. The close day can fall in the next period (a deadline N working days after the period
    ends); the status rule would then ask whether the units reported for the next period."""

    period: dt.date = dt.date.min

    @property
    def month_start(self) -> dt.date:
        return self.period

    @property
    def quarter_start(self) -> dt.date:
        return self.period


@dataclass(frozen=True)
class Taken:
    """One plan's snapshot of one period: how many task rows were written."""

    plan_id: int
    period: dt.date
    tasks: int


# -- periods ------------------------------------------------------------------------------------


# -- taking a snapshot ----------------------------------------------------------------------------


def _snapshot_values(*, plan: Plan, period: dt.date, close: dt.date) -> list[tuple]:
    """(task id, light, status, percent, reported, overdue, done) of the plan's active tasks, from
    the stored status and the status rule on the close day: one query."""
    clock = CloseClock(today=close, period=period)
    done = Q(task_status=ProgressStatus.DONE)
    return list(
        Task.objects.filter(plan_id=plan.pk, state=TaskState.ACTIVE)
        .with_status(clock)
        .annotate(
            s_light=F("light"),
            s_status=F("task_status"),
            s_percent=F("task_percent"),
            s_reported=F("reported_now"),
            s_overdue=_flag(Q(due_date__lt=close) & ~done),
            s_done=_flag(done),
        )
        .order_by("pk")
        .values_list("pk", "s_light", "s_status", "s_percent", "s_reported", "s_overdue", "s_done")
    )


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def _snapshot_write(*, plan: Plan, period: dt.date, values: list[tuple]) -> Taken:
    """Replace the plan's snapshot of the period with these rows (DELETE, then one INSERT per batch)."""
    now = timezone.now()
    rows = [
        StatusSnapshot(
            task_id=pk,
            plan_id=plan.pk,
            period=period,
            light=light,
            status=status,
            percent=percent,
            reported=bool(reported),
            overdue=bool(overdue),
            done=bool(done),
            taken_at=now,
        )
        for pk, light, status, percent, reported, overdue, done in values
    ]
    StatusSnapshot.objects.filter(plan_id=plan.pk, period=period).delete()
    StatusSnapshot.objects.bulk_create(rows, batch_size=BATCH)
    return Taken(plan_id=plan.pk, period=period, tasks=len(rows))


def _plan_lock(plan: Plan) -> None:
    # Two workers taking the same plan's snapshot one after the other, never interleaved.
    list(Plan.objects.select_for_update().filter(pk=plan.pk).values_list("pk", flat=True))


@transaction.atomic
def snapshot_take(*, plan: Plan, period: dt.date) -> Taken:
    """The snapshot of the plan's active tasks for the period starting on `period`, as the stored
    status stands now and the status rule says on the period's close day. Replaces an earlier one."""
    period = period_start(reporting_period=plan.reporting_period, day=period)
    _plan_lock(plan)
    values = _snapshot_values(plan=plan, period=period, close=period_close(plan=plan, period=period))
    return _snapshot_write(plan=plan, period=period, values=values)


def snapshots_take_due(*, clock: Clock | None = None) -> int:
    """The daily job: every open plan (not closed at year end) whose latest closed period has no
    snapshot gets one. Returns the number of snapshots taken (0 on most days)."""
    today = clock_or_now(clock).today
    due: dict[tuple[int, dt.date], Plan] = {}
    for plan in Plan.objects.filter(closure__isnull=True).order_by("pk"):
        period = period_closed_latest(plan=plan, today=today)
        if period is not None:
            due[(plan.pk, period)] = plan
    if not due:
        return 0
    taken = set(
        StatusSnapshot.objects.filter(plan_id__in={k[0] for k in due}, period__in={k[1] for k in due})
        .values_list("plan_id", "period")
        .distinct()
    )
    count = 0
    for (plan_id, period), plan in due.items():
        if (plan_id, period) not in taken:
            snapshot_take(plan=plan, period=period)
            count += 1
    return count


# -- backfill: past periods reconstructed from the reports ------------------------------------------


def _worst_first() -> Case:
    return Case(
        *(When(status=status, then=Value(rank)) for rank, status in enumerate(STATUS_WORST_FIRST)),
        default=Value(len(STATUS_WORST_FIRST)),
        output_field=IntegerField(),
    )


def _status_as_of(*, tasks: QuerySet[Task], period: dt.date) -> int:
    """Rewrite the stored status of these tasks as their reports up to `period` say (the same
    definition as tasks/status/stored.py, cut at the period). Only ever inside a savepoint that
    is rolled back: the stored status stays what the reports say today."""
    is_lead = TaskUnit.objects.filter(task_id=OuterRef("task_id"), unit_id=OuterRef("unit_id"), role=UnitRole.LEAD)
    lead_reports = ProgressReport.objects.filter(Exists(is_lead), task_id=OuterRef("task_id"), period__lte=period)
    approved = lead_reports.filter(review_state=ReviewState.APPROVED)
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
        Exists(is_lead), task_id=OuterRef("task_id"), review_state=ReviewState.APPROVED, period__lte=period
    )
    return TaskStatus.objects.filter(task__in=tasks.values("pk")).update(
        status=Coalesce(
            Subquery(approved.order_by("-period", _worst_first()).values("status")[:1]),
            Value(CurrentStatus.NOT_REPORTED.value),
        ),
        percent=Subquery(approved.order_by("-period", "percent").values("percent")[:1]),
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


def snapshot_reconstruct(*, plan: Plan, period: dt.date) -> Taken:
    """A past period's snapshot rebuilt from the reports, as `snapshots_backfill` describes."""
    period = period_start(reporting_period=plan.reporting_period, day=period)
    with transaction.atomic():
        _plan_lock(plan)
        # The stored status is set back to the period inside a savepoint, the snapshot is read
        # with the same query as a live one, and the savepoint is rolled back.
        savepoint = transaction.savepoint()
        try:
            _status_as_of(tasks=Task.objects.filter(plan_id=plan.pk, state=TaskState.ACTIVE), period=period)
            values = _snapshot_values(plan=plan, period=period, close=period_close(plan=plan, period=period))
        finally:
            transaction.savepoint_rollback(savepoint)
        return _snapshot_write(plan=plan, period=period, values=values)


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
