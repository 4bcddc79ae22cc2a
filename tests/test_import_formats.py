"""Formats beyond .docx/.xlsx/CSV: notices in prose (no table), PDF with a text
layer (pdfplumber), legacy .xls (xlrd) and .doc (LibreOffice headless, or a
refusal that says how to convert). PDF, .doc and .xls files are made from a
.docx/.xlsx built here, converted by LibreOffice (CI installs it)."""

from __future__ import annotations

import io
import shutil
import subprocess

import docx
import pytest

from imports import legacy
from imports.errors import ImportRefused
from imports.pipeline import plan_import
from imports.read import read_document
from tests.test_import_documents import docx_bytes, tasks_of, units_of, xlsx_bytes

pytestmark = pytest.mark.django_db

NOTICE = [
    "关于印发2027年区政府重点工作安排的通知",
    "各街镇、区政府各部门：",
    "一、推动经济高质量发展",
    "1.优化营商环境，深化“一网通办”改革（牵头单位：区政务服务办；配合单位：区发改委、区市场监管局）。"
    "2.扩大有效投资，推进重大项目建设[牵头单位：区发改委；责任单位：各街镇]。",
    "3.发展数字经济，培育新兴产业（区经委牵头，区科委按职责分工负责）。",
    "二、保障和改善民生",
    "4.稳定就业，新增就业岗位2万个。",
    "牵头单位：区人社局",
    "责任单位：各街镇",
    "5.办好民生实事项目。",
    "6.推进养老服务体系建设。",
    "上述项目由区民政局牵头负责。",
    "7.提升教育质量，推进学校建设。",
]
EXPECTED = [
    ("1", "推动经济高质量发展", "优化营商环境，深化“一网通办”改革", ["区政务服务办"], ["区发展改革委", "区市场监管局"]),
    ("2", "推动经济高质量发展", "扩大有效投资，推进重大项目建设", ["区发展改革委"], ["各街镇"]),
    ("3", "推动经济高质量发展", "发展数字经济，培育新兴产业", ["区经委"], ["区科委"]),
    ("4", "保障和改善民生", "稳定就业，新增就业岗位2万个。", ["区人力资源社会保障局"], ["各街镇"]),
    ("5", "保障和改善民生", "办好民生实事项目。", ["区民政局"], []),
    ("6", "保障和改善民生", "推进养老服务体系建设。", ["区民政局"], []),
    ("7", "保障和改善民生", "提升教育质量，推进学校建设。", [], []),
]


def _rows(plan):
    return [(t.number, t.category.name, t.text, units_of(t), units_of(t, "support")) for t in tasks_of(plan)]


def _notice_docx() -> bytes:
    document = docx.Document()
    for line in NOTICE:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_prose_notice_in_word_becomes_the_same_rows_a_table_gives():
    from tasks.models import Plan

    report = plan_import(data=_notice_docx(), file_name="通知.docx")
    plan = Plan.objects.get(pk=report.plan_id)
    assert (plan.title, plan.year_start) == ("2027年区政府重点工作安排", 2027)
    assert _rows(plan) == EXPECTED
    assert report.reading == "正文段落（文件中没有表格，已按编号段落逐条读取为任务，请核对）"
    assert "读取方式：正文段落（文件中没有表格，已按编号段落逐条读取为任务，请核对）" in report.render_text()
    # The item with no unit at all is reported, not guessed.
    assert "第13行（序号7）“牵头单位”列：没有牵头单位，也不在上方合并单元格内（原文：“”）" in [
        str(w) for w in report.warnings
    ]


def test_prose_notice_as_plain_text():
    from tasks.models import Plan

    report = plan_import(data="\n".join(NOTICE).encode(), file_name="通知.txt")
    assert _rows(Plan.objects.get(pk=report.plan_id)) == EXPECTED


