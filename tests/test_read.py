"""Stage 1: every format reads into tables of cells; the format comes from the content."""

import io
import re

import docx
import openpyxl
import pytest

from imports.errors import ImportRefused
from imports.read import read_document
from tests.conftest import ANNUAL_2025_TXT, FIVE_YEAR_TXT, FIXTURES


def test_cell_per_line_layout_joins_wrapped_cells():
    document = read_document(FIVE_YEAR_TXT.read_bytes(), FIVE_YEAR_TXT.name)
    assert document.format == "text"
    (table,) = document.tables
    assert [c.text for c in table.rows[0]] == ["类别", "序号", "主要任务", "牵头单位"]
    assert table.rows[1][0].text == "（一）实施\n创新\n驱动\n核心\n战略\n（11项）"
    assert document.heading == ["闵行区“十四五”规划重点任务责任分解表"]  # the [bookmark: …] artefact is gone
    assert document.notes[0].startswith("*项为")


def test_tab_layout_keeps_heading_lines():
    document = read_document(ANNUAL_2025_TXT.read_bytes(), ANNUAL_2025_TXT.name)
    assert "闵委办发〔2025〕3号" in document.heading
    assert "(共10类41项190条)" in document.heading
    assert document.tables[0].has_merge_info is False


def test_docx_merges_are_seen_as_merges_not_values():
    document = read_document((FIXTURES / "annual_2025.docx").read_bytes(), "x.bin")
    assert document.format == "docx"
    assert len(document.tables) == 2  # the header repeats in the second table
    first = document.tables[0]
    # Row 2 starts category 一; row 3 is covered by that merged cell.
    assert first.rows[1][1].text.startswith("一、")
    assert first.rows[2][1].merged_up and first.rows[2][1].text == ""
    assert "2025年区委、区政府重点工作任务分解表" in document.heading


def test_docx_multi_paragraph_cell_and_horizontal_span():
    doc = docx.Document()
    table = doc.add_table(rows=3, cols=3)
    for col, text in enumerate(["序号", "主要任务", "牵头单位"]):
        table.cell(0, col).text = text
    table.cell(1, 0).text = "1"
    table.cell(1, 1).text = "第一段"
    table.cell(1, 1).add_paragraph("第二段")
    table.cell(1, 2).text = "区科委"
    wide = table.cell(2, 0).merge(table.cell(2, 2))
    wide.text = "注：横跨整行的说明"
    buffer = io.BytesIO()
    doc.save(buffer)
    (read,) = read_document(buffer.getvalue(), "t.docx").tables
    assert read.rows[1][1].text == "第一段\n第二段"
    assert read.rows[2][1].merged_left and read.rows[2][2].merged_left


def test_xlsx_reads_every_visible_sheet_and_merged_ranges():
    document = read_document((FIXTURES / "annual_2025.xlsx").read_bytes(), "a.xlsx")
    assert document.format == "xlsx"
    assert len(document.tables) == 2  # the note sheet first, then the table
    table = document.tables[1]
    header_row = next(i for i, row in enumerate(table.rows) if row[0].text == "序号")
    assert table.rows[header_row + 2][1].merged_up  # category merged down


def test_xlsx_numbers_and_dates_become_text():
    workbook = openpyxl.Workbook()
    workbook.active.append([1.0, 2.5, None, "x"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    (table,) = read_document(buffer.getvalue(), "n.xlsx").tables
    assert [c.text for c in table.rows[0]] == ["1", "2.5", "", "x"]


def test_csv_recognised_by_content_and_gbk_decoded():
    text = "序号,类别,任务,牵头单位\n1,一、类别,任务内容,区科委\n"
    document = read_document(text.encode("gb18030"), "upload.txt")
    assert document.format == "csv"
    assert document.tables[0].rows[1][2].text == "任务内容"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件为空"),
        (b"   \n\t ", "文件为空"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧版 Word/Excel"),
        (b"%PDF-1.7\n", "PDF"),
        (b"PK\x03\x04garbage", "已损坏或不完整"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "无法识别的文件类型"),
        ("只是一段文字，没有表格。".encode(), "没有找到表格"),
    ],
)
def test_refusals_name_the_reason(data, message):
    with pytest.raises(ImportRefused) as refused:
        read_document(data, "file.docx")
    assert message in str(refused.value)


def test_zip_that_is_not_an_office_document():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ImportRefused, match=re.escape("不是 Word（.docx）或 Excel（.xlsx）文档")):
        read_document(buffer.getvalue(), "a.docx")


