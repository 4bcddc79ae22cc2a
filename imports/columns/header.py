"""Finding a table's header row: by its column names, by a guess from content, over one or two rows."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..read import Cell, Document, Table
from ..text import clean_text
from .names import _HEADER_SCAN_ROWS, column_role, header_key
from .plans import header_signature

# -- finding the header -----------------------------------------------------------


def _header_roles(cells: Sequence[Cell], chosen: dict[str, str] | None = None) -> dict[int, str]:
    found: dict[int, str] = {}
    for col, cell in enumerate(cells):
        if cell.merged_left:
            continue
        role = (chosen or {}).get(header_key(cell.text)) or column_role(cell.text)
        if role:
            found[col] = role
    return found


def _is_header(roles: dict[int, str]) -> bool:
    present = set(roles.values())
    return "task" in present and bool(present & {"number", "unit", "leader", "category", "support", "deadline"})


def find_header(table: Table, roles: dict[str, str] | None = None) -> int | None:
    """Index of the table's header row, found by names (or by the roles an admin
    gave the headers, {header: role}); None if there is none."""
    chosen = {header_key(h): r for h, r in roles.items()} if roles else None
    for index, cells in enumerate(table.rows[:_HEADER_SCAN_ROWS]):
        if _is_header(_header_roles(cells, chosen)):
            return index
    return None


def header_candidates(document: Document) -> dict[str, int]:
    """Signature of each row that could be the first table's header → its index:
    a saved layout is found by its header even when no name in it is known."""
    for table in document.tables:
        if table.rows:
            return {
                header_signature(header_texts(table, index)[0]): index
                for index in range(min(len(table.rows), _HEADER_SCAN_ROWS))
            }
    return {}


def header_texts(table: Table, index: int) -> tuple[list[str], int]:
    """Each column's header text, joining a second header row under a merged
    group header ("阶段性目标和工作任务量/第一季度"); and the last header row."""
    top = [clean_text(c.text) for c in table.rows[index]]
    # A merged group header covers the cells to its right.
    for col, cell in enumerate(table.rows[index]):
        if cell.merged_left and col > 0:
            top[col] = top[col - 1]
    if index + 1 >= len(table.rows):
        return top, index
    below = table.rows[index + 1]
    if not _is_sub_header(table.rows[index], below):
        return top, index
    texts = []
    group = ""
    for col, text in enumerate(top):
        sub = clean_text(below[col].text) if col < len(below) and not below[col].merged_up else ""
        if text and sub:
            group = text
        elif sub and not text:
            text = group  # text formats lose the merge: an empty cell continues the group to its left
        else:
            group = ""
        texts.append(f"{text}/{sub}" if text and sub and sub != text else (sub or text))
    return texts, index + 1


def _is_sub_header(header: Sequence[Cell], row: Sequence[Cell]) -> bool:
    """The row under a header with merged group cells: short labels under the
    group only, nothing under the task or number columns."""
    roles = _header_roles(header)
    texts = {col: clean_text(c.text) for col, c in enumerate(row) if c.text.strip() and not c.merged_up}
    if not texts or any(roles.get(col) in ("task", "number") for col in texts):
        return False
    if any(len(text) > 12 or re.fullmatch(r"\d+[.、．]?", text) for text in texts.values()):
        return False

    def under_group(col: int) -> bool:
        if col >= len(header):
            return False
        starts_group = col + 1 < len(header) and header[col + 1].merged_left
        return header[col].merged_left or starts_group or not header[col].text.strip()

    return any(under_group(col) for col in texts)
