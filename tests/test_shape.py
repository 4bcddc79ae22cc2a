"""Stage 2: header by name, fill-down of merged cells, metadata from the heading."""

import pytest

from imports.errors import ImportRefused
from imports.read import Cell, Document, Table, read_document
from imports.shape import column_role, document_title, plan_meta_from_text, shape_document
from tests.conftest import ANNUAL_2025_TXT, FIVE_YEAR_TXT


def shaped(path):
    return shape_document(read_document(path.read_bytes(), path.name), max_rows=20000)


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("序号", "number"),
        ("主要任务", "task"),
        ("具体任务", "task"),
        ("任 务", "task"),
        ("牵头单位", "unit"),
        ("责任单位", "unit"),
        ("牵头领导", "leader"),
        ("备注", "note"),
        ("配合单位", "support"),
        ("项目", "project"),
        ("类别", "category"),
        ("牵头单位（部门）", "unit"),
        ("姓名", None),
    ],
)
def test_columns_found_by_name(header, role):
    assert column_role(header) == role


def test_five_year_table_shape():
    result = shaped(FIVE_YEAR_TXT)
    assert result.columns == ["category", "number", "task", "unit"]
    assert len(result.rows) == 74
    counts = {}
    for row in result.rows:
        counts[row.category.order] = counts.get(row.category.order, 0) + 1
        assert counts[row.category.order] <= row.category.stated_count
    assert counts == {1: 11, 2: 13, 3: 7, 4: 4, 5: 10, 6: 9, 7: 4, 8: 9, 9: 7}
    assert result.meta.kind == "five_year" and (result.meta.year_start, result.meta.year_end) == (2021, 2025)
    assert result.meta.stated_city_level == 17


def test_annual_table_shape_and_heading():
    result = shaped(ANNUAL_2025_TXT)
    meta = result.meta
    assert meta.title == "2025年区委、区政府重点工作任务分解表"
    assert meta.doc_number == "闵委办发〔2025〕3号"
    assert str(meta.doc_date) == "2025-02-10"
    assert (meta.stated_categories, meta.stated_projects, meta.stated_tasks) == (10, 41, 190)
    assert len(result.rows) == 190  # the header repeated on every page is skipped
    by_number = {row.number: row for row in result.rows}
    # Rows 12, 109, 171: a project name in the 类别 column.
    assert by_number["12"].project == "着力深化国资国企改革"
    assert by_number["12"].category.order == 2
    assert by_number["109"].project == "提高城市规划建设管理水平"
    assert by_number["171"].project == "持续巩固拓展党纪学习教育成果"
    misplaced = [w for w in result.warnings if w.code == "project_in_category_column"]
    assert [w.raw for w in misplaced] == [
        "着力深化国资国企改革",
        "提高城市规划 建设管理水平",
        "持续巩固拓展党纪学习教育成果",
    ]
    # Rows 172, 174, 175 share the merged leader and unit cells of the row above.
    for number, source in (("172", "171"), ("174", "173"), ("175", "173")):
        assert (by_number[number].leader, by_number[number].unit) == (by_number[source].leader, by_number[source].unit)
        assert by_number[number].inherited == {"leader", "unit"}


def test_wrong_columns_refused_listing_what_was_found():
    table = Table([[Cell("姓名"), Cell("年龄"), Cell("电话")], [Cell("张三"), Cell("30"), Cell("1")]], [1, 2], True)
    with pytest.raises(ImportRefused) as refused:
        shape_document(Document("xlsx", [table]), max_rows=100)
    assert "找到的列：“姓名”、“年龄”、“电话”" in str(refused.value)


