"""Excel (.xlsx): sheets streamed row by row within row and cell budgets, merged ranges from the sheet's XML."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from typing import IO

from django.conf import settings

from ..errors import ImportRefused
from ..text.deadlines import date_text
from .document import Cell, Document, Table
from .docx import _Element

# Widest table kept from a sheet; wider columns are never task columns.
_XLSX_MAX_COLUMNS = 60
_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# Sheet elements that can repeat without bound, cleared as they stream past on
# the way to <mergeCells> (rows first, the others in case a writer puts them before).
_SHEET_STREAMED = ("row", "mergeCell", "mergeCells", "hyperlink", "cfRule", "dataValidation", "brk")


def _xlsx_budgets() -> tuple[int, int]:
    """(rows per workbook, cells per workbook). Rows leave room for title, note and
    repeated header rows; cells are the row limit at the widest table kept, so a
    plan at the limit always fits and a dense sheet is refused while it is read."""
    return settings.IMPORT_MAX_ROWS * 2 + 100, settings.IMPORT_MAX_ROWS * 64


def _read_xlsx(data: bytes) -> Document:
    """Read-only (streaming) openpyxl: memory follows the rows kept, not the file.

    Full mode builds an object per cell of every sheet before anything can be
    checked (a 1.7 MB dense workbook took a worker past 2 GB); here the row and
    cell budgets are counted row by row and reading stops at the first one over.
    Read-only mode does not expose merged ranges, so they are streamed from the
    sheet's XML afterwards (<mergeCell> follows <sheetData>)."""
    import openpyxl

    row_limit, cell_limit = _xlsx_budgets()
    archive = zipfile.ZipFile(io.BytesIO(data))
    _xlsx_cells_within(archive, cell_limit)
    _xlsx_shared_strings_within(archive, cell_limit)
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    tables: list[Table] = []
    # Counted over the whole workbook: rows, cells holding a value (in any column),
    # and the grid kept (rows x the sheet's width, since short rows are padded).
    rows_read = cells_read = grid_before = 0
    try:
        for sheet in workbook.worksheets:
            if sheet.sheet_state != "visible":
                continue
            # The stored <dimension> may be wrong; read what is there rather than trust it.
            sheet.reset_dimensions()
            rows: list[list[Cell]] = []
            width = 0
            for r, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                rows_read += 1
                if rows_read > row_limit:
                    raise ImportRefused(
                        f"工作表“{sheet.title}”读到第{r}行时，行数已超过上限"
                        f"（{settings.IMPORT_MAX_ROWS} 条任务），已拒绝。"
                    )
                cells_read += sum(1 for value in values if value is not None)
                kept = values[:_XLSX_MAX_COLUMNS]
                width = max(width, len(kept))
                if cells_read > cell_limit or grid_before + r * width > cell_limit:
                    raise ImportRefused(
                        f"工作表“{sheet.title}”读到第{r}行时，单元格已超过上限（{cell_limit} 个），"
                        "不像任务分解表，已拒绝。"
                    )
                rows.append([Cell(_xlsx_text(value)) for value in kept])
            # A private attribute, but the only route to the sheet's part name (openpyxl is pinned).
            merges, hidden = _xlsx_merges(archive, sheet._worksheet_path, cell_limit)
            # Like openpyxl's full mode, the table reaches as far as its merged ranges do.
            height = max([len(rows)] + [bounds[3] for bounds in merges])
            width = max([width] + [bounds[2] for bounds in merges])
            rows_read += height - len(rows)
            if rows_read > row_limit or grid_before + height * width > cell_limit:
                raise ImportRefused(f"工作表“{sheet.title}”的合并单元格超出了行数或单元格上限，已拒绝。")
            grid_before += height * width
            _xlsx_apply_merges(rows, merges, height=height, width=width)
            tables.append(
                Table(
                    rows=rows,
                    row_numbers=list(range(1, len(rows) + 1)),
                    has_merge_info=True,
                    label=f"工作表“{sheet.title}”",
                    hidden_rows=frozenset(hidden),
                )
            )
    finally:
        workbook.close()
    return Document(format="xlsx", tables=tables)


def _xlsx_apply_merges(
    rows: list[list[Cell]], merges: list[tuple[int, int, int, int]], *, height: int, width: int
) -> None:
    """Pad the sheet to its full grid and mark every cell a merged range covers."""
    rows.extend([] for _ in range(height - len(rows)))
    for cells in rows:
        cells.extend(Cell("") for _ in range(width - len(cells)))
    for min_col, min_row, max_col, max_row in merges:
        for r in range(min_row, max_row + 1):
            cells = rows[r - 1]
            for c in range(min_col, max_col + 1):
                if (r, c) != (min_row, min_col):
                    # Covered: "same as above/left", not "empty".
                    cell = cells[c - 1]
                    cell.text = ""
                    cell.merged_up, cell.merged_left = r > min_row, c > min_col


