"""The prose reader: a notice with no table at all, read into the same table
rows the table readers give (序号 / 任务 / 牵头单位 / 配合单位, with heading
rows for its categories), so every later stage is shared.

What notices print: numbered paragraphs ("1.", "1、", "（一）"), several
sometimes run together in one paragraph; units in a trailing bracket
("（牵头单位：…；配合单位：…）", "[牵头单位：…；责任单位：…]", "（…牵头，…按职责分工负责）"),
on lines of their own ("牵头单位：…"), or after a group of items
("上述项目由区商务委牵头负责。"); and items with no unit at all.
"""

from __future__ import annotations

from ..read import Cell, Table
from ..text import FIRST_LISTED_LEADS
from .items import _clause as _clause  # for the tests
from .items import _split_items as _split_items  # for the tests
from .items import _trailing_bracket as _trailing_bracket  # for the tests
from .paragraphs import _after_notice, _continues_item, _paragraphs, _Reading, _Row, _take_paragraph

__all__ = ["HEADER", "READING", "prose_table"]

HEADER = ["序号", "任务", "牵头单位", "配合单位"]
# Columns a notice adds only when one of its clauses names them ("牵头领导：…", "完成时限：…").
_OPTIONAL = {"leader": "牵头领导", "deadline": "完成时限"}
READING = "正文段落（文件中没有表格，已按编号段落逐条读取为任务，请核对）"


def prose_table(paragraphs: list[str], *, wrapped: str = "text") -> tuple[Table, list[str], list[str]] | None:
    """(table, heading lines, notes) read from a notice's paragraphs; None when
    fewer than two numbered items are found (not a notice of tasks). `wrapped`:
    how lines relate to paragraphs: "word" (one paragraph each), "text" (a line
    not ending a sentence may continue on the next), "pdf" (lines broken at the
    page width, whatever they end with)."""
    reading = _Reading()
    reading.first_listed_leads = any(FIRST_LISTED_LEADS.search(p) for p in paragraphs)
    paragraphs_read = _paragraphs(paragraphs, wrapped=wrapped)
    start = _after_notice(paragraphs_read)
    reading.heading.extend(text for _, text in paragraphs_read[:start])
    count = len(paragraphs_read)
    for index in range(start, count):
        line_no, paragraph = paragraphs_read[index]
        # The paragraphs after this one, read lazily: a list of them per paragraph made a notice of
        # n lines cost n² (100,000 lines took minutes).
        rest = (paragraphs_read[later][1] for later in range(index + 1, count))
        if _continues_item(reading, paragraph, rest):
            reading.rows[-1].text += paragraph
            continue
        _take_paragraph(reading, paragraph, line_no, paragraphs_read[index + 1][1] if index + 1 < count else "")
    if reading.items < 2:
        return None
    return _table(reading.rows), reading.heading, reading.notes


def _table(rows: list[_Row]) -> Table:
    """The rows as a table: 序号 / 任务 / (牵头领导) / 牵头单位 / 配合单位 / (完成时限),
    the optional columns only when some clause named them."""
    used = {name for row in rows for name in row.fields}
    fields = [f for f in ("leader", "lead", "support", "deadline") if f in used or f in ("lead", "support")]
    labels = {"lead": "牵头单位", "support": "配合单位", **_OPTIONAL}
    header = [Cell("序号"), Cell("任务"), *[Cell(labels[f]) for f in fields]]
    cells: list[list[Cell]] = [header]
    for row in rows:
        if row.heading:
            cells.append([Cell(row.text), *[Cell("", merged_left=True) for _ in header[1:]]])
        else:
            cells.append([Cell(row.number), Cell(row.text), *[Cell(row.fields.get(f, "")) for f in fields]])
    return Table(rows=cells, row_numbers=[0, *[row.line for row in rows]], has_merge_info=True, label="正文")
