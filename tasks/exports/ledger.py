"""The Excel ledger (任务台账): any task list, ready to print.

A title row (whose list: plan, unit, leader), the filters and the local export time,
then a header row, then one row per task. Printed landscape on A4, one page wide,
the title and header rows repeated on every page, gridlines printed, page numbers
in the footer. Wrapped text gets a row height that shows it all. No cell of the body is
merged: 规划, 类别 and 项目 are repeated on every row, so each printed page reads on its own.

A closed plan (年终办结) shows final states instead of lights: when any task of the list is
in a closed plan, a 办结状态 column follows 预警, and a closed plan's task has its confirmed
final state there and no light."""

from __future__ import annotations

import datetime as dt
import math
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

import xlsxwriter

from ..selectors.exports import ExportRow
from .cells import local_time_text, spreadsheet_safe


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
    LedgerColumn("任务", 35, lambda r: r.text),
    LedgerColumn("牵头领导", 8, lambda r: r.leaders),
    LedgerColumn("牵头单位", 12, lambda r: r.units),
    LedgerColumn("截止日期", 11, _due, wraps=False),
    # The document's own wording (完成时限, "6月底前"), from which the due date was read.
    LedgerColumn("完成时限", 10, lambda r: r.deadline_text),
    LedgerColumn("状态", 7, lambda r: r.status),
    LedgerColumn("预警", 9, lambda r: "" if r.plan_closed else r.light_label),
    LedgerColumn("完成%", 6, lambda r: r.percent, wraps=False),
    LedgerColumn("最新进展", 28, lambda r: r.progress_text),
    LedgerColumn("存在问题", 15, lambda r: r.problems),
    LedgerColumn("下步计划", 15, lambda r: r.next_steps),
    LedgerColumn("报送时间", 11, _reported),
    LedgerColumn("审核人", 8, lambda r: r.reviewer),
]
_FILLS = {"red": "#F8D7DA", "yellow": "#FFF3CD", "green": "#D4EDDA", "grey": "#E2E3E5"}
_HEADER_ROW = 3  # 1-based, as people count rows
_FIRST_BODY_ROW = _HEADER_ROW + 1
_FONT = "宋体"
_BODY_PT = 10
_LINE_HEIGHT_PT = 13.5  # one line of 10-point text, as Excel and WPS lay it out
_MAX_ROW_HEIGHT_PT = 409  # Excel's limit
# Characters a worksheet cannot hold (control characters but tab, newline, carriage return).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# Only when some task has them (columns of other offices' tables, e.g. 年度目标, 完成情况).
EXTRAS_COLUMN = LedgerColumn("其他列", 24, lambda r: r.extras)
# Only when some task's plan is closed (年终办结): its confirmed final state, e.g. 结转下年.
FINAL_STATE_COLUMN = LedgerColumn("办结状态", 9, lambda r: r.final_state)


def ledger_columns(*, with_plan: bool, with_extras: bool = False, with_final: bool = False) -> list[LedgerColumn]:
    """The ledger's columns; 规划 first when the list may span several plans; 办结状态 after 预警
    when a task's plan is closed; 其他列 last when a task carries columns of its document that
    have no field of their own."""
    columns = [PLAN_COLUMN, *LEDGER_COLUMNS] if with_plan else list(LEDGER_COLUMNS)
    if with_final:
        after = next(i for i, c in enumerate(columns) if c.name == "预警") + 1
        columns[after:after] = [FINAL_STATE_COLUMN]
    return [*columns, EXTRAS_COLUMN] if with_extras else columns


def _line_count(text: str, width: float) -> int:
    """Lines the text wraps to in a column this wide: a Chinese character is two units, other
    characters one. Counted from the UTF-8 length (Chinese characters take three bytes), which
    is exact for Chinese and ASCII and close enough for the rest, and fast for 20,000 rows."""
    lines = 0
    for part in text.split("\n"):
        wide = (len(part.encode()) - len(part)) // 2
        lines += max(1, math.ceil((len(part) + wide) / width))
    return lines


