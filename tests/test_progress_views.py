"""Recording and reviewing progress in the browser (test client): the lifecycle,
conflicts, history on the task page and landing pages (each role × each write endpoint:
test_permissions.py)."""

import datetime as dt
import errno
import threading
import time

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from tasks.models import ProgressReport, ReportAttachment, ReviewState, Task, TaskStatus, Unit
from tasks.periods import period_start
from tasks.status.clock import Clock
from tests.factories import office_file, report_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today_in_the_seeds_year(pinned_clock):
    """Reports are filed for the current period, and a 2025 plan takes none after 2025: "today" is
    inside the seeds' year (tests.factories.TODAY) in every test here."""


@pytest.fixture
def keji_task(seed_plans):
    return Task.objects.get(plan__kind="annual", number="4")  # lead unit: 区科委


@pytest.fixture
def fagai_task(seed_plans):
    return Task.objects.get(plan__kind="annual", number="2")  # lead unit: 区发展改革委


def unit(name):
    return Unit.objects.get(name=name)


def report_url(task, unit_name):
    return reverse("tasks:report_edit", args=[task.pk, unit(unit_name).pk])


GOOD = {
    "status": "in_progress",
    "percent": "40",
    "progress_text": "完成方案编制。",
    "problems": "审批流程较长。",
    "next_steps": "推进实施。",
    "action": "submit",
}


def test_liaison_records_office_returns_liaison_revises_office_approves(
    keji_task, client_as, liaison_user, office_user, leader_user
):
    liaison = client_as(liaison_user)
    page = liaison.get(reverse("tasks:task", args=[keji_task.pk])).content.decode()
    assert 'data-report-link="区科委"' in page
    form = liaison.get(report_url(keji_task, "区科委"))
    assert form.status_code == 200 and "报送单位：<strong>区科委</strong>" in form.content.decode()
    response = liaison.post(report_url(keji_task, "区科委"), GOOD)
    assert response.status_code == 302
    report = ProgressReport.objects.get(task=keji_task)
    assert (report.review_state, report.period) == (
        ReviewState.SUBMITTED,
        period_start(reporting_period="monthly", day=Clock.now().today),
    )

    # Nothing approved yet: the task says its report awaits review, not that nobody reported.
    page = liaison.get(reverse("tasks:task", args=[keji_task.pk])).content.decode()
    assert "当前状态</dt><dd>待审核" in page.replace("\n", "") and "有待审核的报告" in page

    office = client_as(office_user)
    queue = office.get(reverse("tasks:review_queue")).content.decode()
    assert f'data-report="{report.pk}"' in queue
    office.post(
        reverse("tasks:report_review", args=[report.pk]),
        {"version": 1, "decision": "return", "comment": "请补充投资数据。"},
    )
    report.refresh_from_db()
    assert report.review_state == ReviewState.RETURNED

    form = liaison.get(report_url(keji_task, "区科委")).content.decode()
    assert "督查室退回意见：</strong>请补充投资数据。" in form
    liaison.post(
        report_url(keji_task, "区科委"), {**GOOD, "percent": "55", "progress_text": "已补充投资数据。", "version": 2}
    )
    report.refresh_from_db()
    assert (report.review_state, report.percent, report.version) == (ReviewState.SUBMITTED, 55, 3)
    office.post(reverse("tasks:report_review", args=[report.pk]), {"version": 3, "decision": "approve"})
    report.refresh_from_db()
    assert report.review_state == ReviewState.APPROVED

    # The leader's page now shows the task with its approved status.
    leader_page = client_as(leader_user).get(reverse("tasks:leader", args=[keji_task.leaders.first().pk]))
    assert "推进中" in leader_page.content.decode()
    # The task page keeps the history: who did what.
    task_page = office.get(reverse("tasks:task", args=[keji_task.pk])).content.decode()
    assert task_page.count("区科委") and "审核通过" in task_page and "退回" in task_page and "liaison" in task_page