def test_plain_text_without_numbered_items_is_still_refused():
    with pytest.raises(ImportRefused) as refused:
        read_document("这是一段普通文字，不是表格。\n第二行文字。\n".encode(), "a.txt")
    assert str(refused.value) == "文件中没有找到表格（文本文件应为制表符分隔的表格），也没有编号的任务段落。"


# -- converted with LibreOffice -------------------------------------------------------


@pytest.fixture
def convert(tmp_path):
    soffice = legacy.soffice_path()
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed here; CI installs it")

    def run(data: bytes, source: str, target: str) -> bytes:
        path = tmp_path / source
        path.write_bytes(data)
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{tmp_path}/profile",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                str(tmp_path),
                str(path),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return (tmp_path / f"{path.stem}.{target}").read_bytes()

    return run


TABLE = [
    ["序号", "工作任务", "责任单位", "年度目标"],
    ["一、城市建设", "", "", ""],
    ["1", "推进城市更新，完成旧区改造。", "区住房保障局", "完成3个地块"],
    ["2", "推进垃圾分类，改善市容环境。", "区绿化市容局", ""],
]


def _table_docx() -> bytes:
    return docx_bytes([TABLE], merges=[(0, 1, 0, 1, 3)])


def _check_table_plan(report):
    from tasks.models import Plan

    plan = Plan.objects.get(pk=report.plan_id)
    assert plan.title == "2027年区政府重点工作任务分解表"
    tasks = tasks_of(plan)
    assert [(t.number, t.category.name, t.text, units_of(t)) for t in tasks] == [
        ("1", "城市建设", "推进城市更新，完成旧区改造。", ["区住房保障局"]),
        ("2", "城市建设", "推进垃圾分类，改善市容环境。", ["区绿化市容局"]),
    ]
    assert tasks[0].extras == [{"header": "年度目标", "value": "完成3个地块"}]


def test_pdf_table_with_a_text_layer(convert):
    report = plan_import(data=convert(_table_docx(), "表.docx", "pdf"), file_name="表.pdf")
    assert report.format == "pdf"
    _check_table_plan(report)


def test_pdf_notice_without_a_table_goes_through_the_prose_reader(convert):
    from tasks.models import Plan

    report = plan_import(data=convert(_notice_docx(), "通知.docx", "pdf"), file_name="通知.pdf")
    assert _rows(Plan.objects.get(pk=report.plan_id)) == EXPECTED


def test_scanned_pdf_is_refused_saying_so(tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils is not installed here")
    from PIL import Image

    image = Image.new("RGB", (200, 100), "white")
    path = tmp_path / "scan.pdf"
    image.save(path, "PDF")
    with pytest.raises(ImportRefused) as refused:
        plan_import(data=path.read_bytes(), file_name="scan.pdf")
    assert str(refused.value) == (
        "这是扫描版 PDF（页面是图片，没有文字层），无法读取其中的文字。"
        "请提供带文字的 PDF，或 Word（.docx）、Excel（.xlsx）文件；也可先用 OCR 软件识别成文字后再导入。"
    )


def test_legacy_xls_through_xlrd(convert):
    rows = [r for r in TABLE if r[0] != "一、城市建设"]
    data = convert(xlsx_bytes(rows), "表.xlsx", "xls")
    report = plan_import(data=data, file_name="表.xls")
    assert report.format == "xls"
    from tasks.models import Plan

    tasks = tasks_of(Plan.objects.get(pk=report.plan_id))
    assert [(t.number, t.text, units_of(t), t.extras) for t in tasks] == [
        ("1", "推进城市更新，完成旧区改造。", ["区住房保障局"], [{"header": "年度目标", "value": "完成3个地块"}]),
        ("2", "推进垃圾分类，改善市容环境。", ["区绿化市容局"], []),
    ]


def test_legacy_doc_converted_with_libreoffice(convert):
    report = plan_import(data=convert(_table_docx(), "表.docx", "doc"), file_name="表.doc")
    assert report.format == "doc"
    _check_table_plan(report)


def test_legacy_doc_without_libreoffice_is_refused_with_how_to_convert(convert, monkeypatch):
    data = convert(_table_docx(), "表.docx", "doc")
    monkeypatch.setattr(legacy.shutil, "which", lambda name: None)
    with pytest.raises(ImportRefused) as refused:
        plan_import(data=data, file_name="表.doc")
    assert str(refused.value) == (
        "这是旧版 Word（.doc）文件，服务器未安装 LibreOffice，无法自动转换。"
        "请用 Word 或 WPS 打开该文件，“另存为” Word 文档（.docx）后再导入。"
    )


def test_the_preview_shows_how_a_prose_notice_was_read_and_asks(client_as, admin_user):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client = client_as(admin_user)
    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("通知.docx", _notice_docx())})
    html = client.get(response["Location"]).content.decode()
    assert (
        "<strong>读取方式：</strong>正文段落（文件中没有表格，已按编号段落逐条读取为任务，请核对）。"
        "请对照原文核对下方的任务，确认无误后再导入。"
    ) in html
    assert "优化营商环境，深化“一网通办”改革" in html


