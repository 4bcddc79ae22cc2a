"""The normalised plan: what a document says, ready to compare with the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

from .errors import ImportWarning
from .shape import PlanMeta


class ExtraCell(TypedDict):
    """A column with no field of its own, as Task.extras stores it (JSON)."""

    header: str
    value: str


@dataclass
class ParsedUnitRef:
    name: str  # canonical name (alias resolved) or a new unit's name
    printed: str
    role: str  # "lead" | "support"


@dataclass
class ParsedTask:
    number: str
    position: int
    row: int
    category_order: int
    project: str | None
    text: str
    title: str
    city_level: bool
    note: str
    deadline_text: str
    leaders: list[str]
    units: list[ParsedUnitRef]
    withdrawn: bool = False
    # Columns with no field of their own, in the document's order.
    extras: list[ExtraCell] = field(default_factory=list)

    @property
    def lead_names(self) -> str:
        return "、".join(u.name for u in self.units if u.role == "lead")

    @property
    def support_names(self) -> str:
        return "、".join(u.name for u in self.units if u.role == "support")


@dataclass
class ParsedCategory:
    order: int
    name: str
    stated_count: int | None


@dataclass
class ParsedPlan:
    format: str
    meta: PlanMeta
    columns: list[str]
    categories: list[ParsedCategory]
    projects: list[tuple[int, str]]  # (category order, name) in document order
    tasks: list[ParsedTask]
    new_unit_kinds: dict[str, str] = field(default_factory=dict)  # every unit named -> kind guess
    aliases: dict[str, str] = field(default_factory=dict)  # alias -> canonical unit name
    warnings: list[ImportWarning] = field(default_factory=list)
