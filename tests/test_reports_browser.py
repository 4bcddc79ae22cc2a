"""Better reporting in Chromium: the liaison opens the report form (pre-filled from May, what changed
shown), writes 落实情况 for the leader's instruction, attaches two files in one file box and
submits; the office previews the image, ticks two reports on the queue and approves them in one
batch. Every count the pages show is checked against its list."""

from __future__ import annotations

import re

import pytest

from tests.test_supervision_browser import _login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("plain_static", "pinned_clock")]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_report_with_two_attachments_and_an_answer_then_batch_approval(
    browser, live_server, settings, tmp_path, office_user, liaison_user, leader_user
):
    from supervision.models import Instruction, InstructionReply
    from tasks.models import ProgressReport, ReviewState
    from tests.factories import LAST_PERIOD, THIS_PERIOD, report_make, world_build

    settings.MEDIA_ROOT = tmp_path
    w = world_build()
    task = w.tasks["零号湾"]
    ProgressReport.objects.filter(task=task, unit=w.units["科委"], period=LAST_PERIOD).update(
        progress_text="完成载体选址。"
    )
    Instruction.objects.create(task=task, leader=w.leaders["谭"], text="请月底前完成改造。", written_by=leader_user)
    # Another report already waits for review (区发展改革委 on 营商).
    other = report_make(
        task=w.tasks["营商"],
        unit=w.units["发改"],
        period=THIS_PERIOD,
        status="in_progress",
        percent=20,
        progress_text="推进中。",
        problems="审批延后。",
        review_state=ReviewState.SUBMITTED,
        version=1,
    )

    # 1. The liaison sees the instruction on 我的待办 and answers it in the report.
    liaison = _login(browser, live_server, "liaison")
    unit = liaison.locator('[data-todo-unit="区科委"]')
    assert unit.locator('[data-count="instructions"]').inner_text() == "1"
    assert unit.locator('[data-list="instructions"] li').count() == 1
    liaison.goto(f"{live_server.url}/tasks/{task.pk}/report/{w.units['科委'].pk}/")
    assert "已按区科委上期（2025年5月）的报告预填" in liaison.locator("[data-prefilled]").inner_text()
    assert liaison.get_by_label("进展情况").input_value() == "完成载体选址。"
    liaison.get_by_label("完成百分比").fill("60")
    liaison.get_by_label("进展情况").fill("完成载体选址。改造开工。")
    liaison.get_by_label("落实情况：谭瑞琮批示").fill("已倒排工期，月底前完成改造。")
    liaison.get_by_label("附件（可选，可多选）").set_input_files(
        [
            {"name": "现场照片.png", "mimeType": "image/png", "buffer": PNG},
            {"name": "改造方案.pdf", "mimeType": "application/pdf", "buffer": PDF},
        ]
    )
    liaison.get_by_role("button", name="提交审核").click()
    liaison.wait_for_url(f"{live_server.url}/tasks/{task.pk}/")
    assert liaison.locator("p.message").inner_text() == (
        "区科委对第2项的2025年6月进展已提交，等待督查室审核，并报送了1条批示的落实情况。"
    )
    report = ProgressReport.objects.get(task=task, unit=w.units["科委"], period=THIS_PERIOD)
    assert sorted(report.attachments.values_list("original_name", flat=True)) == ["改造方案.pdf", "现场照片.png"]
    assert InstructionReply.objects.get().report_id == report.pk
    # The answer stands under the instruction on the task page; the to-do list is empty.
    panel = liaison.locator("[data-supervision]")
    panel.wait_for()
    text = panel.inner_text()
    assert text.index("请月底前完成改造。") < text.index("已倒排工期，月底前完成改造。")
    liaison.goto(f"{live_server.url}/todo/")
    assert liaison.locator('[data-todo-unit="区科委"] [data-count="instructions"]').inner_text() == "0"
    assert not liaison.csp_errors  # type: ignore[attr-defined]
    liaison.context.close()

    # 2. The office: the queue's count equals its rows; the change since May is shown; the image previews.
    office = _login(browser, live_server, "duchashi")
    office.goto(f"{live_server.url}/reports/pending/")
    heading = office.get_by_role("heading", level=1).inner_text()
    rows = office.locator("#pending tbody tr")
    assert heading == f"待审核进展（{rows.count()}）" and rows.count() == 2
    row = office.locator(f'[data-report="{report.pk}"]')
    assert "完成百分比：30% → 60%" in re.sub(r"\s+", " ", row.locator("[data-changes]").inner_text())
    with office.expect_popup() as popup:
        row.locator("a[data-preview]", has_text="现场照片.png").click()
    preview = popup.value
    preview.wait_for_load_state()
    assert preview.evaluate("document.contentType") == "image/png"
    preview.close()

    # 3. Both ticked, approved in one batch.
    office.get_by_label("选择：第2项 区科委").check()
    office.get_by_label("选择：第1项 区发展改革委").check()
    with office.expect_navigation():
        office.get_by_role("button", name="批量通过").click()
    assert office.locator("p.message").inner_text() == "已批量通过2份报告。"
    assert office.get_by_role("heading", level=1).inner_text() == "待审核进展（0）"
    for r in (report, other):
        r.refresh_from_db()
        assert r.review_state == ReviewState.APPROVED
        assert r.history.latest().history_change_reason == "批量审核通过"
    assert not office.csp_errors  # type: ignore[attr-defined]
    office.context.close()


