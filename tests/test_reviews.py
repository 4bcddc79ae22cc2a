"""notifications.reviews: a returned report reaches the unit's liaisons as a 审核结果 message."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Message, MessageKind
from tasks.models import ProgressStatus, Task, Unit
from tasks.services import (
    ReportInput,
    report_approve,
    report_reopen,
    report_return,
    report_review_batch,
    report_save,
)

PERIOD = dt.date(2025, 6, 1)  # the current period on tests.factories.TODAY
GOOD = ReportInput(status=ProgressStatus.IN_PROGRESS, percent=40, progress_text="完成方案编制。")


@pytest.fixture(autouse=True)
def _june(pinned_clock):
    """Reports are filed for the current period: today is 2025-06-15."""


@pytest.fixture
def keji_task(seed_plans):
    """2025 item 4: lead unit 区科委 only."""
    return Task.objects.get(plan__kind="annual", number="4")


def _submitted(task, liaison):
    return report_save(
        user=liaison, task=task, unit=Unit.objects.get(name="区科委"), period=PERIOD, data=GOOD, version=None
    )


def test_a_return_sends_the_comment_and_the_forms_link_to_the_units_liaisons(
    keji_task, liaison_user, office_user, user_make, locmem_mail, django_capture_on_commit_callbacks
):
    from tasks.models import Role

    liaison_user.email = "keji@example.gov.cn"
    liaison_user.save()
    other = user_make("fagai", Role.LIAISON, units=["区发展改革委"])
    report = _submitted(keji_task, liaison_user)
    with django_capture_on_commit_callbacks(execute=True):
        report_return(user=office_user, report=report, version=1, comment="请补充走访企业名单。")
    [message] = Message.objects.filter(kind=MessageKind.REVIEW)
    assert message.recipient == liaison_user
    assert message.title == f"进展报告被退回：第4项 {keji_task.title}"[:200]
    assert message.body == "督查室退回了区科委2025年6月的进展报告，请修改后重新提交。\n退回意见：请补充走访企业名单。"
    unit = Unit.objects.get(name="区科委")
    assert message.link == reverse("tasks:report_edit", args=[keji_task.pk, unit.pk]) + "?period=2025-06-01"
    assert not Message.objects.filter(recipient=other).exists()
    # Through Django's mail backend, as every message.
    assert [(m.to, m.subject) for m in mail.outbox] == [(["keji@example.gov.cn"], f"【任务跟踪】{message.title}")]


def test_each_return_is_sent_once_and_approvals_send_nothing(keji_task, liaison_user, office_user):
    report = _submitted(keji_task, liaison_user)
    report_return(user=office_user, report=report, version=1, comment="第一次退回。")
    revised = report_save(
        user=liaison_user, task=keji_task, unit=report.unit, period=PERIOD, data=GOOD, version=report.version + 1
    )
    report_return(user=office_user, report=revised, version=revised.version, comment="第二次退回。")
    bodies = list(Message.objects.filter(kind=MessageKind.REVIEW).order_by("pk").values_list("body", flat=True))
    assert [b.rsplit("：", 1)[1] for b in bodies] == ["第一次退回。", "第二次退回。"]
    again = report_save(
        user=liaison_user, task=keji_task, unit=report.unit, period=PERIOD, data=GOOD, version=revised.version + 1
    )
    report_approve(user=office_user, report=again, version=again.version)
    assert Message.objects.filter(kind=MessageKind.REVIEW).count() == 2


def test_a_batch_return_and_a_reopen_each_send_one(keji_task, liaison_user, office_user):
    report = _submitted(keji_task, liaison_user)
    report_review_batch(user=office_user, versions={report.pk: 1}, approve=False, comment="批量退回：数据不全。")
    assert list(Message.objects.filter(kind=MessageKind.REVIEW).values_list("body", flat=True)) == [
        "督查室退回了区科委2025年6月的进展报告，请修改后重新提交。\n退回意见：批量退回：数据不全。"
    ]
    resubmitted = report_save(user=liaison_user, task=keji_task, unit=report.unit, period=PERIOD, data=GOOD, version=2)
    approved = report_approve(user=office_user, report=resubmitted, version=resubmitted.version)
    report_reopen(user=office_user, report=approved, version=approved.version, reason="投资数据有误。")
    latest = Message.objects.filter(kind=MessageKind.REVIEW).latest("pk")
    assert latest.body == "督查室撤回了对区科委2025年6月的进展报告的审核，请修改后重新提交。\n退回意见：投资数据有误。"
    assert Message.objects.filter(kind=MessageKind.REVIEW).count() == 2
