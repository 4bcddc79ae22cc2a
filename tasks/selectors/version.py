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
from functools import cache
from typing import Any, Literal

from django.db import connection
from django.db.models.expressions import RawSQL

from ..models import DataVersion, Task, TaskLeader, TaskStatus, TaskUnit

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


# The versions of the scope's task statuses, as a derived table `x(v)` (NULL for a task with no
# status row, which COUNT/SUM skip), the scope's key its one parameter. Written as SQL, once per
# scope kind and process, rather than built by the ORM per request: every cached page reads its
# version on every request, and assembling nested aggregate subqueries cost about 2 ms of Python
# each time. A status is looked up by its key per linked task: joining instead, PostgreSQL scanned
# all of them (19,064 at city scale).
def _scope_rows(kind: ScopeKind) -> tuple[str, str, str]:
    """(the scope's rows as FROM … WHERE with its key as the parameter, how a row names its task,
    the task's status version looked up by its key) for a plan, unit or leader scope."""
    rows, task = {
        "plan": (f"{Task._meta.db_table} t WHERE t.plan_id = %s", "t.id"),
        "unit": (f"{TaskUnit._meta.db_table} l WHERE l.unit_id = %s", "l.task_id"),
        "leader": (f"{TaskLeader._meta.db_table} l WHERE l.leader_id = %s", "l.task_id"),
    }[kind]
    return rows, task, f"(SELECT s.version FROM {TaskStatus._meta.db_table} s WHERE s.task_id = {task})"


@cache
def _versions_sql(kind: ScopeKind) -> str:
    if kind == "all":
        return f"(SELECT s.version AS v FROM {TaskStatus._meta.db_table} s WHERE %s = 0) x"
    rows, _, version = _scope_rows(kind)
    return f"(SELECT {version} AS v FROM {rows}) x"


@cache
def _scope_version_sql(kind: ScopeKind) -> str:
    return (
        f"SELECT d.number, v.n, v.total FROM {DataVersion._meta.db_table} d CROSS JOIN "
        f"(SELECT COUNT(x.v) AS n, COALESCE(SUM(x.v), 0) AS total FROM {_versions_sql(kind)}) v WHERE d.id = 1"
    )


@cache
def _pairs_sql(kind: ScopeKind) -> str:
    """PostgreSQL: the scope's (task id, status version) pairs as one two-dimensional array."""
    rows, task, version = _scope_rows(kind)
    return f"ARRAY(SELECT ARRAY[{task}, {version}] FROM {rows})"


def scope_version_annotations(*, scope: Scope, with_tasks: bool = False) -> dict[str, Any]:
    """The scope's version as annotations (`version_of` reads them back): (shared number, task
    count, sum of task versions). Put on the query that fetches a page's own object, the leader
    page reads its leader and its key in one query. `with_tasks` (PostgreSQL, not for all
    tasks): each task's version instead, in one pass (`task_versions_of`), from which the count
    and sum are taken, so a rebuilt page knows which of its tasks changed (selectors.row_reuse)."""
    number = RawSQL(f"SELECT number FROM {DataVersion._meta.db_table} WHERE id = 1", ())
    if with_tasks and scope.kind != "all" and connection.vendor == "postgresql":
        return {"v_number": number, "v_pairs": RawSQL(_pairs_sql(scope.kind), (scope.key,))}
    versions = _versions_sql(scope.kind)
    return {
        "v_number": number,
        "v_tasks": RawSQL(f"SELECT COUNT(x.v) FROM {versions}", (scope.key,)),
        "v_versions": RawSQL(f"SELECT COALESCE(SUM(x.v), 0) FROM {versions}", (scope.key,)),
    }


def task_versions_of(annotated: object) -> list[tuple[int, int | None]] | None:
    """(task id, version) of each task in the scope, from an object carrying
    `scope_version_annotations(with_tasks=True)`; None when it was read without them."""
    pairs = getattr(annotated, "v_pairs", None)
    return None if pairs is None else [(task_id, version) for task_id, version in pairs]


def version_of(annotated: object) -> tuple[int, int, int] | None:
    """The version from an object carrying `scope_version_annotations`; None when the triggers
    are not installed (no DataVersion row), i.e. nothing may be cached."""
    number = getattr(annotated, "v_number", None)
    if number is None:
        return None
    pairs = task_versions_of(annotated)
    if pairs is not None:  # COUNT and SUM as SQL takes them: over the tasks that have a version
        versions = [version for _, version in pairs if version is not None]
        return (number, len(versions), sum(versions))
    return (number, getattr(annotated, "v_tasks"), getattr(annotated, "v_versions"))  # noqa: B009 - annotated


def scope_version(*, scope: Scope) -> tuple[int, int, int] | None:
    """The scope's version on its own: one query, one pass over the scope's statuses."""
    with connection.cursor() as cursor:
        cursor.execute(_scope_version_sql(scope.kind), [scope.key])
        row = cursor.fetchone()
    return None if row is None else (int(row[0]), int(row[1]), int(row[2]))


def data_version() -> int:
    """The shared number (0 without triggers)."""
    return DataVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0


__all__ = [
    "Scope",
    "data_version",
    "scope_version",
    "scope_version_annotations",
    "task_versions_of",
    "version_of",
]
