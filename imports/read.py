"""Stage 1, read: bytes of any supported format → tables of cells plus the
free text around them. Format-specific; every later stage is shared.

The format is recognised from the content (zip signature and members, text
encodings), not trusted from the file name. Zip containers are checked for
their declared uncompressed size before any library expands them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings

from .errors import ImportRefused

FORMAT_LABELS = {
    "docx": "Word (.docx)",
    "xlsx": "Excel (.xlsx)",
    "csv": "CSV",
    "text": "文本",
    "pdf": "PDF",
    "xls": "Excel 97–2003 (.xls)",
    "doc": "Word 97–2003 (.doc，经 LibreOffice 转换)",
}


@dataclass(slots=True)
class Cell:
    text: str
    # True where the cell is covered by a merge that starts above / to the left:
    # "same as the cell above", not "empty".
    merged_up: bool = False
    merged_left: bool = False


@dataclass
class Table:
    rows: list[list[Cell]]
    # Source row numbers as a person would find them (line, sheet row, table row).
    row_numbers: list[int]
    # Text formats lose merges: an empty cell there may mean "same as above".
    has_merge_info: bool
    label: str = ""
    # Paragraphs between the previous table and this one (a category's own table has its name there).
    caption: list[str] = field(default_factory=list)


@dataclass
class Document:
    format: str
    tables: list[Table]
    heading: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # How the file was read when it could have been read another way (shown for the admin to confirm).
    reading: str = ""


def read_document(data: bytes, file_name: str = "") -> Document:
    """Read any supported document; raise ImportRefused with a clear reason otherwise."""
    if not data or not data.strip():
        raise ImportRefused("文件为空。")
    if len(data) > settings.IMPORT_MAX_UPLOAD_BYTES:
        raise ImportRefused(f"文件大小 {len(data) // 1024} KB 超过上限 {settings.IMPORT_MAX_UPLOAD_BYTES // 1024} KB。")
    head = data[:8]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return read_zip_document(data)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        from .legacy import read_ole_document

        return read_ole_document(data)
    if head.startswith(b"%PDF"):
        from .pdf import read_pdf

        return read_pdf(data)
    text = _decode_text(data)
    if file_name.lower().endswith(".csv") or _looks_like_csv(text):
        return _read_csv(text)
    return _read_text(text)


# -- zip containers -----------------------------------------------------------


def read_zip_document(data: bytes) -> Document:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ImportRefused("文件已损坏或不完整（无法作为 .docx/.xlsx 打开）。") from None
    if len(members) > 2000:
        raise ImportRefused(f"压缩包内文件过多（{len(members)} 个），不像正常的 Word/Excel 文件。")
    declared = sum(member.file_size for member in members)
    limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    if declared > limit:
        # Checked on the declared sizes before anything is expanded (zip bombs).
        raise ImportRefused(
            f"文件解压后大小 {declared // (1024 * 1024)} MB 超过上限 {limit // (1024 * 1024)} MB，已拒绝。"
        )
    _expand_within_budget(archive, members, limit)
    names = {member.filename for member in members}
    try:
        if "word/document.xml" in names:
            return _read_docx(data)
        if "xl/workbook.xml" in names:
            return _read_xlsx(data)
    except ImportRefused:
        raise
    except Exception as exc:  # a damaged container can fail anywhere inside the libraries (cause kept for logs)
        raise ImportRefused("文件已损坏或不完整，无法读取。") from exc
    raise ImportRefused("这是一个压缩文件，但不是 Word（.docx）或 Excel（.xlsx）文档。")


def _expand_within_budget(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], limit: int) -> None:
    """Decompress every member in small chunks, counting real bytes.

    Declared sizes can lie; python-docx and openpyxl read a member in one call,
    which a crafted archive turns into a huge allocation. Streaming it once
    first keeps memory at one chunk and stops at the budget (or at the CRC
    error a lying header produces)."""
    total = 0
    try:
        for member in members:
            with archive.open(member) as stream:
                while chunk := stream.read(1 << 20):
                    total += len(chunk)
                    if total > limit:
                        raise ImportRefused(f"文件解压后大小超过上限 {limit // (1024 * 1024)} MB，已拒绝。")
    except ImportRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError):
        raise ImportRefused("文件已损坏或不完整（压缩内容校验失败）。") from None


def _read_docx(data: bytes) -> Document:
    import docx
    from docx.oxml.ns import qn
    from docx.table import _Cell

    document = docx.Document(io.BytesIO(data))
    body = document.element.body
    heading: list[str] = []
    notes: list[str] = []
    tables: list[Table] = []
    between: list[str] = []
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            text = _paragraph_text(child, qn).strip()
            if text:
                (notes if tables else heading).append(text)
                between.append(text)
        elif child.tag == qn("w:tbl"):
            table = _docx_table(child, len(tables) + 1, _Cell, qn)
            table.caption, between = between, []
            tables.append(table)
    if not tables:
        return prose_document("docx", heading, wrapped="word") or Document(format="docx", tables=[], heading=heading)
    return Document(format="docx", tables=tables, heading=heading, notes=notes)


def prose_document(format_name: str, paragraphs: list[str], *, wrapped: str = "text") -> Document | None:
    """A notice without a table: its numbered paragraphs read as task rows."""
    from .prose import READING, prose_table

    found = prose_table(paragraphs, wrapped=wrapped)
    if found is None:
        return None
    table, heading, notes = found
    return Document(format=format_name, tables=[table], heading=heading, notes=notes, reading=READING)


# python-docx's XML: lxml elements (lxml ships no types) and its qualified-name function.
_Element = Any
_QName = Callable[[str], str]


def _docx_table(tbl: _Element, index: int, cell_class: type, qn: _QName) -> Table:
    rows: list[list[Cell]] = []
    numbers: list[int] = []
    for row_index, tr in enumerate(tbl.iter(qn("w:tr")), start=1):
        if tr.getparent() is not tbl:  # rows of nested tables belong to their own table
            continue
        cells: list[Cell] = []
        tr_pr = tr.find(qn("w:trPr"))
        if tr_pr is not None:
            before = tr_pr.find(qn("w:gridBefore"))
            if before is not None:
                cells.extend(Cell("") for _ in range(int(before.get(qn("w:val"), "0") or 0)))
        for tc in tr.findall(qn("w:tc")):
            span = 1
            vmerge = None
            tc_pr = tc.find(qn("w:tcPr"))
            if tc_pr is not None:
                grid_span = tc_pr.find(qn("w:gridSpan"))
                if grid_span is not None:
                    span = max(1, int(grid_span.get(qn("w:val"), "1") or 1))
                vm = tc_pr.find(qn("w:vMerge"))
                if vm is not None:
                    vmerge = vm.get(qn("w:val"), "continue")
            paragraphs = []
            for p in tc.findall(qn("w:p")):
                paragraphs.append(_paragraph_text(p, qn))
            text = "\n".join(paragraphs).strip()
            continued = vmerge == "continue"
            cells.append(Cell("" if continued else text, merged_up=continued))
            cells.extend(Cell("", merged_up=continued, merged_left=True) for _ in range(span - 1))
        rows.append(cells)
        numbers.append(row_index)
    return Table(rows=rows, row_numbers=numbers, has_merge_info=True, label=f"表{index}")


def _paragraph_text(paragraph: _Element, qn: _QName) -> str:
    """Text of a w:p with its line breaks and tabs (a manual break separates names)."""
    text_tag, break_tags, tab_tag = qn("w:t"), {qn("w:br"), qn("w:cr")}, qn("w:tab")
    parts: list[str] = []
    for node in paragraph.iter(text_tag, tab_tag, *break_tags):
        if node.tag == text_tag:
            parts.append(node.text or "")
        elif node.tag == tab_tag:
            parts.append(" ")
        else:
            parts.append("\n")
    return "".join(parts)


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
            merges = _xlsx_merges(archive, sheet._worksheet_path, cell_limit)
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


def _xlsx_merges(archive: zipfile.ZipFile, part: str, cell_limit: int) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges as (min_col, min_row, max_col, max_row), columns
    clipped to the table kept. Their total area is budgeted: overlapping ranges
    (which Excel never writes) could otherwise multiply the work."""
    from openpyxl.utils.cell import range_boundaries

    merge_cell, merge_cells = f"{{{_SHEET_NS}}}mergeCell", f"{{{_SHEET_NS}}}mergeCells"
    ranges: list[tuple[int, int, int, int]] = []
    area = 0
    with archive.open(part.lstrip("/")) as stream:
        for element in _xml_stream(stream, _SHEET_STREAMED):
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
    return ranges


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date | dt.time):  # openpyxl's dates, datetimes and times
        return value.isoformat()
    return str(value).strip()