def test_a_word_file_whose_table_has_no_task_header_is_read_by_its_paragraphs_and_says_so():
    from tasks.models import Plan

    document = docx.Document()
    for line in NOTICE:
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=2)  # e.g. a signature block laid out as a table
    table.cell(0, 0).text, table.cell(0, 1).text = "联系人", "电话"
    table.cell(1, 0).text, table.cell(1, 1).text = "张三", "12345678"
    out = io.BytesIO()
    document.save(out)
    report = plan_import(data=out.getvalue(), file_name="附表.docx")
    assert _rows(Plan.objects.get(pk=report.plan_id)) == EXPECTED
    assert report.reading == "正文段落（文件中的表格没有可识别的任务表头，已按编号段落逐条读取为任务，请核对）"


def test_pdf_table_printed_without_lines_is_read_by_alignment_and_says_so(convert):
    document = docx.Document()
    document.add_paragraph("2027年区政府重点工作任务分解表")
    rows = [
        ["序号", "工作任务", "责任单位"],
        ["1", "推进城市更新", "区住房保障局"],
        ["2", "推进垃圾分类", "区绿化市容局"],
    ]
    table = document.add_table(rows=3, cols=3)  # no table style: no lines in the PDF
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.add_paragraph("")
    out = io.BytesIO()
    document.save(out)
    report = plan_import(data=convert(out.getvalue(), "无框线.docx", "pdf"), file_name="无框线.pdf", dry_run=True)
    assert [(t.number, t.text, [u.name for u in t.units]) for t in report.parsed.tasks] == [
        ("1", "推进城市更新", ["区住房保障局"]),
        ("2", "推进垃圾分类", ["区绿化市容局"]),
    ]
    assert report.reading == "无框线表格（PDF 中的表格没有框线，已按文字对齐划分各列，请逐行核对）"


def test_pdf_rows_are_counted_through_the_document_not_from_one_on_each_page():
    from imports.pdf import _document

    page_one = [["序号", "工作任务", "牵头单位"], ["1", "推进城市更新。", "区住建委"], ["2", "完善养老。", "区民政局"]]
    page_two = [["3", "提升教育质量。", "区教育局"], ["4", "加强医疗保障。", "区医保局"]]
    document = _document([("line", "2025年重点工作任务分解表"), ("table", (1, page_one)), ("table", (2, page_two))])
    assert [table.row_numbers for table in document.tables] == [[1, 2, 3], [4, 5]]


def test_tab_separated_text_with_a_header_and_one_task_is_a_table():
    text = "2025年重点工作任务分解表\n序号\t工作任务\t牵头单位\n1\t推进城市更新，完成旧区改造。\t区住建委\n"
    report = plan_import(data=text.encode(), file_name="一行.txt", dry_run=True)
    assert [(t.number, t.text, t.lead_names) for t in report.parsed.tasks] == [
        ("1", "推进城市更新，完成旧区改造。", "区住建委")
    ]
