"""imports/text/deadlines.py: a task's 完成时限 sets its due date where the wording states an end
(the earliest when it states several), the wording is kept as printed, and a spreadsheet's date
cell is kept the way the sheet shows it."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from imports.text.deadlines import date_text, deadline_date
from tests.test_import_documents import imported, tasks_of, xlsx_bytes

ANNUAL = {"year_start": 2025, "year_end": 2025}
FIVE_YEAR = {"year_start": 2021, "year_end": 2025}


@pytest.mark.parametrize(
    ("text", "annual", "five_year"),
    [
        ("2025年6月底前", dt.date(2025, 6, 30), dt.date(2025, 6, 30)),
        ("6月底前", dt.date(2025, 6, 30), None),  # a month of which year, in a five-year plan?
        ("三季度", dt.date(2025, 9, 30), None),
        ("第三季度", dt.date(2025, 9, 30), None),
        ("9月", dt.date(2025, 9, 30), None),
        ("年底", dt.date(2025, 12, 31), None),
        ("年内", dt.date(2025, 12, 31), None),
        ("全年", dt.date(2025, 12, 31), None),
        ("上半年", dt.date(2025, 6, 30), None),
        ("6月中旬", dt.date(2025, 6, 20), None),
        ("十一月底", dt.date(2025, 11, 30), None),
        ("2025年6月30日", dt.date(2025, 6, 30), dt.date(2025, 6, 30)),
        ("2025-06-30T00:00:00", dt.date(2025, 6, 30), dt.date(2025, 6, 30)),
        ("２０２５年６月底", dt.date(2025, 6, 30), dt.date(2025, 6, 30)),
        ("2024年", dt.date(2024, 12, 31), dt.date(2024, 12, 31)),
        ("2023—2025年", dt.date(2025, 12, 31), dt.date(2025, 12, 31)),
        ("2024年6月底前完成方案，9月底前开工", dt.date(2024, 6, 30), dt.date(2024, 6, 30)),
        ("6月底前完成方案，12月底前建成", dt.date(2025, 6, 30), None),
        ("长期坚持", None, None),
        ("持续推进", None, None),
        ("每季度", None, None),
        ("每月25日前报送", None, None),
        ("下降6.5%", None, None),
        ("", None, None),
    ],
)
def test_a_deadline_states_its_earliest_end(text, annual, five_year):
    assert deadline_date(text=text, **ANNUAL) == annual
    assert deadline_date(text=text, **FIVE_YEAR) == five_year


def test_a_date_cell_reads_as_the_sheet_shows_it():
    assert date_text(dt.datetime(2025, 6, 30)) == "2025年6月30日"
    assert date_text(dt.date(2025, 1, 5)) == "2025年1月5日"
    assert date_text(dt.datetime(2025, 6, 30, 17, 30)) == "2025年6月30日 17:30"


@pytest.mark.django_db
def test_deadlines_set_the_new_tasks_due_dates_and_keep_their_wording():
    rows = [
        ["序号", "工作任务", "牵头单位", "完成时限"],
        ["1", "完成老旧小区改造方案编制工作。", "区住建委", "2025年6月底前"],
        ["2", "推进城市更新项目建设。", "区住建委", "三季度"],
        ["3", "完善基层治理体系建设。", "区民政局", dt.datetime(2025, 6, 30)],
        ["4", "深化营商环境改革。", "区发改委", "长期坚持"],
        ["5", "建成区级综合服务平台。", "区科委", "6月底前完成方案，年底前建成"],
    ]
    overrides = {"kind": "annual", "year_start": 2025, "year_end": 2025, "title": "2025年重点工作"}
    _, plan = imported(xlsx_bytes(rows), "时限.xlsx", overrides=overrides)
    got = [(t.number, t.deadline_text, t.due_date) for t in tasks_of(plan)]
    assert got == [
        ("1", "2025年6月底前", dt.date(2025, 6, 30)),
        ("2", "三季度", dt.date(2025, 9, 30)),
        ("3", "2025年6月30日", dt.date(2025, 6, 30)),
        ("4", "长期坚持", dt.date(2025, 12, 31)),  # no end stated: the plan's
        ("5", "6月底前完成方案，年底前建成", dt.date(2025, 6, 30)),
    ]


@pytest.mark.django_db
def test_a_five_year_plans_year_deadline_is_that_years_end():
    rows = [
        ["序号", "工作任务", "牵头单位", "完成时限"],
        ["1", "建成区域医疗中心。", "区卫健委", "2024年"],
        ["2", "推进城市数字化转型。", "区科委", "6月底前"],
    ]
    overrides = {"kind": "five_year", "year_start": 2021, "year_end": 2025, "title": "十四五规划任务"}
    _, plan = imported(xlsx_bytes(rows), "五年.xlsx", overrides=overrides)
    assert [t.due_date for t in tasks_of(plan)] == [dt.date(2024, 12, 31), dt.date(2025, 12, 31)]


@pytest.mark.django_db
def test_the_task_page_and_the_ledger_show_the_wording_beside_the_date(client_as, office_user, plain_static):
    rows = [["序号", "工作任务", "牵头单位", "完成时限"], ["1", "完成老旧小区改造方案编制。", "区住建委", "6月底前"]]
    overrides = {"kind": "annual", "year_start": 2025, "year_end": 2025, "title": "2025年重点工作"}
    _, plan = imported(xlsx_bytes(rows), "时限.xlsx", overrides=overrides)
    (task,) = tasks_of(plan)
    client = client_as(office_user)
    page = client.get(reverse("tasks:task", args=[task.pk])).content.decode()
    assert '2025年6月30日 <span class="small muted" data-deadline-text>（完成时限原文：6月底前）</span>' in page
    response = client.get(reverse("tasks:task_export_xlsx"), {"plan": plan.pk})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in sheet[3]]
    (row,) = sheet.iter_rows(min_row=4, values_only=True)
    assert (row[header.index("截止日期")], row[header.index("完成时限")]) == ("2025-06-30", "6月底前")
