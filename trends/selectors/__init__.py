"""Reads of the trends app: figures over the last periods, from the snapshots, and the leader's cockpit.

Every trend is ONE query over the snapshots (GROUP BY period with conditional counts), through
the (plan, period) index or the (task, period) unique index, whatever the data size:

- `trend_of_plan`, `trend_of_district`, `trend_of_leader` — completion rate (已完成 ÷ tasks),
  reporting rate (tasks every lead unit reported ÷ open tasks with a lead unit), red count, per
  period over the last TREND_PERIODS periods;
- `snapshot_overdue` — the tasks overdue at a period's close (read by the assessment app);
- `leader_cockpit` — the leader page's 领导驾驶舱: figures by light, final states of closed plans,
  the trend, and the drill-down unit → task → latest report.
"""

from .cockpit import (
    ClosedPlan,
    Cockpit,
    DrillTask,
    DrillUnit,
    LatestReport,
    leader_cockpit,
    leader_get_for,
    summary_of_rows,
)
from .trends import (
    TREND_PERIODS,
    Trend,
    TrendPoint,
    snapshot_overdue,
    trend_of_district,
    trend_of_leader,
    trend_of_plan,
    trend_periods,
)

__all__ = [
    "TREND_PERIODS",
    "ClosedPlan",
    "Cockpit",
    "DrillTask",
    "DrillUnit",
    "LatestReport",
    "Trend",
    "TrendPoint",
    "leader_cockpit",
    "leader_get_for",
    "snapshot_overdue",
    "summary_of_rows",
    "trend_of_district",
    "trend_of_leader",
    "trend_of_plan",
    "trend_periods",
]
