"""Hostile text is shown as text: task text, unit and leader names, progress, problems, review
comments, attachment names and imported files render escaped on every page that shows them."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from tasks.models import (
    Category,
    Leader,
    Plan,
    PlanKind,
    ProgressReport,
    ProgressStatus,
    Project,
    ReportAttachment,
    ReviewState,
    Task,
    TaskLeader,
    TaskUnit,
    Unit,
    UnitRole,
)
from tasks.services import task_status_refresh
from tests.factories import report_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today_in_the_plans_year(clock_at):
    """Reports are filed for the current period, and a 2025 plan takes none after 2025: "today" is
    in July 2025, the period after the hostile reports' (PERIOD), so a report written here is new."""
    clock_at(dt.date(2025, 7, 15))


SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{ 7*7 }}"
PAYLOADS = [SCRIPT, IMG, TEMPLATE]
PERIOD = dt.date(2025, 6, 1)


def raw_markup(payload: str) -> str:
    """The part of a payload that would be live markup if it reached the page unescaped."""
    return {SCRIPT: "<script>alert(1)</script>", IMG: "<img src=x onerror=alert(1)>", TEMPLATE: "{{ 7*7 }}"}[payload]


def assert_shown_escaped(html: str, payload: str, where: str) -> None:
    if payload == TEMPLATE:
        # Not HTML: it must come out literally, never evaluated as a template.
        assert TEMPLATE in html, f"{where}: {TEMPLATE!r} not shown literally"
        return
    assert raw_markup(payload) not in html, f"{where}: raw {raw_markup(payload)!r} in the page"
    assert escape(payload) in html, f"{where}: escaped {escape(payload)!r} not in the page"


@pytest.fixture(params=PAYLOADS, ids=["script", "img", "template"])
def hostile(request, settings, tmp_path, office_user):
    """An annual and a five-year task whose every shown text carries the payload."""
    settings.MEDIA_ROOT = str(tmp_path)
    p = request.param
    annual = Plan.objects.create(title=f"2025年计划{p}", kind=PlanKind.ANNUAL, year_start=2025, year_end=2025)
    five = Plan.objects.create(title=f"五年规划{p}", kind=PlanKind.FIVE_YEAR, year_start=2021, year_end=2025)
    cat = Category.objects.create(plan=annual, order=1, name=f"类别{p}")
    five_cat = Category.objects.create(plan=five, order=1, name=f"五年类别{p}")
    project = Project.objects.create(category=cat, order=1, name=f"项目{p}")
    unit = Unit.objects.create(name=f"单位{p}")
    keji = Unit.objects.get_or_create(name="区科委")[0]
    leader = Leader.objects.create(name=p)
    task = Task.objects.create(
        plan=annual, category=cat, project=project, number="1", position=1, text=f"{p}任务内容", title=p
    )
    TaskUnit.objects.create(task=task, unit=unit, position=1, role=UnitRole.LEAD, printed_name=unit.name)
    TaskUnit.objects.create(task=task, unit=keji, position=2, role=UnitRole.LEAD, printed_name="区科委")
    TaskLeader.objects.create(task=task, leader=leader, position=1)
    five_task = Task.objects.create(plan=five, category=five_cat, number="1", position=1, text=f"{p}五年任务", title=p)
    TaskUnit.objects.create(task=five_task, unit=unit, position=1, role=UnitRole.LEAD, printed_name=unit.name)
    submitted = report_make(
        task=task,
        unit=unit,
        period=PERIOD,
        status=ProgressStatus.BEHIND,
        percent=10,
        progress_text=p,
        problems=p,
        review_state=ReviewState.SUBMITTED,
        reported_at=dt.datetime(2025, 6, 2, tzinfo=dt.UTC),
    )
    ReportAttachment.objects.create(
        report=submitted,
        file=ContentFile(b"%PDF-1.4\n", name="x.pdf"),
        original_name=f"{p}.pdf",
        size=9,
        uploaded_by=office_user,
    )
    report_make(
        task=task,
        unit=keji,
        period=PERIOD,
        status=ProgressStatus.IN_PROGRESS,
        percent=20,
        progress_text="正常推进。",
        review_state=ReviewState.RETURNED,
        review_comment=p,
    )
    task_status_refresh(task_ids=[five_task.pk])  # links written straight to the table
    return {"payload": p, "task": task, "five_task": five_task, "unit": unit, "leader": leader, "annual": annual}


def test_task_page(hostile, client_as, office_user):
    p = hostile["payload"]
    html = client_as(office_user).get(reverse("tasks:task", args=[hostile["task"].pk])).content.decode()
    assert_shown_escaped(html, p, "task page")
    for text in (f"{p}任务内容", f"单位{p}", f"{p}.pdf", f"项目{p}"):
        assert escape(text) in html, f"task page lacks {text!r}"
    # the review comment of the returned report
    assert html.count(escape(p)) >= 5


def test_unit_and_leader_pages_and_indexes(hostile, client_as, office_user):
    p = hostile["payload"]
    client = client_as(office_user)
    for name, url, must in (
        ("unit page", reverse("tasks:unit", args=[hostile["unit"].pk]), f"单位{p}"),
        ("leader page", reverse("tasks:leader", args=[hostile["leader"].pk]), p),
        ("unit index", reverse("tasks:unit_index"), f"单位{p}"),
        ("leader index", reverse("tasks:leader_index"), p),
        ("unit print", reverse("tasks:unit_print", args=[hostile["unit"].pk]), f"单位{p}"),
        ("plan page", reverse("tasks:plan", args=[hostile["annual"].pk]), f"类别{p}"),
        ("dashboard", reverse("tasks:dashboard"), f"2025年计划{p}"),
    ):
        response = client.get(url)
        assert response.status_code == 200, name
        html = response.content.decode()
        assert_shown_escaped(html, p, name)
        assert escape(must) in html, f"{name} lacks {must!r}"


