"""The family of breakdown documents other offices publish: header words outside
the seeds' vocabulary, roles told by context and content, extra columns kept,
and the structures (heading rows, group headings, unnumbered rows, numbers in
the text, one table per category). Each document is built here, small, in the
shape real published tables have."""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest

from imports.errors import ImportRefused
from imports.pipeline import plan_import
from tasks.models import Plan

pytestmark = pytest.mark.django_db


# -- builders ---------------------------------------------------------------------


def docx_bytes(
    tables: list[list[list[str]]],
    *,
    title: str = "2027年区政府重点工作任务分解表",
    captions: list[str] | None = None,
    merges: list[tuple[int, int, int, int, int]] = (),
    paragraphs: list[str] = (),
) -> bytes:
    """Tables of cell texts; `merges` are (table, row0, col0, row1, col1) ranges whose
    text is the top-left cell's; `captions[i]` is a paragraph before table i."""
    document = docx.Document()
    if title:
        document.add_paragraph(title)
    for text in paragraphs:
        document.add_paragraph(text)
    built = []
    for index, rows in enumerate(tables):
        if captions and captions[index]:
            document.add_paragraph(captions[index])
        width = max(len(r) for r in rows)
        table = document.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"  # ruled, as published tables are (a PDF made from it has lines to find)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                if text:
                    table.cell(r, c).text = text
        built.append(table)
    document.add_paragraph("")  # Word always ends a document with a paragraph (a .doc made from it needs one)
    for t, r0, c0, r1, c1 in merges:
        table = built[t]
        keep = table.cell(r0, c0).text
        merged = table.cell(r0, c0).merge(table.cell(r1, c1))
        merged.text = keep
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(
    rows: list[list[str]], *, title: str = "2027年区政府重点工作任务分解表", merges: list[str] = ()
) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    for row in rows:
        sheet.append(row)
    for ref in merges:
        sheet.merge_cells(ref)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def imported(data: bytes, name: str, **kwargs):
    report = plan_import(data=data, file_name=name, **kwargs)
    plan = Plan.objects.get(pk=report.plan_id) if report.plan_id else None
    return report, plan


def tasks_of(plan: Plan) -> list:
    return list(plan.tasks.select_related("category", "project").order_by("position"))


def units_of(task, role: str = "lead") -> list[str]:
    return [link.unit.name for link in task.unit_links.filter(role=role).order_by("position")]


def warning_texts(report) -> list[str]:
    return [str(w) for w in report.warnings]


# -- header words and roles ----------------------------------------------------------------


def test_new_header_words_and_extra_columns_are_all_kept():
    data = xlsx_bytes(
        [
            ["序号", "目标任务和工作要求", "责任领导", "主责部门", "配合部门", "完成期限", "年度目标", "目标类型"],
            [
                "1",
                "推进城市更新，完成旧区改造。",
                "王明",
                "区住房保障局",
                "区财政局、区规划资源局",
                "2027年12月",
                "完成3个地块",
                "A类",
            ],
            ["2", "优化营商环境，提升政务服务水平。", "李华", "区发改委", "", "2027年6月", "", "B类"],
        ]
    )
    report, plan = imported(data, "新表头.xlsx")
    first, second = tasks_of(plan)
    assert first.text == "推进城市更新，完成旧区改造。"
    assert [link.leader.name for link in first.leader_links.all()] == ["王明"]
    assert units_of(first) == ["区住房保障局"]
    assert units_of(first, "support") == ["区财政局", "区规划资源局"]
    assert first.deadline_text == "2027年12月"
    assert first.extras == [{"header": "年度目标", "value": "完成3个地块"}, {"header": "目标类型", "value": "A类"}]
    assert second.extras == [{"header": "目标类型", "value": "B类"}]
    text = report.render_text()
    assert "“目标任务和工作要求” → 任务内容（按列名）" in text
    assert "“主责部门” → 牵头单位（按列名）" in text
    assert "“年度目标” → 任务的附加信息（其他列，按原列名保存）（按列名）" in text
    assert "“目标类型” → 任务的附加信息（其他列，按原列名保存）（按列名）" in text


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("任 务 名 称", "task"),
        ("完成 期限", "deadline"),
        ("工作内容及要求", "task"),
        ("重点工作内容", "task"),
        ("指标名称", "task"),
        ("责任单位或牵头单位", "unit"),
        ("协同责任单位", "support"),
        ("协助单位", "support"),
        ("牵头县领导", "leader"),
        ("完成时限", "deadline"),
    ],
)
def test_header_vocabulary(header, role):
    from imports.columns import column_role

    assert column_role(header) == role


