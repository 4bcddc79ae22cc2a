"""Better reporting (issue 16, items 4 and 6), through the rendered pages as a unit and the office use
them: 落实情况 of the leaders' instructions inside the report; the form pre-filled from the previous
period with what changed (also on the review queue); a reason when 滞后 or past due; 佐证材料 per
plan; several attachments, images and PDFs previewed; 批量通过 / 批量退回 on the queue.
(The same in Chromium: test_reports_browser.py.)"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent
from supervision.models import Instruction, InstructionReply
from tasks.models import ProgressReport, ReportAttachment, ReviewState, TaskUnit
from tasks.services import task_status_refresh
from tests.factories import LAST_PERIOD, THIS_PERIOD, office_file, report_make, world_build
from tests.test_supervision_views import _Forms, panel

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(pinned_clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_EXTENSIONS = ["pdf", "docx", "png", "jpg"]
    w = world_build()
    # 区科委's May report on 零号湾, which the June form starts from.
    ProgressReport.objects.filter(task=w.tasks["零号湾"], unit=w.units["科委"], period=LAST_PERIOD).update(
        progress_text="完成载体选址。推进改造设计。", problems="资金未到位。", next_steps="启动招标。"
    )
    return w


def june_report(world, nickname="零号湾", unit="科委"):
    return ProgressReport.objects.filter(task=world.tasks[nickname], unit=world.units[unit], period=THIS_PERIOD)


def form_url(world, nickname="零号湾", unit="科委"):
    return reverse("tasks:report_edit", args=[world.tasks[nickname].pk, world.units[unit].pk])


def report_form(html: str) -> dict:
    """The report form's fields as the browser would send them untouched (plus action=submit)."""
    parser = _Forms()
    parser.feed(html)
    found = [f for f in parser.forms if f["attrs"].get("enctype") == "multipart/form-data"]
    assert len(found) == 1
    fields = dict(found[0]["fields"])
    for name, kind in found[0]["types"].items():
        if kind == "textarea" and fields[name].startswith("\n"):
            fields[name] = fields[name][1:]  # a browser drops the newline after <textarea>
    return {**fields, "action": "submit"}


def field_error(html: str, name: str) -> str:
    match = re.search(rf'<span class="field-error" id="id_{name}_error">([^<]*)</span>', html)
    return match.group(1) if match else ""


def instruct(world, office_user, text="请加快载体改造。", task="零号湾") -> Instruction:
    return Instruction.objects.create(
        task=world.tasks[task], leader=world.leaders["谭"], text=text, on_behalf=True, written_by=office_user
    )


def todo_instructions(client) -> tuple[str, list[str]]:
    html = client.get(reverse("supervision:todo")).content.decode()
    unit = html.split('data-todo-unit="区科委"', 1)[1]
    count = re.search(r'data-count="instructions"[^>]*>(\d+)<', unit)
    listed = re.search(r'data-list="instructions"(.*?)</ul>', unit, re.S)
    return (count.group(1) if count else "0"), re.findall(r"<li", listed.group(1) if listed else "")


# -- 落实情况 inside the report (item 4) --------------------------------------------------------------


def test_liaison_answers_an_instruction_in_the_report_and_it_leaves_the_todo_list(
    world, client_as, liaison_user, office_user
):
    instruction = instruct(world, office_user)
    liaison = client_as(liaison_user)
    count, items = todo_instructions(liaison)
    assert count == str(len(items)) == "1"

    html = liaison.get(form_url(world)).content.decode()
    assert "领导批示落实情况（1）" in html and "批示：请加快载体改造。" in html
    assert "落实情况：谭瑞琮批示（督查室代录）" in html
    fields = report_form(html)
    assert f"instruction_{instruction.pk}" in fields
    fields.update(
        progress_text="本月完成载体招商。", **{f"instruction_{instruction.pk}": "已召开专题会，落实改造资金。"}
    )
    response = liaison.post(form_url(world), fields, follow=True)
    assert (
        "区科委对第2项的2025年6月进展已提交，等待督查室审核，并报送了1条批示的落实情况。" in response.content.decode()
    )

    reply = InstructionReply.objects.get()
    report = ProgressReport.objects.get(task=world.tasks["零号湾"], unit=world.units["科委"], period=THIS_PERIOD)
    assert (reply.text, reply.report_id, reply.written_by) == ("已召开专题会，落实改造资金。", report.pk, liaison_user)
    # Shown on the task page under the instruction, gone from the unit's to-do list.
    shown = panel(liaison, world.tasks["零号湾"])
    assert shown.index("请加快载体改造。") < shown.index("已召开专题会，落实改造资金。")
    count, items = todo_instructions(liaison)
    assert count == str(len(items)) == "0"

    # Returned and revised: the same form revises the answer sent with this report.
    report_return(client_as(office_user), report)
    html = liaison.get(form_url(world)).content.decode()
    fields = report_form(html)
    assert fields[f"instruction_{instruction.pk}"] == "已召开专题会，落实改造资金。"
    fields[f"instruction_{instruction.pk}"] = "改造资金已到位。"
    assert liaison.post(form_url(world), fields).status_code == 302
    assert InstructionReply.objects.get().text == "改造资金已到位。"


