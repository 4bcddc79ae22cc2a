"""imports/columns/ alone: header words, a two-row header, roles by context
and content, the --columns spec."""

import pytest

from imports.columns import column_role, find_header, header_texts, parse_column_spec, plan_columns
from imports.read import Cell, Table


def table(rows, merged_left=()):
    cells = [[Cell(text) for text in row] for row in rows]
    for r, c in merged_left:
        cells[r][c] = Cell("", merged_left=True)
    return Table(rows=cells, row_numbers=list(range(1, len(rows) + 1)), has_merge_info=True)


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("目标类别", "category"),
        ("考核实施单位", "unit"),
        ("协同配合部门", "support"),
        ("联系领导", "leader"),
        ("责任科室", "unit"),
        ("配合处室", "support"),
        ("考核单位", "unit"),
        ("分值", None),
    ],
)
def test_a_header_names_its_role_in_its_last_word(header, role):
    assert column_role(header) == role


def test_two_header_rows_join_the_group_and_its_parts():
    rows = [
        ["序号", "工作任务", "阶段性目标", "", "责任单位"],
        ["", "", "第一季度", "第二季度", ""],
        ["1", "推进城市更新，完成旧区改造。", "启动", "签约", "区住房保障局"],
    ]
    texts, last = header_texts(table(rows, merged_left=[(0, 3)]), 0)
    assert (texts, last) == (["序号", "工作任务", "阶段性目标/第一季度", "阶段性目标/第二季度", "责任单位"], 1)


def test_two_columns_of_one_role_are_resolved_by_their_content():
    rows = [
        ["任务内容", "任务", "责任单位"],
        ["一、经济发展", "推进重大项目建设，扩大有效投资。", "区发改委"],
        ["一、经济发展", "优化营商环境，提升政务服务水平。", "区政务服务办"],
    ]
    plan = plan_columns(table(rows), find_header(table(rows)))
    assert [(c.header, c.role, c.source) for c in plan.columns] == [
        ("任务内容", "category", "context"),
        ("任务", "task", "name"),
        ("责任单位", "unit", "name"),
    ]


def test_figures_are_not_taken_for_row_numbers():
    rows = [
        ["工作任务", "全市", "责任单位"],
        ["推进重大项目建设，扩大投资。", "466", "区发改委"],
        ["优化营商环境，提升服务。", "846", "区政务服务办"],
    ]
    plan = plan_columns(table(rows), 0)
    assert [c.role for c in plan.columns] == ["task", "extra", "unit"]


def test_column_spec():
    assert parse_column_spec("任务=目标任务和工作要求，牵头单位=主责部门,不导入=备注,其他列=年度目标") == {
        "目标任务和工作要求": "task",
        "主责部门": "unit",
        "备注": "skip",
        "年度目标": "extra",
    }
    with pytest.raises(ValueError, match="无法理解列对应“任务目标”"):
        parse_column_spec("任务目标")


def test_shape_and_normalise_do_not_import_each_other():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "imports"

    def sources(name):
        """A stage's module, or every module of its package: (file, how many dots reach imports/)."""
        if (root / f"{name}.py").exists():
            return [(root / f"{name}.py", 1)]
        return [(path, 2) for path in sorted((root / name).glob("*.py"))]

    def imported(name):
        """The stages (modules of imports/) a stage's module or package imports."""
        found = set()
        for path, top in sources(name):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and node.level == top and node.module:
                    found.add(node.module.split(".")[0])
        return found

    assert "normalise" not in imported("shape")
    assert "shape" not in imported("text") and "normalise" not in imported("text")
    assert "diff" in imported("apply")
    assert not any("plan_diff" in path.read_text() for path, _ in sources("apply"))


def test_a_task_header_over_category_labels_beside_the_tasks_text():
    rows = [
        ["序号", "任务内容", "工作举措", "责任单位"],
        ["1", "经济发展", "推进重大项目建设，扩大有效投资，完成年度目标。", "区发改委"],
        ["2", "社会民生", "新增就业岗位2万个，稳定重点群体就业。", "区人社局"],
    ]
    plan = plan_columns(table(rows), find_header(table(rows)))
    assert [(c.header, c.role, c.source) for c in plan.columns] == [
        ("序号", "number", "name"),
        ("任务内容", "category", "context"),
        ("工作举措", "task", "content"),
        ("责任单位", "unit", "name"),
    ]


@pytest.mark.parametrize("header", ["主要工作", "工作重点", "具体事项", "事项名称", "考核指标"])
def test_more_names_of_the_task_column(header):
    assert column_role(header) == "task"


def test_the_only_long_text_under_a_target_header_is_the_task():
    from imports.columns import guess_header

    rows = [
        ["序号", "工作目标", "责任单位"],
        ["1", "全年地区生产总值增长6%左右，确保经济运行在合理区间。", "区发改委"],
        ["2", "固定资产投资增长10%，推进重大项目建设。", "区住建局"],
    ]
    assert find_header(table(rows)) is None
    index = guess_header(table(rows))
    plan = plan_columns(table(rows), index)
    assert [(c.header, c.role, c.source, c.note) for c in plan.columns] == [
        ("序号", "number", "name", ""),
        ("工作目标", "task", "content", "表中只有此列是任务的长文本"),
        ("责任单位", "unit", "name", ""),
    ]


def test_two_long_texts_under_target_headers_are_left_to_the_admin():
    rows = [
        ["序号", "工作目标", "目标要求", "责任单位"],
        [
            "1",
            "全年地区生产总值增长6%左右，确保经济运行在合理区间。",
            "按季度分解，确保完成，年底前全部达标。",
            "区发改委",
        ],
        ["2", "固定资产投资增长10%，推进重大项目建设。", "按季度分解，确保完成，年底前全部达标。", "区住建局"],
    ]
    plan = plan_columns(table(rows), 0)
    assert [c.role for c in plan.columns] == ["number", "extra", "extra", "unit"]