def test_lead_and_responsible_columns_together_mean_lead_and_supporting_units():
    data = xlsx_bytes(
        [
            ["序号", "工作任务", "责任单位", "牵头单位"],
            ["1", "建设智慧城市运行中心，完善平台功能。", "区城运中心、区大数据中心", "区政府办"],
        ]
    )
    report, plan = imported(data, "两列单位.xlsx")
    (task,) = tasks_of(plan)
    assert units_of(task) == ["区政府办"]
    assert units_of(task, "support") == ["区城运中心", "区大数据中心"]
    assert "“责任单位”列：与“牵头单位”同在一表，作为配合（责任）单位" in warning_texts(report)


def test_responsible_column_alone_means_lead():
    data = xlsx_bytes([["序号", "工作任务", "责任单位"], ["1", "建设智慧城市运行中心，完善平台功能。", "区城运中心"]])
    _, plan = imported(data, "责任单位.xlsx")
    (task,) = tasks_of(plan)
    assert units_of(task) == ["区城运中心"]


def test_unknown_header_over_units_is_inferred_from_content_and_said():
    data = xlsx_bytes(
        [
            ["序号", "工作任务", "承担者"],
            ["1", "建设智慧城市运行中心，完善平台功能。", "区城运中心"],
            ["2", "推进老旧小区改造，改善居住条件。", "区住房保障局、各街镇"],
        ]
    )
    report, plan = imported(data, "推断.xlsx")
    assert units_of(tasks_of(plan)[1]) == ["区住房保障局", "各街镇"]
    assert "“承担者”列：列名未能识别，按内容判断为“牵头单位”（100% 的内容像牵头单位），请核对" in warning_texts(report)
    assert "“承担者” → 牵头单位（按内容推断；100% 的内容像牵头单位）" in report.render_text()


def test_two_header_rows_under_a_merged_group_header_keep_every_quarter():
    rows = [
        ["序号", "工作任务", "阶段性目标和工作任务量", "", "", "", "责任单位"],
        ["", "", "第一季度", "第二季度", "第三季度", "第四季度", ""],
        ["1", "推进城市更新，完成旧区改造。", "启动征收", "完成签约", "完成搬迁", "完成收尾", "区住房保障局"],
    ]
    merges = [(0, 0, 2, 0, 5), (0, 0, 0, 1, 0), (0, 0, 1, 1, 1), (0, 0, 6, 1, 6)]
    report, plan = imported(docx_bytes([rows], merges=merges), "季度.docx")
    (task,) = tasks_of(plan)
    assert units_of(task) == ["区住房保障局"]
    assert task.extras == [
        {"header": "阶段性目标和工作任务量/第一季度", "value": "启动征收"},
        {"header": "阶段性目标和工作任务量/第二季度", "value": "完成签约"},
        {"header": "阶段性目标和工作任务量/第三季度", "value": "完成搬迁"},
        {"header": "阶段性目标和工作任务量/第四季度", "value": "完成收尾"},
    ]
    assert report.warnings == [] or all("季度" not in w for w in warning_texts(report))


def test_a_column_set_to_skip_is_named_in_a_warning(tmp_path):
    data = xlsx_bytes(
        [
            ["序号", "工作任务", "责任单位", "备注"],
            ["1", "建设智慧城市运行中心，完善平台功能。", "区城运中心", "内部备注"],
        ]
    )
    report, plan = imported(data, "不导入.xlsx", column_roles={"备注": "skip"})
    (task,) = tasks_of(plan)
    assert task.note == "" and task.extras == []
    assert "“备注”列：已设为不导入，该列内容未导入" in warning_texts(report)
    assert "“备注” → 不导入（按指定）" in report.render_text()


# -- structures ------------------------------------------------------------------------------


def test_heading_rows_are_categories_even_without_a_numeral():
    rows = [
        ["序号", "工作任务", "责任单位"],
        ["高质量发展", "", ""],
        ["1", "推进城市更新，完成旧区改造。", "区住房保障局"],
        ["生 态 环 境", "", ""],
        ["2", "打好污染防治攻坚战，改善空气质量。", "区生态环境局"],
    ]
    merges = [(0, 1, 0, 1, 2), (0, 3, 0, 3, 2)]
    _, plan = imported(docx_bytes([rows], merges=merges), "标题行.docx")
    first, second = tasks_of(plan)
    assert (first.category.order, first.category.name) == (1, "高质量发展")
    assert (second.category.order, second.category.name) == (2, "生态环境")


