"""Legacy binary Office files (OLE2 compound documents): Excel 97–2003 through
xlrd; Word 97–2003 converted to .docx with LibreOffice headless when the server
has it (`soffice`), otherwise refused with a message saying how to convert."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings

from .errors import ImportRefused
from .read import Cell, Document, Table, read_zip_document
from .text.deadlines import date_text

# Stream names in the compound document's directory (UTF-16LE).
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_EXCEL_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
_MAX_COLUMNS = 60
NO_LIBREOFFICE = (
    "这是旧版 Word（.doc）文件，服务器未安装 LibreOffice，无法自动转换。"
    "请用 Word 或 WPS 打开该文件，“另存为” Word 文档（.docx）后再导入。"
)
DAMAGED = "旧版 Word/Excel（.doc/.xls）文件已损坏或无法识别，请用 Word/Excel 打开后另存为 .docx 或 .xlsx 再导入。"


def read_ole_document(data: bytes) -> Document:
    if _WORD_STREAM in data:
        return _read_doc(data)
    if any(name in data for name in _EXCEL_STREAMS):
        return _read_xls(data)
    raise ImportRefused(DAMAGED)


def _read_xls(data: bytes) -> Document:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception as exc:  # xlrd raises XLRDError, struct and index errors on damaged files
        raise ImportRefused(DAMAGED) from exc
    row_limit, cell_limit = settings.IMPORT_MAX_ROWS * 2 + 100, settings.IMPORT_MAX_ROWS * 64
    tables, rows_read, cells_read = [], 0, 0
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            if sheet.visibility != 0:
                continue
            width = min(sheet.ncols, _MAX_COLUMNS)
            rows_read += sheet.nrows
            cells_read += sheet.nrows * width
            if rows_read > row_limit or cells_read > cell_limit:
                raise ImportRefused(
                    f"工作表“{sheet.name}”的行数或单元格超过上限（{settings.IMPORT_MAX_ROWS} 条任务），已拒绝。"
                )
            rows = [
                [Cell(_xls_text(sheet.cell(r, c), book.datemode)) for c in range(width)] for r in range(sheet.nrows)
            ]
            for rlo, rhi, clo, chi in sheet.merged_cells:
                for r in range(rlo, min(rhi, len(rows))):
                    for c in range(clo, min(chi, width)):
                        if (r, c) != (rlo, clo):
                            cell = rows[r][c]
                            cell.text, cell.merged_up, cell.merged_left = "", r > rlo, c > clo
            tables.append(
                Table(
                    rows=rows,
                    row_numbers=list(range(1, len(rows) + 1)),
                    has_merge_info=True,
                    label=f"工作表“{sheet.name}”",
                    hidden_rows=frozenset(r + 1 for r, info in sheet.rowinfo_map.items() if getattr(info, "hidden", 0)),
                )
            )
    finally:
        book.release_resources()
    return Document(format="xls", tables=tables)


def _xls_text(cell: Any, datemode: int) -> str:  # an xlrd Cell (xlrd ships no types)
    import xlrd

    if cell.ctype == xlrd.XL_CELL_NUMBER:
        value = cell.value
        return str(int(value)) if float(value).is_integer() else str(value)
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return date_text(xlrd.xldate.xldate_as_datetime(cell.value, datemode))
        except (ValueError, OverflowError):
            return str(cell.value)
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    return str(cell.value).strip()


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _read_doc(data: bytes) -> Document:
    soffice = soffice_path()
    if soffice is None:
        raise ImportRefused(NO_LIBREOFFICE)
    with tempfile.TemporaryDirectory(prefix="import-doc-") as folder:
        source = Path(folder) / "source.doc"
        source.write_bytes(data)
        try:
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation=file://{folder}/profile",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    "docx",
                    "--outdir",
                    folder,
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            raise ImportRefused(DAMAGED) from exc
        converted = Path(folder) / "source.docx"
        if not converted.exists():
            raise ImportRefused(DAMAGED)
        document = read_zip_document(converted.read_bytes())
    document.format = "doc"
    return document
