"""What the import pipeline tells people: refusals (nothing written) and warnings
(imported, but somebody should look). Messages are Chinese because users read
them; each names the row, the column and the raw text where there is one."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


def _location(row: int | None, column: str | None, number: str | None = None) -> str:
    parts = []
    if row is not None:
        parts.append(f"第{row}行")
    if number:
        parts.append(f"（序号{number}）")
    if column:
        parts.append(f"“{column}”列")
    return "".join(parts)


def _quote(raw: str | None, limit: int = 80) -> str:
    if raw is None:
        return ""
    shown = raw if len(raw) <= limit else raw[:limit] + "…"
    return f"（原文：“{shown}”）"


class ImportRefused(Exception):
    """The file cannot be imported; the database has not been touched."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None, raw: str | None = None):
        self.message = message
        self.row = row
        self.column = column
        self.raw = raw
        super().__init__(str(self))

    def __str__(self) -> str:
        location = _location(self.row, self.column)
        return f"{location}{'：' if location else ''}{self.message}{_quote(self.raw)}"


@dataclass(frozen=True)
class ImportWarning:
    """Something imported that a person should check, with where it came from."""

    code: str
    message: str
    row: int | None = None
    column: str | None = None
    raw: str | None = None
    suggestion: list[str] = field(default_factory=list)
    number: str | None = None  # the task's printed number, where the row has one

    def __str__(self) -> str:
        location = _location(self.row, self.column, self.number)
        text = f"{location}{'：' if location else ''}{self.message}{_quote(self.raw)}"
        if self.suggestion:
            text += f"；建议：{' + '.join(self.suggestion)}"
        return text

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["text"] = str(self)
        return data
