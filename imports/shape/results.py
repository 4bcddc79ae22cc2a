"""What the shape stage hands on: the shaped rows, the plan's metadata and identity, the document."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..columns import ColumnPlan
from ..errors import ImportWarning
from ..text import CategoryHeading


@dataclass
class ShapedRow:
    row: int  # as a person finds it in the source (line, sheet row, table row)
    table: str
    number: str
    category: CategoryHeading
    project: str | None
    task: str
    leader: str = ""
    unit: str = ""
    support: str = ""
    note: str = ""
    deadline: str = ""
    city: str = ""
    state: str = ""  # "已撤销" in our own CSV export (an undo snapshot)
    # Fields taken from a merged cell (or, in text formats, an empty cell) above.
    inherited: set[str] = field(default_factory=set)
    # Columns with no field of their own, in the document's order: (header, value).
    extras: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class PlanMeta:
    title: str = ""
    kind: str = ""
    year_start: int | None = None
    year_end: int | None = None
    doc_number: str = ""
    doc_date: dt.date | None = None
    stated_categories: int | None = None
    stated_projects: int | None = None
    stated_tasks: int | None = None
    stated_city_level: int | None = None
    # The district the document belongs to ("" = this installation's, settings.DISTRICT_NAME):
    # its unit aliases are the ones applied, and the aliases it teaches are kept under it.
    district: str = ""


@dataclass(frozen=True)
class PlanIdentity:
    """What identifies a plan besides its district: kind and years, all known."""

    kind: str
    year_start: int
    year_end: int


def plan_identity(meta: PlanMeta) -> PlanIdentity | None:
    """The plan's kind and years, or None while any of them is missing."""
    if not meta.kind or not meta.year_start or not meta.year_end:
        return None
    return PlanIdentity(kind=meta.kind, year_start=meta.year_start, year_end=meta.year_end)


@dataclass
class ShapedDocument:
    format: str
    meta: PlanMeta
    columns: list[str]  # roles present, in table order
    rows: list[ShapedRow]
    warnings: list[ImportWarning]
    # Each distinct header met (tables repeating a header share one): every column and where it went.
    column_plans: list[ColumnPlan] = field(default_factory=list)
