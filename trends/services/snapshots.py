"""Taking a period's snapshot at its close, and the daily job that does it for every open plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import (
    F,
    Q,
)
from django.utils import timezone

from tasks.choices import (
    ProgressStatus,
    TaskState,
)
from tasks.models import Plan, Task
from tasks.periods import (  # a period's close has its one home there (trends and assessment read it)
    period_close,
    period_closed_latest,
    period_start,
)
from tasks.status.clock import Clock, clock_or_now
from tasks.status.rule import flag

from ..models import StatusSnapshot

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

    @property
    def period_held(self) -> dt.date | None:
        return self.period


@dataclass(frozen=True)
class Taken:
    """One plan's snapshot of one period: how many task rows were written."""

    plan_id: int
    period: dt.date
    tasks: int


def snapshot_values(*, plan: Plan, period: dt.date, close: dt.date) -> list[tuple]:
    """(task id, light, status, percent, reported, overdue, done, owed) of the plan's active tasks, from
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
            s_overdue=flag(Q(due_date__lt=close) & ~done),
            s_done=flag(done),
            s_owed=flag(Q(units_total__gt=0) & ~done),
        )
        .order_by("pk")
        .values_list("pk", "s_light", "s_status", "s_percent", "s_reported", "s_overdue", "s_done", "s_owed")
    )


def snapshot_write(*, plan: Plan, period: dt.date, values: list[tuple]) -> Taken:
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
            owed=bool(owed),
            taken_at=now,
        )
        for pk, light, status, percent, reported, overdue, done, owed in values
    ]
    StatusSnapshot.objects.filter(plan_id=plan.pk, period=period).delete()
    StatusSnapshot.objects.bulk_create(rows, batch_size=BATCH)
    return Taken(plan_id=plan.pk, period=period, tasks=len(rows))


def plan_lock(plan: Plan) -> None:
    # Two workers taking the same plan's snapshot one after the other, never interleaved.
    list(Plan.objects.select_for_update().filter(pk=plan.pk).values_list("pk", flat=True))


@transaction.atomic
def snapshot_take(*, plan: Plan, period: dt.date) -> Taken:
    """The snapshot of the plan's active tasks for the period starting on `period`, as the stored
    status stands now and the status rule says on the period's close day. Replaces an earlier one."""
    period = period_start(reporting_period=plan.reporting_period, day=period)
    plan_lock(plan)
    values = snapshot_values(plan=plan, period=period, close=period_close(plan=plan, period=period))
    return snapshot_write(plan=plan, period=period, values=values)


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