# -- text formats -------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _decode_text(data: bytes) -> str:
    candidates = ["utf-16"] if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ["utf-8-sig", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if len(_CONTROL.findall(text[:20000])) > 5:
            break
        return text.replace("\r\n", "\n").replace("\r", "\n")
    raise ImportRefused("无法识别的文件类型：既不是 Word/Excel 文档，也不是可读的文本（UTF-8 或 GBK）。")


def _looks_like_csv(text: str) -> bool:
    """A header line with commas between short column names (title lines above
    it may have none); a sentence with commas in it is prose, not a header."""
    return any(
        ("序号" in line or "任务" in line)
        and line.count(",") >= 2
        and line.count("\t") < 2
        and all(len(part.strip().strip('"')) <= 20 for part in line.split(","))
        for line in text.split("\n")[:60]
    )


def _read_csv(text: str) -> Document:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[Cell]] = []
    numbers: list[int] = []
    heading: list[str] = []
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        for record in reader:
            line = reader.line_num
            if not any(field.strip() for field in record):
                continue
            rows.append([Cell(_unguard(field.strip())) for field in record])
            numbers.append(line)
    except csv.Error as exc:
        raise ImportRefused(f"CSV 格式错误：{exc}", row=reader.line_num) from None
    return Document(format="csv", tables=[Table(rows, numbers, has_merge_info=False, label="CSV")], heading=heading)


