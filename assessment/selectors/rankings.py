"""Rankings by unit kind with the change since the previous period, and the frozen ranking the
督查通报 carries as its annex 4."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ..models import RunState, Scope, ScoreRun
from ..scoring import KIND_GROUPS, kind_group
from .runs import run_previous


@dataclass(frozen=True)
class RankRow:
    unit_id: int
    unit_name: str
    total: Decimal
    deducted: Decimal
    added: Decimal
    rank: int
    previous_total: Decimal | None
    previous_rank: int | None

    @property
    def change(self) -> Decimal | None:
        return None if self.previous_total is None else self.total - self.previous_total

    @property
    def rank_change(self) -> int | None:
        """Places gained (positive) since the previous period."""
        return None if self.previous_rank is None else self.previous_rank - self.rank


@dataclass
class RankGroup:
    label: str
    rows: list[RankRow] = field(default_factory=list)


def ranking_groups(*, run: ScoreRun, unit_ids: set[int] | None = None) -> list[RankGroup]:
    """Units by ranking group, best first, with their total and rank in the previous period
    (2 queries). The rank was given within the group when the run was computed (scoring.ranks)."""
    previous = run_previous(run=run)
    before = {u: (t, r) for u, t, r in previous.sheets.values_list("unit_id", "total", "rank")} if previous else {}
    sheets = run.sheets.select_related("unit").order_by("rank", "unit__name")
    if unit_ids is not None:
        sheets = sheets.filter(unit_id__in=unit_ids)
    groups = {label: RankGroup(label=label) for label, _ in KIND_GROUPS}
    for sheet in sheets:
        label = kind_group(sheet.unit_kind)
        if label is None:
            continue
        old = before.get(sheet.unit_id)
        groups[label].rows.append(
            RankRow(
                unit_id=sheet.unit_id,
                unit_name=sheet.unit.name,
                total=sheet.total,
                deducted=sheet.deducted,
                added=sheet.added,
                rank=sheet.rank,
                previous_total=old[0] if old else None,
                previous_rank=old[1] if old else None,
            )
        )
    return [group for group in groups.values() if group.rows]


@dataclass(frozen=True)
class BulletinRank:
    group: str
    rank: int
    unit_name: str
    total: Decimal
    change: Decimal | None


def bulletin_ranking(*, plan_id: int, period: dt.date) -> list[BulletinRank]:
    """The frozen (定稿) ranking of a plan's period, for the bulletin's annex; none while it is a draft."""
    run = (
        ScoreRun.objects.filter(plan_id=plan_id, scope=Scope.PERIOD, period=period, state=RunState.FROZEN)
        .select_related("plan")
        .first()
    )
    if run is None:
        return []
    return [
        BulletinRank(group=group.label, rank=row.rank, unit_name=row.unit_name, total=row.total, change=row.change)
        for group in ranking_groups(run=run)
        for row in group.rows
    ]
