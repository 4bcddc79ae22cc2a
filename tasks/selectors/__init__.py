"""Reads: every query a page needs, with its aggregation done in SQL. One module per page.

    dashboard  — 首页: every plan's counts, one district's plans in full, units silent this period
    plans      — a plan and its categories: counts checked against the document, the task tree
    units      — 单位: the unit index, a unit's tasks, figures and reports to fix
    leaders    — 牵头领导: the leader index, a leader's tasks, figures and units
    tasks      — a task as a row, the search's base, task sets for the documents
    reports    — the review queue, the report form's current and previous report, its period
    task_page  — the task page: the task, its timeline, stagnation, history, year-end state
    report_changes — what a report changes against the previous one (the form's and the queue's diff)
    report_form    — the 批示 the report form asks 落实情况 for
    history    — 修改记录: the change history in Chinese
    reminders  — per unit: what it has not reported, what turned yellow or red
    exports    — the rows every export reads (ledger, 督查通报, 督办单)
    rows       — the typed rows these return to the templates

Every figure counts with the status rule of tasks.status (one home: stored.py, rule.py,
summary.py), reached through `Task.objects.with_status(clock)` and the link querysets.
The names below are re-exported so callers can write `selectors.plan_tree(...)`.
"""

from ..status.clock import Clock
from .dashboard import Dashboard, PlanOverview, dashboard_overview, units_silent_list
from .exports import ExportRow, export_rows
from .history import HistoryEntry, history_value, task_history
from .leaders import (
    LEADER_SORTS,
    leader_get,
    leader_rows_reuse,
    leader_summary,
    leader_summary_list,
    leader_task_list,
    leader_unit_list,
)
from .plans import (
    CategoryBlock,
    ProjectGroup,
    category_get,
    category_list_with_counts,
    plan_find,
    plan_get,
    plan_list_with_counts,
    plan_tree,
)
from .reminders import ReminderTask, UnitOwing, UnitReminder, reminder_list, units_owing_list
from .reports import (
    TIMELINE_PERIODS,
    TaskPage,
    report_current,
    report_form_target,
    report_of_period,
    report_pending_list,
    report_timeline,
    task_is_stagnant,
    task_page,
    task_report_list,
)
from .row_types import CategoryRow, ChartRow, FigureRow, Named, OwnReport, TaskRow
from .tasks import (
    overdue_tasks,
    silent_links,
    task_get,
    task_rows,
    task_search_base,
    task_search_ids,
    task_set_summary,
    task_status_row,
)
from .units import (
    UNIT_KIND_FILTERS,
    UNIT_SORTS,
    ReportsToFix,
    UnitSummary,
    UnitTasks,
    unit_get,
    unit_reports_to_fix,
    unit_resolve,
    unit_summary,
    unit_summary_list,
    unit_task_list,
)
from .version import Scope, data_version, scope_version

__all__ = [
    "LEADER_SORTS",
    "TIMELINE_PERIODS",
    "UNIT_KIND_FILTERS",
    "UNIT_SORTS",
    "CategoryBlock",
    "CategoryRow",
    "ChartRow",
    "Clock",
    "Dashboard",
    "ExportRow",
    "FigureRow",
    "HistoryEntry",
    "Named",
    "OwnReport",
    "PlanOverview",
    "ProjectGroup",
    "ReminderTask",
    "ReportsToFix",
    "Scope",
    "TaskPage",
    "TaskRow",
    "UnitOwing",
    "UnitReminder",
    "UnitSummary",
    "UnitTasks",
    "category_get",
    "category_list_with_counts",
    "dashboard_overview",
    "data_version",
    "export_rows",
    "history_value",
    "leader_get",
    "leader_rows_reuse",
    "leader_summary",
    "leader_summary_list",
    "leader_task_list",
    "leader_unit_list",
    "overdue_tasks",
    "plan_find",
    "plan_get",
    "plan_list_with_counts",
    "plan_tree",
    "reminder_list",
    "report_current",
    "report_form_target",
    "report_of_period",
    "report_pending_list",
    "report_timeline",
    "scope_version",
    "silent_links",
    "task_get",
    "task_history",
    "task_is_stagnant",
    "task_page",
    "task_report_list",
    "task_rows",
    "task_search_base",
    "task_search_ids",
    "task_set_summary",
    "task_status_row",
    "unit_get",
    "unit_reports_to_fix",
    "unit_resolve",
    "unit_summary",
    "unit_summary_list",
    "unit_task_list",
    "units_owing_list",
    "units_silent_list",
]