def test_uncompressed_size_checked_before_expanding(settings):
    import zipfile

    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 10_000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"0" * 50_000)
    with pytest.raises(ImportRefused, match="解压后大小"):
        read_document(buffer.getvalue(), "bomb.docx")


def _dense_workbook(rows: int, cols: int) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("任务")
    sheet.append(["2031年区委、区政府重点工作任务分解表"])
    sheet.append(["序号", "类别", "任务", "牵头单位"] + [f"列{c}" for c in range(4, cols)])
    for r in range(rows):
        sheet.append([r % 10] * cols)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_dense_workbook_is_refused_while_reading_with_little_memory(settings):
    import tracemalloc

    # Under the row limit (2 × 500 + 100), far over the cell budget (64 per allowed task).
    settings.IMPORT_MAX_ROWS = 500
    data = _dense_workbook(rows=1000, cols=100)
    assert len(data) < 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(ImportRefused) as refused:
            read_document(data, "dense.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Counted in the sheet's raw XML before openpyxl parses a cell.
    assert str(refused.value) == "工作簿中的单元格过多（超过 32000 个），不像任务分解表，已拒绝。"
    assert peak < 30 * 1024 * 1024, f"peak {peak / 1024 / 1024:.0f} MB"


def _rewrite_sheet(data: bytes, change) -> bytes:
    """The workbook with its first sheet's XML passed through `change` (bytes → bytes)."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                changed = change(content)
                assert changed != content
                content = changed
            target.writestr(item, content)
    return out.getvalue()


def _small_workbook(*, merge: str | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for n in range(1, 11):
        sheet.append([n, f"任务{n}"])
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_workbook_merged_ranges_are_budgeted():
    # One range covering far more than any plan (written straight into the XML: openpyxl itself
    # would build every covered cell): refused, not expanded cell by cell.
    data = _rewrite_sheet(_small_workbook(merge="C1:D2"), lambda xml: xml.replace(b'ref="C1:D2"', b'ref="C1:BH30000"'))
    with pytest.raises(ImportRefused, match="合并单元格异常"):
        read_document(data, "merged.xlsx")


def test_workbook_with_a_wrong_dimension_is_read_in_full():
    # Writers sometimes store a <dimension> smaller than the sheet; every row is still read.
    data = _rewrite_sheet(
        _small_workbook(), lambda xml: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:B2"', xml)
    )
    (table,) = read_document(data, "d.xlsx").tables
    assert [row[1].text for row in table.rows] == [f"任务{n}" for n in range(1, 11)]


def test_workbook_hidden_sheets_skipped_and_merges_marked():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "表"
    sheet.append(["序号", "类别", "任务"])
    sheet.append([1, "一、甲", "任务一"])
    sheet.append([2, None, "任务二"])
    sheet.append([3, None, "任务三"])
    sheet.merge_cells("B2:B4")
    sheet["E9"] = "右下角"
    sheet.merge_cells("D6:E7")
    hidden = workbook.create_sheet("隐藏")
    hidden.sheet_state = "hidden"
    hidden.append(["不应读取"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    document = read_document(buffer.getvalue(), "m.xlsx")
    (table,) = document.tables
    assert table.label == "工作表“表”"
    assert len(table.rows) == 9 and {len(row) for row in table.rows} == {5}
    assert [(c.text, c.merged_up, c.merged_left) for c in (table.rows[1][1], table.rows[2][1], table.rows[3][1])] == [
        ("一、甲", False, False),
        ("", True, False),
        ("", True, False),
    ]
    assert [(c.merged_up, c.merged_left) for c in table.rows[6][3:5]] == [(True, False), (True, True)]
    assert table.rows[8][4].text == "右下角"


def test_raw_cell_count_is_exact_across_read_chunks():
    import zipfile

    import openpyxl as xl

    from imports.read import _xlsx_cells_within

    workbook = xl.Workbook(write_only=True)
    sheet = workbook.create_sheet("任务")
    for r in range(30000):
        sheet.append([r, "文字", r * 2.5, None, True])  # None writes no cell
    buffer = io.BytesIO()
    workbook.save(buffer)
    archive = zipfile.ZipFile(buffer)
    assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > 3 * (1 << 20)  # several 1 MB reads
    _xlsx_cells_within(archive, 120000)  # exactly the 4 cells of each of 30,000 rows
    with pytest.raises(ImportRefused, match="超过 119999 个"):
        _xlsx_cells_within(archive, 119999)