def ledger_xlsx(
    *,
    rows: list[ExportRow],
    title: str,
    filters: str,
    generated_at: dt.datetime,
    with_plan: bool = False,
) -> IO[bytes]:
    """The ledger as an .xlsx file (spooled, rewound).

    Written with XlsxWriter: at 20,000 tasks (300,000 cells) it takes well under half the
    time openpyxl's write-only mode took, which made and then discarded a Python object and an
    exception per styled cell. Every text goes in with write_string, so nothing can become a
    formula, and through spreadsheet_safe, so a reader who edits a cell cannot turn it into
    one either."""
    columns = ledger_columns(
        with_plan=with_plan,
        with_extras=any(row.extras for row in rows),
        with_final=any(row.plan_closed for row in rows),
    )
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - the caller streams and closes it
    workbook = xlsxwriter.Workbook(out, {"strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("任务台账")
    last = len(columns) - 1
    header_row, first = _HEADER_ROW - 1, _FIRST_BODY_ROW - 1  # XlsxWriter counts from 0
    last_row = first + len(rows) - 1

    base = {"font_name": _FONT, "font_size": _BODY_PT}
    boxed = {**base, "border": 1, "border_color": "#999999"}
    title_format = workbook.add_format({**base, "font_size": 14, "bold": True, "align": "center", "valign": "vcenter"})
    info_format = workbook.add_format(base)
    header_format = workbook.add_format(
        {**boxed, "bold": True, "bg_color": "#DDE3EA", "align": "center", "valign": "vcenter", "text_wrap": True}
    )
    body = workbook.add_format({**boxed, "text_wrap": True, "valign": "top"})
    fills = {
        light: workbook.add_format({**boxed, "text_wrap": True, "valign": "top", "bg_color": colour})
        for light, colour in _FILLS.items()
    }

    for col, column in enumerate(columns):
        sheet.set_column(col, col, column.width)
    sheet.freeze_panes(first, 0)
    if rows:
        sheet.autofilter(header_row, 0, last_row, last)
    # Printing: A4 landscape, one page wide and as many pages tall as it takes, the title, the
    # filters and the header on every page, gridlines printed, page numbers in the footer.
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0, header_row)
    sheet.hide_gridlines(0)  # 0: shown on screen and printed
    sheet.center_horizontally()
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_header("", {"margin": 0.3})
    sheet.set_footer("&C第 &P 页，共 &N 页", {"margin": 0.3})

    # The title names the unit or leader chosen ("=3+3单位任务台账"): guarded like every other cell.
    sheet.merge_range(0, 0, 0, last, str(spreadsheet_safe(_clean(title))), title_format)
    sheet.set_row(0, 24)
    sheet.merge_range(
        1,
        0,
        1,
        last,
        str(spreadsheet_safe(_clean(f"筛选条件：{filters or '全部'}　　导出时间：{local_time_text(generated_at)}"))),
        info_format,
    )
    sheet.set_row(header_row, 20)
    for col, column in enumerate(columns):
        sheet.write_string(header_row, col, column.name, header_format)

    # No vertical merges: every row carries its own 规划, 类别 and 项目, so a page printed after
    # the first still says which group its tasks belong to (a merge over A4:A193 left them empty).
    light_column = next(i for i, c in enumerate(columns) if c.name == "预警")
    measured = [(i, column.width) for i, column in enumerate(columns) if column.wraps]
    for r, row in enumerate(rows, start=first):
        values = [column.value(row) for column in columns]
        lines = 1
        for i, value in enumerate(values):
            if isinstance(value, str) and _ILLEGAL.search(value):
                values[i] = _ILLEGAL.sub("", value)  # dropped, not a failed export
        for i, width in measured:
            value = values[i]
            if isinstance(value, str) and value:
                lines = max(lines, _line_count(value, width))
        if lines > 1:
            sheet.set_row(r, min(lines * _LINE_HEIGHT_PT + 3, _MAX_ROW_HEIGHT_PT))
        for col, value in enumerate(values):
            cell_format = fills.get(row.light, body) if col == light_column and not row.plan_closed else body
            if value is None or value == "":
                sheet.write_blank(r, col, None, cell_format)
            elif isinstance(value, str):
                sheet.write_string(r, col, spreadsheet_safe(value), cell_format)
            else:
                sheet.write_number(r, col, value, cell_format)
    workbook.close()
    out.seek(0)
    return out


def _clean(text: str) -> str:
    return _ILLEGAL.sub("", text) if _ILLEGAL.search(text) else text


def ledger_title(*, plan: str = "", unit: str = "", leader: str = "") -> str:
    """What the list is, for the title row and the file name: 区科委·2025年…任务台账."""
    owner = "·".join(part for part in (unit, f"{leader}同志" if leader else "") if part)
    if owner and plan:
        return f"{owner}（{plan}）任务台账"
    return f"{owner or plan}任务台账"
