"""审核结果 messages: a report the office returns (退回, one by one or in a batch, or 撤回审核)
goes back to the unit's liaisons as a message, so a returned report never waits for a phone call.

Approvals send nothing: they need no action, and the unit sees them on its pages; a message per
approved report would bury the returns in a month's worth of approvals."""

from __future__ import annotations

from django.urls import reverse

from tasks.models import ProgressReport
from tasks.periods import period_label

from .models import MessageKind
from .services import message_send, unit_liaisons


def report_returned_notify(*, report: ProgressReport, reopened: bool = False) -> None:
    """Tell the report's unit (its active liaisons) that the office returned it, with the office's
    comment and a link to the form for that period. Called inside the decision's transaction; the
    event key holds the report's version, so each return is sent once and a later one again."""
    task, unit = report.task, report.unit
    label = period_label(reporting_period=task.plan.reporting_period, start=report.period)
    what = "撤回了对" if reopened else "退回了"
    link = reverse("tasks:report_edit", args=[task.pk, unit.pk]) + f"?period={report.period:%Y-%m-%d}"
    message_send(
        recipients=unit_liaisons(unit_ids=[unit.pk]),
        kind=MessageKind.REVIEW,
        title=f"进展报告被退回：第{task.number}项 {task.title}"[:200],
        body=(
            f"督查室{what}{unit.name}{label}的进展报告"
            + ("的审核" if reopened else "")
            + f"，请修改后重新提交。\n退回意见：{report.review_comment}"
        ),
        event_key=f"review:report{report.pk}:v{report.version}:returned",
        task=task,
        link=link,
    )
