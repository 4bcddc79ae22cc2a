"""Word (.docx): paragraphs and tables from the document's XML, merges kept."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from .document import Cell, Document, Table, prose_document


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