def test_empty_leader_cell_not_covered_by_a_merge_is_left_empty_in_merge_aware_formats():
    rows = [
        [Cell("序号"), Cell("类别"), Cell("任务"), Cell("牵头领导"), Cell("牵头单位")],
        [Cell("1"), Cell("一、甲"), Cell("任务一"), Cell("张三"), Cell("区科委")],
        [Cell("2"), Cell("", merged_up=True), Cell("任务二"), Cell(""), Cell("区经委")],
    ]
    result = shape_document(Document("xlsx", [Table(rows, [1, 2, 3], True)]), max_rows=100)
    assert result.rows[1].leader == "" and result.rows[1].category.name == "甲"


def test_missing_number_refused_with_row_and_raw_text():
    rows = [
        [Cell("序号"), Cell("类别"), Cell("任务"), Cell("牵头单位")],
        [Cell("1"), Cell("一、甲"), Cell("任务一"), Cell("区科委")],
        [Cell(""), Cell(""), Cell("任务二"), Cell("区经委")],
    ]
    with pytest.raises(ImportRefused) as refused:
        shape_document(Document("xlsx", [Table(rows, [4, 5, 6], True)]), max_rows=100)
    assert str(refused.value).startswith("第6行“序号”列：缺少序号。")


def test_row_limit(settings):
    rows = [[Cell("序号"), Cell("类别"), Cell("任务")]] + [
        [Cell(str(i)), Cell("一、甲"), Cell("任务")] for i in range(5)
    ]
    with pytest.raises(ImportRefused, match="任务行数超过上限 3 条"):
        shape_document(Document("csv", [Table(rows, list(range(1, 7)), False)]), max_rows=3)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ["2026年区委、区政府重点工作任务分解表", "闵委办发〔2026〕2号"],
            ("annual", 2026, 2026, "闵委办发〔2026〕2号"),
        ),
        (["闵行区“十五五”规划重点任务责任分解表"], ("five_year", 2026, 2030, "")),
        (["闵行区2021-2025年重点任务分解表"], ("five_year", 2021, 2025, "")),
    ],
)
def test_plan_meta_from_heading(lines, expected):
    meta = plan_meta_from_text(lines, [])
    assert (meta.kind, meta.year_start, meta.year_end, meta.doc_number) == expected


@pytest.mark.parametrize(
    ("lines", "title"),
    [
        (["关于促进消费的若干措施。为进一步扩大消费，现提出以下措施。"], "关于促进消费的若干措施"),
        (["某某市优化营商环境实施细则"], "某某市优化营商环境实施细则"),
        (["2024年度目标绩效考核指标体系"], "2024年度目标绩效考核指标体系"),
        (["为进一步扩大消费，现提出以下措施"], ""),
    ],
)
def test_titles_of_measures_and_rules(lines, title):
    assert document_title(lines) == title


def test_a_full_width_number_is_the_same_number():
    """A retyped revision prints "6" where the first printed "６": one task, not a new one and a withdrawn one."""
    rows = [
        [Cell("序号"), Cell("任务"), Cell("牵头单位")],
        [Cell("６"), Cell("任务一"), Cell("区科委")],
        [Cell("１２．３"), Cell("任务二"), Cell("区经委")],
        [Cell(""), Cell("７、任务三"), Cell("区经委")],
    ]
    result = shape_document(Document("xlsx", [Table(rows, [1, 2, 3, 4], True)]), max_rows=100)
    assert [(row.number, row.task) for row in result.rows] == [("6", "任务一"), ("12.3", "任务二"), ("7", "任务三")]


def _rows(*texts: tuple[str, ...]) -> list[list[Cell]]:
    return [[Cell(text) for text in row] for row in texts]


def test_category_rows_written_unmerged_are_categories():
    """ "一、" in 序号 and the name in the next cell, not merged across (静安, 黄浦)."""
    rows = _rows(
        ("序号", "工作任务", "牵头单位", "完成时限"),
        ("一、", "经济发展", "", ""),
        ("1", "推进南京西路商圈建设，引进首店50家。", "区商务委", "年底"),
        ("二", "城市建设", "", ""),
        ("2", "完成旧住房成套改造3万平方米。", "区房管局", "2025年10月底前"),
    )
    result = shape_document(Document("docx", [Table(rows, [1, 2, 3, 4, 5], True)]), max_rows=100)
    assert [(row.number, row.category.order, row.category.name) for row in result.rows] == [
        ("1", 1, "经济发展"),
        ("2", 2, "城市建设"),
    ]