def report_return(office, report):
    office.post(
        reverse("tasks:report_review", args=[report.pk]),
        {"version": report.version, "decision": "return", "comment": "请补充。"},
    )


def test_a_refused_report_saves_no_answer_and_a_draft_keeps_none(world, client_as, liaison_user, office_user):
    instruction = instruct(world, office_user)
    liaison = client_as(liaison_user)
    fields = report_form(liaison.get(form_url(world)).content.decode())
    answer = {f"instruction_{instruction.pk}": "已落实。"}
    # 滞后 without a reason: the report is refused, and so is the answer with it.
    response = liaison.post(form_url(world), {**fields, **answer, "status": "behind", "problems": ""})
    assert response.status_code == 400
    assert field_error(response.content.decode(), "problems") == "状态为“滞后”时，请填写存在问题。"
    assert not InstructionReply.objects.exists() and not june_report(world).exists()
    # Too long an answer: refused beside its own box, nothing saved.
    response = liaison.post(form_url(world), {**fields, f"instruction_{instruction.pk}": "落" * 2001})
    assert field_error(response.content.decode(), f"instruction_{instruction.pk}") == "落实情况不能超过2000字。"
    assert not InstructionReply.objects.exists()
    # A draft keeps the report but sends no 落实情况, and says so.
    response = liaison.post(form_url(world), {**fields, **answer, "action": "draft"}, follow=True)
    assert "已保存草稿（落实情况随提交审核一并报送，草稿不保存落实情况）。" in response.content.decode()
    assert not InstructionReply.objects.exists()


def test_an_instruction_answered_on_the_panel_is_not_asked_again(world, client_as, liaison_user, office_user):
    from supervision.services import instruction_reply

    first = instruct(world, office_user, "第一条批示。")
    second = instruct(world, office_user, "第二条批示。")
    instruction_reply(user=liaison_user, instruction=first, unit=world.units["科委"], text="已办。")
    fields = report_form(client_as(liaison_user).get(form_url(world)).content.decode())
    assert f"instruction_{second.pk}" in fields and f"instruction_{first.pk}" not in fields
    # A forged box for the answered one is not a field of the form: the answer stays as written.
    response = client_as(liaison_user).post(form_url(world), {**fields, f"instruction_{first.pk}": "再答一次。"})
    assert response.status_code == 302
    assert InstructionReply.objects.get(instruction=first).text == "已办。"


def test_the_service_refuses_a_second_answer_and_keeps_the_report_unsaved(world, liaison_user, office_user):
    """The same refusal when the panel's answer lands between the form's read and its save."""
    from django.core.exceptions import ValidationError

    from supervision.services import instruction_reply
    from tasks.services import ReportInput, report_save

    instruction = instruct(world, office_user)
    instruction_reply(user=liaison_user, instruction=instruction, unit=world.units["科委"], text="已办。")
    with pytest.raises(ValidationError) as refused:
        report_save(
            user=liaison_user,
            task=world.tasks["零号湾"],
            unit=world.units["科委"],
            period=THIS_PERIOD,
            data=ReportInput(status="in_progress", percent=40, progress_text="推进。"),
            version=None,
            instruction_answers={instruction.pk: "再答一次。"},
        )
    assert refused.value.message_dict == {f"instruction_{instruction.pk}": ["区科委已填写过该批示的落实情况。"]}
    assert not june_report(world).exists()


