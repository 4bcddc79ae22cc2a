"""Header words and clause labels met in real published documents (the import
corpus, fixtures/import_corpus/), each tested alone: 内容与要求 (Shaoxing
2020) names the task column; a table whose only text column is headed as
targets (沙坪坝 2022: 2022年预期目标) reads the targets as tasks; a prose
item's "分管省领导：…" line names its leader and "部门分工：X牵头，Y、Z配合。"
its units (Guangdong 2021)."""

from __future__ import annotations

import pytest

from imports.columns import EXTRA, column_role, plan_columns
from imports.read import Cell, Table
from imports.text import labelled_clause


def _table(rows: list[list[str]]) -> Table:
    return Table(
        rows=[[Cell(text=t) for t in row] for row in rows],
        row_numbers=list(range(1, len(rows) + 1)),
        has_merge_info=False,
    )


@pytest.mark.parametrize(
    "header", ["内容与要求", "工作内容与要求", "任务及要求", "内容及要求", "目标任务与工作要求", "工作任务和目标"]
)
def test_a_header_naming_the_task_and_its_requirement_is_the_task(header):
    assert column_role(header) == "task"


@pytest.mark.parametrize("header", ["标准或要求", "指标要求", "进展情况", "完成情况", "目标类型"])
def test_requirement_and_progress_headers_stay_extras(header):
    assert column_role(header) is None


def test_the_one_column_of_targets_is_the_task_when_no_column_is_named_so():
    table = _table(
        [
            ["序号", "2022年预期目标", "责任单位"],
            ["1", "地区生产总值增长5.5%左右", "区发展改革委"],
            ["2", "固定资产投资增长6%左右", "区发展改革委"],
        ]
    )
    plan = plan_columns(table, 0)
    roles = {c.header: c.role for c in plan.columns}
    assert roles == {"序号": "number", "2022年预期目标": "task", "责任单位": "unit"}
    assert plan.inferred and "目标" in plan.inferred[0].note


def test_a_target_column_beside_a_task_column_stays_an_extra():
    table = _table(
        [
            ["序号", "指标名称", "年度目标", "责任部门"],
            ["1", "地区生产总值", "增长百分之六左右", "区发改委"],
            ["2", "一般公共预算收入", "增长百分之五左右", "区财政局"],
        ]
    )
    roles = {c.header: c.role for c in plan_columns(table, 0).columns}
    assert roles["指标名称"] == "task" and roles["年度目标"] == EXTRA


def test_a_column_of_figures_headed_as_a_target_is_not_read_as_tasks():
    table = _table([["序号", "年度目标", "责任单位"], ["1", "6%", "区发改委"], ["2", "120亿元", "区财政局"]])
    roles = {c.header: c.role for c in plan_columns(table, 0).columns}
    assert "task" not in roles.values()


def test_a_leader_line_and_a_division_line_in_prose():
    clause = labelled_clause("分管省领导:林克庆 部门分工:省发展改革委牵头,各地、各部门配合。")
    assert (clause.leader, clause.lead, clause.support) == ("林克庆", "省发展改革委", "各地、各部门")


def test_a_division_line_that_only_lists_units_names_the_leads():
    clause = labelled_clause("部门分工:市商务局、市财政局")
    assert (clause.lead, clause.support) == ("市商务局、市财政局", "")


KNOWN = {"区发改委", "区财政局", "市委市政府督查室"}


@pytest.mark.parametrize(
    ("printed", "names"),
    [
        ("市行政审批局市司法局", ["市行政审批局", "市司法局"]),  # Xi'an 2022, as the copy prints it
        ("区人社局区财政局区统计局", ["区人社局", "区财政局", "区统计局"]),
        ("区发改委区财政局", ["区发改委", "区财政局"]),
        ("市委市政府督查室", ["市委市政府督查室"]),  # known: never split
        ("县委县政府督查室", ["县委县政府督查室"]),  # 县委 is too short to be a unit here
        ("市城市管理局", ["市城市管理局"]),
        ("市委宣传部市文明办", ["市委宣传部市文明办"]),  # 部 is not an office ending: left whole
        ("市教育局市直学校", ["市教育局市直学校"]),
        ("市卫健委市中医院", ["市卫健委", "市中医院"]),
        ("区行政服务中心", ["区行政服务中心"]),
    ],
)
def test_two_unit_names_run_together_are_split_only_where_safe(printed, names):
    from imports.run_together import split_run_together

    assert split_run_together(printed, is_known=KNOWN.__contains__) == names


