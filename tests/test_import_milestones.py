"""imports/milestones.py: a one-year plan's quarterly columns become its new tasks' 阶段目标, and
stay in their extra columns; the import report says where they went; a re-import adds none."""

from __future__ import annotations

import datetime as dt

import pytest

from imports.text import quarter_of
from tasks.models import Milestone
from tests.test_import_documents import docx_bytes, imported, tasks_of

pytestmark = pytest.mark.django_db

ROWS = [
    ["序号", "工作任务", "阶段性目标和工作任务量", "", "", "", "责任单位"],
    ["", "", "第一季度", "第二季度", "第三季度", "第四季度", ""],
    ["1", "推进城市更新，完成旧区改造。", "启动征收", "完成签约", "—", "完成收尾", "区住房保障局"],
]
MERGES = [(0, 0, 2, 0, 5), (0, 0, 0, 1, 0), (0, 0, 1, 1, 1), (0, 0, 6, 1, 6)]
YEAR = {"kind": "annual", "year_start": 2026, "year_end": 2026, "title": "2026年重点工作"}


@pytest.mark.parametrize(
    ("header", "quarter"),
    [
        ("第一季度", 1),
        ("阶段性目标和工作任务量/第三季度", 3),
        ("二季度目标", 2),
        ("Q4", 4),
        ("第 2 季 度", 2),
        ("季度", None),
        ("年度目标", None),
        ("", None),
    ],
)
def test_a_header_names_its_quarter(header, quarter):
    assert quarter_of(header) == quarter


def test_quarterly_columns_become_milestones_of_a_one_year_plan():
    data = docx_bytes([ROWS], merges=MERGES)
    report, plan = imported(data, "季度.docx", overrides=YEAR)
    (task,) = tasks_of(plan)
    milestones = [(m.due_date, m.target) for m in Milestone.objects.filter(task=task).order_by("due_date")]
    assert milestones == [
        (dt.date(2026, 3, 31), "启动征收"),
        (dt.date(2026, 6, 30), "完成签约"),
        (dt.date(2026, 12, 31), "完成收尾"),  # the third quarter's "—" is no target
    ]
    # Still in the extra columns, as printed.
    assert [cell["value"] for cell in task.extras] == ["启动征收", "完成签约", "—", "完成收尾"]
    text = report.render_text()
    destination = "任务的附加信息（其他列，按原列名保存），并作为新增任务的季度阶段目标（一年期规划）"
    assert f"“阶段性目标和工作任务量/第一季度” → {destination}" in text
    # The stored status knows the earliest open one.
    assert task.current.next_milestone == dt.date(2026, 3, 31)

    # The same file again: nothing new.
    imported(data, "季度.docx", overrides=YEAR)
    assert Milestone.objects.filter(task=task).count() == 3


def test_a_multi_year_plan_gets_no_quarterly_milestones():
    data = docx_bytes([ROWS], merges=MERGES)
    _, plan = imported(data, "季度.docx", overrides={**YEAR, "kind": "five_year", "year_end": 2030})
    assert not Milestone.objects.filter(task__plan=plan).exists()
