"""A person in a real browser (Debian's Chromium through Playwright), on the seed documents.

Screenshots of the main pages go to test-artifacts/screenshots/ (gitignored) for a reviewer;
with UPDATE_DOCS_SCREENSHOTS=1 the two README screenshots in docs/screenshots/ are refreshed too.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM
from tests.factories import office_file

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-artifacts" / "screenshots"
DOCS_SHOTS = ROOT / "docs" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("plain_static", "pinned_clock")]


def shot(page, name: str, *, full_page: bool = True) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture
def seeded_with_reports(shipped_aliases, seed_plans):
    """The seeds plus a report this period on every other task, so the page shows every colour."""
    from tests.factories import reports_sprinkle

    reports_sprinkle(every=2)
    return seed_plans


def test_chromium_is_debians(browser):
    # CI installs the chromium-headless-shell package; without it this must fail, never skip.
    assert CHROMIUM.exists(), "install Debian's headless Chromium: apt-get install -y chromium-headless-shell"
    assert browser.version


def test_home_unit_task_leader_journey(page, live_server, office_user, seeded_with_reports):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    csp_errors: list[str] = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Log in through the form, as a person would.
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("用户名").fill("duchashi")
    page.get_by_label("密码").fill("pw-duchashi")
    page.get_by_role("button", name="登录").click()

    # Home: both plans, their figures and charts.
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text() == "规划与重点工作总览"
    assert page.get_by_role("heading", name="2025年区委、区政府重点工作任务分解表").is_visible()
    assert page.get_by_role("heading", name="闵行区“十四五”规划重点任务责任分解表").is_visible()
    totals = sorted(int(x) for x in page.locator('[data-figure="total"]').all_inner_texts())
    assert totals == [74, 190]
    assert page.locator("figure.chart svg").count() == 2
    home_png = shot(page, "01-dashboard")

    # Two clicks to a unit: 单位 → 区科委.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="单位").click()
    assert page.get_by_role("heading", level=1).inner_text() == "牵头单位"
    page.locator("#unit-table").get_by_role("link", name="区科委", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "区科委"
    crumbs = page.get_by_role("navigation", name="当前位置").locator("li")
    assert [t.strip() for t in crumbs.all_inner_texts()] == ["首页", "单位", "区科委"]
    assert crumbs.last.get_attribute("aria-current") == "page"
    rows = page.locator("table.tasks tbody tr")
    assert rows.count() > 10
    plans_seen = set(page.locator("table.tasks tbody tr td:nth-child(3)").all_inner_texts())
    assert any("五年规划" in p for p in plans_seen) and any("年度重点工作" in p for p in plans_seen)
    shot(page, "02-unit-keji")
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS_SHOTS / "unit.png"))  # the top of the page: figures and first tasks

    # A task of the 2025 plan led by 谭瑞琮.
    page.get_by_role("link", name=re.compile("全社会研发经费支出")).first.click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("第4项")
    facts = page.locator("dl.facts").inner_text()
    assert "谭瑞琮" in facts and "区科委" in facts
    assert page.get_by_role("heading", name="进展记录").is_visible()
    shot(page, "03-task")

    # Back to the leader: his page lists his 35 tasks of the 2025 plan.
    page.locator("dl.facts").get_by_role("link", name="谭瑞琮").click()
    assert page.get_by_role("heading", level=1).inner_text() == "谭瑞琮"
    assert page.locator("[data-task-count]").inner_text() == "35"
    assert page.locator("table.tasks tbody tr").count() == 35
    shot(page, "04-leader")

    # Search from the header box: the short alias finds 区发展改革委's tasks.
    page.get_by_label("搜索任务、单位或领导").fill("区发改委")
    page.get_by_label("搜索任务、单位或领导").press("Enter")
    assert int(page.locator("[data-result-count]").inner_text()) > 10
    assert "q=" in page.url  # the result is a permalink
    shot(page, "05-search")

    # Nothing was fetched from anywhere but this server (no CDN, no fonts).
    assert requests and all(url.startswith(live_server.url) for url in requests), [
        u for u in requests if not u.startswith(live_server.url)
    ]
    # And nothing was refused by the Content-Security-Policy (e.g. an inline style).
    assert not csp_errors, csp_errors

    if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
        shutil.copy(home_png, DOCS_SHOTS / "dashboard.png")


def test_phone_width_keyboard_and_print(page, live_server, client, office_user, seeded_with_reports):
    # Reuse a logged-in session cookie instead of typing the form again.
    client.force_login(office_user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/units/")
    # No sideways scrolling of the page itself on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    shot(page, "06-phone-units")

    # Keyboard: the first Tab lands on the skip link, which leads to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")

    page.set_viewport_size({"width": 1000, "height": 1400})
    page.goto(f"{live_server.url}/units/name/区科委/")
    page.get_by_role("link", name="打印一页汇总").click()
    # Wait for the print view itself: checking the old page while it navigates was a flake under load.
    page.wait_for_url(re.compile(r"/units/\d+/print/$"))
    page.wait_for_load_state()
    page.emulate_media(media="print")
    assert not page.locator("header.site-header").is_visible()  # print CSS hides the chrome
    assert page.get_by_role("heading", level=1).inner_text() == "区科委 任务推进情况汇总"
    shot(page, "07-unit-print")


def _login(browser, live_server, username: str, password: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    with page.expect_navigation():  # the answer is a new page: wait for it
        page.get_by_role("button", name="登录").click()
    return page


def test_liaison_records_progress_office_approves_leader_sees(
    browser, live_server, seed_plans, liaison_user, office_user, leader_user
):
    from tasks.models import Leader, ProgressReport, Task, Unit

    task = Task.objects.get(plan__kind="annual", number="4")  # led by 区科委, leader 谭瑞琮
    other = Task.objects.get(plan__kind="annual", number="2")  # led by 区发展改革委

    # The 区科委 liaison lands on the unit's page and records progress on one of its tasks.
    page = _login(browser, live_server, "liaison", "pw-liaison")
    assert page.get_by_role("heading", level=1).inner_text() == "我的待办"  # where login lands
    page.goto(f"{live_server.url}/tasks/{task.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="以区科委身份填报").click()
    page.get_by_label("进展状态").select_option(label="推进中")
    page.get_by_label("完成百分比").fill("60")
    page.get_by_label("进展情况").fill("已完成年度研发投入统计，正在推进重点企业走访。")
    with page.expect_navigation():
        page.get_by_role("button", name="提交审核").click()
    assert "已提交，等待督查室审核" in page.locator(".message").inner_text()
    assert "已报送待审核" in page.locator("ol.timeline").inner_text()
    shot(page, "10-task-after-report")

    # Another unit's task: no link to the form, and the form itself is refused.
    page.goto(f"{live_server.url}/tasks/{other.pk}/")
    assert page.get_by_role("link", name=re.compile("身份填报")).count() == 0
    response = page.goto(f"{live_server.url}/tasks/{other.pk}/report/{Unit.objects.get(name='区发展改革委').pk}/")
    assert response.status == 403
    assert "本单位牵头的任务" in page.content()

    # The office approves it from the review queue.
    office = _login(browser, live_server, "duchashi", "pw-duchashi")
    with office.expect_navigation():
        office.get_by_role("link", name="待审核").click()
    row = office.locator("#pending tbody tr").filter(has_text=f"第{task.number}项")
    with office.expect_navigation():
        row.get_by_role("button", name="通过").click()
    assert "已审核通过" in office.locator(".message").inner_text()
    assert ProgressReport.objects.get(task=task).review_state == "approved"

    # The leader lands on 我的待办, opens their own page and sees the new status.
    leader = _login(browser, live_server, "leader", "pw-leader")
    assert leader.get_by_role("heading", level=1).inner_text() == "我的待办"
    leader.goto(f"{live_server.url}/leaders/{Leader.objects.get(name='谭瑞琮').pk}/")
    assert leader.get_by_role("heading", level=1).inner_text() == "谭瑞琮"
    task_row = leader.locator(f'[data-task="{task.pk}"]').first
    assert "推进中" in task_row.inner_text()
    shot(leader, "11-leader-after-approval")


def test_admin_uploads_previews_and_confirms_a_breakdown_table(browser, live_server, admin_user, shipped_aliases):
    from tasks.models import Plan

    page = _login(browser, live_server, "sysadmin", "pw-sysadmin")
    with page.expect_navigation():
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="导入").click()
    with page.expect_navigation():
        page.get_by_role("link", name="上传新的任务分解表").click()
    page.get_by_label("任务分解表文件").set_input_files(str(ROOT / "fixtures" / "annual_2025.docx"))
    with page.expect_navigation():
        page.get_by_role("button", name="上传并预览").click()

    # The preview: identity read from the heading, counts found vs stated, warnings, nothing written yet.
    assert page.get_by_role("heading", level=1).inner_text() == "导入预览：annual_2025.docx"
    assert page.get_by_role("textbox", name="标题", exact=True).input_value() == "2025年区委、区政府重点工作任务分解表"
    assert page.get_by_role("textbox", name="文号", exact=True).input_value() == "闵委办发〔2025〕3号"
    counts = page.locator("#counts").inner_text()
    assert "任务\t190\t190\t一致" in counts and "项目\t41\t41\t一致" in counts
    assert "赵亮 + 杨辛" in page.locator("ol.warnings").inner_text()
    assert Plan.objects.count() == 0
    shot(page, "20-import-preview")

    with page.expect_navigation():
        page.get_by_role("button", name="确认导入").click()
    assert "已导入“2025年区委、区政府重点工作任务分解表”：新增 190" in page.locator(".message").inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "导入记录：annual_2025.docx"
    assert Plan.objects.get().tasks.count() == 190
    with page.expect_navigation():
        page.get_by_role("link", name="2025年区委、区政府重点工作任务分解表").click()
    assert page.get_by_role("heading", level=1).inner_text() == "2025年区委、区政府重点工作任务分解表"


def _as_user(browser, live_server, client, user, *, width: int, height: int = 900):
    """A page in a new context logged in as `user` (a session cookie, not the form), from a
    browser set to Chinese as the users' are: Django then formats for zh-hans (Accept-Language)."""
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context.new_page()