def _xml_stream(stream: IO[bytes], tags: tuple[str, ...]) -> Iterator[_Element]:
    """End events for `tags`, each element cleared (and its earlier siblings
    dropped) once seen, so memory stays at about one element whatever the size;
    no entity expansion, no network."""
    from lxml import etree

    wanted = tuple(f"{{{_SHEET_NS}}}{tag}" for tag in tags)
    for _, element in etree.iterparse(
        stream, events=("end",), tag=wanted, resolve_entities=False, no_network=True, huge_tree=False
    ):
        yield element
        element.clear(keep_tail=False)
        parent = element.getparent()
        while parent is not None and element.getprevious() is not None:
            del parent[0]


_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")


def _xlsx_cells_within(archive: zipfile.ZipFile, cell_limit: int) -> None:
    """Count the <c> elements of every worksheet in the raw XML, before openpyxl
    parses anything (even opening a workbook in read-only mode parses a whole
    sheet that lacks a <dimension> element). Parsing costs about the same per
    cell, empty or not; a byte scan costs a fraction of that, so a dense
    workbook is refused in a second. Hidden sheets count too: they are read."""
    total = 0
    for member in archive.infolist():
        name = member.filename.lower()
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml") and "/_rels/" not in name):
            continue
        pending = b""
        with archive.open(member) as stream:
            while True:
                chunk = stream.read(1 << 20)
                block = pending + chunk
                # Up to the last "<": a tag matched before it cannot run past it, and one
                # starting there may continue in the next chunk.
                cut = block.rfind(b"<") if chunk else len(block)
                if cut < 0 or (cut == 0 and len(block) > 1 << 16):
                    cut = len(block)  # no tag can start later in this block: nothing to carry over
                total += len(_CELL_TAG.findall(block, 0, cut))
                pending = block[cut:]
                if total > cell_limit:
                    raise ImportRefused(f"工作簿中的单元格过多（超过 {cell_limit} 个），不像任务分解表，已拒绝。")
                if not chunk:
                    break


def _xlsx_shared_strings_within(archive: zipfile.ZipFile, cell_limit: int) -> None:
    """openpyxl keeps the whole shared-string table in memory: count it first."""
    name = next((n for n in archive.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
    if name is None:
        return
    with archive.open(name) as stream:
        for count, _ in enumerate(_xml_stream(stream, ("si",)), start=1):
            if count > cell_limit:
                raise ImportRefused(f"工作簿中的文字单元格过多（超过 {cell_limit} 个），不像任务分解表，已拒绝。")


def _xlsx_merges(
    archive: zipfile.ZipFile, part: str, cell_limit: int
) -> tuple[list[tuple[int, int, int, int]], set[int]]:
    """The sheet's merged ranges as (min_col, min_row, max_col, max_row), columns
    clipped to the table kept, and its hidden rows (read-only openpyxl shows neither).
    The ranges' total area is budgeted: overlapping ranges (which Excel never writes)
    could otherwise multiply the work."""
    from openpyxl.utils.cell import range_boundaries

    merge_cell, merge_cells = f"{{{_SHEET_NS}}}mergeCell", f"{{{_SHEET_NS}}}mergeCells"
    row_tag = f"{{{_SHEET_NS}}}row"
    ranges: list[tuple[int, int, int, int]] = []
    hidden: set[int] = set()
    area = 0
    with archive.open(part.lstrip("/")) as stream:
        for element in _xml_stream(stream, _SHEET_STREAMED):
            if element.tag == row_tag:
                if element.get("hidden") in ("1", "true") and (number := element.get("r", "")).isdigit():
                    hidden.add(int(number))
                continue
            if element.tag == merge_cells:
                break  # nothing after it is needed
            if element.tag != merge_cell:
                continue
            try:
                bounds = range_boundaries(element.get("ref") or "")
            except (ValueError, TypeError):
                continue  # a damaged reference merges nothing
            if None in bounds:
                continue
            min_col, min_row, max_col, max_row = bounds
            max_col = min(max_col, _XLSX_MAX_COLUMNS)
            if min_col > max_col:
                continue
            area += (max_row - min_row + 1) * (max_col - min_col + 1)
            if area > cell_limit:
                raise ImportRefused("工作表中的合并单元格异常（合并区域相互重叠或过大），已拒绝。")
            ranges.append((min_col, min_row, max_col, max_row))
    return ranges, hidden


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):  # openpyxl's dates and datetimes, as the sheet shows them
        return date_text(value)
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value).strip()