def test_a_run_together_cell_is_read_as_two_units_and_reported():
    from imports.normalise import Vocabulary, split_units

    mentions = split_units("市行政审批局市司法局", Vocabulary())
    assert [m.name for m in mentions] == ["市行政审批局", "市司法局"]
    assert all(m.run_together and m.printed == "市行政审批局市司法局" for m in mentions)


def _prose_rows(paragraphs: list[str]) -> list[list[str]]:
    from imports.prose import prose_table

    read = prose_table(paragraphs, wrapped="word")
    assert read is not None
    return [[c.text for c in row] for row in read[0].rows[1:]]


def test_a_group_sentence_with_a_comma_over_items_of_another_numbering_is_a_heading():
    # Gangcheng 2021: "（一）规范精简审批，进一步提高行政效能。" over items "1.", "2.".
    rows = _prose_rows(
        [
            "(一)规范精简审批,进一步提高行政效能。",
            "1.严格落实行政许可设定审查制度。(牵头单位:区政府办公室;责任单位:区政府有关部门)",
            "2.规范行政备案事项管理。(牵头单位:区司法局;责任单位:区政府有关部门)",
        ]
    )
    assert rows[0][0] == "(一)规范精简审批,进一步提高行政效能。"  # a heading row
    assert [r[0] for r in rows[1:]] == ["1", "2"]


def test_a_clause_in_tortoise_shell_brackets_with_labels_split_by_a_comma():
    rows = _prose_rows(
        [
            "1.及时承接落实行政权力事项。〔牵头单位:区政府办公室,责任单位:区政府有关部门,各街道(功能区)〕",
            "2.实施行政许可案卷评查。(牵头单位:区司法局;责任单位:区政府有关部门)",
        ]
    )
    assert rows[0] == ["1", "及时承接落实行政权力事项。", "区政府办公室", "区政府有关部门,各街道(功能区)"]


@pytest.mark.parametrize("printed", ["区司法局等有关部门", "区司法局等相关单位", "区司法局等部门", "区司法局等"])
def test_and_the_others_after_a_unit_is_dropped(printed):
    from imports.normalise import Vocabulary, split_units

    assert [m.name for m in split_units(printed, Vocabulary())] == ["区司法局"]


def test_a_line_break_beside_a_chinese_character_is_a_wrap_not_a_space():
    from imports.text import clean_text

    # Shaoxing 2020 as a PDF: cells wrap before a figure and after ASCII punctuation.
    assert clean_text("同比下降\n12.7%,高于全省平均水平1.7个百分点,\n居全省第6位") == (
        "同比下降12.7%,高于全省平均水平1.7个百分点,居全省第6位"
    )
    assert clean_text("提升至44%;\n力争生物医药") == "提升至44%;力争生物医药"
    assert clean_text("Q3\nreport") == "Q3 report"  # between Latin words a break is a space


def test_a_pdf_title_loses_the_gap_before_its_year():
    from imports.shape import document_title

    assert document_title(["市政府 2020 年重点工作(预下达)一季度进展情况表"]) == (
        "市政府2020年重点工作(预下达)一季度进展情况表"
    )


@pytest.mark.django_db
def test_a_row_under_a_merged_number_is_a_task_of_its_own_numbered_under_that_item():
    # 大竹 2016: item 5 is two works with their own deadlines under one 序号 and one 责任单位.
    from imports.pipeline import plan_import
    from tests.test_import_documents import docx_bytes

    rows = [
        ["序号", "民生实事", "责任单位", "完成时限"],
        ["4", "建成县残疾人综合服务中心。", "县残联", "5月底前动工"],
        ["5", "开工建设县老年养护楼。", "县民政局", "5月底前动工"],
        ["", "开工建设老年大学。", "", "12月底前"],
        ["6", "迁建县政务服务中心。", "县政务服务中心\n县代建中心", "12月底前"],
    ]
    data = docx_bytes([rows], title="2016年民生实事目标任务分解表", merges=[(0, 2, 0, 3, 0), (0, 2, 2, 3, 2)])
    report = plan_import(data=data, file_name="民生实事.docx", dry_run=True)
    tasks = report.parsed.tasks
    assert [t.number for t in tasks] == ["4", "5", "5.2", "6"]
    assert [u.name for u in tasks[2].units] == ["县民政局"] and tasks[2].deadline_text == "12月底前"
    assert [u.name for u in tasks[3].units] == ["县政务服务中心", "县代建中心"]
    assert any("与上一行共用序号5" in str(w) for w in report.warnings)
