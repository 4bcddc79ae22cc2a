"""The whole month of issue 16 in Chromium, through the rendered pages as people act on them:

1. the system administrator imports the annual plan; 区科委's liaison is told (任务交办) and
   acknowledges its new tasks (签收) on 我的待办;
2. the liaison reports, the office returns the report with a comment;
3. the liaison sees the comment on 我的待办 and resubmits;
4. the office approves;
5. next month the leader writes an instruction (批示); the liaison sees it on 我的待办 and answers it
   (落实情况) in its next report;
6. the office chases the silent unit (催办) and the liaison sees the note;
7. the liaison asks for more time (申请延期) and the office grants it.

Every 我的待办 page visited is checked: each count against its list (or, for a count with only
a link, against the rows of the page it links to), and the header badge against the page's sum
(on 我的待办 and on the page after it)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("plain_static", "pinned_clock")]

ROOT = Path(__file__).resolve().parent.parent
PLAN = "2025年区委、区政府重点工作任务分解表"
UNIT = "区科委"  # the unit of the story (liaison_user's)
# What each role's 我的待办 adds up (the liaison's per-unit total is itself checked against its lists).
TOP_COUNTS = {
    "office": ("pending", "units", "extensions", "unacknowledged", "red_silent", "overdue_chases"),
    "leader": ("red", "yellow", "units", "new_reports"),
}
PENDING_SHOWN = 10  # the office's list shows the oldest ten reports awaiting review


def _login(browser, live_server, username: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(f"pw-{username}")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/todo/")
    return page


def _badge(page) -> int:
    badge = page.locator("[data-todo-badge]")
    return int(re.match(r"\d+", badge.inner_text()).group()) if badge.count() else 0


def _number(text: str) -> int:
    return int(re.search(r"\d+", text).group())


def _linked_rows(page, href: str) -> int:
    """The rows of the page a count links to: the task search's tasks, or the review queue's reports."""
    html = page.request.get(urljoin(page.url, href)).text()
    if "data-result-count" in html:
        rows = html.count('data-task="')
        assert rows == _number(re.search(r"data-result-count>(\d+)<", html).group(1)), href
        return rows
    return len(re.findall(r'<tr[^>]*data-report="', html))


def _row_unit(element) -> str | None:
    return element.locator("xpath=ancestor::*[@data-silent-unit][1]").get_attribute("data-silent-unit")


def _items(scope, key: str) -> int | None:
    """How many items the list `key` of this part of the page shows (None: no list on the page)."""
    lists = scope.locator(f'[data-list="{key}"]')
    if lists.count() == 0:
        return None
    return lists.first.locator(":scope > li, :scope > tbody > tr").count()


def todo_checked(page, live_server, role: str) -> int:
    """Open 我的待办; check every count on it against its list and its link, and the header badge
    (on 我的待办, and on the next page, which shows the sum 我的待办 stored: other pages may
    otherwise be up to TODO_BADGE_SECONDS behind) against the page's sum. Returns the sum."""
    page.goto(f"{live_server.url}/todo/")
    assert page.get_by_role("heading", level=1).inner_text() == "我的待办"
    scopes = page.locator("[data-todo-unit]")
    parts = [scopes.nth(i) for i in range(scopes.count())] or [page.locator("main")]
    page_sum = 0
    for scope in parts:
        counts = scope.locator("[data-count]")
        shown: dict[str, int] = {}
        for i in range(counts.count()):
            element = counts.nth(i)
            key = element.get_attribute("data-count")
            shown[key] = number = _number(element.inner_text())
            items = _items(scope, key)
            if key == "overdue_chases" and role == "liaison":  # a sentence about the chases list
                items = scope.locator('[data-list="chases"] > li').filter(has_text="已逾期").count()
            if key == "pending":
                assert items == min(number, PENDING_SHOWN) or (number == 0 and items is None), key
            elif items is not None or number == 0:
                assert (items or 0) == number, f"{role} {key}: {number} shown, {items} listed"
            href = element.get_attribute("href")
            # Each linked count is followed, except the per-unit ones of units not in the story
            # (tests/test_todo.py follows every one of those; here they would be ~60 a visit).
            per_unit = key.startswith("unit-")
            if href and number and (not per_unit or _row_unit(element) == UNIT):
                assert _linked_rows(page, href) == number, f"{role} {key} → {href}"
        if role == "liaison":
            total = _number(scope.locator("[data-todo-total]").inner_text())
            assert total == sum(n for key, n in shown.items() if key != "overdue_chases")
            page_sum += total
        else:
            page_sum += sum(shown[key] for key in TOP_COUNTS[role] if key in shown)
    on_todo = _badge(page)
    page.goto(f"{live_server.url}/messages/")
    assert on_todo == page_sum == _badge(page), f"{role}: badge {on_todo}/{_badge(page)}, page {page_sum}"
    page.goto(f"{live_server.url}/todo/")  # the callers go on from 我的待办
    return page_sum


