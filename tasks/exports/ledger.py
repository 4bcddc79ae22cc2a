"""The Excel ledger (任务台账): any task list, ready to print.

A title row (whose list: plan, unit, leader), the filters and the local export time,
then a header row, then one row per task. Printed landscape on A4, one page wide,
the title and header rows repeated on every page, gridlines printed, page numbers
in the footer. Wrapped text gets a row height that shows it all."""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as _ILLEGAL
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from .cells import ExportRow, local_time_text, spreadsheet_safe

if TYPE_CHECKING:
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet


@dataclass(frozen=True)
class LedgerColumn:
    name: str  # the Chinese header
    width: float  # in Excel's units (about one digit; a Chinese character takes two)
    value: Callable[[ExportRow], object]
    wraps: bool = True  # long text: its lines decide the row height


def _due(row: ExportRow) -> str:
    return f"{row.due_date:%Y-%m-%d}" if row.due_date else ""


def _reported(row: ExportRow) -> str:
    return local_time_text(row.reported_at) if row.reported_at else ""


PLAN_COLUMN = LedgerColumn("规划", 16, lambda r: r.plan)
# Widths sum to about 200 units: landscape A4 fitted to one page wide prints them at
# roughly 75 %, so 10-point text stays readable. The long texts wrap.
LEDGER_COLUMNS: list[LedgerColumn] = [
    LedgerColumn("类别", 12, lambda r: r.category),
    LedgerColumn("项目", 11, lambda r: r.project),
    LedgerColumn("序号", 5, lambda r: r.number, wraps=False),
    LedgerColumn("任务", 38, lambda r: r.text),
    LedgerColumn("牵头领导", 8, lambda r: r.leaders),
    LedgerColumn("牵头单位", 12, lambda r: r.units),
    LedgerColumn("截止日期", 11, _due, wraps=False),
    LedgerColumn("状态", 7, lambda r: r.status),
    LedgerColumn("预警", 9, lambda r: r.light_label),
    LedgerColumn("完成%", 6, lambda r: r.percent, wraps=False),
    LedgerColumn("最新进展", 30, lambda r: r.progress_text),
    LedgerColumn("存在问题", 18, lambda r: r.problems),
    LedgerColumn("下步计划", 18, lambda r: r.next_steps),
    LedgerColumn("报送时间", 11, _reported),
    LedgerColumn("审核人", 8, lambda r: r.reviewer),
]
# Merged like the breakdown documents: runs of the same plan, category, project (top to bottom).
_MERGE_KEYS: dict[str, Callable[[ExportRow], tuple]] = {
    "规划": lambda r: (r.plan,),
    "类别": lambda r: (r.plan, r.category),
    "项目": lambda r: (r.plan, r.category, r.project),
}

_FILLS = {"red": "F8D7DA", "yellow": "FFF3CD", "green": "D4EDDA", "grey": "E2E3E5"}
_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_ROW = 3
_FIRST_BODY_ROW = _HEADER_ROW + 1
_FONT = "宋体"
_BODY_PT = 10
_LINE_HEIGHT_PT = 13.5  # one line of 10-point text, as Excel and WPS lay it out
_MAX_ROW_HEIGHT_PT = 409  # Excel's limit


def ledger_columns(*, with_plan: bool) -> list[LedgerColumn]:
    """The ledger's columns; 规划 first when the list may span several plans."""
    return [PLAN_COLUMN, *LEDGER_COLUMNS] if with_plan else list(LEDGER_COLUMNS)