def test_a_units_figures_by_plan_agree_with_the_lists_they_open(
    browser, live_server, client, office_user, seeded_with_reports
):
    """The unit page's table by plan (drawn by task_table_ui.unit_plan_rows): each figure is the
    count of the task list its link opens, the lead column adds up to the 牵头任务 figure, and each
    plan has its 督查通报 link."""
    from tasks.choices import ReviewState, UnitRole
    from tasks.models import ProgressReport, Task, Unit
    from tasks.services import task_status_refresh

    unit = Unit.objects.get(name="区科委")
    # Figures of every kind: its reports approved (the cycled statuses give done and behind tasks),
    # and one task it leads past its due date.
    ProgressReport.objects.filter(unit=unit).update(review_state=ReviewState.APPROVED)
    overdue = Task.objects.filter(unit_links__unit=unit, unit_links__role=UnitRole.LEAD, plan__kind="annual").first()
    Task.objects.filter(pk=overdue.pk).update(due_date=dt.date(2025, 3, 31))
    task_status_refresh()
    page = _as_user(browser, live_server, client, office_user, width=1280)
    page.goto(f"{live_server.url}/units/{unit.pk}/")
    rows = page.locator("table.data tr[data-plan]")
    assert rows.count() == 2  # 区科委 leads tasks in both seed plans
    figures: list[tuple[str, int, str]] = []
    for i in range(rows.count()):
        for column in ("lead", "done", "red", "silent"):
            link = rows.nth(i).locator(f'td[data-col="{column}"] a')
            figures.append((column, int(link.inner_text()), link.get_attribute("href")))
    lead_total = int(page.locator('[data-figure="lead"]').inner_text())
    assert sum(n for column, n, _ in figures if column == "lead") == lead_total > 0
    assert page.locator("a[data-bulletin]").count() == rows.count()
    for kind in ("done", "red", "silent"):  # each kind of figure is checked on a number that is not 0
        assert any(n > 0 for column, n, _ in figures if column == kind), (kind, figures)
    for column, shown, href in figures:
        page.goto(live_server.url + href)
        listed = int(page.locator("[data-result-count]").inner_text())
        assert listed == shown, (column, href, shown, listed)
    page.context.close()


