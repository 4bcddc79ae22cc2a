"""What a cached page's data version is: the part of the data the page shows, not all of it.

Two counters, both kept by database triggers (migrations 0009 and 0012), so that no write path
can forget them:

- ``DataVersion.number``, the shared one: plans, categories, projects, leaders, units and any
  deletion of tasks or links. Every page depends on it; these writes are rare (imports, admin).
- ``TaskStatus.version``, one per task: its reports, status, text and links. A page depends on
  the tasks it shows, so its version is (shared number, how many tasks, the sum of their
  versions) over its scope: a plan, a unit, a leader, or all tasks.

A report on one task therefore expires that task's plan, units, leaders and the overviews, and
leaves every other plan's, unit's and leader's page cached. Within one value of the shared
number tasks are only added (deletions move it) and versions only grow, so (count, sum) never
comes back to an earlier value: a changed scope always gets a new key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Count, IntegerField, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from ..models import DataVersion, TaskLeader, TaskStatus, TaskUnit

ScopeKind = Literal["all", "plan", "unit", "leader"]


@dataclass(frozen=True)
class Scope:
    """The tasks a page shows, for its cache key."""

    kind: ScopeKind
    key: int = 0  # the plan's, unit's or leader's id; 0 for all tasks

    @classmethod
    def everything(cls) -> Scope:
        return cls("all")

    @classmethod
    def plan(cls, plan_id: int) -> Scope:
        return cls("plan", plan_id)

    @classmethod
    def unit(cls, unit_id: int) -> Scope:
        return cls("unit", unit_id)

    @classmethod
    def leader(cls, leader_id: int) -> Scope:
        return cls("leader", leader_id)


def _statuses(scope: Scope) -> QuerySet[TaskStatus]:
    statuses = TaskStatus.objects.all()
    if scope.kind == "plan":
        return statuses.filter(task__plan_id=scope.key)
    if scope.kind == "unit":
        return statuses.filter(task_id__in=TaskUnit.objects.filter(unit_id=scope.key).values("task_id"))
    if scope.kind == "leader":
        return statuses.filter(task_id__in=TaskLeader.objects.filter(leader_id=scope.key).values("task_id"))
    return statuses


def _one(statuses: QuerySet[TaskStatus], aggregate: Count | Sum) -> Subquery:
    # A whole-table aggregate as a scalar subquery: GROUP BY a constant, then the one value.
    grouped = statuses.order_by().annotate(_all=Value(1, output_field=IntegerField())).values("_all")
    return Subquery(grouped.annotate(value=aggregate).values("value")[:1])


def scope_version_annotations(*, scope: Scope) -> dict[str, Any]:
    """The scope's version as annotations (`version_of` reads them back): (shared number, task
    count, sum of task versions). Put on the query that fetches a page's own object, the leader
    page reads its leader and its key in one query."""
    statuses = _statuses(scope)
    return {
        "v_number": Subquery(DataVersion.objects.filter(pk=1).values("number")[:1]),
        "v_tasks": Coalesce(_one(statuses, Count("pk")), 0),
        "v_versions": Coalesce(_one(statuses, Sum("version")), 0),
    }


def version_of(annotated: object) -> tuple[int, int, int] | None:
    """The version from an object carrying `scope_version_annotations`; None when the triggers
    are not installed (no DataVersion row), i.e. nothing may be cached."""
    number = getattr(annotated, "v_number", None)
    if number is None:
        return None
    return (number, getattr(annotated, "v_tasks"), getattr(annotated, "v_versions"))  # noqa: B009 - annotated


def scope_version(*, scope: Scope) -> tuple[int, int, int] | None:
    """The scope's version on its own, in one query (its shared-number row carries the annotations)."""
    return version_of(DataVersion.objects.filter(pk=1).annotate(**scope_version_annotations(scope=scope)).first())


def data_version() -> int:
    """The shared number (0 without triggers)."""
    return DataVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0


__all__ = ["Scope", "data_version", "scope_version", "scope_version_annotations", "version_of"]
