"""Task rows read for the pages: values with the status selected (`with_status_shown`), their
units and leaders in one more value query (`task_rows_fetch`), turned into the typed rows of
row_types.py.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from django.db.models import CharField, F, QuerySet, Value
from django.http import Http404
from django.urls import get_script_prefix, reverse

from minhang_plans.compiled import Ids, code_of, compiled_or_plain, compiled_rows, ids_padded

from ..choices import PlanKind, TaskState, UnitRole
from ..models import Task, TaskLeader, TaskUnit
from ..numerals import to_chinese_numeral
from ..querysets import TaskQuerySet
from ..status.clock import Clock
from .row_types import Named, OwnReport, TaskRow

_ROW_FIELDS = (
    "pk",
    "number",
    "title",
    "city_level",
    "state",
    "category_id",
    "category__order",
    "category__name",
    "project__name",
    "plan_id",
    "plan__title",
    "plan__year_start",
    "plan__year_end",
    "plan__kind",
    "plan__reporting_period",
    "due_date",
    "deadline_text",
    "status",
    "light",
    "percent",
    "units_lead",
    "units_reported",
    "is_reported",
    "is_pending",
    "position",
)
_OWN_FIELDS = ("unit_role", "own_period", "own_status", "own_percent", "own_progress", "own_review", "own_comment")


def url_pattern(name: str, *fixed: int) -> str:
    """A page's address with "{}" for its last id (after the `fixed` ones), for str.format per row:
    reverse() for every row and link showed up in the profile."""
    marker = 987654321
    return reverse(name, args=[*fixed, marker]).replace(str(marker), "{}")


def url_pattern_of(name: str, ids: int) -> str:
    """A page's address with "{0}", "{1}" … for each of its `ids` ids, for str.format per row."""
    markers = [987654300 + i for i in range(ids)]
    address = reverse(name, args=markers)
    for i, marker in enumerate(markers):
        address = address.replace(str(marker), f"{{{i}}}")
    return address


class RowUrls:
    """The row links' patterns, made once per script prefix (reverse() four times a page showed up too)."""

    def __init__(self) -> None:
        self.task = url_pattern("tasks:task")
        self.plan = url_pattern("tasks:plan")
        self.unit = url_pattern("tasks:unit")
        self.leader = url_pattern("tasks:leader")


def task_rows_fetch(
    qs: TaskQuerySet | Callable[..., TaskQuerySet],
    *,
    clock: Clock,
    own: bool = False,
    key: Hashable | None = None,
    ids: Mapping[str, Ids] | None = None,
) -> list[TaskRow]:
    """The tasks of `qs`, in its order, as TaskRows: two value queries (the tasks with their
    status; their units and leaders), no model instances. `own`: the queryset carries the
    unit page's annotations (unit_role, own_*: see units.unit_task_list).

    With `key` (the caller's name and inputs, but the clock and the `ids` it takes as keyword
    arguments), `qs` is a function that builds the queryset, and its SQL is compiled once per
    key and day (minhang_plans.compiled)."""
    names = (*_ROW_FIELDS, *(_OWN_FIELDS if own else ()))
    found = compiled_or_plain(
        qs,
        then=lambda tasks: tasks.with_status_shown(clock).values_list(*names),
        key=None if key is None else ("task_rows", key, own, clock),
        ids=ids,
    )
    return _rows_of([dict(zip(names, v, strict=True)) for v in found], own=own)


def task_with_row(build: Callable[[], TaskQuerySet], *, task_id: int, clock: Clock) -> tuple[Task, TaskRow]:
    """The task as a model instance (its full fields, plan, category, project) and as a TaskRow,
    from one query for the task plus one for its units and leaders (the task page); 404 when there
    is none. `build` makes the queryset to read it from, compiled once per task and day."""
    found = compiled_rows(
        key=("task_with_row", clock, code_of(build)),
        build=lambda task_id: (
            build().select_related("plan", "category", "project").with_status_shown(clock).filter(pk=task_id)
        ),
        ids={"task_id": task_id},
    )
    if not found:
        raise Http404("没有这项任务。")
    task = found[0]
    values: dict[str, Any] = {}
    for name in _ROW_FIELDS:
        value: Any = task
        for part in ("pk",) if name == "pk" else name.split("__"):
            value = getattr(value, part, None) if value is not None else None
        values[name] = value
    return task, _rows_of([values], own=False)[0]


