"""督办 in Chromium: the office chases a silent unit from 我的待办 and a task from its page (the
date box as the browser fills it), the liaison logs in, lands on 我的待办 and sees the chase;
a leader writes an instruction on the task page and the liaison sees it and records 落实情况."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("plain_static", "pinned_clock")]


def _login(browser, live_server, username: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("response", lambda r: errors.append(r.url) if "/supervision/" in r.url and r.status >= 400 else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(f"pw-{username}")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/todo/")
    assert page.get_by_role("heading", level=1).inner_text() == "我的待办"
    page.csp_errors = errors  # type: ignore[attr-defined]
    return page


def test_chase_and_instruction_reach_the_liaisons_todo(browser, live_server, office_user, liaison_user, leader_user):
    from documents.models import SupervisionSlip
    from supervision.models import Chase, Instruction
    from tests.factories import world_build

    w = world_build()
    task = w.tasks["研发"]  # 区科委 and 闵行城投公司 lead; 谭瑞琮 leads it

    # 1. The office lands on 我的待办 and chases the silent 区科委 from its row (without a 督办单:
    # the box is unticked; test_a_chase_makes_its_slip ticks it).
    office = _login(browser, live_server, "duchashi")
    row = office.locator('[data-silent-unit="区科委"]')
    row.get_by_text("催办", exact=True).click()
    row.get_by_label("催办意见（可选）").fill("请于本周内报送本月进展。")
    row.get_by_label("答复期限（可选）").fill("2025-06-20")
    row.get_by_label("同时生成督办单").uncheck()
    with office.expect_navigation():
        row.get_by_role("button", name="催办该单位全部未报送任务").click()
    assert re.fullmatch(r"已向区科委发出催办，涉及\d+项未报送任务。", office.locator("p.message").inner_text())
    chase = Chase.objects.get()
    assert str(chase.reply_by) == "2025-06-20" and chase.note == "请于本周内报送本月进展。"

    # The task page loads its 批示与催办 panel; the office chases 闵行城投公司 on 研发 through it.
    office.goto(f"{live_server.url}/tasks/{task.pk}/")
    panel = office.locator("[data-supervision]")
    panel.wait_for()
    panel.locator("summary", has_text="催办").click()
    panel.get_by_label("催办单位").select_option(label="闵行城投公司")
    panel.get_by_label("答复期限（可选）").fill("2025-06-25")
    panel.get_by_label("同时生成督办单").uncheck()
    with office.expect_navigation():
        panel.get_by_role("button", name="发出催办").click()
    assert office.locator("p.message").inner_text() == "已向闵行城投公司发出催办。"
    office.locator("[data-supervision]").wait_for()
    assert office.locator("[data-chase-count]").inner_text().startswith("已催办1次，最近一次：")
    assert str(Chase.objects.get(unit__name="闵行城投公司").reply_by) == "2025-06-25"
    assert not SupervisionSlip.objects.exists()
    assert not office.csp_errors  # type: ignore[attr-defined]
    office.context.close()

    # 2. The leader writes an instruction on the task page.
    leader = _login(browser, live_server, "leader")
    leader.goto(f"{live_server.url}/tasks/{task.pk}/")
    panel = leader.locator("[data-supervision]")
    panel.wait_for()
    panel.locator("summary", has_text="写批示").click()
    panel.get_by_label("批示内容").fill("请加快研发平台建设，月底前见成效。")
    with leader.expect_navigation():
        panel.get_by_role("button", name="提交批示").click()
    assert leader.locator("p.message").inner_text() == "批示已录入，并已通知牵头单位。"
    leader.locator("[data-instructions]").wait_for()
    assert "请加快研发平台建设，月底前见成效。" in leader.locator("[data-instructions]").inner_text()
    leader.context.close()
    assert Instruction.objects.get().leader.name == "谭瑞琮"

    # 3. The liaison lands on 我的待办: the chase and the instruction are there.
    liaison = _login(browser, live_server, "liaison")
    unit = liaison.locator('[data-todo-unit="区科委"]')
    chases = unit.locator('[data-list="chases"]')
    assert "请于本周内报送本月进展。" in chases.inner_text() and "答复期限2025年6月20日（周五）" in chases.inner_text()
    assert unit.locator('[data-count="chases"]').inner_text() == str(chases.locator("li").count()) == "1"
    instructions = unit.locator('[data-list="instructions"]')
    assert "谭瑞琮批示：请加快研发平台建设，月底前见成效。" in instructions.inner_text()
    assert unit.locator('[data-count="instructions"]').inner_text() == "1"
    # It answers the instruction on the task page (落实情况) and the to-do list empties.
    instructions.get_by_role("link").first.click()
    panel = liaison.locator("[data-supervision]")
    panel.wait_for()
    panel.get_by_label("区科委落实情况").fill("已完成平台选址，正在装修。")
    with liaison.expect_navigation():
        panel.get_by_role("button", name="保存落实情况").click()
    assert liaison.locator("p.message").inner_text() == "落实情况已保存。"
    liaison.goto(f"{live_server.url}/todo/")
    assert liaison.locator('[data-todo-unit="区科委"] [data-count="instructions"]').inner_text() == "0"
    assert not liaison.csp_errors  # type: ignore[attr-defined]
    liaison.context.close()


def _docx_form(download) -> tuple[str, dict[str, str], list[str]]:
    """A downloaded slip opened with python-docx: its number line, its form (label → value) and
    the receipt's first row."""
    import docx

    document = docx.Document(download.path())
    form = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    return document.paragraphs[2].text, form, [c.text for c in document.tables[1].rows[0].cells]


