"""Text formats: encodings, CSV, tab-separated rows, one cell per line."""

from __future__ import annotations

import csv
import io
import re

from ..errors import ImportRefused
from .document import Cell, Document, Table, prose_document

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
    if row_lines == 2:  # a header and one task, too few rows to tell the layout before the notice reader
        return _read_tab_rows(lines)
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
