"""Recording and reviewing progress in the browser (test client): the lifecycle,
conflicts, history on the task page, landing pages and the permission matrix."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tasks.models import ProgressReport, ReportAttachment, ReviewState, Task, Unit
from tasks.periods import period_start
from tests.factories import report_make

pytestmark = pytest.mark.django_db


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
    "problems": "",
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
        period_start(reporting_period="monthly", day=timezone.localdate()),
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
    keji_task, client_as, liaison_user, office_user, django_user_model, settings, tmp_path
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
    from tests.conftest import _make_user

    other = _make_user("other-liaison", Role.LIAISON, units=["区经委"])
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
    assert "截止日期：2025-12-31 → 2025-09-30" in page


def test_landing_sends_each_role_to_its_page(seed_plans, client_as, leader_user, liaison_user, office_user):
    from tasks.models import Leader

    assert client_as(leader_user).get(reverse("tasks:landing"))["Location"] == reverse(
        "tasks:leader", args=[Leader.objects.get(name="谭瑞琮").pk]
    )
    assert client_as(liaison_user).get(reverse("tasks:landing"))["Location"] == reverse(
        "tasks:unit", args=[unit("区科委").pk]
    )
    assert client_as(office_user).get(reverse("tasks:landing"))["Location"] == reverse("tasks:dashboard")


# -- the permission matrix: each role × each write endpoint ---------------------------------

ROLES = ["admin_user", "office_user", "liaison_user", "leader_user", "outsider_user"]


def _endpoints(keji_task, fagai_task, report):
    return {
        "report own unit's task": ("post", report_url(keji_task, "区科委"), {**GOOD, "version": report.version}),
        "report another unit's task": ("post", report_url(fagai_task, "区发展改革委"), GOOD),
        "open another unit's report form": ("get", report_url(fagai_task, "区发展改革委"), None),
        "review a report": (
            "post",
            reverse("tasks:report_review", args=[report.pk]),
            {"version": report.version, "decision": "approve"},
        ),
        "review queue": ("get", reverse("tasks:review_queue"), None),
        "change a due date": ("post", reverse("tasks:task_due_date", args=[keji_task.pk]), {"due_date": "2025-10-31"}),
        "upload a breakdown table": ("post", reverse("imports:upload"), {}),
    }


ALLOWED = {
    "admin_user": {
        "report own unit's task",
        "report another unit's task",
        "open another unit's report form",
        "review a report",
        "review queue",
        "change a due date",
        "upload a breakdown table",
    },
    "office_user": {
        "report own unit's task",
        "report another unit's task",
        "open another unit's report form",
        "review a report",
        "review queue",
        "change a due date",
    },
    "liaison_user": {"report own unit's task"},
    "leader_user": set(),
    "outsider_user": set(),
}


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role, request, keji_task, fagai_task, client_as, liaison_user):
    from tasks.services import ReportInput, report_save

    report = report_save(
        user=liaison_user,
        task=keji_task,
        unit=unit("区科委"),
        period=period_start(reporting_period="monthly", day=timezone.localdate()),
        data=ReportInput(status="in_progress", percent=10, progress_text="初稿。"),
        version=None,
    )
    client = client_as(request.getfixturevalue(role))
    for name, (method, url, data) in _endpoints(keji_task, fagai_task, report).items():
        report.refresh_from_db()
        if data and "version" in data:
            data = {**data, "version": report.version}
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        if name in ALLOWED[role]:
            assert response.status_code != 403, (role, name)
        else:
            assert response.status_code == 403, (role, name, response.status_code)


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