def test_search_results_and_reflected_query(hostile, client_as, office_user):
    p = hostile["payload"]
    response = client_as(office_user).get(reverse("tasks:task_search"), {"q": p})
    assert response.status_code == 200
    html = response.content.decode()
    assert_shown_escaped(html, p, "search")
    assert f'href="{reverse("tasks:task", args=[hostile["task"].pk])}"' in html, "the hostile task is found"


def test_review_queue(hostile, client_as, office_user):
    p = hostile["payload"]
    html = client_as(office_user).get(reverse("tasks:review_queue")).content.decode()
    assert_shown_escaped(html, p, "review queue")
    assert escape(f"单位{p}") in html


def test_attachment_download_name_is_a_header_not_markup(hostile, client_as, office_user):
    attachment = ReportAttachment.objects.get()
    response = client_as(office_user).get(reverse("tasks:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "\n" not in disposition and "\r" not in disposition
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_insights_pages(hostile, client_as, office_user):
    p = hostile["payload"]
    client = client_as(office_user)
    five = hostile["five_task"]
    for name, url, params in (
        ("chain", reverse("insights:chain", args=[five.pk]), {}),
        ("gaps", reverse("insights:gaps"), {"plan": five.plan_id}),
        ("insights index", reverse("insights:index"), {}),
    ):
        response = client.get(url, params)
        assert response.status_code == 200, name
        assert_shown_escaped(response.content.decode(), p, name)


def test_review_comment_entered_through_the_view_is_escaped(hostile, client_as, office_user):
    """A comment typed by the office (not planted in the database) comes back escaped."""
    p = hostile["payload"]
    report = ProgressReport.objects.get(review_state=ReviewState.SUBMITTED)
    client = client_as(office_user)
    response = client.post(
        reverse("tasks:report_review", args=[report.pk]),
        {"version": report.version, "decision": "return", "comment": f"退回意见{p}"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.review_comment == f"退回意见{p}"
    html = client.get(reverse("tasks:task", args=[report.task_id])).content.decode()
    assert_shown_escaped(html, p, "task page after review")
    assert escape(f"退回意见{p}") in html


def test_progress_entered_through_the_form_is_escaped(hostile, client_as, liaison_user):
    """区科委's liaison saves hostile progress and problems; the form and task page show them escaped."""
    p = hostile["payload"]
    task = hostile["task"]
    keji = Unit.objects.get(name="区科委")
    client = client_as(liaison_user)
    url = reverse("tasks:report_edit", args=[task.pk, keji.pk])
    report = ProgressReport.objects.get(task=task, unit=keji)
    # Written in the current period (the view's clock): a new report.
    response = client.post(
        url,
        {
            "status": "behind",
            "percent": "5",
            "progress_text": f"进展{p}",
            "problems": f"问题{p}",
            "next_steps": f"计划{p}",
            "action": "draft",
            "attachment": SimpleUploadedFile(f"{p}.pdf".replace("/", ""), b"%PDF-1.4\n"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert report.pk  # the older returned report is untouched
    form = client.get(url).content.decode()
    assert_shown_escaped(form, p, "report form")
    assert escape(f"问题{p}") in form
    html = client.get(reverse("tasks:task", args=[task.pk])).content.decode()
    assert_shown_escaped(html, p, "task page with the liaison's draft")
    for text in (f"进展{p}", f"问题{p}"):
        assert escape(text) in html


def _hostile_csv(p: str) -> bytes:
    out = io.StringIO()
    out.write("标题：2031年区委、区政府重点工作任务分解表\n规划类型：年度重点工作\n年份：2031—2031\n")
    writer = csv.writer(out)
    writer.writerow(["序号", "类别", "项目", "任务", "牵头领导", "牵头单位"])
    writer.writerow(["1", f"一、类别{p}", f"项目{p}", f"{p}导入任务。", f"领导{p}", f"新单位{p}"])
    writer.writerow(["2", f"一、类别{p}", f"项目{p}", "第二项普通任务。", "赵亮", "区科委"])
    return out.getvalue().encode()


def test_import_preview_and_history(hostile, client_as, admin_user):
    p = hostile["payload"]
    client = client_as(admin_user)
    name = f"{p}计划.csv".replace("/", "")
    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile(name, _hostile_csv(p))})
    assert response.status_code == 302, response.content.decode()[:3000]
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    html = preview.content.decode()
    assert_shown_escaped(html, p, "import preview")
    # The importer normalises what it reads (drops a closing "。", spaces, splits names at "/"),
    # so only the payload's escaped form (in category and project at least) and the rows are pinned.
    assert "导入任务" in html and "新单位" in html and "领导" in html
    confirmed = client.post(response["Location"], {"action": "confirm"})
    assert confirmed.status_code == 302, confirmed.content.decode()[:3000]
    for label, url in (("import record", confirmed["Location"]), ("import history", reverse("imports:history"))):
        page = client.get(url)
        assert page.status_code == 200, label
        page_html = page.content.decode()
        if p != SCRIPT:  # the slash-free payloads survive in the file name
            assert_shown_escaped(page_html, p, label)
        assert "<script>alert(1)</script>" not in page_html
    imported = Task.objects.get(plan__year_start=2031, number="1")
    assert "导入任务" in imported.text
    html = client.get(reverse("tasks:task", args=[imported.pk])).content.decode()
    assert escape(imported.text) in html
    assert "<script>alert(1)</script>" not in html and "<img src=x onerror=alert(1)>" not in html