class _Cell(Cell):
    """A Cell that describes itself cheaply. openpyxl's write-only append first tries to store
    each appended Cell as a value, fails, and formats repr(cell) into the error it then
    catches: with Cell's own repr that was a fifth of the time at 20,000 rows."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<Cell>"


def _text_cell(sheet: WriteOnlyWorksheet, value: object, style: StyleArray | None = None) -> Cell:
    """A cell for sheet.append, holding text as text: a task beginning with = + - @ must not become
    a formula, nor "#N/A" an error value."""
    # append() gives the cell its real position; openpyxl needs one to describe the cell meanwhile.
    cell = _Cell(sheet, row=1, column=1, value=spreadsheet_safe(value), style_array=style)
    if isinstance(value, str) and value:
        cell.data_type = "s"
    return cell


def _line_count(text: str, width: float) -> int:
    """Lines the text wraps to in a column this wide: a Chinese character is two units, other
    characters one. Counted from the UTF-8 length (Chinese characters take three bytes), which
    is exact for Chinese and ASCII and close enough for the rest, and fast for 20,000 rows."""
    lines = 0
    for part in text.split("\n"):
        wide = (len(part.encode()) - len(part)) // 2
        lines += max(1, math.ceil((len(part) + wide) / width))
    return lines


def _merge_runs(rows: list[ExportRow], columns: list[LedgerColumn]) -> list[tuple[int, int, int]]:
    """(column, first row, last row) of each run of merged cells; a run of tasks without a
    project is not merged."""
    runs: list[tuple[int, int, int]] = []
    for col, column in enumerate(columns, start=1):
        key = _MERGE_KEYS.get(column.name)
        if key is None:
            continue
        start = 0
        for i in range(1, len(rows) + 1):
            if i == len(rows) or key(rows[i]) != key(rows[start]):
                if i - start > 1 and (column.name != "项目" or rows[start].project):
                    runs.append((col, _FIRST_BODY_ROW + start, _FIRST_BODY_ROW + i - 1))
                start = i
    return runs


def ledger_xlsx(
    *,
    rows: list[ExportRow],
    title: str,
    filters: str,
    generated_at: dt.datetime,
    with_plan: bool = False,
) -> IO[bytes]:
    """The ledger as an .xlsx file (spooled, rewound).

    Written in openpyxl's write-only mode, which streams rows out instead of keeping
    300,000 cell objects and re-checking every merge against all the others (that took
    seconds at 20,000 tasks). A write-only sheet emits its properties, columns and pane
    before the first row, so the layout is set up front; each row's height is set just
    before the row is appended."""
    columns = ledger_columns(with_plan=with_plan)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("任务台账")
    width = len(columns)
    last_column = get_column_letter(width)
    last_row = _FIRST_BODY_ROW + len(rows) - 1
    for col, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = column.width
    sheet.freeze_panes = f"A{_FIRST_BODY_ROW}"
    if rows:
        sheet.auto_filter.ref = f"A{_HEADER_ROW}:{last_column}{last_row}"
    # Printing: A4 landscape, one page wide and as many pages tall as it takes (fitToPage is
    # what makes Excel and WPS honour fitToWidth), title and header on every page.
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_title_rows = f"1:{_HEADER_ROW}"
    sheet.print_options.gridLines = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.page_margins.header = sheet.page_margins.footer = 0.3
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    sheet.oddFooter.center.size = 9

    runs = _merge_runs(rows, columns)
    # Built in one go: MultiCellRange.add checks each new range against all earlier ones.
    sheet.merged_cells = MultiCellRange(
        [CellRange(min_col=1, min_row=r, max_col=width, max_row=r) for r in (1, 2)]
        + [CellRange(min_col=col, min_row=top, max_col=col, max_row=bottom) for col, top, bottom in runs]
    )
    # Cells a merge covers stay empty, as merge_cells leaves them; only the top cell holds the text.
    covered = {(col, r) for col, top, bottom in runs for r in range(top + 1, bottom + 1)}
    merged_columns = {col for col, _, _ in runs}
    light_column = next(i for i, c in enumerate(columns, start=1) if c.name == "预警")

    # Named styles registered once and handed to each cell as a ready style array:
    # setting font, border and alignment per cell (or a style by name) re-hashes
    # the style objects 300,000 times.
    styles: dict[str, StyleArray] = {}
    for key, colour in (("body", None), *_FILLS.items()):
        style = NamedStyle(name=f"ledger-{key}")
        style.font = Font(name=_FONT, size=_BODY_PT)
        style.alignment = Alignment(wrap_text=True, vertical="top")
        style.border = _BOX
        if colour:
            style.fill = PatternFill("solid", fgColor=colour)
        workbook.add_named_style(style)
        styles[key] = style.as_tuple()
    title_cell = _text_cell(sheet, title)
    title_cell.font = Font(name=_FONT, bold=True, size=14)
    title_cell.alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 24
    sheet.append([title_cell])
    info = _text_cell(sheet, f"筛选条件：{filters or '全部'}　　导出时间：{local_time_text(generated_at)}")
    info.font = Font(name=_FONT, size=_BODY_PT)
    sheet.append([info])
    header = []
    for column in columns:
        cell = _text_cell(sheet, column.name)
        cell.font = Font(name=_FONT, bold=True, size=_BODY_PT)
        cell.fill = PatternFill("solid", fgColor="DDE3EA")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BOX
        header.append(cell)
    sheet.row_dimensions[_HEADER_ROW].height = 20
    sheet.append(header)

    body = styles["body"]
    measured = [(i, column.width) for i, column in enumerate(columns) if column.wraps and i + 1 not in merged_columns]
    for r, row in enumerate(rows, start=_FIRST_BODY_ROW):
        # Characters a spreadsheet cannot hold (control characters) are dropped, not a failed export.
        values = [
            _ILLEGAL.sub("", value) if isinstance(value, str) else value
            for value in (column.value(row) for column in columns)
        ]
        lines = max(
            (_line_count(values[i], w) for i, w in measured if isinstance(values[i], str) and values[i]), default=1
        )
        if lines > 1:
            sheet.row_dimensions[r].height = min(lines * _LINE_HEIGHT_PT + 3, _MAX_ROW_HEIGHT_PT)
        sheet.append(
            [
                _text_cell(
                    sheet,
                    None if (col, r) in covered else value,
                    styles.get(row.light, body) if col == light_column else body,
                )
                for col, value in enumerate(values, start=1)
            ]
        )
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - the caller streams and closes it
    workbook.save(out)
    out.seek(0)
    return out


def ledger_title(*, plan: str = "", unit: str = "", leader: str = "") -> str:
    """What the list is, for the title row and the file name: 区科委·2025年…任务台账."""
    owner = "·".join(part for part in (unit, f"{leader}同志" if leader else "") if part)
    if owner and plan:
        return f"{owner}（{plan}）任务台账"
    return f"{owner or plan}任务台账"
