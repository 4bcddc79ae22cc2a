"""The tasks app's pages, one module per subject; urls.py reaches them through these names.

browse   — dashboard, plan and category, units, leaders, the landing redirect
task     — the task page, the due-date edit
reports  — the report form
review   — review, the review queue, 批量审核, 撤回审核
attachments — a report's attachment, downloaded or previewed
search   — the task search, the Excel ledger, the plan as CSV
caching  — the cached fragments' key
"""

from .attachments import attachment_download
from .browse import (
    category_detail,
    dashboard,
    landing,
    leader_detail,
    leader_index,
    plan_detail,
    unit_by_name,
    unit_detail,
    unit_index,
    unit_print,
)
from .reports import report_edit
from .review import report_reopen, report_review, review_queue
from .search import plan_export_csv_view, task_export_xlsx, task_search
from .task import task_detail, task_due_date

__all__ = [
    "attachment_download",
    "category_detail",
    "dashboard",
    "landing",
    "leader_detail",
    "leader_index",
    "plan_detail",
    "plan_export_csv_view",
    "report_edit",
    "report_reopen",
    "report_review",
    "review_queue",
    "task_detail",
    "task_due_date",
    "task_export_xlsx",
    "task_search",
    "unit_by_name",
    "unit_detail",
    "unit_index",
    "unit_print",
]