def test_a_returned_report_reaches_the_unit_by_message_and_a_draft_of_it_stays_returned(
    browser, live_server, office_user, liaison_user
):
    """The office returns a report in the review queue; the liaison opens the 审核结果 message's 查看,
    lands on that period's form with the office's comment, saves a draft, and the report is still
    returned, with the comment on the form and on 我的待办."""
    from tasks.models import ProgressReport, ReviewState
    from tests.factories import THIS_PERIOD, report_make, world_build

    w = world_build()
    task, unit = w.tasks["研发"], w.units["科委"]
    ProgressReport.objects.filter(task=task, unit=unit).delete()
    report = report_make(
        task=task,
        unit=unit,
        period=THIS_PERIOD,
        status="in_progress",
        percent=40,
        progress_text="完成方案。",
        review_state="submitted",
        version=1,
    )

    office = _login(browser, live_server, "duchashi")
    office.goto(f"{live_server.url}/reports/pending/")
    row = office.locator(f'tr[data-report="{report.pk}"]')
    row.locator("textarea").fill("请补充走访企业名单。")
    with office.expect_navigation():
        row.get_by_role("button", name=re.compile("^退回")).click()
    assert "已退回" in office.locator("p.message").inner_text()
    office.context.close()

    liaison = _login(browser, live_server, "liaison")
    liaison.goto(f"{live_server.url}/messages/")
    message = liaison.locator("tr", has_text="进展报告被退回")
    assert "退回意见：请补充走访企业名单。" in message.inner_text()
    with liaison.expect_navigation():
        message.get_by_role("button", name="查看").click()
    assert f"/tasks/{task.pk}/report/{unit.pk}/?period={THIS_PERIOD:%Y-%m-%d}" in liaison.url
    assert "督查室退回意见：请补充走访企业名单。" in liaison.locator(".message.warning").inner_text()
    liaison.get_by_label("进展情况").fill("已补充一半的走访名单。")
    with liaison.expect_navigation():
        liaison.get_by_role("button", name="保存草稿").click()
    report.refresh_from_db()
    assert (report.review_state, report.progress_text) == (ReviewState.RETURNED, "已补充一半的走访名单。")
    liaison.goto(f"{live_server.url}/tasks/{task.pk}/report/{unit.pk}/")
    assert "督查室退回意见：请补充走访企业名单。" in liaison.locator(".message.warning").inner_text()
    liaison.goto(f"{live_server.url}/todo/")
    assert liaison.locator(f'[data-report="{report.pk}"]').count() == 1
    liaison.context.close()
