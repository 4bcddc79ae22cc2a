"""考评 writes: rule versions, computing, freezing and publishing runs, manual adjustments, the
report-frequency cap, and the job that scores each period at its close.

Only the office (督查室) and the system administrator write here; every write is atomic and
recorded in the security audit log (accounts.audit)."""

from .burden import plan_report_cap_set, plan_reporting_check
from .common import FROZEN, OFFICE_ONLY
from .rules import rule_set_for_plan_create, rule_version_create
from .runs import (
    adjustment_create,
    score_run_compute,
    score_run_freeze,
    score_run_publish,
    scores_close_due,
    scores_close_due_scheduled,
)

__all__ = [
    "FROZEN",
    "OFFICE_ONLY",
    "adjustment_create",
    "plan_report_cap_set",
    "plan_reporting_check",
    "rule_set_for_plan_create",
    "rule_version_create",
    "score_run_compute",
    "score_run_freeze",
    "score_run_publish",
    "scores_close_due",
    "scores_close_due_scheduled",
]
