"""Querysets of the plan domain: where the status rule (tasks.status.rule) meets the models.

`Task.objects.with_status(clock)`, `TaskUnit.objects.lead().with_status(clock)` and
`TaskLeader.objects.with_status(clock)` alias the status (see status.rule.status_alias);
`.with_status_shown()` then selects what a task row displays, under plain names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.apps import apps
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from .choices import TaskState, UnitRole
from .status.clock import Clock
from .status.rule import shown_status, silent_link, status_alias

if TYPE_CHECKING:
    from .models import Task, TaskLeader, TaskUnit  # noqa: F401


# Current work: an active task of a plan whose year is not closed. A closed plan (the yearend
# app's PlanClosure, read by name: that app builds on this one) keeps its final states instead of
# lights, so no summary, list, reminder or to-do counts its tasks any more.
def plan_open(path: str = "") -> Q:
    """The task's plan is not closed, on rows that reach the task by `path`.

    Written as NOT EXISTS, not as `plan__closure__isnull=True`: that LEFT JOIN … IS NULL over the
    (usually empty) closures table is estimated at one plan, so PostgreSQL chose to walk every task
    of every plan probing for a leader's or unit's links (33 ms at city scale for a leader's 89
    tasks, 2 ms as an anti-join driven from the links)."""
    # The closures table directly (one table, no join to compile or plan); by name, as the yearend
    # app builds on this one.
    closures = apps.get_model("yearend", "PlanClosure")._default_manager
    return Q(~Exists(closures.filter(plan_id=OuterRef(f"{path}plan_id"))))


def current_work(path: str = "") -> Q:
    """Current work, on rows that reach the task by `path` ("" for tasks, "task__" for rows of a task)."""
    return Q(**{f"{path}state": TaskState.ACTIVE}) & plan_open(path)


class TaskQuerySet(QuerySet["Task"]):
    def active(self) -> Self:
        return self.filter(current_work())

    # The aliases are added by status.rule, which the type checker cannot see: these return
    # QuerySet[Any] so that `.filter(light=...)` is not reported as an unknown field.
    def with_status(self, clock: Clock) -> QuerySet[Any]:
        """Status aliased (not selected): filter, count and order by it."""
        return status_alias(self, clock=clock)

    def with_status_shown(self, clock: Clock) -> QuerySet[Any]:
        """Status aliased, and selected what a task row displays: `status` (待审核 included), `light`,
        `percent`, `units_lead`, `units_reported` ("2/3 已报送"), `is_reported`, `is_pending`."""
        from .models import TaskUnit

        # Counted per shown row from the links' stored periods (an index range per task).
        units_reported = _count_of(
            TaskUnit.objects.filter(
                task_id=OuterRef("pk"), role=UnitRole.LEAD, reported_period__gte=OuterRef("period_now")
            )
        )
        return self.with_status(clock).annotate(
            status=shown_status(),
            light=F("light"),
            percent=F("task_percent"),
            units_lead=F("units_total"),
            units_reported=units_reported,
            is_reported=F("reported_now"),
            is_pending=F("pending_now"),
        )


class TaskUnitQuerySet(QuerySet["TaskUnit"]):
    def lead(self) -> Self:
        return self.filter(role=UnitRole.LEAD)

    def on_active(self) -> Self:
        return self.filter(current_work("task__"))

    def with_status(self, clock: Clock) -> QuerySet[Any]:
        """The link's task's status aliased onto each link row."""
        return status_alias(self, clock=clock, path="task__")

    def silent(self) -> Self:
        """Links whose own unit has not reported this period on an open task (after with_status)."""
        return self.filter(silent_link())


class TaskLeaderQuerySet(QuerySet["TaskLeader"]):
    def on_active(self) -> Self:
        return self.filter(current_work("task__"))

    def with_status(self, clock: Clock) -> QuerySet[Any]:
        return status_alias(self, clock=clock, path="task__")


def _count_of(qs: QuerySet[Any]) -> Any:
    """SELECT COUNT(*) of a correlated queryset, as a scalar subquery (0 when empty)."""
    from django.db.models import IntegerField, Subquery, Value
    from django.db.models.functions import Coalesce

    return Coalesce(
        # order_by(): a model's default ordering would end up in the GROUP BY (PostgreSQL refuses it).
        Subquery(qs.order_by().annotate(_one=Value(1)).values("_one").annotate(n=Count("pk")).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )
