"""Progress reports: lifecycle, validation, optimistic locking, attachments, due dates."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tasks.models import Plan, ProgressReport, ProgressStatus, ReportAttachment, ReviewState, Task, TaskStatus, Unit
from tasks.periods import period_label, period_start, previous_period
from tasks.services import (
    ReportConflict,
    ReportInput,
    attachment_add,
    report_approve,
    report_reopen,
    report_return,
    report_save,
    task_due_date_set,
)

PERIOD = dt.date(2025, 6, 1)  # the current period on tests.factories.TODAY
GOOD = ReportInput(
    status=ProgressStatus.IN_PROGRESS, percent=40, progress_text="完成方案编制。", next_steps="推进实施。"
)


@pytest.fixture(autouse=True)
def _june(pinned_clock):
    """Reports are filed for the current period (services.report_period_check): today is 2025-06-15."""


@pytest.fixture
def keji_task(seed_plans):
    """2025 item 4: lead unit 区科委 only."""
    return Task.objects.get(plan__kind="annual", number="4")


@pytest.fixture
def keji():
    return Unit.objects.get(name="区科委")


def test_lifecycle_submit_return_revise_approve(keji_task, keji, liaison_user, office_user):
    report = report_save(user=liaison_user, task=keji_task, unit=keji, period=PERIOD, data=GOOD, version=None)
    assert (report.review_state, report.version, report.reported_by) == (ReviewState.SUBMITTED, 1, liaison_user)
    returned = report_return(user=office_user, report=report, version=1, comment="请补充数据。")
    assert (returned.review_state, returned.review_comment, returned.version) == (
        ReviewState.RETURNED,
        "请补充数据。",
        2,
    )
    revised = report_save(
        user=liaison_user,
        task=keji_task,
        unit=keji,
        period=PERIOD,
        data=ReportInput(status=ProgressStatus.IN_PROGRESS, percent=55, progress_text="已补充。"),
        version=2,
    )
    assert (revised.review_state, revised.percent, revised.version, revised.review_comment) == (
        ReviewState.SUBMITTED,
        55,
        3,
        "",
    )
    approved = report_approve(user=office_user, report=revised, version=3)
    assert (approved.review_state, approved.reviewed_by) == (ReviewState.APPROVED, office_user)
    # The history keeps every step, with who did it.
    steps = list(approved.history.order_by("history_date").values_list("review_state", "history_user__username"))
    assert steps == [
        ("submitted", "liaison"),
        ("returned", "duchashi"),
        ("submitted", "liaison"),
        ("approved", "duchashi"),
    ]


def test_approved_report_cannot_be_changed_by_the_unit(keji_task, keji, liaison_user, office_user):
    report = report_save(user=liaison_user, task=keji_task, unit=keji, period=PERIOD, data=GOOD, version=None)
    report_approve(user=office_user, report=report, version=1)
    with pytest.raises(ValidationError, match="已审核通过"):
        report_save(user=liaison_user, task=keji_task, unit=keji, period=PERIOD, data=GOOD, version=2)


def test_concurrent_edit_gets_a_conflict_not_a_lost_update(keji_task, keji, liaison_user, office_user):
    report_save(user=liaison_user, task=keji_task, unit=keji, period=PERIOD, data=GOOD, version=None)
    # Both opened version 1; the office saves first.
    mine = ReportInput(status=ProgressStatus.IN_PROGRESS, percent=60, progress_text="督查室补充。")
    report_save(user=office_user, task=keji_task, unit=keji, period=PERIOD, data=mine, version=1)
    theirs = ReportInput(status=ProgressStatus.IN_PROGRESS, percent=45, progress_text="联络员的修改。")
    with pytest.raises(ReportConflict) as conflict:
        report_save(user=liaison_user, task=keji_task, unit=keji, period=PERIOD, data=theirs, version=1)
    assert conflict.value.current.percent == 60
    assert conflict.value.current.progress_text == "督查室补充。"
    assert "已被duchashi于" in str(conflict.value) and "您的修改未被写入" in str(conflict.value)
    assert keji_task.reports.get().percent == 60


def test_two_new_reports_for_the_same_period_conflict(keji_task, keji, liaison_user, office_user):
    report_save(user=liaison_user, task=keji_task, unit=keji, period=PERIOD, data=GOOD, version=None)
    with pytest.raises(ReportConflict):
        report_save(user=office_user, task=keji_task, unit=keji, period=PERIOD, data=GOOD, version=None)


def test_review_needs_the_current_version_and_a_submitted_report(keji_task, keji, liaison_user, office_user):
    report = report_save(
        user=liaison_user, task=keji_task, unit=keji, period=PERIOD, data=GOOD, version=None, submit=False
    )
    with pytest.raises(ValidationError, match="只能审核"):
        report_approve(user=office_user, report=report, version=1)
    submitted = report_save(user=liaison_user, task=keji_task, unit=keji, period=PERIOD, data=GOOD, version=1)
    with pytest.raises(ReportConflict):
        report_approve(user=office_user, report=submitted, version=1)
    with pytest.raises(ValidationError, match="退回时请填写退回意见"):
        report_return(user=office_user, report=submitted, version=2, comment="  ")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (ReportInput(status="finished", percent=10, progress_text="x"), "status", "请选择有效的进展状态。"),
        (
            ReportInput(status=ProgressStatus.IN_PROGRESS, percent=101, progress_text="x"),
            "percent",
            "完成百分比应在 0 到 100 之间。",
        ),
        (
            ReportInput(status=ProgressStatus.IN_PROGRESS, percent=-1, progress_text="x"),
            "percent",
            "完成百分比应在 0 到 100 之间。",
        ),
        (
            ReportInput(status=ProgressStatus.DONE, percent=90, progress_text="x"),
            "percent",
            "状态为“已完成”时，完成百分比应为 100。",
        ),
        (ReportInput(status=ProgressStatus.IN_PROGRESS, percent=10), "progress_text", "请填写进展情况。"),
        (
            ReportInput(status=ProgressStatus.BEHIND, percent=10, progress_text="x"),
            "problems",
            "状态为“滞后”时，请填写存在问题。",
        ),
    ],
)
def test_invalid_reports_are_refused_with_a_message(keji_task, keji, liaison_user, data, field, message):
    with pytest.raises(ValidationError) as refused:
        report_save(user=liaison_user, task=keji_task, unit=keji, period=PERIOD, data=data, version=None)
    assert refused.value.message_dict[field] == [message]
    assert not keji_task.reports.exists()


def test_liaison_cannot_report_for_another_units_task(seed_plans, liaison_user):
    task = Task.objects.get(plan__kind="annual", number="2")  # 区发展改革委
    unit = Unit.objects.get(name="区发展改革委")
    with pytest.raises(PermissionDenied, match="本单位牵头的任务"):
        report_save(user=liaison_user, task=task, unit=unit, period=PERIOD, data=GOOD, version=None)
    # Nor claim to be a lead unit the task does not have.
    with pytest.raises(PermissionDenied):
        report_save(
            user=liaison_user, task=task, unit=Unit.objects.get(name="区科委"), period=PERIOD, data=GOOD, version=None
        )


def test_leader_and_outsider_cannot_write(keji_task, keji, leader_user, outsider_user):
    for user in (leader_user, outsider_user):
        with pytest.raises(PermissionDenied):
            report_save(user=user, task=keji_task, unit=keji, period=PERIOD, data=GOOD, version=None)


def test_multi_unit_task_gets_one_report_per_lead_unit(seed_plans, office_user):
    task = Task.objects.get(plan__kind="annual", number="10")  # four lead units
    units = [link.unit for link in task.unit_links.order_by("position")]
    assert len(units) == 4
    for unit in units[:2]:
        report_save(user=office_user, task=task, unit=unit, period=PERIOD, data=GOOD, version=None)
    assert task.reports.filter(period=PERIOD).count() == 2


def test_withdrawn_task_takes_no_reports(keji_task, keji, office_user):
    keji_task.state = "withdrawn"
    keji_task.save()
    with pytest.raises(ValidationError, match="已撤销"):
        report_save(user=office_user, task=keji_task, unit=keji, period=PERIOD, data=GOOD, version=None)


def test_attachments_are_limited_in_type_and_size(keji_task, keji, liaison_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_MAX_BYTES = 2048
    report = report_save(user=liaison_user, task=keji_task, unit=keji, period=PERIOD, data=GOOD, version=None)
    ok = attachment_add(user=liaison_user, report=report, upload=SimpleUploadedFile("进展.pdf", b"%PDF-1.4 x"))
    assert ok.original_name == "进展.pdf" and not ok.file.name.endswith(".pdf")
    with pytest.raises(ValidationError, match=re.escape("不支持的附件类型“.html”")):
        attachment_add(user=liaison_user, report=report, upload=SimpleUploadedFile("x.html", b"<script>"))
    with pytest.raises(ValidationError, match="附件不能超过"):
        attachment_add(user=liaison_user, report=report, upload=SimpleUploadedFile("big.pdf", b"0" * 4096))


def test_office_sets_due_dates_with_history(keji_task, office_user, liaison_user):
    with pytest.raises(PermissionDenied):
        task_due_date_set(user=liaison_user, task=keji_task, due_date=dt.date(2025, 9, 30))
    task_due_date_set(user=office_user, task=keji_task, due_date=dt.date(2025, 9, 30))
    latest = keji_task.history.first()
    assert (latest.due_date, latest.history_user, latest.history_change_reason) == (
        dt.date(2025, 9, 30),
        office_user,
        "修改截止日期",
    )


def test_default_due_dates(seed_plans):
    five = Plan.objects.get(kind="five_year")
    assert five.tasks.get(number="1").due_date == dt.date(2025, 12, 31)
    assert Task.objects.get(plan__kind="annual", number="100").due_date == dt.date(2025, 12, 31)


def test_periods():
    assert period_start(reporting_period="monthly", day=dt.date(2025, 5, 17)) == dt.date(2025, 5, 1)
    assert period_start(reporting_period="quarterly", day=dt.date(2025, 5, 17)) == dt.date(2025, 4, 1)
    assert previous_period(reporting_period="monthly", start=dt.date(2025, 1, 1)) == dt.date(2024, 12, 1)
    assert previous_period(reporting_period="quarterly", start=dt.date(2025, 1, 1)) == dt.date(2024, 10, 1)
    assert period_label(reporting_period="quarterly", start=dt.date(2025, 4, 1)) == "2025年第2季度"


# -- 撤回审核: the office sends an approved report back (issue 14, item 4) -----------------


def _approved(task, unit, liaison, office):
    report = report_save(user=liaison, task=task, unit=unit, period=PERIOD, data=GOOD, version=None)
    return report_approve(user=office, report=report, version=1)


def test_office_reopens_an_approved_report_and_the_unit_revises_it(keji_task, keji, liaison_user, office_user):
    approved = _approved(keji_task, keji, liaison_user, office_user)
    # The approval counts in the stored status …
    assert TaskStatus.objects.get(task=keji_task).status == ProgressStatus.IN_PROGRESS
    reopened = report_reopen(user=office_user, report=approved, version=2, reason="  投资数据有误，请更正。 ")
    assert (reopened.review_state, reopened.review_comment, reopened.version, reopened.reviewed_by) == (
        ReviewState.RETURNED,
        "投资数据有误，请更正。",
        3,
        office_user,
    )
    # … and no longer once it is taken back: refreshed in the same write.
    assert TaskStatus.objects.get(task=keji_task).status == "not_reported"
    latest = reopened.history.order_by("-history_date").first()
    assert (latest.history_user, latest.history_change_reason) == (office_user, "撤回审核：投资数据有误，请更正。")
    # The unit can now edit and resubmit it (it could not while approved).
    revised = report_save(
        user=liaison_user,
        task=keji_task,
        unit=keji,
        period=PERIOD,
        data=ReportInput(status=ProgressStatus.IN_PROGRESS, percent=45, progress_text="已更正。"),
        version=3,
    )
    assert (revised.review_state, revised.percent, revised.review_comment) == (ReviewState.SUBMITTED, 45, "")


def test_reopen_needs_a_reason_the_current_version_and_an_approved_report(keji_task, keji, liaison_user, office_user):
    approved = _approved(keji_task, keji, liaison_user, office_user)
    with pytest.raises(ValidationError) as blank:
        report_reopen(user=office_user, report=approved, version=2, reason=" \n ")
    assert blank.value.message_dict == {"reason": ["撤回审核时请填写理由。"]}
    with pytest.raises(ReportConflict):
        report_reopen(user=office_user, report=approved, version=1, reason="有误。")
    report_reopen(user=office_user, report=approved, version=2, reason="有误。")
    with pytest.raises(ValidationError, match=re.escape("只能撤回已审核通过的报告（当前：已退回）。")):
        report_reopen(user=office_user, report=approved, version=3, reason="再次撤回。")
    assert ProgressReport.objects.get(pk=approved.pk).version == 3


def test_only_the_office_may_reopen(keji_task, keji, liaison_user, office_user, leader_user, admin_user):
    approved = _approved(keji_task, keji, liaison_user, office_user)
    for user in (liaison_user, leader_user):
        with pytest.raises(PermissionDenied, match="只有督查室可以撤回审核。"):
            report_reopen(user=user, report=approved, version=2, reason="有误。")
    assert ProgressReport.objects.get(pk=approved.pk).review_state == ReviewState.APPROVED
    assert report_reopen(user=admin_user, report=approved, version=2, reason="有误。").review_state == "returned"


# -- a report and its file: together or not at all (issue 14, items 14 and 17) --------------


def _files(root):
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_a_refused_attachment_saves_nothing(keji_task, keji, liaison_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_EXTENSIONS = ["pdf", "svg"]
    with pytest.raises(ValidationError, match=re.escape("不支持的附件类型“.svg”")):
        report_save(
            user=liaison_user,
            task=keji_task,
            unit=keji,
            period=PERIOD,
            data=GOOD,
            version=None,
            attachment=SimpleUploadedFile("图.svg", b"<svg/>"),
        )
    assert not ProgressReport.objects.exists() and not ReportAttachment.objects.exists()
    assert _files(tmp_path) == []


def test_report_and_attachment_are_saved_together(keji_task, keji, liaison_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = report_save(
        user=liaison_user,
        task=keji_task,
        unit=keji,
        period=PERIOD,
        data=GOOD,
        version=None,
        attachment=SimpleUploadedFile("进展.pdf", b"%PDF-1.4 x"),
    )
    attachment = report.attachments.get()
    assert (attachment.original_name, attachment.size, attachment.uploaded_by) == ("进展.pdf", 10, liaison_user)
    assert _files(tmp_path) == [tmp_path / attachment.file.name]


def test_a_report_on_a_task_that_is_gone_is_refused_clearly(keji_task, keji, office_user):
    # The task was deleted (an undone import) after the page was opened: a clear refusal,
    # not a permission error or a foreign-key failure at commit.
    stale = Task.objects.get(pk=keji_task.pk)
    Task.objects.filter(pk=keji_task.pk).delete()
    with pytest.raises(ValidationError) as refused:
        report_save(user=office_user, task=stale, unit=keji, period=PERIOD, data=GOOD, version=None)
    assert refused.value.messages == ["该任务已不存在（所属导入可能已被回退），进展未保存。请返回规划页面查看。"]
    assert not ProgressReport.objects.exists()


def test_reviewing_a_report_that_is_gone_is_refused_clearly(keji_task, keji, liaison_user, office_user):
    # Its task's import was rolled back after the queue was opened: a clear refusal, not a 500.
    report = report_save(user=liaison_user, task=keji_task, unit=keji, period=PERIOD, data=GOOD, version=None)
    ProgressReport.objects.filter(pk=report.pk).delete()
    Task.objects.filter(pk=keji_task.pk).delete()
    with pytest.raises(ValidationError) as refused:
        report_approve(user=office_user, report=report, version=report.version)
    assert refused.value.messages == ["该报告已不存在，请刷新页面。"]


def test_a_report_on_a_task_withdrawn_since_the_page_opened_is_refused(keji_task, keji, office_user):
    stale = Task.objects.get(pk=keji_task.pk)
    Task.objects.filter(pk=keji_task.pk).update(state="withdrawn")
    with pytest.raises(ValidationError, match="该任务已撤销，不能再填报进展。"):
        report_save(user=office_user, task=stale, unit=keji, period=PERIOD, data=GOOD, version=None)
    assert not ProgressReport.objects.exists()


def test_saving_the_same_due_date_changes_nothing_and_clearing_is_logged(keji_task, office_user):
    before = keji_task.history.count()
    assert task_due_date_set(user=office_user, task=keji_task, due_date=dt.date(2025, 12, 31)) is False
    assert keji_task.history.count() == before
    assert task_due_date_set(user=office_user, task=keji_task, due_date=None) is True
    keji_task.refresh_from_db()
    assert keji_task.due_date is None
    assert keji_task.history.first().history_change_reason == "清除截止日期"


def test_a_due_date_outside_the_plan_years_is_refused_and_nothing_changes(keji_task, office_user):
    before = keji_task.history.count()
    with pytest.raises(ValidationError) as refused:
        task_due_date_set(user=office_user, task=keji_task, due_date=dt.date(2101, 1, 1))
    assert refused.value.message_dict == {"due_date": ["截止日期应在2000-01-01至2100-12-31之间。"]}
    keji_task.refresh_from_db()
    assert (keji_task.due_date, keji_task.history.count()) == (dt.date(2025, 12, 31), before)