def _message(page) -> str:
    return page.locator("p.message").first.inner_text()


def test_a_whole_month_between_the_office_and_a_unit(
    browser, live_server, shipped_aliases, admin_user, office_user, liaison_user, leader_user, clock_at
):
    from supervision.models import ExtensionRequest, Instruction
    from tasks.models import Plan, ProgressReport, Task

    # -- 1. the system administrator imports the plan ------------------------------------------
    admin = _login(browser, live_server, "sysadmin")
    admin.get_by_role("navigation", name="主导航").get_by_role("link", name="导入").click()
    admin.get_by_role("link", name="上传新的任务分解表").click()
    admin.get_by_label("任务分解表文件").set_input_files(str(ROOT / "fixtures" / "annual_2025.docx"))
    admin.get_by_role("button", name="上传并预览").click()
    admin.get_by_role("button", name="确认导入").click()
    assert f"已导入“{PLAN}”：新增 190" in _message(admin)
    todo_checked(admin, live_server, "office")
    admin.context.close()
    plan = Plan.objects.get()
    task = Task.objects.get(plan=plan, number="4")  # led by 区科委; its leader is 谭瑞琮
    new_tasks = plan.tasks.filter(unit_links__unit__name="区科委", unit_links__role="lead").count()

    liaison = _login(browser, live_server, "liaison")
    unit = liaison.locator('[data-todo-unit="区科委"]')
    assert unit.locator('[data-list="new_tasks"]').inner_text().startswith(f"{PLAN}：{new_tasks}项新任务")
    todo_checked(liaison, live_server, "liaison")
    liaison.goto(f"{live_server.url}/messages/")
    assert f"任务交办：《{PLAN}》" in liaison.locator("main").inner_text()
    liaison.goto(f"{live_server.url}/todo/")
    unit.locator('[data-list="new_tasks"] li').first.get_by_role("button", name="签收").click()
    assert _message(liaison) == f"区科委已签收{PLAN}的{new_tasks}项新任务。"
    assert todo_checked(liaison, live_server, "liaison") >= 1
    assert unit.locator('[data-count="new_tasks"]').inner_text() == "0"

    # -- 2. the unit reports; the office returns it with a comment ------------------------------
    unit.locator('[data-list="silent"]').get_by_role("link", name=re.compile(f"^第{task.number}项")).click()
    liaison.get_by_label("进展状态").select_option(label="推进中")
    liaison.get_by_label("完成百分比").fill("30")
    liaison.get_by_label("进展情况").fill("已完成研发投入统计。")
    liaison.get_by_role("button", name="提交审核").click()
    assert "已提交，等待督查室审核" in _message(liaison)
    todo_checked(liaison, live_server, "liaison")

    office = _login(browser, live_server, "duchashi")
    assert todo_checked(office, live_server, "office") >= 1
    assert office.locator('[data-count="pending"]').inner_text() == "1"
    office.get_by_role("navigation", name="主导航").get_by_role("link", name="待审核").click()
    row = office.locator("#pending tbody tr").filter(has_text=f"第{task.number}项")
    row.locator("textarea").fill("请补充研发平台建设的时间节点。")
    row.get_by_role("button", name=re.compile("^退回")).click()
    assert _message(office) == "已退回。"
    todo_checked(office, live_server, "office")

    # -- 3. the unit sees the comment on 我的待办 and resubmits ---------------------------------
    returned = unit.locator('[data-list="returned"]')
    todo_checked(liaison, live_server, "liaison")
    assert "审核意见：请补充研发平台建设的时间节点。" in returned.inner_text()
    returned.get_by_role("link", name=re.compile("修改并重新提交")).click()
    liaison.get_by_label("进展情况").fill("已完成研发投入统计；平台建设9月底前完成。")
    liaison.get_by_role("button", name="提交审核").click()
    assert "已提交，等待督查室审核" in _message(liaison)
    todo_checked(liaison, live_server, "liaison")
    assert unit.locator('[data-count="returned"]').inner_text() == "0"

    # -- 4. the office approves -----------------------------------------------------------------
    office.goto(f"{live_server.url}/reports/pending/")
    row = office.locator("#pending tbody tr").filter(has_text=f"第{task.number}项")
    row.get_by_role("button", name=re.compile("^通过")).click()
    assert _message(office) == "已审核通过。"
    assert ProgressReport.objects.get(task=task).review_state == "approved"
    todo_checked(office, live_server, "office")

    # -- 5. next month: the leader's instruction, the unit's answer in its next report ----------
    clock_at(dt.date(2025, 7, 10))
    leader = _login(browser, live_server, "leader")
    todo_checked(leader, live_server, "leader")
    leader.goto(f"{live_server.url}/tasks/{task.pk}/")
    panel = leader.locator("[data-supervision]")
    panel.wait_for()
    panel.locator("summary", has_text="写批示").click()
    panel.get_by_label("批示内容").fill("请加快研发平台建设，三季度见成效。")
    panel.get_by_role("button", name="提交批示").click()
    assert _message(leader) == "批示已录入，并已通知牵头单位。"
    todo_checked(leader, live_server, "leader")
    leader.context.close()

    todo_checked(liaison, live_server, "liaison")
    instructions = unit.locator('[data-list="instructions"]')
    assert "谭瑞琮批示：请加快研发平台建设，三季度见成效。" in instructions.inner_text()
    answer = "已确定平台选址，8月开工。"
    # The instruction's link on 我的待办 leads to the task; the July report answers it.
    instructions.get_by_role("link").first.click()
    liaison.get_by_role("link", name="以区科委身份填报").click()
    assert "领导批示落实情况（1）" in liaison.locator("[data-report-instructions]").inner_text()
    liaison.get_by_label("进展状态").select_option(label="推进中")
    liaison.get_by_label("完成百分比").fill("45")
    liaison.get_by_label("进展情况").fill("平台选址已确定。")
    liaison.get_by_label("落实情况：谭瑞琮批示").fill(answer)
    liaison.get_by_role("button", name="提交审核").click()
    assert "已提交，等待督查室审核" in _message(liaison)
    todo_checked(liaison, live_server, "liaison")
    assert unit.locator('[data-count="instructions"]').inner_text() == "0"
    liaison.goto(f"{live_server.url}/tasks/{task.pk}/")
    liaison.locator("[data-instructions]").wait_for()
    assert answer in liaison.locator("[data-instructions]").inner_text()
    assert Instruction.objects.get().leader.name == "谭瑞琮"

    # -- 6. the office chases the silent unit; the unit sees the note ---------------------------
    todo_checked(office, live_server, "office")
    row = office.locator('[data-silent-unit="区科委"]')
    silent = _number(row.locator('[data-count^="unit-"]').inner_text())
    row.get_by_text("催办", exact=True).click()
    row.get_by_label("催办意见（可选）").fill("请于7月15日前报送其余任务的本月进展。")
    row.get_by_label("答复期限（可选）").fill("2025-07-15")
    row.get_by_role("button", name="催办该单位全部未报送任务").click()
    # 同时生成督办单 is ticked by default: the chase makes its 督办单 (issue 19).
    assert re.fullmatch(
        rf"已向区科委发出催办，涉及{silent}项未报送任务，并生成督办单 闵督办〔2025〕\d+号。", _message(office)
    )
    todo_checked(office, live_server, "office")

    todo_checked(liaison, live_server, "liaison")
    chases = unit.locator('[data-list="chases"]')
    assert "督查室催办：请于7月15日前报送其余任务的本月进展。" in chases.inner_text()
    assert "答复期限2025年7月15日（周二）" in chases.inner_text()

    # -- 7. the unit asks for more time; the office grants it -----------------------------------
    liaison.goto(f"{live_server.url}/tasks/{task.pk}/")
    panel = liaison.locator("[data-supervision]")
    panel.wait_for()
    panel.locator("summary", has_text="申请延期").click()
    panel.get_by_label("申请延至").fill("2026-03-31")
    panel.get_by_label("申请理由").fill("设备到货推迟至明年一季度。")
    panel.get_by_role("button", name="提交延期申请").click()
    assert _message(liaison) == "延期申请已提交，等待督查室审批。"
    todo_checked(liaison, live_server, "liaison")
    assert "申请延至2026-03-31，待审批" in unit.locator('[data-list="extensions"]').inner_text()

    todo_checked(office, live_server, "office")
    extensions = office.locator('[data-list="extensions"]')
    assert "区科委申请由2025-12-31延至2026-03-31" in extensions.inner_text()
    extensions.get_by_role("link").first.click()
    panel = office.locator("[data-supervision]")
    panel.wait_for()
    assert panel.get_by_label("批准延至").input_value() == "2026-03-31"
    panel.get_by_role("button", name="同意延期").click()
    assert _message(office) == "已同意延期，截止日期已更新。"
    task.refresh_from_db()
    assert str(task.due_date) == "2026-03-31" and ExtensionRequest.objects.get().state == "approved"
    todo_checked(office, live_server, "office")
    assert office.locator('[data-count="extensions"]').inner_text() == "0"
    office.context.close()

    todo_checked(liaison, live_server, "liaison")
    assert "（截止日期改为2026-03-31）" in unit.locator('[data-list="extensions"]').inner_text()
    liaison.context.close()