# -- pre-filled from the previous period, and what changed ---------------------------------------------


def test_form_is_prefilled_from_the_previous_period_and_shows_what_changed(
    world, client_as, liaison_user, office_user, django_assert_max_num_queries
):
    task = world.tasks["零号湾"]
    liaison = client_as(liaison_user)
    with django_assert_max_num_queries(12):
        html = liaison.get(form_url(world)).content.decode()
    assert "已按区科委上期（2025年5月）的报告预填，请按本期实际修改。" in html
    assert "与上期（2025年5月）相比没有变化。" in html
    fields = report_form(html)
    assert (fields["status"], fields["percent"], fields["progress_text"]) == (
        "in_progress",
        "30",
        "完成载体选址。推进改造设计。",
    )
    assert (fields["problems"], fields["next_steps"]) == ("资金未到位。", "启动招标。")

    # Changed and refused (percent too high for 未启动): the re-rendered form shows what changed.
    response = liaison.post(
        form_url(world),
        {**fields, "status": "not_started", "percent": "45", "progress_text": "完成载体选址。改造开工。"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    changes = re.search(r'<div class="changes small" data-changes="3">(.*?)</div>', html, re.S).group(1)
    assert "进展状态：<del>推进中</del> → <ins>未启动</ins>" in changes
    assert "完成百分比：<del>30%</del> → <ins>45%</ins>" in changes
    assert (
        '进展情况：完成载体选址。<del><span class="visually-hidden">（删去）</span>推进改造设计。</del>'
        '<ins><span class="visually-hidden">（新增）</span>改造开工。</ins>' in changes
    )

    # Submitted; the office's queue shows the same comparison (status, percent, 进展情况). A save
    # that succeeds draws no form, so it does not read the previous period's report.
    with CaptureQueriesContext(connection) as saved:
        sent = {**fields, "percent": "45", "progress_text": "完成载体选址。改造开工。"}
        response = liaison.post(form_url(world), sent)
    assert response.status_code == 302
    assert not [q["sql"] for q in saved.captured_queries if '"tasks_progressreport"."period" <' in q["sql"]]
    office = client_as(office_user)
    with django_assert_max_num_queries(12):
        queue = office.get(reverse("tasks:review_queue")).content.decode()
    report = ProgressReport.objects.get(task=task, unit=world.units["科委"], period=THIS_PERIOD)
    row = queue.split(f'data-report="{report.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "与上期（2025年5月）相比：" in row and "完成百分比：<del>30%</del> → <ins>45%</ins>" in row
    assert "进展状态" not in row  # unchanged


def test_first_report_says_so(world, client_as, office_user):
    html = client_as(office_user).get(form_url(world, "研发", "城投")).content.decode()
    assert "上期无报告，本期为首次报送。" in html and "已按" not in html


# -- a reason when 滞后 or past due ---------------------------------------------------------------------


def test_reason_is_required_when_behind_or_past_due(world, client_as, liaison_user, office_user, clock_at):
    liaison = client_as(liaison_user)
    fields = {**report_form(liaison.get(form_url(world)).content.decode()), "problems": ""}
    html = liaison.post(form_url(world), {**fields, "status": "behind"}).content.decode()
    assert field_error(html, "problems") == "状态为“滞后”时，请填写存在问题。"
    assert liaison.post(form_url(world), fields).status_code == 302  # 推进中, not past due: no reason needed

    # 营商 fell due on 2025-03-31 (today 2025-06-15): a reason is required whatever the status.
    office = client_as(office_user)
    url = form_url(world, "营商", "发改")
    html = office.get(url).content.decode()
    assert "任务已过截止日期（2025-03-31），请在“存在问题”中说明逾期原因。" in html  # the field's hint
    fields = {**report_form(html), "progress_text": "推进中。", "problems": ""}
    html = office.post(url, fields).content.decode()
    assert field_error(html, "problems") == "任务已过截止日期（2025-03-31），请在“存在问题”中说明逾期原因。"
    assert office.post(url, {**fields, "problems": "审批流程延误。"}).status_code == 302
    # On its due date it is not past due yet.
    clock_at(dt.date(2025, 12, 31))
    url = form_url(world, "研发", "城投")
    fields = {**report_form(office.get(url).content.decode()), "progress_text": "推进中。", "problems": ""}
    assert office.post(url, fields).status_code == 302


# -- 佐证材料 per plan, several attachments, previews ------------------------------------------------------


def test_plan_requiring_evidence_refuses_a_submission_without_attachment(world, client_as, liaison_user):
    world.five_year.evidence_required = True
    world.five_year.save()
    liaison = client_as(liaison_user)
    html = liaison.get(form_url(world)).content.decode()
    assert "佐证材料（必传，可多选）" in html and "本规划要求提交进展时至少附一份佐证材料（已上传的附件计入）。" in html
    assert re.search(r'<input type="file" name="attachment"[^>]* multiple', html)
    fields = report_form(html)
    response = liaison.post(form_url(world), fields)
    assert (
        field_error(response.content.decode(), "attachment") == "本规划要求提交进展时附佐证材料，请至少上传一个附件。"
    )
    assert not june_report(world).exists()
    # A draft needs none; its attachment then counts for the submission.
    assert liaison.post(form_url(world), {**fields, "action": "draft"}).status_code == 302
    report = june_report(world).get()
    fields = report_form(liaison.get(form_url(world)).content.decode())
    assert liaison.post(form_url(world), fields).status_code == 400
    upload = SimpleUploadedFile("现场照片.png", PNG)
    assert liaison.post(form_url(world), {**fields, "action": "draft", "attachment": upload}).status_code == 302
    fields = report_form(liaison.get(form_url(world)).content.decode())
    assert liaison.post(form_url(world), fields).status_code == 302
    report.refresh_from_db()
    assert report.review_state == ReviewState.SUBMITTED and report.attachments.count() == 1


def attachment_on_disk(report, name: str, content: bytes, user) -> ReportAttachment:
    """An attachment stored as it is on disk (not through the upload check)."""
    from django.core.files.base import ContentFile

    attachment = ReportAttachment(report=report, original_name=name, size=len(content), uploaded_by=user)
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    return attachment


def test_several_attachments_in_one_submission_each_previewed_when_image_or_pdf(
    world, client_as, liaison_user, office_user, leader_user
):
    liaison = client_as(liaison_user)
    fields = report_form(liaison.get(form_url(world)).content.decode())
    files = [
        SimpleUploadedFile("现场照片.png", PNG),
        SimpleUploadedFile("验收报告.pdf", PDF),
        SimpleUploadedFile("台账.docx", office_file("docx")),
    ]
    assert liaison.post(form_url(world), {**fields, "attachment": files}).status_code == 302
    # Stored before uploads were checked against their content (a file now refused at upload).
    report = ReportAttachment.objects.first().report
    attachment_on_disk(report, "伪装.png", b"<html><script>alert(1)</script>", liaison_user)
    attachments = {a.original_name: a for a in ReportAttachment.objects.all()}
    assert sorted(attachments) == ["伪装.png", "台账.docx", "现场照片.png", "验收报告.pdf"]

    office = client_as(office_user)
    queue = office.get(reverse("tasks:review_queue")).content.decode()
    previews = re.findall(r'href="/attachments/(\d+)/\?preview=1"', queue)
    assert {int(p) for p in previews} == {attachments[n].pk for n in ("现场照片.png", "验收报告.pdf", "伪装.png")}
    task_page = client_as(leader_user).get(reverse("tasks:task", args=[world.tasks["零号湾"].pk])).content.decode()
    assert task_page.count("?preview=1") == 3

    def get(name, preview=True):
        url = reverse("tasks:attachment", args=[attachments[name].pk]) + ("?preview=1" if preview else "")
        response = client_as(leader_user).get(url)
        assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
        return response, b"".join(response.streaming_content)

    response, body = get("现场照片.png")
    assert (response["Content-Type"], body) == ("image/png", PNG)
    assert response["Content-Disposition"].startswith("inline")
    response, body = get("验收报告.pdf")
    assert (response["Content-Type"], body) == ("application/pdf", PDF)
    assert response["Content-Disposition"].startswith("inline")
    # Not what its name says, or not an image or PDF, or no preview asked: a download.
    for name, preview in (("伪装.png", True), ("台账.docx", True), ("现场照片.png", False)):
        response, _ = get(name, preview)
        assert response["Content-Type"] == "application/octet-stream", name
        assert response["Content-Disposition"].startswith("attachment"), name


def test_more_than_ten_files_at_once_are_refused(world, client_as, liaison_user):
    liaison = client_as(liaison_user)
    fields = report_form(liaison.get(form_url(world)).content.decode())
    files = [SimpleUploadedFile(f"照片{i}.png", PNG) for i in range(11)]
    response = liaison.post(form_url(world), {**fields, "attachment": files})
    assert field_error(response.content.decode(), "attachment") == "一次最多上传10个附件。"
    assert not ReportAttachment.objects.exists()


# -- 批量通过 / 批量退回 --------------------------------------------------------------------------------


def queued(world, *nicknames_units):
    reports = []
    for nickname, unit in nicknames_units:
        reports.append(
            report_make(
                task=world.tasks[nickname],
                unit=world.units[unit],
                period=THIS_PERIOD,
                status="in_progress",
                percent=50,
                progress_text=f"{nickname}推进中。",
                review_state=ReviewState.SUBMITTED,
                version=1,
            )
        )
    return reports


def batch_form(html: str) -> tuple[str, dict[str, str], list[str]]:
    """The batch form's action, its hidden fields, and the report checkboxes (form="batch") of the rows."""
    parser = _Forms()
    parser.feed(html)
    (batch,) = [f for f in parser.forms if f["attrs"].get("id") == "batch"]
    fields = dict(batch["fields"])
    fields.update(re.findall(r'<input type="hidden" name="(version-\d+)" value="(\d+)" form="batch">', html))
    boxes = re.findall(r'<input type="checkbox" name="report" value="(\d+)" form="batch"', html)
    return batch["attrs"]["action"], fields, boxes


def test_batch_approval_writes_each_reports_own_record(world, client_as, office_user):
    a, b, c = queued(world, ("零号湾", "科委"), ("营商", "发改"), ("研发", "城投"))
    office = client_as(office_user)
    html = office.get(reverse("tasks:review_queue")).content.decode()
    heading = re.search(r"<h1>待审核进展（(\d+)）</h1>", html).group(1)
    action, fields, boxes = batch_form(html)
    assert heading == str(len(boxes)) == str(html.count('<tr data-report="'))
    assert set(boxes) >= {str(a.pk), str(b.pk), str(c.pk)}
    response = office.post(action, {**fields, "report": [str(a.pk), str(b.pk)], "decision": "approve"}, follow=True)
    assert "已批量通过2份报告。" in response.content.decode()
    for report in (a, b):
        report.refresh_from_db()
        assert (report.review_state, report.reviewed_by, report.version) == (ReviewState.APPROVED, office_user, 2)
        assert report.history.latest().history_change_reason == "批量审核通过"
    c.refresh_from_db()
    assert c.review_state == ReviewState.SUBMITTED
    assert AuditEvent.objects.filter(action="review_approve").count() == 2
    html = response.content.decode()
    assert re.search(r"<h1>待审核进展（(\d+)）</h1>", html).group(1) == str(html.count('<tr data-report="'))


def test_batch_is_refused_whole_when_a_report_changed_since_the_page(world, client_as, office_user, liaison_user):
    a, b = queued(world, ("零号湾", "科委"), ("营商", "发改"))
    office = client_as(office_user)
    action, fields, _ = batch_form(office.get(reverse("tasks:review_queue")).content.decode())
    # The unit revises a after the office opened the queue.
    ProgressReport.objects.filter(pk=a.pk).update(version=2, percent=60)
    response = office.post(action, {**fields, "report": [str(a.pk), str(b.pk)], "decision": "approve"}, follow=True)
    assert (
        "第2项 区科委 2025年6月的报告在页面打开后已被修改（现为版本2），本批未审核任何报告。请刷新页面后重试。"
        in response.content.decode()
    )
    assert set(ProgressReport.objects.filter(pk__in=[a.pk, b.pk]).values_list("review_state", flat=True)) == {
        ReviewState.SUBMITTED
    }
    # Returned in a batch: a comment is required, then each report has it.
    action, fields, _ = batch_form(response.content.decode())
    response = office.post(action, {**fields, "report": [str(a.pk), str(b.pk)], "decision": "return"}, follow=True)
    assert "批量退回时请填写退回意见。" in response.content.decode()
    response = office.post(
        action,
        {**fields, "report": [str(a.pk), str(b.pk)], "decision": "return", "comment": "请补充数据。"},
        follow=True,
    )
    assert "已批量退回2份报告。" in response.content.decode()
    for report in (a, b):
        report.refresh_from_db()
        assert (report.review_state, report.review_comment) == (ReviewState.RETURNED, "请补充数据。")
        assert report.history.latest().history_change_reason == "批量退回"
    # Nothing ticked.
    response = office.post(action, {**fields, "decision": "approve"}, follow=True)
    assert "请先勾选要审核的报告。" in response.content.decode()


def test_batch_review_is_the_offices(world, client_as, liaison_user, leader_user):
    (a,) = queued(world, ("零号湾", "科委"))
    url = reverse("tasks:review_batch")
    for user in (liaison_user, leader_user):
        response = client_as(user).post(url, {"report": [a.pk], f"version-{a.pk}": "1", "decision": "approve"})
        assert response.status_code == 403
    a.refresh_from_db()
    assert a.review_state == ReviewState.SUBMITTED


def test_the_system_administrator_sets_evidence_per_plan_in_the_admin(world, client_as, admin_user, office_user):
    url = reverse("admin:tasks_plan_change", args=[world.five_year.pk])
    html = client_as(admin_user).get(url).content.decode()
    assert re.search(r'<input type="checkbox" name="evidence_required"[^>]* id="id_evidence_required">', html)
    assert "要求上传佐证材料" in html
    assert client_as(office_user).get(url).status_code in (302, 403)  # the office does not edit plans there


@pytest.mark.parametrize("scale", [1, 10])
def test_queue_and_form_keep_the_budget_with_a_full_page_of_changes(
    scale, pinned_clock, settings, tmp_path, office_user, liaison_user, django_assert_max_num_queries
):
    """A full queue page (50 rows, each against its previous report, with attachments) and the
    report form with instructions: the same number of queries at one and ten times the world."""
    settings.MEDIA_ROOT = tmp_path
    w = world_build(scale=scale)
    links = list(
        TaskUnit.objects.filter(role="lead", task__state="active")
        .exclude(Exists(ProgressReport.objects.filter(task_id=OuterRef("task_id"), unit_id=OuterRef("unit_id"))))
        .order_by("task_id", "unit_id")[:60]
    )
    for i, link in enumerate(links):
        for period, percent in ((LAST_PERIOD, 10), (THIS_PERIOD, 20 + i)):
            report = ProgressReport.objects.create(
                task_id=link.task_id,
                unit_id=link.unit_id,
                period=period,
                status="in_progress",
                percent=percent,
                progress_text=f"第{i}条进展。",
                review_state=ReviewState.APPROVED if period == LAST_PERIOD else ReviewState.SUBMITTED,
                version=1,
            )
        ReportAttachment.objects.create(
            report=report, file="x.png", original_name="照片.png", size=1, uploaded_by=office_user
        )
    task_status_refresh(task_ids=[link.task_id for link in links])
    for n in range(3):
        instruct(w, office_user, f"批示{n}。")
    office, liaison = Client(), Client()  # two sessions, both signed in before anything is counted
    office.force_login(office_user)
    liaison.force_login(liaison_user)
    shown = min(len(links), 50)  # 29 lead links without a report at scale 1, a full page of 50 at 10
    assert scale == 1 or shown == 50
    with django_assert_max_num_queries(12):
        html = office.get(reverse("tasks:review_queue")).content.decode()
    assert html.count('<tr data-report="') == shown and html.count("data-preview") == shown
    assert html.count("完成百分比：<del>10%</del>") == shown
    with django_assert_max_num_queries(12):
        html = liaison.get(form_url(w)).content.decode()
    assert "领导批示落实情况（3）" in html
