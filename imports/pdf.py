"""Reading a PDF with a text layer (pdfplumber): its ruled tables as tables, the
text around them as heading and notes; a notice with no table through the
prose reader. A scanned PDF (no text at all) is refused with a message that
says so."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

from .errors import ImportRefused
from .read import Cell, Document, Table, prose_document

_MAX_PAGES = 1000
SCANNED = (
    "这是扫描版 PDF（页面是图片，没有文字层），无法读取其中的文字。"
    "请提供带文字的 PDF，或 Word（.docx）、Excel（.xlsx）文件；也可先用 OCR 软件识别成文字后再导入。"
)


def read_pdf(data: bytes) -> Document:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = pdf.pages
    except (PDFSyntaxError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise ImportRefused("PDF 文件已损坏或不完整，无法读取。") from exc
    except Exception as exc:  # pdfminer raises its own types from deep inside a damaged file
        raise ImportRefused("PDF 文件已损坏或不完整，无法读取。") from exc
    with pdf:
        if not pages:
            raise ImportRefused("PDF 文件已损坏或不完整，无法读取。")
        if len(pages) > _MAX_PAGES:
            raise ImportRefused(f"PDF 共 {len(pages)} 页，超过上限 {_MAX_PAGES} 页，已拒绝。")
        try:
            parts = list(_page_parts(pages))
            document = _document(parts)
            if document is None:
                # No ruled table and no numbered paragraphs: a table printed without lines,
                # its columns told by the text's alignment (and the preview says so).
                document = _document(list(_page_parts(pages, _ALIGNED)), aligned=True)
        except ImportRefused:
            raise
        except Exception as exc:
            raise ImportRefused("PDF 文件已损坏或不完整，无法读取。") from exc
    if document is None:
        raise ImportRefused("PDF 中没有找到表格，也没有编号的任务段落。")
    return document


_ALIGNED = {"vertical_strategy": "text", "horizontal_strategy": "text", "text_x_tolerance": 1, "min_words_vertical": 2}
ALIGNED_READING = "无框线表格（PDF 中的表格没有框线，已按文字对齐划分各列，请逐行核对）"


def _page_parts(pages: list[Any], settings: dict | None = None) -> Iterator[tuple[str, Any]]:
    """("line", text) and ("table", rows) in reading order, page after page."""
    for page_no, page in enumerate(pages, start=1):
        found = page.find_tables(settings or {})
        boxes = [t.bbox for t in found]
        items: list[tuple[float, str, Any]] = []
        for line in page.extract_text_lines(strip=True):
            middle = (line["top"] + line["bottom"]) / 2
            if not any(
                x0 <= line["x0"] + 1 and line["x1"] - 1 <= x1 and top <= middle <= bottom
                for x0, top, x1, bottom in boxes
            ):
                items.append((line["top"], "line", line["text"]))
        for table in found:
            # Spaces kept: a space printed before a line wrap is the document's ("2007 \n年").
            items.append((table.bbox[1], "table", (page_no, table.extract(keep_blank_chars=True))))
        for _, kind, value in sorted(items, key=lambda item: item[0]):
            yield kind, value


def _document(parts: list[tuple[str, Any]], *, aligned: bool = False) -> Document | None:
    """The document the parts make; None when they hold neither a table nor
    numbered paragraphs."""
    tables: list[Table] = []
    heading: list[str] = []
    notes: list[str] = []
    between: list[str] = []
    lines: list[str] = []
    for kind, value in parts:
        if kind == "line":
            lines.append(value)
            (notes if tables else heading).append(value)
            between.append(value)
            continue
        page_no, rows = value
        table = _table(rows, page_no, len(tables) + 1)
        # Rows are counted through the document's tables, not from 1 on each page: a warning's
        # "第N行" then names one row of the document.
        offset = tables[-1].row_numbers[-1] if tables and tables[-1].row_numbers else 0
        table.row_numbers = [number + offset for number in table.row_numbers]
        if table.rows:
            table.caption, between = between, []
            tables.append(table)
    if not lines and not any(c.text for t in tables for r in t.rows for c in r):
        raise ImportRefused(SCANNED)
    if not tables:
        return None if aligned else prose_document("pdf", lines, wrapped="pdf")
    return Document(
        format="pdf", tables=tables, heading=heading, notes=notes, reading=ALIGNED_READING if aligned else ""
    )


# A space at the end of a wrapped line is a real space; the wrap itself is not ("2007 \n年" → "2007 年",
# while "下降\n12.7%" joins without one: imports/text/whitespace.py).
_SPACE_AT_WRAP = re.compile(r"[ \t\u3000]+\n")


def _table(rows: list[list[str | None]], page_no: int, index: int) -> Table:
    """pdfplumber gives None where a merged cell covers the grid: a row whose
    only text is its first cell spans the table (merged across); otherwise the
    cell above continues down."""
    out: list[list[Cell]] = []
    for row in rows:
        texts = [c for c in row if c not in (None, "")]
        across = len([c for c in row if c is not None]) <= 1
        cells = []
        for col, text in enumerate(row):
            if text is None:
                cells.append(Cell("", merged_left=across and col > 0, merged_up=not across and bool(out)))
            else:
                cells.append(Cell(_SPACE_AT_WRAP.sub(" ", text).strip()))
        if texts or out:
            out.append(cells)
    return Table(
        rows=out, row_numbers=list(range(1, len(out) + 1)), has_merge_info=True, label=f"第{page_no}页表{index}"
    )
