"""Plans out of the database: the stable JSON others script against, and a CSV
in the documents' own column layout that imports back into the identical plan."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from tasks.exports import spreadsheet_safe
from tasks.models import Plan, PlanKind, Task, TaskLeader, TaskState, TaskUnit, UnitRole
from tasks.numerals import to_chinese_numeral

CSV_COLUMNS = [
    "序号",
    "类别",
    "项目",
    "任务",
    "牵头领导",
    "牵头单位",
    "配合单位",
    "备注",
    "完成时限",
    "市级任务",
    "状态",
]


def _plans(plan_ids: Iterable[int] | None = None) -> QuerySet[Plan]:
    tasks = (
        Task.objects.select_related("category", "project")
        .prefetch_related(
            Prefetch("leader_links", queryset=TaskLeader.objects.select_related("leader").order_by("position")),
            Prefetch("unit_links", queryset=TaskUnit.objects.select_related("unit").order_by("position")),
        )
        .order_by("position")
    )
    plans = Plan.objects.prefetch_related(Prefetch("tasks", queryset=tasks)).order_by("year_start", "kind", "pk")
    if plan_ids is not None:
        plans = plans.filter(pk__in=list(plan_ids))
    return plans


def plans_export_data(*, plan_ids: Iterable[int] | None = None) -> dict:
    """{"plans": [...]} — documented in the README; keep it stable."""
    out = []
    for plan in _plans(plan_ids):
        out.append(
            {
                "title": plan.title,
                "kind": plan.kind,
                "year_start": plan.year_start,
                "year_end": plan.year_end,
                "doc_number": plan.doc_number,
                "tasks": [
                    {
                        "number": task.number,
                        "category": task.category.name,
                        "project": task.project.name if task.project is not None else None,
                        "title": task.title,
                        "text": task.text,
                        "leaders": [link.leader.name for link in task.leader_links.all()],
                        "units": [link.unit.name for link in task.unit_links.all()],
                        "city_level": task.city_level,
                        "status": task.state,
                    }
                    for task in plan.tasks.all()
                ],
            }
        )
    return {"plans": out}


def _unit_cell(links: list[TaskUnit]) -> str:
    # A printed "区财政局（区金融办）" keeps its bracketed alias through the round trip.
    return "、".join(
        link.printed_name if ("（" in link.printed_name or "(" in link.printed_name) else link.unit.name
        for link in links
    )


def plan_export_csv(*, plan: Plan) -> str:
    """One plan as CSV: heading lines (title, kind, years, number, date, totals), then the table.

    Every cell, heading lines included, goes through spreadsheet_safe: a spreadsheet must
    not run any of it. The importer undoes the guard (spreadsheet_unguard), so the file
    still imports back into the identical plan."""
    plan = _plans([plan.pk]).get()
    buffer = io.StringIO()
    writer = _SafeWriter(buffer)
    writer.writerow([f"标题：{plan.title}"])
    writer.writerow([f"规划类型：{PlanKind(plan.kind).label}"])
    writer.writerow([f"年份：{plan.year_start}—{plan.year_end}"])
    if plan.doc_number:
        writer.writerow([f"文号：{plan.doc_number}"])
    if plan.doc_date:
        writer.writerow([f"印发日期：{plan.doc_date.year}年{plan.doc_date.month}月{plan.doc_date.day}日"])
    if plan.stated_categories is not None:
        totals = f"共{plan.stated_categories}类{plan.stated_projects or 0}项"
        writer.writerow([f"（{totals}{plan.stated_tasks}条）" if plan.stated_tasks is not None else f"（{totals}）"])
    if plan.stated_city_level is not None:
        writer.writerow([f"*项为市级任务，共{plan.stated_city_level}项"])
    rows = []
    for task in plan.tasks.all():
        category = task.category
        stated = f"（{category.stated_count}项）" if category.stated_count is not None else ""
        links = list(task.unit_links.all())
        rows.append(
            [
                task.number,
                f"{to_chinese_numeral(category.order)}、{category.name}{stated}",
                task.project.name if task.project is not None else "",
                task.text,
                "、".join(link.leader.name for link in task.leader_links.all()),
                _unit_cell([link for link in links if link.role == UnitRole.LEAD]),
                _unit_cell([link for link in links if link.role == UnitRole.SUPPORT]),
                task.note,
                task.deadline_text,
                "是" if task.city_level else "",
                "已撤销" if task.state == TaskState.WITHDRAWN else "",
            ]
        )
    # Columns the plan never fills stay out, as in the source documents (a
    # five-year table has no 项目 or 牵头领导 column, and an empty one would read as missing).
    keep = [i for i, name in enumerate(CSV_COLUMNS) if name in ("序号", "类别", "任务") or any(r[i] for r in rows)]
    # The document's own extra columns follow, under their own headers, so they import back as extras.
    extra_headers = list(dict.fromkeys(item["header"] for task in plan.tasks.all() for item in task.extras or []))
    writer.writerow([CSV_COLUMNS[i] for i in keep] + extra_headers)
    for row, task in zip(rows, plan.tasks.all(), strict=True):
        extras = {item["header"]: item["value"] for item in task.extras or []}
        writer.writerow([row[i] for i in keep] + [extras.get(header, "") for header in extra_headers])
    return buffer.getvalue()


class _SafeWriter:
    """csv.writer that guards every cell it writes."""

    def __init__(self, buffer: io.StringIO) -> None:
        self._writer = csv.writer(buffer, lineterminator="\n")

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([spreadsheet_safe(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)
