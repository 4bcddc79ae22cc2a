"""The score rule: a pure function of the events and the rule figures (no database).

Each event gives one line: its kind's points (negative for a deduction) times the weight of the
unit's role on the task (牵头 or 配合). Then, per unit and kind, a capped kind gets one 封顶 line
that gives back what goes beyond the cap, so a sheet's lines always add up to its total:

    total = base + sum(lines)

tests/test_assessment_scoring.py checks this against a plain model of the rule with hypothesis.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from tasks.choices import UnitKind

from .models import LineKind

ROLE_LEAD = "lead"
ROLE_SUPPORT = "support"
CENT = Decimal("0.01")

# Deductions take points off; bonuses add them. Manual adjustments carry their own sign.
DEDUCTIONS = (
    LineKind.MISSING,
    LineKind.LATE,
    LineKind.RETURNED,
    LineKind.OVERDUE,
    LineKind.UNFINISHED,
    LineKind.MOSTLY_DONE,
)
BONUSES = (LineKind.EARLY, LineKind.PRAISE)


@dataclass(frozen=True)
class Figures:
    """A rule version's figures, as plain values (RuleVersion.figures())."""

    base: Decimal
    points: dict[str, Decimal]  # kind -> points per event (positive)
    caps: dict[str, Decimal | None]  # cap group -> most points of that group on one sheet
    lead_weight: Decimal
    support_weight: Decimal

    def weight(self, role: str) -> Decimal:
        return self.lead_weight if role == ROLE_LEAD else self.support_weight


# Kinds that share one cap (年终 未完成 and 基本完成 are one group).
CAP_GROUP: dict[str, str] = {
    LineKind.MISSING: "missing",
    LineKind.LATE: "late",
    LineKind.RETURNED: "returned",
    LineKind.OVERDUE: "overdue",
    LineKind.UNFINISHED: "yearend",
    LineKind.MOSTLY_DONE: "yearend",
    LineKind.EARLY: "early",
    LineKind.PRAISE: "praise",
}


@dataclass(frozen=True)
class Event:
    kind: str
    unit_id: int
    role: str = ROLE_LEAD
    task_id: int | None = None
    period: dt.date | None = None
    report_id: int | None = None
    instruction_id: int | None = None
    adjustment_id: int | None = None
    points: Decimal | None = None  # manual adjustments only
    note: str = ""


@dataclass(frozen=True)
class Line:
    unit_id: int
    kind: str
    points: Decimal
    event: Event | None = None
    capped_kind: str = ""  # for a 封顶 line: the cap group it limits


@dataclass
class Total:
    unit_id: int
    total: Decimal
    deducted: Decimal = Decimal(0)
    added: Decimal = Decimal(0)
    lines: int = 0
    kinds: dict[str, Decimal] = field(default_factory=dict)


def event_points(*, event: Event, figures: Figures) -> Decimal:
    if event.kind == LineKind.MANUAL:
        return (event.points or Decimal(0)).quantize(CENT)
    points = figures.points.get(event.kind, Decimal(0)) * figures.weight(event.role)
    return (-points if event.kind in DEDUCTIONS else points).quantize(CENT)


def score_lines(*, events: Iterable[Event], figures: Figures) -> list[Line]:
    """The lines of every sheet: one per event, then one 封顶 line per unit and capped group over its cap."""
    lines: list[Line] = []
    sums: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for event in events:
        points = event_points(event=event, figures=figures)
        lines.append(Line(unit_id=event.unit_id, kind=event.kind, points=points, event=event))
        group = CAP_GROUP.get(event.kind)
        if group is not None:
            sums[(event.unit_id, group)] += points
    for (unit_id, group), total in sorted(sums.items()):
        cap = figures.caps.get(group)
        if cap is None or abs(total) <= cap:
            continue
        over = abs(total) - cap
        # Give back what goes beyond the cap, with the opposite sign.
        lines.append(
            Line(
                unit_id=unit_id,
                kind=LineKind.CAP,
                points=(over if total < 0 else -over).quantize(CENT),
                capped_kind=group,
            )
        )
    return lines


DEDUCTION_GROUPS = {CAP_GROUP[kind] for kind in DEDUCTIONS}


def _is_deduction(line: Line) -> bool:
    """Which side a line counts on: a 封顶 line on its group's side, a manual one by its sign."""
    if line.kind == LineKind.CAP:
        return line.capped_kind in DEDUCTION_GROUPS
    if line.kind == LineKind.MANUAL:
        return line.points < 0
    return line.kind in DEDUCTIONS


def score_totals(*, lines: Sequence[Line], figures: Figures, unit_ids: Iterable[int]) -> dict[int, Total]:
    """Every unit's total (units without lines keep the base score)."""
    totals = {unit_id: Total(unit_id=unit_id, total=figures.base) for unit_id in unit_ids}
    for line in lines:
        total = totals.setdefault(line.unit_id, Total(unit_id=line.unit_id, total=figures.base))
        total.total += line.points
        total.lines += 1
        if _is_deduction(line):
            total.deducted -= line.points
        else:
            total.added += line.points
        total.kinds[line.kind] = total.kinds.get(line.kind, Decimal(0)) + line.points
    return totals


# Ranking groups, in the order the pages show them: a unit is ranked among the units of its group
# (镇 and 街道 together). 泛指 units (相关单位, 各街镇) are in none and are not ranked.
KIND_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("区级部门", (UnitKind.DEPARTMENT,)),
    ("镇、街道", (UnitKind.TOWN, UnitKind.STREET)),
    ("企业/集团", (UnitKind.COMPANY,)),
    ("其他", (UnitKind.OTHER,)),
)
_GROUP_OF_KIND = {kind: label for label, kinds in KIND_GROUPS for kind in kinds}


def kind_group(kind: str) -> str | None:
    """The ranking group of a unit kind (None: not ranked)."""
    return _GROUP_OF_KIND.get(kind)


def ranks(*, totals: dict[int, Decimal], kinds: dict[int, str]) -> dict[int, int]:
    """Rank within each ranking group (`kind_group` of each unit's kind), best first; equal totals
    share a rank (1, 1, 3)."""
    by_kind: dict[str, list[tuple[Decimal, int]]] = defaultdict(list)
    for unit_id, total in totals.items():
        by_kind[kind_group(kinds.get(unit_id, "")) or ""].append((total, unit_id))
    result: dict[int, int] = {}
    for rows in by_kind.values():
        rows.sort(key=lambda row: (-row[0], row[1]))
        previous: Decimal | None = None
        rank = 0
        for position, (total, unit_id) in enumerate(rows, start=1):
            if total != previous:
                rank, previous = position, total
            result[unit_id] = rank
    return result