def test_group_headings_in_the_number_column_become_projects_and_rows_are_numbered():
    rows = [
        ["序号", "工作任务", "责任单位"],
        ["一、经济发展", "", ""],
        ["（1）优化营商环境", "深化“一网通办”改革。", "区政务服务办"],
        ["", "开展营商环境评价。", "区发改委"],
        ["（2）扩大有效投资", "推进重大项目建设。", "区发改委"],
    ]
    merges = [(0, 1, 0, 1, 2), (0, 2, 0, 3, 0)]
    report, plan = imported(docx_bytes([rows], merges=merges), "分组.docx")
    tasks = tasks_of(plan)
    assert [(t.number, t.project.name) for t in tasks] == [
        ("1", "优化营商环境"),
        ("2", "优化营商环境"),
        ("3", "扩大有效投资"),
    ]
    assert tasks[0].category.name == "经济发展"
    assert (
        "第3行（序号1）“序号”列：没有序号，已按文档顺序编为1，请核对（原文：“深化“一网通办”改革。”）"
        in warning_texts(report)
    )


def test_numbers_printed_inside_the_text_are_moved_out():
    rows = [
        ["工作任务", "责任单位"],
        ["1、推进城市更新，完成旧区改造。", "区住房保障局"],
        ["2、按照全市部署，推进垃圾分类。", "区绿化市容局"],
    ]
    _, plan = imported(xlsx_bytes(rows), "文中序号.xlsx")
    tasks = tasks_of(plan)
    assert [(t.number, t.text) for t in tasks] == [
        ("1", "推进城市更新，完成旧区改造。"),
        ("2", "按照全市部署，推进垃圾分类。"),
    ]


def test_one_table_per_category_with_numbers_starting_again():
    header = ["序号", "工作任务", "责任单位"]
    tables = [
        [header, ["1", "推进城市更新，完成旧区改造。", "区住房保障局"], ["2", "推进垃圾分类。", "区绿化市容局"]],
        [header, ["1", "打好污染防治攻坚战。", "区生态环境局"]],
    ]
    report, plan = imported(docx_bytes(tables, captions=["一、城市建设", "二、生态环境"]), "分表.docx")
    tasks = tasks_of(plan)
    assert [(t.number, t.category.name) for t in tasks] == [
        ("1.1", "城市建设"),
        ("1.2", "城市建设"),
        ("2.1", "生态环境"),
    ]
    assert "各类别分别从1编号，序号已加类别序号前缀（如“2.1”），请核对" in warning_texts(report)


def test_indicator_table_with_a_note_line_above_the_header():
    rows = [
        ["注：完成情况截至2027年6月。", "", "", "", ""],
        ["类别", "指标名称", "年度目标", "完成情况", "责任部门"],
        ["经济发展", "地区生产总值增长率", "5%左右", "4.8%", "区发改委"],
        ["", "一般公共预算收入增长率", "3%", "3.1%", "区财政局"],
        ["社会民生", "新增就业岗位", "2万个", "1.2万个", "区教育局"],
    ]
    data = xlsx_bytes(rows, merges=["A2:E2", "A4:A5"])
    _, plan = imported(data, "指标表.xlsx")
    tasks = tasks_of(plan)
    assert [(t.number, t.category.name, t.text) for t in tasks] == [
        ("1", "经济发展", "地区生产总值增长率"),
        ("2", "经济发展", "一般公共预算收入增长率"),
        ("3", "社会民生", "新增就业岗位"),
    ]
    assert tasks[0].extras == [{"header": "年度目标", "value": "5%左右"}, {"header": "完成情况", "value": "4.8%"}]
    assert units_of(tasks[2]) == ["区教育局"]


def test_extras_survive_the_csv_export_and_a_reimport_changes_nothing():
    from imports.export import plan_export_csv

    data = xlsx_bytes(
        [
            ["序号", "工作任务", "责任单位", "年度目标"],
            ["1", "建设智慧城市运行中心，完善平台功能。", "区城运中心", "上线"],
        ]
    )
    _, plan = imported(data, "往返.xlsx")
    again = plan_import(data=plan_export_csv(plan=plan).encode(), file_name="往返.csv", dry_run=True)
    assert again.diff.is_empty


def test_refusals_still_name_row_column_and_text():
    rows = [["序号", "工作任务", "责任单位"], ["1", "第一条任务内容。", "区城运中心"], ["", "", "区发改委"]]
    with pytest.raises(ImportRefused) as refused:
        plan_import(data=xlsx_bytes(rows), file_name="缺内容.xlsx")
    assert str(refused.value) == "第4行“序号”列：缺少序号。（原文：“区发改委”）"