def test_a_chase_makes_its_slip(browser, live_server, office_user, liaison_user):
    """The office chases with 同时生成督办单 ticked, as the page offers it: from 我的待办 (a unit's
    unreported tasks) and from a task page (one task, no 答复期限 given); each chase lists its
    slip's number with the Word file, which holds exactly the chased tasks."""
    from documents.models import SupervisionSlip
    from documents.pdf import pdf_available
    from supervision.models import Chase
    from tests.factories import world_build

    w = world_build()
    office = _login(browser, live_server, "duchashi")
    row = office.locator('[data-silent-unit="区经委"]')
    row.get_by_text("催办", exact=True).click()
    assert row.get_by_label("同时生成督办单").is_checked()
    row.get_by_label("催办意见（可选）").fill("请于本周内报送本月进展。")
    row.get_by_label("答复期限（可选）").fill("2025-06-20")
    with office.expect_navigation():
        row.get_by_role("button", name="催办该单位全部未报送任务").click()
    assert (
        office.locator("p.message").inner_text()
        == "已向区经委发出催办，涉及2项未报送任务，并生成督办单 闵督办〔2025〕1号。"
    )
    slip = SupervisionSlip.objects.get()
    assert slip.chase == Chase.objects.get(unit__name="区经委") and str(slip.reply_by) == "2025-06-20"

    # Each chased task's panel lists the chase with its slip.
    for task in (w.tasks["产业"], w.tasks["服务包"]):
        office.goto(f"{live_server.url}/tasks/{task.pk}/")
        chase = office.locator("[data-supervision] [data-chase]")
        chase.wait_for()
        listed = chase.locator("[data-chase-slip]")
        assert listed.inner_text().startswith("督办单 闵督办〔2025〕1号：Word")
        assert listed.get_by_role("link", name="PDF").count() == (1 if pdf_available() else 0)
    with office.expect_download() as download:
        listed.get_by_role("link", name="Word").click()
    assert download.value.suggested_filename == "督办单闵督办〔2025〕1号.docx"
    number, form, receipt = _docx_form(download.value)
    assert number == "编号：闵督办〔2025〕1号\t2025年6月15日"
    assert form["督办事项"].split("\n") == [
        "牵头的2项任务本期尚未报送进展：",
        f"1. “十四五”规划重点任务第3项：{w.tasks['产业'].title}（截止未设定，未报送）",
        f"2. 2025年重点工作第2项：{w.tasks['服务包'].title}（截止2025年7月1日，未报送）",
    ]
    assert (form["督办要求"], form["反馈期限"]) == (
        "请于本周内报送本月进展。",
        "2025年6月20日前（反馈至闵行区人民政府督查室）",
    )
    assert receipt == ["督办单号", "闵督办〔2025〕1号", "承办单位", "区经委"]

    # From the task page: one task, to the unit chosen; no 答复期限 given, so seven days for both.
    task = w.tasks["零号湾"]  # 区科委 and 区发展改革委 lead it
    office.goto(f"{live_server.url}/tasks/{task.pk}/")
    panel = office.locator("[data-supervision]")
    panel.wait_for()
    panel.locator("summary", has_text="催办").click()
    panel.get_by_label("催办单位").select_option(label="区科委")
    assert panel.get_by_label("同时生成督办单").is_checked()
    with office.expect_navigation():
        panel.get_by_role("button", name="发出催办").click()
    assert office.locator("p.message").inner_text() == "已向区科委发出催办，并生成督办单 闵督办〔2025〕2号。"
    listed = office.locator("[data-supervision] [data-chase-slip]")
    listed.wait_for()
    assert "（请于2025-06-20前答复）" in office.locator("[data-supervision] [data-chase]").inner_text()
    with office.expect_download() as download:
        listed.get_by_role("link", name="Word").click()
    number, form, receipt = _docx_form(download.value)
    assert number == "编号：闵督办〔2025〕2号\t2025年6月15日"
    assert form["督办事项"] == f"第{task.number}项：{task.text}"
    assert form["反馈期限"] == "2025年6月20日前（反馈至闵行区人民政府督查室）"
    assert receipt == ["督办单号", "闵督办〔2025〕2号", "承办单位", "区科委"]
    assert not office.csp_errors  # type: ignore[attr-defined]
    office.context.close()

    # The liaison of 区科委 lands on 我的待办: the chase names its slip (the file is the office's).
    liaison = _login(browser, live_server, "liaison")
    chases = liaison.locator('[data-todo-unit="区科委"] [data-list="chases"]')
    assert chases.locator("[data-chase-slip]").inner_text() == "督办单 闵督办〔2025〕2号"
    assert chases.get_by_role("link", name="Word").count() == 0
    liaison.context.close()


