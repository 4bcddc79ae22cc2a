"""`Column` and `ColumnPlan`: every column under one header, its role, and where its values go."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from ..text import quarter_of
from .names import _SOURCE_LABELS, DESTINATIONS, EXTRA, ROLE_CHOICES, SKIP, header_key


@dataclass
class Column:
    index: int
    header: str  # as printed (cleaned); "组/子" for a column under a merged group header
    role: str  # a COLUMN_LABELS key, EXTRA or SKIP
    source: str  # "name" | "context" | "content" | "mapping" | "layout"
    samples: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def key(self) -> str:
        return header_key(self.header)

    @property
    def role_label(self) -> str:
        return dict(ROLE_CHOICES).get(self.role, self.role)

    @property
    def destination(self) -> str:
        if self.role == EXTRA and quarter_of(self.header) is not None:
            return DESTINATIONS[EXTRA] + "，并作为新增任务的季度阶段目标（一年期规划）"
        return DESTINATIONS.get(self.role, self.role)

    @property
    def source_label(self) -> str:
        return _SOURCE_LABELS.get(self.source, self.source)

    def describe(self) -> str:
        """One line of the import report: where this column's values went."""
        shown = self.header or f"第{self.index + 1}列（无列名）"
        note = f"；{self.note}" if self.note else ""
        return f"“{shown}” → {self.destination}（{self.source_label}{note}）"


@dataclass
class ColumnPlan:
    """The header of one table: where it is, and every column's role."""

    header_index: int  # the last header row (data starts after it)
    columns: list[Column]
    inferred: list[Column] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)  # every header cell's text, blank ones too

    @cached_property
    def mapping(self) -> dict[int, str]:
        """Field columns only (index → role), as the shaper reads rows."""
        return {c.index: c.role for c in self.columns if c.role not in (EXTRA, SKIP)}

    def extras(self) -> list[Column]:
        return [c for c in self.columns if c.role == EXTRA]

    def skipped(self) -> list[Column]:
        return [c for c in self.columns if c.role == SKIP]

    @property
    def signature(self) -> str:
        """The header as a digest: what a saved layout is keyed by."""
        return header_signature(self.headers)


def header_signature(headers: Sequence[str]) -> str:
    return hashlib.sha256("|".join(header_key(h) for h in headers).encode()).hexdigest()
