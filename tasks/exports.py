"""Files people hand on: the Excel ledger (台账) and the Word circulated report
(督查通报). Pure renderers: they take rows a selector prepared and return a
file on disk (spooled), so the views can stream it."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.worksheet import Worksheet

if TYPE_CHECKING:
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# -- cells any spreadsheet reads ------------------------------------------------------

# Excel, WPS and LibreOffice run a cell starting with one of these as a formula (or a
# DDE command such as =cmd|' /C calc'!A0); a tab or carriage return can hide the start.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_GUARD = "'"
_GUARDED_NEXT = (*FORMULA_STARTS, _GUARD)


def spreadsheet_safe(value: object) -> object:
    """A value for any exported spreadsheet cell (xlsx or csv), every exporter's one guard.

    Text that a spreadsheet would run gets a leading apostrophe, the spreadsheets' own
    "this is text" mark. Text that already starts with an apostrophe before such a
    character (or before another apostrophe) gets one more, so spreadsheet_unguard
    gives back every text exactly (the plan CSV imports back into the identical plan).
    Numbers, dates and None are not text and pass unchanged."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS) or (value[:1] == _GUARD and value[1:2] in _GUARDED_NEXT):
        return _GUARD + value
    return value


def spreadsheet_unguard(text: str) -> str:
    """The inverse of spreadsheet_safe, for text read back from a file."""
    if text[:1] == _GUARD and text[1:2] in _GUARDED_NEXT:
        return text[1:]
    return text


