"""The typed rows that cross from the selectors into the templates, under plain names: a
template reads `task.light`, `task.lead_units`, `task.url`, never an ORM path. Filled by
rows.py (task rows) and the page selectors (figures, charts, categories)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from ..status.summary import Summary


@dataclass(frozen=True)
class Named:
    """A leader or unit as a list shows it: its page and its name."""

    id: int
    name: str
    printed: str = ""  # a unit as the document printed it, when that differs from its name
    url: str = ""


@dataclass(frozen=True)
class OwnReport:
    """A unit's latest report (not a draft) on a task, as the unit's page shows it."""

    period: datetime.date
    status: str
    percent: int | None
    progress: str
    review: str
    comment: str


@dataclass
class TaskRow:
    id: int
    url: str
    number: str
    title: str
    city_level: bool
    withdrawn: bool
    category_id: int
    category: str
    project: str | None
    plan_id: int
    plan_url: str
    plan_title: str
    plan_label: str  # "2025年年度重点工作"
    reporting_period: str
    leaders: list[Named]
    lead_units: list[Named]
    support_units: list[Named]
    due_date: datetime.date | None
    deadline_text: str
    light: str
    status: str  # CurrentStatus value, PENDING included
    percent: int | None
    units_lead: int
    units_reported: int
    is_reported: bool
    is_pending: bool
    unit_role: str | None = None  # on a unit's page: the unit's role on the task
    own: OwnReport | None = None  # on a unit's page: the unit's latest report
    # Where the lists put it: newest plan first, then kind, then its place in the document.
    browse_order: tuple[int, str, int, int] = (0, "", 0, 0)


@dataclass
class ChartRow:
    """One bar of a stacked-bar chart: a label, its page, and its counts."""

    label: str
    url: str | None
    summary: Summary


@dataclass
class FigureRow:
    """A unit or leader with the counts of the tasks it leads (index pages, leader's units)."""

    id: int
    name: str
    url: str
    summary: Summary
    note: str = ""  # the unit's kind or the leader's title
    plans: int = 0

    @property
    def label(self) -> str:
        return self.name


@dataclass
class PlanFigures:
    """A unit's figures on one plan."""

    plan_id: int
    title: str
    summary: Summary
    url: str  # the plan's page


@dataclass
class SilentUnit:
    """A lead unit with open tasks it has not reported on this period, in one plan."""

    plan_id: int
    unit_id: int
    name: str
    missing: int
    url: str  # the unit's page


@dataclass
class CategoryRow:
    id: int
    order: int
    name: str
    url: str
    project_count: int
    stated_count: int | None
    summary: Summary = field(default_factory=Summary)

    @property
    def label(self) -> str:
        return self.name

    @property
    def found_count(self) -> int:
        return self.summary.total

    @property
    def matches(self) -> bool:
        return self.stated_count is None or self.stated_count == self.found_count