def _rows_of(values: list[dict[str, Any]], *, own: bool) -> list[TaskRow]:
    ids = [row["pk"] for row in values]
    urls = row_urls()
    units: dict[int, list[tuple[str, Named]]] = {}
    leaders: dict[int, list[Named]] = {}
    for is_leader, task_id, person_id, name, printed, role, _ in _people(ids):
        if is_leader:
            leaders.setdefault(task_id, []).append(Named(person_id, name, "", urls.leader.format(person_id)))
        else:
            named = Named(person_id, name, printed if printed and printed != name else "", urls.unit.format(person_id))
            units.setdefault(task_id, []).append((role, named))
    kinds = dict(PlanKind.choices)
    rows = []
    for row in values:
        years = row["plan__year_start"], row["plan__year_end"]
        years_label = f"{years[0]}年" if years[0] == years[1] else f"{years[0]}—{years[1]}年"
        links = units.get(row["pk"], [])
        rows.append(
            TaskRow(
                id=row["pk"],
                url=urls.task.format(row["pk"]),
                number=row["number"],
                title=row["title"],
                city_level=row["city_level"],
                withdrawn=row["state"] == TaskState.WITHDRAWN,
                category_id=row["category_id"],
                category=f"{to_chinese_numeral(row['category__order'])}、{row['category__name']}",
                project=row["project__name"],
                plan_id=row["plan_id"],
                plan_url=urls.plan.format(row["plan_id"]),
                plan_title=row["plan__title"],
                plan_label=f"{years_label}{kinds.get(row['plan__kind'], row['plan__kind'])}",
                reporting_period=row["plan__reporting_period"],
                leaders=leaders.get(row["pk"], []),
                lead_units=[n for role, n in links if role == UnitRole.LEAD],
                support_units=[n for role, n in links if role != UnitRole.LEAD],
                due_date=row["due_date"],
                deadline_text=row["deadline_text"],
                light=row["light"],
                status=row["status"],
                percent=row["percent"],
                units_lead=row["units_lead"],
                units_reported=row["units_reported"],
                is_reported=row["is_reported"],
                is_pending=row["is_pending"],
                unit_role=row.get("unit_role"),
                own=_own(row) if own else None,
                browse_order=(-row["plan__year_end"], row["plan__kind"], row["position"], row["pk"]),
            )
        )
    return rows


@functools.lru_cache(maxsize=8)
def _urls(prefix: str) -> RowUrls:
    return RowUrls()


def row_urls() -> RowUrls:
    """The row links' patterns under the current script prefix ("{}" for the id: `.task.format(pk)`)."""
    return _urls(get_script_prefix())


def _people(ids: list[int]) -> list[tuple[int, int, int, str, str, str, int]]:
    return compiled_rows(key="people", build=lambda ids: _people_query(ids), ids={"ids": ids_padded(ids)})


def _people_query(ids: list[int]) -> QuerySet[Any]:
    """The tasks' units and leaders in one query (a UNION ALL): (is leader, task, unit or leader
    id, name, printed name, role, position), units before leaders, each in document order."""
    units = (
        TaskUnit.objects.filter(task_id__in=ids)
        .order_by()  # the models' default ordering is not allowed inside a UNION
        .annotate(is_leader=Value(0), person=F("unit_id"), person_name=F("unit__name"))
        .values_list("is_leader", "task_id", "person", "person_name", "printed_name", "role", "position")
    )
    leaders = (
        TaskLeader.objects.filter(task_id__in=ids)
        .order_by()
        .annotate(
            is_leader=Value(1),
            person=F("leader_id"),
            person_name=F("leader__name"),
            printed=Value("", output_field=CharField()),
            no_role=Value("", output_field=CharField()),
        )
        .values_list("is_leader", "task_id", "person", "person_name", "printed", "no_role", "position")
    )
    return units.union(leaders, all=True).order_by("task_id", "is_leader", "role", "position")


def _own(row: dict[str, Any]) -> OwnReport | None:
    if row["own_period"] is None:
        return None
    return OwnReport(
        period=row["own_period"],
        status=row["own_status"],
        percent=row["own_percent"],
        progress=row["own_progress"] or "",
        review=row["own_review"],
        comment=row["own_comment"] or "",
    )


def url(name: str, *args: int) -> str:
    return reverse(name, args=args)