def test_conflicting_save_shows_the_other_version_and_loses_nothing(keji_task, client_as, liaison_user, office_user):
    liaison, office = client_as(liaison_user), None
    liaison.post(report_url(keji_task, "区科委"), GOOD)
    # Both open version 1; the office saves first.
    from django.test import Client

    office = Client()
    office.force_login(office_user)
    office.post(
        report_url(keji_task, "区科委"), {**GOOD, "percent": "70", "progress_text": "督查室更正。", "version": 1}
    )
    response = liaison.post(
        report_url(keji_task, "区科委"), {**GOOD, "percent": "45", "progress_text": "联络员补充。", "version": 1}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "您的修改未被写入" in html and "督查室更正。" in html and "联络员补充。" in html
    report = ProgressReport.objects.get(task=keji_task)
    assert (report.percent, report.progress_text, report.version) == (70, "督查室更正。", 2)


def test_invalid_report_is_refused_with_field_messages(keji_task, client_as, liaison_user):
    client = client_as(liaison_user)
    cases = [
        ({"percent": "101"}, "完成百分比应在 0 到 100 之间。"),
        ({"percent": "abc"}, "请输入 0 到 100 之间的整数。"),
        ({"status": "done", "percent": "80"}, "状态为“已完成”时，完成百分比应为 100。"),
        ({"status": "behind", "problems": ""}, "状态为“滞后”时，请填写存在问题。"),
        ({"progress_text": ""}, "请填写进展情况。"),
    ]
    for change, message in cases:
        response = client.post(report_url(keji_task, "区科委"), {**GOOD, **change})
        assert response.status_code == 400 and message in response.content.decode(), change
    assert not ProgressReport.objects.exists()


def test_attachment_upload_and_draft_privacy(
    keji_task, client_as, liaison_user, office_user, user_make, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = client_as(liaison_user)
    client.post(
        report_url(keji_task, "区科委"),
        {**GOOD, "action": "draft", "attachment": SimpleUploadedFile("台账.pdf", b"%PDF-1.4 test")},
    )
    attachment = ReportAttachment.objects.get()
    url = reverse("tasks:attachment", args=[attachment.pk])
    download = client.get(url)
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
    # Another unit's liaison cannot read a draft or its attachment by guessing ids.
    from tasks.models import Role

    other = user_make("other-liaison", Role.LIAISON, units=["区经委"])
    assert client_as(other).get(url).status_code == 404
    page = client_as(other).get(reverse("tasks:task", args=[keji_task.pk])).content.decode()
    assert "台账.pdf" not in page and "完成方案编制" not in page
    assert client_as(office_user).get(url).status_code == 200
    html = client.post(
        report_url(keji_task, "区科委"), {**GOOD, "version": 1, "attachment": SimpleUploadedFile("x.html", b"<script>")}
    )
    assert "不支持的附件类型“.html”" in html.content.decode()


def test_office_changes_due_date_and_history_shows_it(keji_task, client_as, office_user, liaison_user):
    url = reverse("tasks:task_due_date", args=[keji_task.pk])
    assert client_as(liaison_user).post(url, {"due_date": "2025-09-30"}).status_code == 403
    client = client_as(office_user)
    client.post(url, {"due_date": "2025-09-30"})
    keji_task.refresh_from_db()
    assert keji_task.due_date == dt.date(2025, 9, 30)
    page = client.get(reverse("tasks:task", args=[keji_task.pk])).content.decode()
    assert "修改截止日期" in page and "duchashi" in page
    assert "截止日期：2025年12月31日 → 2025年9月30日" in page


def test_landing_sends_each_role_to_its_todo_page(seed_plans, client_as, leader_user, liaison_user, office_user):
    # Every role lands on 我的待办 (supervision): what it has to do, each list linking to its page.
    for user in (leader_user, liaison_user, office_user):
        assert client_as(user).get(reverse("tasks:landing"))["Location"] == reverse("supervision:todo")


@pytest.mark.parametrize("role", ["admin_user", "office_user", "liaison_user", "leader_user"])
def test_task_page_query_budget_for_every_role_and_history_length(
    role, request, keji_task, client_as, office_user, django_assert_max_num_queries, settings, tmp_path
):
    """≤ 12 queries (the pages' budget) for every role, and the same count with 3 or 15 reviewed reports."""
    settings.MEDIA_ROOT = tmp_path
    keji = unit("区科委")
    client = client_as(request.getfixturevalue(role))
    url = reverse("tasks:task", args=[keji_task.pk])

    def add_reports(months):
        for month in months:
            report = report_make(
                task=keji_task,
                unit=keji,
                period=dt.date(2024 + month // 12, month % 12 + 1, 1),
                status="in_progress",
                percent=month,
                progress_text="进展。",
                review_state=ReviewState.APPROVED,
                reviewed_by=office_user,
                reported_by=office_user,
                # Both times set: the timeline then names the reporter and the reviewer.
                reported_at=timezone.now(),
                reviewed_at=timezone.now(),
            )
            ReportAttachment.objects.create(
                report=report,
                file=SimpleUploadedFile("a.pdf", b"%PDF"),
                original_name="a.pdf",
                size=4,
                uploaded_by=office_user,
            )

    add_reports(range(3))
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    add_reports(range(3, 15))
    with django_assert_max_num_queries(12) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


# -- the due-date form (issue 14, item 1; the untouched form in a browser: test_browser.py) ---


def test_due_date_form_refuses_a_blank_date_and_clears_only_when_asked(keji_task, client_as, office_user):
    client = client_as(office_user)
    url = reverse("tasks:task_due_date", args=[keji_task.pk])
    page = client.get(reverse("tasks:task", args=[keji_task.pk])).content.decode()
    assert 'type="date" name="due_date" value="2025-12-31"' in page and "清除截止日期" in page

    refused = client.post(url, {"due_date": ""}, follow=True).content.decode()
    assert "请选择截止日期。如需清除截止日期，请勾选“清除截止日期”。" in refused
    keji_task.refresh_from_db()
    assert keji_task.due_date == dt.date(2025, 12, 31)

    same = client.post(url, {"due_date": "2025-12-31"}, follow=True).content.decode()
    assert "截止日期未改变。" in same and "截止日期已更新" not in same

    cleared = client.post(url, {"due_date": "2025-12-31", "clear": "on"}, follow=True).content.decode()
    keji_task.refresh_from_db()
    assert keji_task.due_date is None and "截止日期已清除。" in cleared
    history = cleared.split('id="history"', 1)[1]
    assert "清除截止日期" in history and "None" not in history


# -- 撤回审核 on the task page (issue 14, item 4) ----------------------------------------------


def _approved_report(task, liaison, office):
    liaison.post(report_url(task, "区科委"), GOOD)
    report = ProgressReport.objects.get(task=task)
    office.post(reverse("tasks:report_review", args=[report.pk]), {"version": 1, "decision": "approve"})
    report.refresh_from_db()
    assert report.review_state == ReviewState.APPROVED
    return report


def test_office_reopens_an_approved_report_and_the_liaison_resubmits(
    keji_task, client_as, liaison_user, office_user, django_user_model
):
    from django.test import Client

    liaison = client_as(liaison_user)
    office = Client()
    office.force_login(office_user)
    report = _approved_report(keji_task, liaison, office)
    # The unit cannot change it while approved.
    refused = liaison.post(report_url(keji_task, "区科委"), {**GOOD, "version": 2}).content.decode()
    assert "该报告已审核通过，如需修改请联系督查室撤回审核。" in refused

    page = office.get(reverse("tasks:task", args=[keji_task.pk])).content.decode()
    assert f'data-reopen="{report.pk}"' in page and "撤回审核并退回修改" in page
    url = reverse("tasks:report_reopen", args=[report.pk])
    prefix = f"reopen-{report.pk}"

    blank = office.post(url, {f"{prefix}-version": 2, f"{prefix}-reason": "  "}, follow=True).content.decode()
    assert "撤回审核时请填写理由。" in blank
    report.refresh_from_db()
    assert report.review_state == ReviewState.APPROVED

    done = office.post(url, {f"{prefix}-version": 2, f"{prefix}-reason": "投资数据有误。"}, follow=True)
    assert "已撤回审核，报告已退回区科委修改。" in done.content.decode()
    report.refresh_from_db()
    assert (report.review_state, report.review_comment, report.version) == (ReviewState.RETURNED, "投资数据有误。", 3)
    assert TaskStatus.objects.get(task=keji_task).status == "not_reported"
    history = done.content.decode().split('id="history"', 1)[1]
    assert "撤回审核：投资数据有误。" in history and "duchashi" in history

    # The liaison sees it returned, with the reason, and resubmits it.
    task_page = liaison.get(reverse("tasks:task", args=[keji_task.pk])).content.decode()
    assert f'data-revise="{report.pk}"' in task_page and "投资数据有误。" in task_page
    form = liaison.get(report_url(keji_task, "区科委")).content.decode()
    assert "督查室退回意见：</strong>投资数据有误。" in form
    liaison.post(report_url(keji_task, "区科委"), {**GOOD, "percent": "50", "version": 3})
    report.refresh_from_db()
    assert (report.review_state, report.percent) == (ReviewState.SUBMITTED, 50)


def test_an_earlier_period_reopened_can_be_revised_from_the_task_page(keji_task, client_as, liaison_user, office_user):
    from tasks.services import report_reopen

    keji = unit("区科委")
    earlier = report_make(
        task=keji_task,
        unit=keji,
        period=dt.date(2024, 12, 1),
        status="in_progress",
        percent=30,
        progress_text="去年的进展。",
        review_state=ReviewState.APPROVED,
    )
    liaison = client_as(liaison_user)
    edit = report_url(keji_task, "区科委") + "?period=2024-12-01"
    # Not while approved …
    assert "修改被退回的往期报告" in liaison.get(edit, follow=True).content.decode()
    report_reopen(user=office_user, report=earlier, version=1, reason="请补充全年数据。")
    page = liaison.get(reverse("tasks:task", args=[keji_task.pk])).content.decode()
    assert f'href="{edit}" data-revise="{earlier.pk}"' in page.replace("&amp;", "&")
    # … but once returned, that period's form opens with its content and saves to that period.
    form = liaison.get(edit).content.decode()
    assert "报送周期：<strong>2024年12月</strong>" in form and "去年的进展。" in form
    response = liaison.post(edit, {**GOOD, "progress_text": "全年数据已补充。", "version": 2})
    assert response.status_code == 302
    earlier.refresh_from_db()
    assert (earlier.review_state, earlier.progress_text) == (ReviewState.SUBMITTED, "全年数据已补充。")
    assert not ProgressReport.objects.exclude(pk=earlier.pk).exists()


def test_a_returned_report_saved_as_a_draft_stays_returned_with_its_comment(
    keji_task, client_as, liaison_user, office_user
):
    """保存草稿 while revising a returned report keeps it returned: the office's comment stays on the
    form and on 我的待办, and an earlier period's report can still be resubmitted afterwards."""
    from tasks.services import report_reopen

    earlier = report_make(
        task=keji_task,
        unit=unit("区科委"),
        period=dt.date(2024, 12, 1),
        status="in_progress",
        percent=30,
        progress_text="去年的进展。",
        review_state=ReviewState.APPROVED,
    )
    report_reopen(user=office_user, report=earlier, version=1, reason="请补充全年数据。")
    liaison = client_as(liaison_user)
    edit = report_url(keji_task, "区科委") + "?period=2024-12-01"
    draft = {**GOOD, "progress_text": "补充到一半。", "version": 2, "action": "draft"}
    assert liaison.post(edit, draft).status_code == 302
    earlier.refresh_from_db()
    assert (earlier.review_state, earlier.review_comment, earlier.progress_text) == (
        ReviewState.RETURNED,
        "请补充全年数据。",
        "补充到一半。",
    )
    form = liaison.get(edit).content.decode()
    assert "督查室退回意见：</strong>请补充全年数据。" in form and "补充到一半。" in form
    todo = liaison.get(reverse("supervision:todo")).content.decode()
    assert f'data-report="{earlier.pk}"' in todo and "修改并重新提交" in todo
    response = liaison.post(edit, {**GOOD, "progress_text": "全年数据已补充。", "version": 3})
    assert response.status_code == 302
    earlier.refresh_from_db()
    assert (earlier.review_state, earlier.progress_text) == (ReviewState.SUBMITTED, "全年数据已补充。")


@pytest.mark.parametrize("role", ["liaison_user", "leader_user", "outsider_user"])
def test_only_the_office_can_reopen(role, request, keji_task, client_as, liaison_user, office_user):
    from django.test import Client

    office = Client()
    office.force_login(office_user)
    report = _approved_report(keji_task, client_as(liaison_user), office)
    client = client_as(request.getfixturevalue(role))
    page = client.get(reverse("tasks:task", args=[keji_task.pk]))
    assert "撤回审核并退回修改" not in page.content.decode()
    prefix = f"reopen-{report.pk}"
    response = client.post(
        reverse("tasks:report_reopen", args=[report.pk]), {f"{prefix}-version": 2, f"{prefix}-reason": "x"}
    )
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.review_state == ReviewState.APPROVED


# -- refused and failed attachments (issue 14, item 14) ---------------------------------------


class FullDiskStorage(FileSystemStorage):
    """A test double of Django's file storage (not of product code): the disk fills up halfway
    through writing the file, as ENOSPC does, leaving the part already written behind."""

    def _save(self, name, content):
        path = self.path(name)
        import os

        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as partial:
            partial.write(content.read(4))
        raise OSError(errno.ENOSPC, "No space left on device")


MISMATCH = "附件“{}”的内容不是{}（扩展名与文件内容不符），未上传。"
TEXT_REFUSED = "附件“{}”不是纯文本文件（含有二进制内容、网页代码或可执行程序），未上传。"
NOT_UTF8_OR_GB18030 = "附件“名单.csv”不是 UTF-8 或 GB18030 编码的CSV文本文件，未上传。请另存为 UTF-8 编码后重新上传。"
BROKEN_DOCX = "附件“台账.docx”不是有效的Word文档（.docx）（文件已损坏或内容与扩展名不符），未上传。"
# A docx that unpacks to 2 MB of zeros (the limit in these tests is 1 MB) from about 2 KB.
BOMB_REFUSED = "附件“bomb.docx”解压后过大（超过 1 MB 或多于 10000 个文件），可能是压缩炸弹，未上传。"
XLSX = office_file("xlsx")
BOMB = office_file("docx", extra={"word/media/zeros.bin": bytes(2 * 1024 * 1024)})


def _media_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("name", "content", "configured", "message"),
    [
        ("big.pdf", b"%PDF" + b"0" * 8000, None, "附件不能超过 4 KB（该文件 8 KB）。"),
        ("setup.exe", b"MZ\x90\x00", None, "不支持的附件类型“.exe”。"),
        ("图.svg", b"<svg onload=alert(1)>", ["pdf", "svg"], "不支持的附件类型“.svg”。允许：pdf。"),
        ("page.html", b"<script>alert(1)</script>", ["pdf", "html"], "不支持的附件类型“.html”。允许：pdf。"),
        # The content must be what the extension says (minhang_plans/file_types.py).
        ("进展报告.pdf", b"MZ\x90\x00\x03", None, MISMATCH.format("进展报告.pdf", "PDF文件")),
        ("photo.jpg", b"MZ\x90\x00\x03", None, MISMATCH.format("photo.jpg", "JPEG图片")),
        ("图.png", b"\xff\xd8\xff\xe0", None, MISMATCH.format("图.png", "PNG图片")),
        ("说明.txt", b"<!DOCTYPE html><script>alert(1)</script>", None, TEXT_REFUSED.format("说明.txt")),
        ("说明.txt", b"  <HTML><body>", None, TEXT_REFUSED.format("说明.txt")),
        ("说明.txt", b"MZ\x90\x00", None, TEXT_REFUSED.format("说明.txt")),
        ("说明.txt", "进展正常\x00".encode(), None, TEXT_REFUSED.format("说明.txt")),
        ("名单.csv", b"a,b\n\xff\xfe\xff", ["csv"], NOT_UTF8_OR_GB18030),
        ("台账.docx", b"PK\x03\x04" + bytes(40), None, BROKEN_DOCX),
        ("台账.docx", office_file("xlsx"), None, MISMATCH.format("台账.docx", "Word文档（.docx）")),
        ("旧表.xls", b"PK\x03\x04", None, MISMATCH.format("旧表.xls", "Excel 97-2003表格（.xls）")),
        (
            "bomb.docx",
            BOMB,
            None,
            "附件“bomb.docx”解压后过大（超过 1 MB 或多于 10000 个文件），可能是压缩炸弹，未上传。",
        ),
    ],
)
def test_a_refused_attachment_saves_and_submits_nothing(
    keji_task, client_as, liaison_user, settings, tmp_path, name, content, configured, message
):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_MAX_BYTES = 4096
    settings.ATTACHMENT_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    if configured:
        settings.ATTACHMENT_EXTENSIONS = configured
    client = client_as(liaison_user)
    response = client.post(report_url(keji_task, "区科委"), {**GOOD, "attachment": SimpleUploadedFile(name, content)})
    assert response.status_code == 400 and message in response.content.decode()
    assert not ProgressReport.objects.exists() and not ReportAttachment.objects.exists()
    assert _media_files(tmp_path) == []
    # Saving again without the file works first time: no conflict with a save of its own.
    retry = client.post(report_url(keji_task, "区科委"), {**GOOD, "version": ""})
    assert retry.status_code == 302
    assert ProgressReport.objects.get().version == 1


def test_a_full_disk_is_a_form_error_and_leaves_neither_report_nor_file(
    keji_task, client_as, liaison_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    default_storage = settings.STORAGES["default"]
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "tests.test_progress_views.FullDiskStorage"}}
    client = client_as(liaison_user)
    upload = {"attachment": SimpleUploadedFile("台账.pdf", b"%PDF-1.4 " + b"x" * 100)}
    response = client.post(report_url(keji_task, "区科委"), {**GOOD, **upload})
    assert response.status_code == 400
    assert "服务器存储空间不足，本次填报和附件均未保存。请稍后重试或联系系统管理员。" in response.content.decode()
    assert not ProgressReport.objects.exists() and not ReportAttachment.objects.exists()
    assert _media_files(tmp_path) == []  # the partial file is gone too

    # Space again: the same submission (the version the form still holds) goes through, no 409.
    settings.STORAGES = {**settings.STORAGES, "default": default_storage}
    retry = client.post(
        report_url(keji_task, "区科委"),
        {**GOOD, "version": "", "attachment": SimpleUploadedFile("台账.pdf", b"%PDF-1.4 ok")},
    )
    assert retry.status_code == 302
    attachment = ReportAttachment.objects.get()
    assert attachment.report.review_state == ReviewState.SUBMITTED
    assert _media_files(tmp_path) == [tmp_path / attachment.file.name]


# -- the review queue shows what is reviewed (issue 14, item 9; the phone: test_browser.py) ---


def test_review_queue_shows_next_steps_and_attachments(
    keji_task, client_as, liaison_user, office_user, settings, tmp_path, django_assert_max_num_queries
):
    settings.MEDIA_ROOT = tmp_path
    client_as(liaison_user).post(
        report_url(keji_task, "区科委"),
        {
            **GOOD,
            "next_steps": "下月完成招标。",
            "attachment": SimpleUploadedFile("投资台账.xlsx", office_file("xlsx")),
        },
    )
    attachment = ReportAttachment.objects.get()
    office = client_as(office_user)
    with django_assert_max_num_queries(12):
        page = office.get(reverse("tasks:review_queue")).content.decode()
    assert '<th scope="col">下步计划</th>' in page and "下月完成招标。" in page
    assert f'<a href="{reverse("tasks:attachment", args=[attachment.pk])}" download>投资台账.xlsx</a>' in page
    assert b"".join(office.get(reverse("tasks:attachment", args=[attachment.pk])).streaming_content) == office_file(
        "xlsx"
    )


# -- a report while its task is deleted by an undone import (issue 14, item 17) --------------


def _release_when_a_backend_waits_on_a_lock(release: threading.Event) -> None:
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                if cursor.fetchone()[0]:
                    break
            time.sleep(0.02)
    finally:
        release.set()
        connections.close_all()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real PostgreSQL connections")
def test_a_report_racing_the_deletion_of_its_task_gets_a_clear_error_not_a_500(seed_plans, client_as, liaison_user):
    task = Task.objects.get(plan__kind="annual", number="4")
    deleted, release = threading.Event(), threading.Event()

    def undo() -> None:
        # What undoing an import does: delete the task, and commit a moment later.
        try:
            with transaction.atomic():
                Task.objects.filter(pk=task.pk).delete()
                deleted.set()
                release.wait(timeout=10)
        finally:
            connections.close_all()

    worker = threading.Thread(target=undo)
    worker.start()
    assert deleted.wait(timeout=10)
    # The liaison's request still sees the task (not yet committed as deleted) until it waits on
    # the task's row lock; then the deletion commits. Released once PostgreSQL shows the request
    # waiting on that lock (a fixed delay lost the race on a loaded machine: the lookup came late).
    threading.Thread(target=_release_when_a_backend_waits_on_a_lock, args=(release,)).start()
    response = client_as(liaison_user).post(report_url(task, "区科委"), GOOD)
    worker.join(timeout=10)
    assert response.status_code == 400
    assert "该任务已不存在（所属导入可能已被回退），进展未保存。请返回规划页面查看。" in response.content.decode()
    assert not ProgressReport.objects.exists() and not Task.objects.filter(pk=task.pk).exists()


def test_an_approved_report_is_shown_not_offered_for_editing(keji_task, client_as, liaison_user, office_user):
    from django.test import Client

    office = Client()
    office.force_login(office_user)
    _approved_report(keji_task, client_as(liaison_user), office)
    form = client_as(liaison_user).get(report_url(keji_task, "区科委")).content.decode()
    assert "该报告已审核通过，不能再修改；如需修改请联系督查室撤回审核。" in form
    assert '<fieldset class="plain" disabled>' in form
    assert 'value="submit"' not in form and 'value="draft"' not in form
    # The office may still correct it: the same form, open.
    own = office.get(report_url(keji_task, "区科委")).content.decode()
    assert "data-locked" not in own and '<fieldset class="plain">' in own and 'value="submit"' in own


def test_an_approved_reports_form_sends_an_open_instruction_to_the_task_panel(
    keji_task, client_as, liaison_user, office_user, leader_user
):
    """A locked form cannot take 落实情况: it points to the 批示与催办 panel instead of a disabled box."""
    from django.test import Client

    from supervision.services import instruction_create

    office = Client()
    office.force_login(office_user)
    _approved_report(keji_task, client_as(liaison_user), office)
    instruction_create(user=leader_user, task=keji_task, text="请加快推进。")
    form = client_as(liaison_user).get(report_url(keji_task, "区科委")).content.decode()
    assert "data-report-instructions" not in form
    panel = reverse("tasks:task", args=[keji_task.pk]) + "#supervision"
    assert f'本任务有1条领导批示尚待落实，可在任务页的<a href="{panel}">批示与催办</a>中填写落实情况。' in form


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("进展报告.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF"),
        ("photo.JPEG", b"\xff\xd8\xff\xe1\x00\x10Exif"),
        ("图.png", b"\x89PNG\r\n\x1a\n" + bytes(16)),
        ("台账.docx", office_file("docx")),
        ("台账.xlsx", XLSX),
        ("旧台账.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)),
        ("说明.txt", "进展正常，已完成 80%。".encode()),
        ("说明.txt", "\ufeff进展正常。".encode()),
        ("说明.txt", "进展正常，已完成招标。".encode("gb18030")),
        ("说明.txt", b""),
        ("材料.zip", XLSX),
    ],
)
def test_files_whose_content_matches_their_extension_are_accepted(settings, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile as Upload

    from tasks.services import attachment_check

    settings.ATTACHMENT_MAX_BYTES = 4096
    assert attachment_check(name=name, size=len(content), stream=Upload(name, content)) == name