def test_supervision_pages_have_no_axe_violations(browser, live_server, office_user, liaison_user, leader_user):
    """我的待办 for each role with every list filled, the task page with its panel loaded and
    opened, and the panel page of its own (axe-core, WCAG 2.1 AA, no sideways scroll at 320 px)."""
    import datetime as dt

    from supervision import services
    from tests.factories import TODAY, world_build
    from tests.test_accessibility import Audit
    from tests.test_accessibility import _login as axe_login

    w = world_build()
    task = w.tasks["研发"]
    services.chase_unit(user=office_user, unit=w.units["科委"], note="请报送。", reply_by=TODAY)
    services.chase_task(
        user=office_user, task=w.tasks["零号湾"], unit=w.units["发改"], reply_by=TODAY + dt.timedelta(days=1)
    )
    services.instruction_create(user=leader_user, task=task, text="加快。")
    services.extension_request(
        user=liaison_user, task=task, unit=w.units["科委"], requested_date=dt.date(2026, 3, 31), reason="推迟。"
    )
    audit = Audit()
    for username in ("duchashi", "liaison", "leader"):
        page = axe_login(browser, live_server, username)
        audit.visit(page, f"{live_server.url}/todo/", f"{username}: 我的待办")
        for summary in page.locator("details summary").all():
            summary.click()
        audit.check(page, f"{username}: 我的待办 (forms open)")
        page.goto(f"{live_server.url}/tasks/{task.pk}/")
        page.locator("[data-supervision]").wait_for()
        for summary in page.locator("[data-supervision] details summary").all():
            summary.click()
        audit.check(page, f"{username}: task page with its panel")
        audit.visit(page, f"{live_server.url}/supervision/tasks/{task.pk}/", f"{username}: panel page")
        page.context.close()
    audit.assert_clean()