def test_a_revised_extra_column_is_a_change_and_is_written():
    header = ["序号", "工作任务", "责任单位", "完成情况"]
    first = xlsx_bytes([header, ["1", "建设智慧城市运行中心，完善平台功能。", "区城运中心", "推进中"]])
    revised = xlsx_bytes([header, ["1", "建设智慧城市运行中心，完善平台功能。", "区城运中心", "已完成"]])
    _, plan = imported(first, "初稿.xlsx")
    report = plan_import(data=revised, file_name="修订.xlsx")
    (change,) = report.diff.changed
    assert [(c.label, c.before, c.after) for c in change.changes] == [
        ("其他列", "完成情况：推进中", "完成情况：已完成")
    ]
    (task,) = tasks_of(plan)
    assert task.extras == [{"header": "完成情况", "value": "已完成"}]
    assert task.history.first().extras == [{"header": "完成情况", "value": "已完成"}]


# -- units: district aliases and dropped prefixes ----------------------------------------------


def test_this_districts_aliases_are_not_applied_to_another_districts_document(shipped_aliases):
    from tasks.models import UnitAlias

    assert UnitAlias.objects.filter(name="区发改委", district="闵行区").exists()
    rows = [["序号", "工作任务", "责任单位"], ["1", "推进重大项目建设，扩大有效投资。", "区发改委"]]
    report, plan = imported(xlsx_bytes(rows, title="青浦区2027年区政府重点工作任务分解表"), "青浦.xlsx")
    assert plan.district == "青浦区"
    assert units_of(tasks_of(plan)[0]) == ["区发改委"]  # not 闵行区's 区发展改革委
    assert (
        "文件属于“青浦区”：闵行区的单位、领导和单位别名不用于本文件，单位和领导只与青浦区已有的对应，"
        "本文件确认的单位对应记为青浦区的别名。" in report.render_text()
    )
    # The same document as 闵行区's: the alias applies.
    _, own = imported(xlsx_bytes(rows), "闵行.xlsx")
    assert units_of(tasks_of(own)[0]) == ["区发展改革委"]


def test_a_prefix_dropped_after_its_first_use_is_folded_and_reported():
    rows = [
        ["序号", "工作任务", "牵头单位", "配合单位"],
        ["1", "推进旧城改造，完善城市功能。", "市建委", "市国土房管局、市规划局"],
        ["2", "加强土地储备，保障重点项目用地。", "国土房管局", "市发改委、财政局、黄埔区政府"],
    ]
    report, plan = imported(xlsx_bytes(rows, title="2027年市政府重点工作任务分解表"), "前缀.xlsx")
    second = tasks_of(plan)[1]
    assert units_of(second) == ["市国土房管局"]
    assert units_of(second, "support") == ["市发改委", "市财政局", "黄埔区政府"]
    texts = [str(w) for w in report.warnings]
    assert (
        "第4行：“国土房管局”按本文件中的“市国土房管局”处理（文件在首次出现后省略了前缀“市”）（原文：“国土房管局”）"
        in texts
    )


def test_a_task_header_over_category_labels_imports_labels_as_categories():
    rows = [
        ["序号", "任务内容", "工作举措", "责任单位"],
        ["1", "经济发展", "推进重大项目建设，扩大有效投资，完成年度目标。", "区发改委"],
        ["2", "社会民生", "新增就业岗位2万个，稳定重点群体就业。", "区教育局"],
    ]
    report, plan = imported(xlsx_bytes(rows), "标签.xlsx")
    assert [(t.number, t.category.name, t.text) for t in tasks_of(plan)] == [
        ("1", "经济发展", "推进重大项目建设，扩大有效投资，完成年度目标。"),
        ("2", "社会民生", "新增就业岗位2万个，稳定重点群体就业。"),
    ]
    assert "“任务内容”列：内容是简短的类别名称，“工作举措”列才是任务" in warning_texts(report)


def test_a_hidden_spreadsheet_row_is_imported_and_named_in_a_warning():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "任务"
    for row in (
        ["2027年区政府重点工作任务分解表"],
        ["序号", "工作任务", "牵头单位"],
        ["1", "推进城市更新。", "区住建委"],
        ["2", "已调整的任务。", "区科委"],
        ["3", "完善养老服务。", "区民政局"],
    ):
        sheet.append(row)
    sheet.row_dimensions[4].hidden = True
    out = io.BytesIO()
    workbook.save(out)
    report, _ = imported(out.getvalue(), "隐藏行.xlsx", dry_run=True)
    assert len(report.parsed.tasks) == 3
    assert [w for w in warning_texts(report) if "隐藏" in w] == [
        "第4行（序号2）：工作表“任务”中此行被隐藏，已按普通任务导入，请核对是否应导入（原文：“已调整的任务。”）"
    ]
