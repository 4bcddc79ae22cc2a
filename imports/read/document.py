"""What reading gives every later stage: cells, tables and the document around them
(and a document read from numbered paragraphs when there is no table)."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    # Source row numbers a spreadsheet hides: still read, and reported.
    hidden_rows: frozenset[int] = frozenset()


@dataclass
class Document:
    format: str
    tables: list[Table]
    heading: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # How the file was read when it could have been read another way (shown for the admin to confirm).
    reading: str = ""


def prose_document(format_name: str, paragraphs: list[str], *, wrapped: str = "text") -> Document | None:
    """A notice without a table: its numbered paragraphs read as task rows."""
    from ..prose import READING, prose_table

    found = prose_table(paragraphs, wrapped=wrapped)
    if found is None:
        return None
    table, heading, notes = found
    return Document(format=format_name, tables=[table], heading=heading, notes=notes, reading=READING)
