"""Writes of the trends app: each task's status at the close of a reporting period, kept.

- `snapshot_take(plan=, period=)` — the snapshot of one plan and period, read from the stored
  status (tasks/status/stored.py) with the status rule evaluated on the close day
  (tasks/status/rule.py `status_alias`): one SELECT, then one INSERT per batch of rows.
  Taking a period again replaces it (under the plan's row lock), so a rerun changes nothing.
- `snapshots_take_due()` — the daily job (jobs/schedules.py): every open plan whose latest closed
  period has no snapshot yet gets one.
- `snapshots_backfill(periods=12)` — past periods reconstructed from the reports (an
  approximation, see its docstring): for the demo and after an install.

The close of a period is the later of its last day and its reporting deadline (tasks/periods.py):
until then a unit may still report for it.
"""

from .backfill import snapshot_reconstruct, snapshots_backfill
from .snapshots import CloseClock, Taken, snapshot_take, snapshots_take_due

__all__ = ["CloseClock", "Taken", "snapshot_reconstruct", "snapshot_take", "snapshots_backfill", "snapshots_take_due"]
