"""Stage 1, read: bytes of any supported format → tables of cells plus the
free text around them. Format-specific; every later stage is shared.

The format is recognised from the content (zip signature and members, text
encodings), not trusted from the file name. Zip containers are checked for
their declared uncompressed size before any library expands them.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from django.conf import settings

from .errors import ImportRefused

FORMAT_LABELS = {"docx": "Word (.docx)", "xlsx": "Excel (.xlsx)", "csv": "CSV", "text": "文本"}


@dataclass
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


@dataclass
class Document:
    format: str
    tables: list[Table]
    heading: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_document(data: bytes, file_name: str = "") -> Document:
    """Read any supported document; raise ImportRefused with a clear reason otherwise."""
    if not data or not data.strip():
        raise ImportRefused("文件为空。")
    if len(data) > settings.IMPORT_MAX_UPLOAD_BYTES:
        raise ImportRefused(f"文件大小 {len(data) // 1024} KB 超过上限 {settings.IMPORT_MAX_UPLOAD_BYTES // 1024} KB。")
    head = data[:8]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _read_zip_document(data)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefused("这是旧版 Word/Excel（.doc/.xls）文件，请另存为 .docx 或 .xlsx 后再导入。")
    if head.startswith(b"%PDF"):
        raise ImportRefused("暂不支持 PDF 文件，请提供 Word（.docx）、Excel（.xlsx）、CSV 或文本文件。")
    text = _decode_text(data)
    if file_name.lower().endswith(".csv") or _looks_like_csv(text):
        return _read_csv(text)
    return _read_text(text)


# -- zip containers -----------------------------------------------------------


def _read_zip_document(data: bytes) -> Document:
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
    except Exception as exc:  # a damaged container can fail anywhere inside the libraries
        raise ImportRefused(f"文件已损坏或不完整，无法读取（{type(exc).__name__}）。") from None
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
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            text = _paragraph_text(child, qn).strip()
            if text:
                (notes if tables else heading).append(text)
        elif child.tag == qn("w:tbl"):
            tables.append(_docx_table(child, len(tables) + 1, _Cell, qn))
    return Document(format="docx", tables=tables, heading=heading, notes=notes)


def _docx_table(tbl, index: int, cell_class, qn) -> Table:
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


def _paragraph_text(paragraph, qn) -> str:
    """Text of a w:p with its line breaks and tabs (a manual break separates names)."""
    text_tag, break_tags, tab_tag = qn("w:t"), {qn("w:br"), qn("w:cr")}, qn("w:tab")
    parts = []
    for node in paragraph.iter(text_tag, tab_tag, *break_tags):
        if node.tag == text_tag:
            parts.append(node.text or "")
        elif node.tag == tab_tag:
            parts.append(" ")
        else:
            parts.append("\n")
    return "".join(parts)


def _read_xlsx(data: bytes) -> Document:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    tables: list[Table] = []
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            continue
        max_row = sheet.max_row or 0
        max_col = min(sheet.max_column or 0, 60)
        if max_row > settings.IMPORT_MAX_ROWS * 2 + 100:
            raise ImportRefused(
                f"工作表“{sheet.title}”有 {max_row} 行，超过上限（{settings.IMPORT_MAX_ROWS} 条任务）。"
            )
        covered: dict[tuple[int, int], tuple[bool, bool]] = {}
        for merged in sheet.merged_cells.ranges:
            for r in range(merged.min_row, merged.max_row + 1):
                for c in range(merged.min_col, merged.max_col + 1):
                    if (r, c) != (merged.min_row, merged.min_col):
                        covered[(r, c)] = (r > merged.min_row, c > merged.min_col)
        rows: list[list[Cell]] = []
        numbers: list[int] = []
        for r, values in enumerate(sheet.iter_rows(max_col=max_col, values_only=True), start=1):
            cells = []
            for c, value in enumerate(values, start=1):
                up, left = covered.get((r, c), (False, False))
                cells.append(Cell("" if (up or left) else _xlsx_text(value), merged_up=up, merged_left=left))
            rows.append(cells)
            numbers.append(r)
        tables.append(Table(rows=rows, row_numbers=numbers, has_merge_info=True, label=f"工作表“{sheet.title}”"))
    return Document(format="xlsx", tables=tables)


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[union-attr]
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
    """A header line with commas between column names (title lines above it may have none)."""
    return any(
        ("序号" in line or "任务" in line) and line.count(",") >= 2 and line.count("\t") < 2
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
    raise ImportRefused("文件中没有找到表格（文本文件应为制表符分隔的表格）。")


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
