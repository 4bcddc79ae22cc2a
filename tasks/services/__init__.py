"""Writes: every change to the domain goes through a function here. One module per subject:

    reports      — a unit's progress report: checked and saved with its attachments, 落实情况, 阶段目标
    review       — 审核通过, 退回 (one by one or in a batch), 撤回审核
    attachments  — the types and sizes accepted, files stored with their rows or not at all
    due_dates    — the office's edit of a task's due date
    roles        — the role groups and the 系统管理员 group's admin permissions
    common       — ReportConflict, the task-then-report locks, the history note

The names below are re-exported so callers can write `services.report_save(...)` or
`from tasks.services import ReportConflict`.
"""

# The stored status is refreshed by every write path in its own transaction; its home is
# tasks.status.stored, re-exported here because writes reach it through the services.
from ..status.stored import task_status_drift, task_status_refresh
from .attachments import (
    ACTIVE_CONTENT_EXTENSIONS,
    attachment_add,
    attachment_check,
    attachment_extensions,
    file_size_text,
)
from .common import REPORT_GONE_MESSAGE, TASK_GONE_MESSAGE, ReportConflict, history_note
from .due_dates import DUE_DATE_FIRST, DUE_DATE_LAST, due_date_check, task_due_date_set
from .reports import (
    ATTACHMENTS_PER_SAVE,
    ATTACHMENTS_TOO_MANY_MESSAGE,
    BEHIND_REASON_MESSAGE,
    EVIDENCE_MESSAGE,
    OVERDUE_REASON_MESSAGE,
    PERIOD_CLOSED_MESSAGE,
    PLAN_CLOSED_REPORT_MESSAGE,
    PLAN_ENDED_MESSAGE,
    ReportInput,
    report_period_check,
    report_period_in_plan_check,
    report_reason_required,
    report_save,
    report_submit_late,
)
from .review import (
    BATCH_CHANGED_MESSAGE,
    BATCH_EMPTY_MESSAGE,
    BATCH_GONE_MESSAGE,
    report_approve,
    report_reopen,
    report_return,
    report_review_batch,
)
from .roles import ADMIN_ROLE_APPS, ADMIN_ROLE_MODELS, roles_ensure

__all__ = [
    "ACTIVE_CONTENT_EXTENSIONS",
    "ADMIN_ROLE_APPS",
    "ADMIN_ROLE_MODELS",
    "ATTACHMENTS_PER_SAVE",
    "ATTACHMENTS_TOO_MANY_MESSAGE",
    "BATCH_CHANGED_MESSAGE",
    "BATCH_EMPTY_MESSAGE",
    "BATCH_GONE_MESSAGE",
    "BEHIND_REASON_MESSAGE",
    "DUE_DATE_FIRST",
    "DUE_DATE_LAST",
    "EVIDENCE_MESSAGE",
    "OVERDUE_REASON_MESSAGE",
    "PERIOD_CLOSED_MESSAGE",
    "PLAN_CLOSED_REPORT_MESSAGE",
    "PLAN_ENDED_MESSAGE",
    "REPORT_GONE_MESSAGE",
    "TASK_GONE_MESSAGE",
    "ReportConflict",
    "ReportInput",
    "attachment_add",
    "attachment_check",
    "attachment_extensions",
    "due_date_check",
    "file_size_text",
    "history_note",
    "report_approve",
    "report_period_check",
    "report_period_in_plan_check",
    "report_reason_required",
    "report_reopen",
    "report_return",
    "report_review_batch",
    "report_save",
    "report_submit_late",
    "roles_ensure",
    "task_due_date_set",
    "task_status_drift",
    "task_status_refresh",
]
