"""考评 reads, one module per subject (every page reads a bounded number of queries, whatever the
number of units or lines): who may see what (access), runs and recomputations (runs), rankings and the
bulletin's annex (rankings), a unit's sheet (sheets), 减负 (burden), and the leader's scores (cockpit)."""

from .access import can_see_ranking, can_see_sheet, leader_unit_ids
from .burden import BurdenRow, CapRow, burden_rows, cap_rows
from .cockpit import LeaderScores, ScorePoint, UnitLatest, UnitScore, leader_scores, leader_unit_scores
from .rankings import BulletinRank, RankGroup, RankRow, bulletin_ranking, ranking_groups
from .runs import (
    YEAR_NOT_OVER,
    CompareRow,
    RunRow,
    UnitRun,
    periods_closed,
    run_compare,
    run_label,
    run_previous,
    run_rows,
    unit_runs,
    year_over,
)
from .sheets import Sheet, SheetLine, sheet_of

__all__ = [
    "YEAR_NOT_OVER",
    "BulletinRank",
    "BurdenRow",
    "CapRow",
    "CompareRow",
    "LeaderScores",
    "RankGroup",
    "RankRow",
    "RunRow",
    "ScorePoint",
    "Sheet",
    "SheetLine",
    "UnitLatest",
    "UnitRun",
    "UnitScore",
    "bulletin_ranking",
    "burden_rows",
    "can_see_ranking",
    "can_see_sheet",
    "cap_rows",
    "leader_scores",
    "leader_unit_ids",
    "leader_unit_scores",
    "periods_closed",
    "ranking_groups",
    "run_compare",
    "run_label",
    "run_previous",
    "run_rows",
    "sheet_of",
    "unit_runs",
    "year_over",
]