def test_saving_the_untouched_due_date_form_keeps_the_date(browser, live_server, client, office_user, seed_plans):
    """Issue 14, item 1: the box shows the date (ISO), so 保存 on it changes nothing."""
    from tasks.models import Task

    task = Task.objects.get(plan__kind="annual", number="4")
    assert task.due_date is not None
    before = task.due_date
    page = _as_user(browser, live_server, client, office_user, width=1280)
    page.goto(f"{live_server.url}/tasks/{task.pk}/")
    box = page.get_by_label("修改截止日期")
    assert box.input_value() == before.isoformat()  # the browser shows it, not an empty box
    shot(page, "32-task-due-date", full_page=False)
    with page.expect_navigation():  # the answer is a new page: wait for it
        page.locator("form.due-form").get_by_role("button", name="保存").click()
    assert page.locator(".message").inner_text() == "截止日期未改变。"
    task.refresh_from_db()
    assert task.due_date == before
    facts = page.locator("dl.facts").inner_text()
    assert f"{before.year}年{before.month}月{before.day}日" in facts
    assert page.get_by_label("修改截止日期").input_value() == before.isoformat()

    # Emptying the box is refused; only the 清除截止日期 box clears the date.
    page.get_by_label("修改截止日期").fill("")
    with page.expect_navigation():  # the answer is a new page: wait for it
        page.locator("form.due-form").get_by_role("button", name="保存").click()
    assert "请选择截止日期。如需清除截止日期，请勾选“清除截止日期”。" in page.locator(".message").inner_text()
    task.refresh_from_db()
    assert task.due_date == before
    page.get_by_label("清除截止日期").check()
    with page.expect_navigation():  # the answer is a new page: wait for it
        page.locator("form.due-form").get_by_role("button", name="保存").click()
    assert page.locator(".message").inner_text() == "截止日期已清除。"
    task.refresh_from_db()
    assert task.due_date is None
    assert "None" not in page.locator("#history").inner_text()
    page.context.close()


