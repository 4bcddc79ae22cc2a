"""Reads of the change history: who changed what on a task and its reports, in Chinese."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import DateField, Model, Q
from django.utils import timezone

from minhang_plans.compiled import compiled_rows

from ..choices import ReviewState
from ..models import ProgressReport, Task


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime.datetime
    who: Any  # the user, or None for a change made by the system
    what: str
    reason: str
    changes: list[str]


def history_value(field: Any, value: Any, names: dict[tuple[type, Any], str] | None = None) -> str:
    """A field's value as a reader of the change history should see it: Chinese, never `None`,
    `True` or a raw choice value; a related row by its name (from `names`, looked up in bulk)."""
    if value is None or value == "":
        return "未设置" if isinstance(field, DateField) else "无"
    if field.is_relation:
        related = (field.related_model, value)
        return (names or {}).get(related) or f"已删除的{field.related_model._meta.verbose_name}（编号{value}）"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def _related_names(changes: list[Any], model: type[Model]) -> dict[tuple[type, Any], str]:
    """Names of the related rows these changes point at: one query per related model, and none
    at all when no relation changed (the usual case)."""
    wanted: dict[type[Model], set[Any]] = defaultdict(set)
    for change in changes:
        field = model._meta.get_field(change.field)
        if field.is_relation:
            related: Any = field.related_model
            wanted[related].update(v for v in (change.old, change.new) if v is not None)
    return {
        (related, obj.pk): str(obj)
        for related, pks in wanted.items()
        for obj in related._default_manager.filter(pk__in=pks)
    }


def task_history(*, task: Task, limit: int = 50, draft_units: Collection[int] | None = None) -> list[HistoryEntry]:
    """Who changed what on the task and its reports, newest first (two queries, one more per
    kind of related row whose change is shown). With `draft_units` (a reader who is not the
    office), a report's draft versions show only for those units: a draft is its unit's own until
    it is sent, here as on the timeline (task_page.report_timeline)."""
    entries: list[HistoryEntry] = []
    # Both reads compiled once per limit (minhang_plans.compiled), the task their parameter.
    task_rows: list[Any] = compiled_rows(
        key=("task_history", limit),
        build=lambda task_id: (
            Task.history.filter(id=task_id)
            .select_related("history_user")
            .order_by("-history_date", "-history_id")[: limit + 1]
        ),
        ids={"task_id": task.pk},
    )
    diffs = [
        (newer, older, [] if older is None else newer.diff_against(older).changes)
        for newer, older in zip(task_rows, [*task_rows[1:], None], strict=False)
    ]
    names = _related_names([change for *_, changes in diffs for change in changes], Task)
    for newer, older, diff in diffs:
        changes = []
        for change in diff:
            field: Any = Task._meta.get_field(change.field)
            changes.append(
                f"{field.verbose_name}：{history_value(field, change.old, names)} → "
                f"{history_value(field, change.new, names)}"
            )
        entries.append(
            HistoryEntry(
                when=newer.history_date,
                who=newer.history_user,
                what="任务",
                reason=newer.history_change_reason or ("创建" if older is None else "修改"),
                changes=changes,
            )
        )

    def build(task_id: int, units: list[int] | None = None) -> Any:
        rows = ProgressReport.history.filter(task_id=task_id)
        if units is not None:
            rows = rows.filter(~Q(review_state=ReviewState.DRAFT) | Q(unit_id__in=units))
        return rows.select_related("history_user", "unit").order_by("-history_date")[:limit]

    ids: dict[str, Any] = {"task_id": task.pk}
    if draft_units is not None:
        ids["units"] = sorted(draft_units)
    report_rows: list[Any] = compiled_rows(key=("report_history", limit, draft_units is None), build=build, ids=ids)
    for row in report_rows:
        entries.append(
            HistoryEntry(
                when=row.history_date,
                who=row.history_user,
                what=f"{row.unit.name} {row.period:%Y年%m月}报告",
                reason=row.history_change_reason or row.get_history_type_display(),
                changes=[f"{row.get_status_display()} {row.percent}%，{row.get_review_state_display()}"],
            )
        )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