def _unguard(text: str) -> str:
    """Undo the apostrophe that keeps spreadsheets from running text as a formula."""
    from tasks.exports import spreadsheet_unguard  # the exporters' guard, undone by the same rule

    return spreadsheet_unguard(text)


_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")


def _read_text(text: str) -> Document:
    """Two layouts come out of copying a table to text: one row per line with
    tab-separated cells (from PDF), or one cell per tab-indented line with a
    blank line between rows (from Word)."""
    text = _BOOKMARK.sub("", text)
    lines = text.split("\n")
    row_lines = sum(1 for line in lines if "\t" in line.lstrip("\t").rstrip("\t"))
    cell_lines = sum(1 for line in lines if line.startswith("\t"))
    if row_lines >= 3:
        return _read_tab_rows(lines)
    if cell_lines >= 3:
        return _read_cell_per_line(lines)
    if prose := prose_document("text", lines):
        return prose
    raise ImportRefused("文件中没有找到表格（文本文件应为制表符分隔的表格），也没有编号的任务段落。")


def _read_tab_rows(lines: list[str]) -> Document:
    rows: list[list[Cell]] = []
    numbers: list[int] = []
    heading: list[str] = []
    notes: list[str] = []
    for number, line in enumerate(lines, start=1):
        if "\t" in line.strip("\t") or (line.startswith("\t") and line.strip() and rows):
            rows.append([Cell(part.strip()) for part in line.split("\t")])
            numbers.append(number)
        elif line.strip():
            (notes if rows else heading).append(line.strip())
    return Document(
        format="text", tables=[Table(rows, numbers, has_merge_info=False, label="文本")], heading=heading, notes=notes
    )


def _read_cell_per_line(lines: list[str]) -> Document:
    rows: list[list[Cell]] = []
    numbers: list[int] = []
    heading: list[str] = []
    notes: list[str] = []
    current: list[Cell] = []
    current_start = 0

    def finish() -> None:
        nonlocal current
        if current:
            rows.append(current)
            numbers.append(current_start)
        current = []

    for number, line in enumerate(lines, start=1):
        if not line.strip() and not line.startswith("\t"):
            finish()
        elif line.startswith("\t"):
            if not current:
                current_start = number
            current.append(Cell(line.strip()))
        elif current:
            # A wrapped cell: its continuation lines carry no tab.
            current[-1].text = f"{current[-1].text}\n{line.strip()}" if current[-1].text else line.strip()
        else:
            (notes if rows else heading).append(line.strip())
    finish()
    return Document(
        format="text", tables=[Table(rows, numbers, has_merge_info=False, label="文本")], heading=heading, notes=notes
    )