def test_review_queue_works_on_a_phone(
    browser, live_server, client, office_user, liaison_user, seed_plans, settings, tmp_path
):
    """Issue 14, item 9: at 390 px the 通过/退回 buttons are on screen and work."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tasks.models import ProgressReport, Task, Unit
    from tasks.services import ReportInput, report_save

    settings.MEDIA_ROOT = tmp_path
    task = Task.objects.get(plan__kind="annual", number="4")
    report = report_save(
        user=liaison_user,
        task=task,
        unit=Unit.objects.get(name="区科委"),
        period=dt.date(2025, 6, 1),
        data=ReportInput(
            status="in_progress",
            percent=60,
            progress_text="已完成年度研发投入统计，正在推进重点企业走访，并同步整理各街镇上报的研发费用加计扣除材料。",
            next_steps="下月完成重点企业走访。",
        ),
        version=None,
        attachment=SimpleUploadedFile("研发投入统计台账（2025年上半年）.xlsx", office_file("xlsx")),
    )
    page = _as_user(browser, live_server, client, office_user, width=390, height=844)
    page.goto(f"{live_server.url}/reports/pending/")
    # No sideways scrolling: everything fits the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    row = page.locator(f'#pending tr[data-report="{report.pk}"]')
    assert "下月完成重点企业走访。" in row.inner_text()
    assert row.get_by_role("link", name="研发投入统计台账（2025年上半年）.xlsx").is_visible()
    for name in ("通过", "退回"):
        # Each button's name also names its report (通过：第N项 单位, issue 23).
        button = row.get_by_role("button", name=re.compile(f"^{name}\\s*："))
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        assert box is not None and box["width"] > 0, name
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, box)
        assert box["y"] >= 0 and box["y"] + box["height"] <= 844, (name, box)
        # What is at the button's centre is the button itself (not covered, not clipped).
        hit = page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y).textContent",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
        )
        assert hit.startswith(name)
    shot(page, "30-phone-review-queue")
    with page.expect_navigation():  # the answer is a new page: wait for it
        row.get_by_role("button", name=re.compile(r"^通过\s*：")).click()
    assert page.locator(".message").inner_text() == "已审核通过。"
    assert ProgressReport.objects.get(pk=report.pk).review_state == "approved"
    page.context.close()


LABEL_SCRIPT = """(cell) => {
  const before = getComputedStyle(cell, '::before');
  return before.display === 'none' || before.content === 'none' ? null : before.content;
}"""


def test_phone_task_lists_label_their_fields(browser, live_server, client, office_user, seeded_with_reports):
    """Issue 14, item 9: on a phone each task is a card, and each of its fields says what it is."""
    from tasks.models import Leader, Plan, Unit

    plan = Plan.objects.get(kind="annual")
    pages = {
        "plan": f"/plans/{plan.pk}/",
        "category": f"/plans/{plan.pk}/categories/{plan.categories.order_by('order').first().pk}/",
        "unit": f"/units/{Unit.objects.get(name='区科委').pk}/",
        "leader": f"/leaders/{Leader.objects.get(name='谭瑞琮').pk}/",
        "search": "/tasks/?q=区科委",
    }
    phone = _as_user(browser, live_server, client, office_user, width=390, height=844)
    desktop = _as_user(browser, live_server, client, office_user, width=1280)
    for name, path in pages.items():
        phone.goto(f"{live_server.url}{path}")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1, name
        row = phone.locator("table.tasks tbody tr[data-task]").first
        assert row.is_visible(), name
        for label in ("牵头领导", "牵头单位", "截止", "状态"):
            cell = row.locator(f'td[data-label="{label}"]')
            assert cell.is_visible(), (name, label)
            assert cell.evaluate(LABEL_SCRIPT) == f'"{label}："', (name, label)
            box = cell.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, label, box)
        # On a desktop the column headings say it; no labels inside the cells.
        desktop.goto(f"{live_server.url}{path}")
        cell = desktop.locator('table.tasks tbody tr[data-task] td[data-label="牵头单位"]').first
        assert cell.evaluate(LABEL_SCRIPT) is None, name
    phone.locator("table.tasks tbody tr[data-task]").first.scroll_into_view_if_needed()
    shot(phone, "31-phone-search-cards", full_page=False)
    phone.context.close()
    desktop.context.close()


def test_the_search_form_as_rendered_filters_by_unit_and_keeps_the_choice(
    browser, live_server, seed_plans, office_user
):
    # The unit, plan and leader selects are drawn by widgets.ListSelect from cached lists: choose
    # from them as a person does, and the count must be the rows the list then holds.
    from tasks.models import Task

    page = _login(browser, live_server, "duchashi", "pw-duchashi")
    page.goto(f"{live_server.url}/tasks/")
    page.get_by_label("单位", exact=True).select_option(label="区科委")
    with page.expect_navigation():  # the answer is a new page: wait for it
        page.get_by_role("button", name="查找").click()
    count = int(page.locator("[data-result-count]").inner_text())
    expected = Task.objects.active().filter(unit_links__unit__name="区科委").distinct().count()
    assert count == expected == page.locator("tr[data-task]").count() > 0
    assert page.get_by_label("单位", exact=True).evaluate("s => s.selectedOptions[0].text") == "区科委"

    # A short select (widgets.PlainSelect), submitted as the page draws it: every unit, city-level only.
    page.get_by_label("单位", exact=True).select_option(label="全部单位")
    page.get_by_label("市级任务").select_option(label="仅市级任务")
    with page.expect_navigation():  # the answer is a new page: wait for it
        page.get_by_role("button", name="查找").click()
    city = int(page.locator("[data-result-count]").inner_text())
    assert city == Task.objects.active().filter(city_level=True).count() == page.locator("tr[data-task]").count() > 0
    assert page.get_by_label("市级任务").evaluate("s => s.selectedOptions[0].text") == "仅市级任务"


def test_a_text_the_box_accepts_is_saved_whole_however_many_lines(
    browser, live_server, seed_plans, liaison_user, pinned_clock
):
    """The box counts a line break as one character against maxlength; Chromium submits it as two
    (CRLF). 4,999 characters over 100 lines must be saved as typed, not refused at 5,098."""
    from tasks.models import ProgressReport, Task, Unit

    task = Task.objects.get(plan__kind="annual", number="4")
    text = "\n".join(["进" * 49] * 100)[:4999]
    assert len(text) == 4999 and text.count("\n") == 99
    page = _login(browser, live_server, "liaison", "pw-liaison")
    page.goto(f"{live_server.url}/tasks/{task.pk}/report/{Unit.objects.get(name='区科委').pk}/")
    box = page.get_by_label("进展情况")
    assert box.get_attribute("maxlength") == "5000"
    box.fill(text)
    assert page.evaluate("() => document.querySelector('[name=progress_text]').value.length") == 4999
    page.get_by_label("进展状态").select_option(label="推进中")
    page.get_by_label("完成百分比").fill("60")
    with page.expect_navigation():
        page.get_by_role("button", name="提交审核").click()
    assert "已提交，等待督查室审核" in page.locator(".message").inner_text()
    assert ProgressReport.objects.get(task=task).progress_text == text
    page.context.close()


# Numbers, percentages, times and dates spread over two lines: each run of digits with its signs, measured
# by the boxes of its own characters (one bottom per line).
BROKEN_NUMBERS = r"""() => { const out = [];
  const walk = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    for (const m of n.textContent.matchAll(/[+\-]?\d[\d.:%\/\-]*/g)) { if (m[0].length < 2) continue;
      const r = document.createRange(); r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
      const lines = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.bottom))).size;
      if (lines > 1) out.push(m[0] + ' in ' + n.parentElement.outerHTML.slice(0, 80)); } }
  return out; }"""
WRAPPED_LINKS = r"""() => [...document.querySelectorAll('.main-nav a, .main-nav button')].filter(a => {
  const r = document.createRange(); r.selectNodeContents(a.firstChild);
  return new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.bottom))).size > 1; })
  .map(a => a.innerText)"""


def _small(page, selector: str) -> list[str]:
    """Visible elements of `selector` smaller than 24×24 CSS px (WCAG 2.2, 2.5.8)."""
    return page.evaluate(
        "s => [...document.querySelectorAll(s)].map(e => [e.getBoundingClientRect(), e.outerHTML.slice(0, 80)])"
        ".filter(([r]) => r.width > 0 && (r.width < 24 || r.height < 24))"
        ".map(([r, html]) => Math.round(r.width) + 'x' + Math.round(r.height) + ' ' + html)",
        selector,
    )


def test_on_phones_and_tablets_numbers_and_links_stay_whole_targets_are_24px_and_chart_labels_legible(
    browser, live_server, client, office_user, liaison_user, progressed
):
    from assessment import services
    from assessment.models import Scope
    from notifications.models import MessageKind
    from notifications.services import message_send
    from tasks.choices import ReviewState
    from tasks.models import ProgressReport, Task, Unit
    from tasks.services import task_status_refresh

    run = services.score_run_compute(plan=progressed, scope=Scope.PERIOD, start=dt.date(2025, 6, 1), user=office_user)
    keji = Unit.objects.get(name="区科委")
    waiting = ProgressReport.objects.filter(task__plan=progressed).order_by("pk").values_list("pk", flat=True)[:3]
    ProgressReport.objects.filter(pk__in=list(waiting)).update(review_state=ReviewState.SUBMITTED)  # a queue to review
    task_status_refresh()
    for i in range(3):  # 站内消息 with their times (16:48 broke as 16:4/8) beside long texts
        message_send(
            recipients=[office_user],
            kind=MessageKind.REVIEW,
            title=f"审核结果{i}：第4项 全社会研发经费支出相当于地区生产总值的比例保持在10%左右 已退回",
            body="请补充本期研发投入统计数据和重点企业走访情况。" * 4,
            event_key=f"m{i}",
        )
    for width, height in ((375, 812), (768, 1024)):
        page = _as_user(browser, live_server, client, office_user, width=width, height=height)
        for path in (
            f"/assessment/runs/{run.pk}/",
            f"/assessment/runs/{run.pk}/units/{keji.pk}/",
            "/assessment/burden/",
            "/units/",
            f"/plans/{progressed.pk}/yearend/",
            "/reports/pending/",
            "/messages/",
            "/",
        ):
            page.goto(live_server.url + path)
            assert page.evaluate(BROKEN_NUMBERS) == [], (width, path)
            assert page.evaluate(WRAPPED_LINKS) == [], (width, path)  # 查找任务, 修改密码, 我的会话 whole
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, (width, path)
            # Figure links (a single digit), sort links, checkboxes and their labels, summaries.
            targets = "main .figures dd a, main table.data th a, main input[type=checkbox], main summary"
            assert _small(page, targets) == [], (width, path)
            # Bar chart labels drawn at 12 units: at least 10.5 CSS px however narrow the screen.
            for scale in page.evaluate(
                "[...document.querySelectorAll('svg.bars')]"
                ".map(s => s.getBoundingClientRect().width / s.viewBox.baseVal.width)"
            ):
                assert 12 * scale >= 10.5, (width, path, scale)
        # The review queue's 选择 is a label: tapping its word ticks the box.
        page.goto(f"{live_server.url}/reports/pending/")
        first = page.locator("table.queue tbody tr").first
        if width < 760:
            first.locator("label.pick .pick-text").click()
            assert first.locator("input[type=checkbox]").is_checked()
        assert _small(page, "label.pick") == []
        page.context.close()

    # The report form's status and percent boxes, on a phone.
    task = Task.objects.filter(plan=progressed, unit_links__unit=keji, unit_links__role="lead").first()
    page = _as_user(browser, live_server, client, liaison_user, width=375, height=812)
    page.goto(f"{live_server.url}/tasks/{task.pk}/report/{keji.pk}/")
    assert _small(page, ".report-form select, .report-form input:not([type=hidden]), main input[type=checkbox]") == []
    page.context.close()