def test_a_refused_form_comes_back_as_it_was_typed(browser, live_server, office_user, liaison_user):
    """The server refuses (a past reply date, a missing reason, no comment on 批量退回) and redirects:
    the page comes back with the refusal and with what was typed, the form opened, nothing written."""
    from supervision.models import Chase, ExtensionRequest
    from tests.factories import THIS_PERIOD, report_make, world_build

    w = world_build()
    task = w.tasks["研发"]
    note = "请于本周内报送本月进展，并说明研发投入统计口径。" * 8

    office = _login(browser, live_server, "duchashi")
    office.goto(f"{live_server.url}/tasks/{task.pk}/")
    panel = office.locator("[data-supervision]")
    panel.wait_for()
    panel.locator("summary", has_text="催办").click()
    panel.get_by_label("催办单位").select_option(label="闵行城投公司")
    panel.get_by_label("催办意见（可选）").fill(note)
    panel.get_by_label("答复期限（可选）").fill("2025-06-01")  # before today (2025-06-15)
    with office.expect_navigation():
        panel.get_by_role("button", name="发出催办").click()
    assert "答复期限不能早于今天。" in office.locator("p.message").inner_text()
    panel = office.locator("[data-supervision]")
    panel.wait_for()
    form = panel.locator("[data-chase-form]")
    form.wait_for()
    assert form.get_by_label("催办意见（可选）").input_value() == note
    assert form.get_by_label("答复期限（可选）").input_value() == "2025-06-01"
    assert form.get_by_label("催办单位").input_value() == str(w.units["城投"].pk)
    assert form.is_visible()  # its <details> is open again
    assert not Chase.objects.exists()

    # 批量退回 without a comment: the ticked reports stay ticked.
    from tasks.models import ProgressReport, TaskUnit

    for link in (
        TaskUnit.objects.filter(role="lead").exclude(unit__kind="group").exclude(task__reports__period=THIS_PERIOD)[:2]
    ):
        report_make(
            task=link.task,
            unit=link.unit,
            period=THIS_PERIOD,
            status="in_progress",
            percent=40,
            review_state="submitted",
        )
    reports = list(ProgressReport.objects.filter(review_state="submitted").order_by("pk")[:2])
    assert len(reports) == 2
    office.goto(f"{live_server.url}/reports/pending/")
    for report in reports:
        office.locator(f"#pick{report.pk}").check()
    with office.expect_navigation():
        office.get_by_role("button", name="批量退回").click()
    assert "批量退回时请填写退回意见。" in office.locator("p.message").inner_text()
    assert all(office.locator(f"#pick{report.pk}").is_checked() for report in reports)
    office.context.close()

    # The liaison's 申请延期 with a date before the due date: the reason is still there.
    liaison = _login(browser, live_server, "liaison")
    liaison.goto(f"{live_server.url}/tasks/{task.pk}/")
    panel = liaison.locator("[data-supervision]")
    panel.wait_for()
    panel.locator("summary", has_text="申请延期").click()
    panel.get_by_label("申请延至").fill("2025-09-30")
    panel.get_by_label("申请理由").fill("设备到货推迟，需顺延三个月。")
    with liaison.expect_navigation():
        panel.get_by_role("button", name="提交延期申请").click()
    assert "申请延至的日期须晚于现在的截止日期（2025-12-31）。" in liaison.locator("p.message").inner_text()
    form = liaison.locator("[data-extension-form]")
    form.wait_for()
    assert form.get_by_label("申请理由").input_value() == "设备到货推迟，需顺延三个月。"
    assert form.get_by_label("申请延至").input_value() == "2025-09-30"
    assert not ExtensionRequest.objects.exists()
    assert not liaison.csp_errors  # type: ignore[attr-defined]
    liaison.context.close()