def local_time_text(moment: dt.datetime) -> str:
    """A stored (UTC) time as people read it: local (settings.TIME_ZONE), to the minute."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%Y-%m-%d %H:%M}"


@dataclass
class ExportRow:
    """One task as the ledger and the report show it."""

    plan: str
    category: str
    project: str
    number: str
    text: str
    leaders: str
    units: str
    status: str  # label, e.g. 推进中 / 未报送
    light: str  # red / yellow / green / grey
    light_label: str
    percent: int | None
    progress_text: str = ""
    problems: str = ""
    next_steps: str = ""
    reported_at: dt.datetime | None = None
    reviewer: str = ""
    # Per lead unit: (unit name, status label, latest approved progress text), for the report's unit tables.
    unit_progress: list[tuple[str, str, str]] = field(default_factory=list)


LEDGER_COLUMNS = [
    ("类别", 18),
    ("项目", 18),
    ("序号", 6),
    ("任务", 60),
    ("牵头领导", 12),
    ("牵头单位", 20),
    ("状态", 9),
    ("预警", 8),
    ("完成%", 7),
    ("最新进展", 45),
    ("存在问题", 30),
    ("下步计划", 30),
    ("报送时间", 16),
    ("审核人", 10),
]
_FILLS = {"red": "F8D7DA", "yellow": "FFF3CD", "green": "D4EDDA", "grey": "E2E3E5"}
_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_ROW = 3
_FIRST_BODY_ROW = _HEADER_ROW + 1
_LIGHT_COLUMN = 8


def _text_cell(sheet: WriteOnlyWorksheet, value: object, style: StyleArray | None = None) -> Cell:
    """A cell for sheet.append, holding text as text: a task beginning with = + - @ must not become a formula."""
    # append() gives the cell its real position; openpyxl needs one to describe the cell meanwhile.
    cell = Cell(sheet, row=1, column=1, value=spreadsheet_safe(value), style_array=style)
    if isinstance(value, str) and value:
        cell.data_type = "s"
    return cell


def _merge_runs(rows: list[ExportRow]) -> list[tuple[int, int, int]]:
    """(column, first row, last row) of each run of the same category, and of the same
    project within it, as the documents print them merged."""
    runs: list[tuple[int, int, int]] = []
    for col, key in ((1, lambda x: (x.plan, x.category)), (2, lambda x: (x.plan, x.category, x.project))):
        start = 0
        for i in range(1, len(rows) + 1):
            if i == len(rows) or key(rows[i]) != key(rows[start]):
                if i - start > 1 and (col == 1 or rows[start].project):
                    runs.append((col, _FIRST_BODY_ROW + start, _FIRST_BODY_ROW + i - 1))
                start = i
    return runs


def ledger_xlsx(*, rows: list[ExportRow], title: str, filters: str, generated_at: dt.datetime) -> IO[bytes]:
    """The ledger: a title row (plan, filters, date), a frozen header, the
    document's columns plus status and progress, category and project cells
    merged like the originals.

    Written in openpyxl's write-only mode, which streams rows out instead of
    keeping 280,000 cell objects and re-checking every merge against all the
    others (that took seconds at 20,000 tasks). A write-only sheet emits its
    columns and pane before the first row, so the layout is set up front."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("任务台账")
    width = len(LEDGER_COLUMNS)
    last_row = _FIRST_BODY_ROW + len(rows) - 1
    for col, (_, col_width) in enumerate(LEDGER_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = col_width
    sheet.freeze_panes = f"A{_FIRST_BODY_ROW}"
    if rows:
        sheet.auto_filter.ref = f"A{_HEADER_ROW}:{get_column_letter(width)}{last_row}"
    sheet.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1

    runs = _merge_runs(rows)
    # Built in one go: MultiCellRange.add checks each new range against all earlier ones.
    sheet.merged_cells = MultiCellRange(
        [CellRange(min_col=1, min_row=r, max_col=width, max_row=r) for r in (1, 2)]
        + [CellRange(min_col=col, min_row=top, max_col=col, max_row=bottom) for col, top, bottom in runs]
    )
    # Cells a merge covers stay empty, as merge_cells leaves them; only the top cell holds the text.
    covered = {(col, r) for col, top, bottom in runs for r in range(top + 1, bottom + 1)}

    title_cell = _text_cell(sheet, title)
    title_cell.font = Font(bold=True, size=14)
    sheet.append([title_cell])
    sheet.append([_text_cell(sheet, f"筛选条件：{filters or '全部'}　　导出时间：{local_time_text(generated_at)}")])
    header = []
    for name, _ in LEDGER_COLUMNS:
        cell = _text_cell(sheet, name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE3EA")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BOX
        header.append(cell)
    sheet.append(header)

    # Named styles registered once and handed to each cell as a ready style array:
    # setting font, border and alignment per cell (or a style by name) re-hashes
    # the style objects 280,000 times.
    styles: dict[str, StyleArray] = {}
    for key, colour in (("body", None), *_FILLS.items()):
        style = NamedStyle(name=f"ledger-{key}")
        style.alignment = Alignment(wrap_text=True, vertical="top")
        style.border = _BOX
        if colour:
            style.fill = PatternFill("solid", fgColor=colour)
        workbook.add_named_style(style)
        styles[key] = style.as_tuple()
    body = styles["body"]
    for r, row in enumerate(rows, start=_FIRST_BODY_ROW):
        values = [
            row.category,
            row.project,
            row.number,
            row.text,
            row.leaders,
            row.units,
            row.status,
            row.light_label,
            row.percent,
            row.progress_text,
            row.problems,
            row.next_steps,
            local_time_text(row.reported_at) if row.reported_at else "",
            row.reviewer,
        ]
        sheet.append(
            [
                _text_cell(
                    sheet,
                    None if (col, r) in covered else value,
                    styles.get(row.light, body) if col == _LIGHT_COLUMN else body,
                )
                for col, value in enumerate(values, start=1)
            ]
        )
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - the caller streams and closes it
    workbook.save(out)
    out.seek(0)
    return out


# -- Word circulated report ----------------------------------------------------------

LIGHT_ORDER = [
    ("red", "红灯（逾期或滞后）"),
    ("yellow", "黄灯（临近截止或进度偏慢）"),
    ("green", "绿灯（正常推进）"),
    # Grey is not "not reported": a red or yellow task can be unreported too (section 四 lists those units).
    ("grey", "灰灯（进展不明）"),
]


@dataclass
class BulletinInput:
    title: str  # e.g. "2025年区委、区政府重点工作推进情况通报"
    scope: str  # "全部任务" / "区科委" / "谭瑞琮同志牵头的任务"
    period: str  # "2025年6月"
    rows: list[ExportRow]
    silent_units: list[str]  # units that have not reported this period
    issued: dt.date


def _set_fonts(document) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    def east_asian(style, name: str, size: float, bold: bool | None = None) -> None:
        style.font.name = name
        style.font.size = Pt(size)
        if bold is not None:
            style.font.bold = bold
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attribute in ("w:eastAsia", "w:ascii", "w:hAnsi"):
            fonts.set(qn(attribute), name)

    east_asian(document.styles["Normal"], "仿宋", 12)
    east_asian(document.styles["Title"], "黑体", 20, True)
    east_asian(document.styles["Heading 1"], "黑体", 15, True)
    east_asian(document.styles["Heading 2"], "楷体", 13, True)
    for name in ("Title", "Heading 1", "Heading 2"):
        document.styles[name].font.color.rgb = None


def _page_number_footer(section) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("第 ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    paragraph.add_run(" 页")


def _table(document, header: list[str], body: list[list[str]]):
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.font.bold = True
    for values in body:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    return table


def bulletin_docx(*, data: BulletinInput) -> IO[bytes]:
    """The circulated report: summary, red and yellow lists, silent units, then per unit its tasks."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4
    section.left_margin = section.right_margin = Cm(2.6)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    _set_fonts(document)
    _page_number_footer(section)
    heading = document.add_paragraph(data.title, style="Title")
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = document.add_paragraph(f"（{data.period}·{data.scope}）")
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    rows = data.rows
    counts = {light: sum(1 for r in rows if r.light == light) for light, _ in LIGHT_ORDER}
    statuses: OrderedDict[str, int] = OrderedDict()
    for row in rows:
        statuses[row.status] = statuses.get(row.status, 0) + 1

    document.add_heading("一、总体情况", level=1)
    document.add_paragraph(
        f"截至{data.issued.year}年{data.issued.month}月{data.issued.day}日，{data.scope}共{len(rows)}项，其中"
        + "，".join(f"{label.split('（')[0]}{counts[light]}项" for light, label in LIGHT_ORDER)
        + "。按进展状态："
        + "，".join(f"{status}{n}项" for status, n in statuses.items())
        + "。"
    )
    categories: OrderedDict[str, dict[str, int]] = OrderedDict()
    for row in rows:
        bucket = categories.setdefault(row.category, {light: 0 for light, _ in LIGHT_ORDER})
        bucket[row.light] += 1
    _table(
        document,
        ["类别", "任务数", "红灯", "黄灯", "绿灯", "灰灯"],
        [
            [name, str(sum(c.values())), str(c["red"]), str(c["yellow"]), str(c["green"]), str(c["grey"])]
            for name, c in categories.items()
        ],
    )

    for number, (light, label) in (("二", LIGHT_ORDER[0]), ("三", LIGHT_ORDER[1])):
        document.add_heading(f"{number}、{label.split('（')[0]}任务", level=1)
        listed = [r for r in rows if r.light == light]
        if not listed:
            document.add_paragraph("无。")
            continue
        _table(
            document,
            ["序号", "任务", "牵头单位", "状态", "问题"],
            [[r.number, r.text[:80], r.units, r.status, r.problems[:80]] for r in listed],
        )

    document.add_heading("四、本期未报送的单位", level=1)
    document.add_paragraph("、".join(data.silent_units) + "。" if data.silent_units else "各单位均已报送。")

    document.add_heading("五、各单位任务推进情况", level=1)
    by_unit: OrderedDict[str, list[tuple[ExportRow, str, str]]] = OrderedDict()
    for row in rows:
        for unit, status, progress in row.unit_progress or [(row.units, row.status, row.progress_text)]:
            by_unit.setdefault(unit, []).append((row, status, progress))
    for unit, items in by_unit.items():
        document.add_heading(unit, level=2)
        _table(
            document,
            ["序号", "任务", "状态", "最新进展（已审核）"],
            [[row.number, row.text[:60], status, progress or "—"] for row, status, progress in items],
        )
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - the caller streams and closes it
    document.save(out)
    out.seek(0)
    return out
