"""One row's cells: which are merged from above, which rows are skipped (empty, a
repeated header) or hold a heading, and whether a category cell spans the rows below."""

from __future__ import annotations

import re

from ..columns import ColumnPlan, column_role
from ..read import Cell, Table
from ..text import clean_text, name_key, parse_category, parse_unnumbered_category
from .headings import _PLAIN_NUMBER

# One row's cells by column role (None: the row is shorter than its header).
_RowCells = dict[str, Cell | None]
_FIELD_ROLES = ("leader", "unit", "support", "note", "deadline", "city", "state")


def _merged(values: _RowCells, role: str) -> bool:
    """Is the row's cell for `role` covered by a merge from above ("same as above")?"""
    cell = values.get(role)
    return cell is not None and cell.merged_up


def _row_text(cells: list[Cell]) -> str:
    return " ".join(c.text.strip() for c in cells if c.text.strip())


def _skipped(cells: list[Cell], mapping: dict[int, str], texts: dict[str, str], header_keys: tuple[str, ...]) -> bool:
    if not any(t.strip() for t in texts.values()) and not any(c.text.strip() for c in cells):
        return True
    if header_keys and tuple(name_key(cells[c].text) if c < len(cells) else "" for c in sorted(mapping)) == header_keys:
        return True  # the header repeated on a new page
    return all(role_is_header(texts[role], role) for role in texts if texts[role].strip())


def _heading_text(cells: list[Cell], mapping: dict[int, str]) -> str | None:
    """The text of a row that holds one text only (merged across, or alone in
    its row), unless that text is a task's (a row continued from the page above)."""
    filled = [(col, clean_text(c.text)) for col, c in enumerate(cells) if c.text.strip() and not c.merged_up]
    distinct = {text for _, text in filled}
    if len(distinct) != 1:
        return None
    col, text = filled[0]
    spans = any(c.merged_left for c in cells)
    if mapping.get(col) == "task" and not spans:
        return None
    if mapping.get(col) == "number" and _PLAIN_NUMBER.match(text.rstrip("．.、")):
        return None
    if not spans and mapping.get(col) in ("category", "project", "unit", "leader", "support", "note", "deadline"):
        return None  # a lone field value, handled (or refused) as the row it is
    return text


# A heading's numeral alone: "一、", "（二）", "第三类".
_NUMERAL_ONLY = re.compile(r"^(?:[（(]\s*[一二三四五六七八九十]+\s*[)）]|第?[一二三四五六七八九十]+\s*[类、.．]?)$")


def _split_heading(cells: list[Cell], mapping: dict[int, str]) -> str | None:
    """A heading row written unmerged: "一、" in the 序号 column and the name in another cell,
    every other cell empty ("一、" | "经济发展" | "" | ""). Its text as one heading ("一、经济发展")."""
    filled = [(col, clean_text(c.text)) for col, c in enumerate(cells) if c.text.strip() and not c.merged_up]
    if len(filled) != 2:
        return None
    (number_col, numeral), (_, name) = filled
    if mapping.get(number_col) != "number" or not _NUMERAL_ONLY.match(numeral):
        return None
    if len(name) > 40 or any(mark in name for mark in "。；;"):
        return None  # a task's text, not a heading's name
    return numeral + ("" if numeral[-1] in "、.．)）类" else "、") + name


def _label_categories(table: Table, plan: ColumnPlan) -> bool:
    """A 类别 column of several names none of which is numbered: they are categories."""
    col = next((c for c, role in plan.mapping.items() if role == "category"), None)
    if col is None:
        return False
    values = {clean_text(cells[col].text) for cells in table.rows[plan.header_index + 1 :] if col < len(cells)}
    values.discard("")
    return len(values) >= 2 and all(parse_category(v) is None and parse_unnumbered_category(v, 1) for v in values)


def _spans(table: Table, index: int, col: int) -> bool:
    """Whether a category cell covers the rows below it (merged, or in text
    formats repeated or left empty under it)."""
    if col < 0 or index + 1 >= len(table.rows) or col >= len(table.rows[index]):
        return False
    cell = table.rows[index][col]
    below = table.rows[index + 1]
    if col >= len(below):
        return False
    if below[col].merged_up or clean_text(below[col].text) == clean_text(cell.text):
        return True
    return not table.has_merge_info and not below[col].text.strip()


def role_is_header(text: str, role: str) -> bool:
    return column_role(text) == role