def test_a_split_category_row_over_a_short_name_column_is_not_an_empty_task():
    rows = _rows(
        ("序号", "主要任务", "工作措施", "责任部门"),
        ("一、", "经济发展", "", ""),
        ("1.", "外滩金融集聚带建设", "引进持牌金融机构5家，新增金融业增加值10%以上", "区金融办"),
        ("二、", "城市建设", "", ""),
        ("2.", "旧区改造收尾", "完成零星旧改地块征收，推进居民安置工作", "区旧改办"),
    )
    result = shape_document(Document("docx", [Table(rows, [2, 3, 4, 5, 6], True)]), max_rows=100)
    assert [(row.number, row.category.name, row.project) for row in result.rows] == [
        ("1", "经济发展", "外滩金融集聚带建设"),
        ("2", "城市建设", "旧区改造收尾"),
    ]


def test_a_heading_between_category_and_a_project_column_is_reported():
    """ "（一）做强现代服务业" spans the table, but the 重点任务 column names each task's project."""
    rows = [
        [Cell("序号"), Cell("重点任务"), Cell("具体措施"), Cell("牵头单位")],
        [Cell("一、聚力产业强区"), *[Cell("", merged_left=True) for _ in range(3)]],
        [Cell("（一）做强现代服务业"), *[Cell("", merged_left=True) for _ in range(3)]],
        [Cell("1"), Cell("打造高端商务集聚区"), Cell("推进金融街二期建设，新增金融机构10家"), Cell("区发改委")],
        [Cell("2"), Cell("提升商贸消费能级"), Cell("改造提升特色街区3条，举办消费季活动"), Cell("区商务局")],
    ]
    result = shape_document(Document("xlsx", [Table(rows, [2, 3, 4, 5, 6], True)]), max_rows=100)
    assert [row.project for row in result.rows] == ["打造高端商务集聚区", "提升商贸消费能级"]
    assert [str(w) for w in result.warnings if w.code == "heading_not_kept"] == [
        "第4行：小标题未导入：其下各任务的项目取自“项目”列（打造高端商务集聚区），请核对（原文：“（一）做强现代服务业”）"
    ]


@pytest.mark.parametrize(
    ("line", "totals"),
    [
        ("（共10类41项190条）", (10, 41, 190)),
        ("（共3类12项）", (3, None, 12)),  # no 条: the 项 are the tasks, not projects
        ("共三类十二项", (3, None, 12)),
    ],
)
def test_stated_totals(line, totals):
    meta = plan_meta_from_text(["2025年重点工作任务分解表", line], [])
    assert (meta.stated_categories, meta.stated_projects, meta.stated_tasks) == totals


def test_a_sheet_per_category_does_not_name_the_plan_after_its_first_sheet():
    def sheet(name: str, number: str) -> Table:
        rows = _rows(
            (f"宝山区2025年重点工作任务分解表（{name}）", "", ""),
            ("序号", "工作任务", "牵头单位"),
            (number, "推进重点工作。", "区科委"),
        )
        return Table(rows, [1, 2, 3], True, label=f"工作表“{name}”")

    result = shape_document(Document("xlsx", [sheet("经济发展", "1"), sheet("社会民生", "2")]), max_rows=100)
    assert result.meta.title == "宝山区2025年重点工作任务分解表"
    one = shape_document(Document("xlsx", [sheet("经济发展", "1")]), max_rows=100)
    assert one.meta.title == "宝山区2025年重点工作任务分解表（经济发展）"  # one sheet: its title as printed
