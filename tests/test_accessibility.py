"""Accessibility (WCAG 2.1 AA, GB/T 37668-2019) checked in Debian's Chromium with axe-core.

axe-core is vendored under tests/a11y/ (axe.min.js and its LICENSE, version pinned in AXE_VERSION);
it is injected by the test as an init script, never served to users. Every page kind is loaded for
every role that can see it, in its main states (empty, with rows, form errors, preview), and axe's
WCAG 2.0/2.1 A and AA rules must report nothing. Each page is also checked at 320 CSS px (WCAG 1.4.10):
the document must not scroll sideways. A keyboard-only walk reports (liaison) and reviews (office).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parent.parent
AXE_JS = Path(__file__).resolve().parent / "a11y" / "axe.min.js"
AXE_VERSION = "4.14.1"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("plain_static", "pinned_clock")]


def _context(browser: Browser):
    # An init script is injected by the browser itself, so the page's CSP (no inline script) does not block it.
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.add_init_script(path=str(AXE_JS))
    return context


def _login(browser: Browser, live_server, username: str) -> Page:
    page = _context(browser).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("pw-" + username)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    assert "/accounts/login/" not in page.url, f"{username} could not log in"
    return page


AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return {version: axe.version, violations: result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}))};
}"""

# Stricter than axe (which passes a list of ids when one of them exists): every id named by
# aria-describedby / aria-labelledby / for must be on the page.
MISSING_IDREFS = """() => {
  const missing = [];
  for (const el of document.querySelectorAll('[aria-describedby], [aria-labelledby], label[for]')) {
    for (const attr of ['aria-describedby', 'aria-labelledby', 'for']) {
      for (const id of (el.getAttribute(attr) || '').split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) missing.push(`${el.tagName.toLowerCase()}[${attr}] -> #${id}`);
      }
    }
  }
  return missing;
}"""

# WCAG 4.1.1 (axe 4.14 no longer checks it): two elements with one id make a label, a link or
# aria-describedby find the wrong one (申请单位's label once picked the 催办 box on the task page).
DUPLICATE_IDS = """() => {
  const seen = {};
  for (const el of document.querySelectorAll('[id]')) seen[el.id] = (seen[el.id] || 0) + 1;
  return Object.keys(seen).filter(id => seen[id] > 1).sort();
}"""

WIDE_SCROLL = "() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"


class Audit:
    """Collects axe violations and sideways scrolling over many pages, to report them all at once."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.checked: list[str] = []

    def check(self, page: Page, label: str) -> None:
        result = page.evaluate(AXE_RUN, AXE_TAGS)
        assert result["version"] == AXE_VERSION
        for v in result["violations"]:
            for node in v["nodes"]:
                self.problems.append(f"[{label}] {v['id']} ({v['impact']}): {v['help']}\n    at {node['target']}")
        for missing in page.evaluate(MISSING_IDREFS):
            self.problems.append(f"[{label}] names an id that is not on the page: {missing}")
        for twice in page.evaluate(DUPLICATE_IDS):
            self.problems.append(f"[{label}] more than one element has the id {twice!r}")
        size = page.viewport_size
        page.set_viewport_size({"width": 320, "height": 640})
        scroll, client = page.evaluate(WIDE_SCROLL)
        if scroll > client:
            self.problems.append(f"[{label}] scrolls sideways at 320 px: scrollWidth {scroll} > clientWidth {client}")
        page.set_viewport_size(size)
        self.checked.append(label)

    def visit(self, page: Page, url: str, label: str, status: int = 200) -> None:
        response = page.goto(url)
        assert response.status == status, f"{label}: {url} gave {response.status}"
        self.check(page, label)

    def assert_clean(self) -> None:
        print(f"axe-core {AXE_VERSION}: {len(self.checked)} page loads checked")
        for label in self.checked:
            print("  ", label)
        assert not self.problems, f"{len(self.problems)} accessibility problems:\n" + "\n".join(self.problems)


def test_axe_core_is_vendored_and_pinned():
    head = AXE_JS.read_text(encoding="utf-8")[:200]
    assert f"axe v{AXE_VERSION}" in head
    assert (AXE_JS.parent / "LICENSE").exists()


def test_every_page_kind_for_every_role_has_no_axe_violations(
    browser, live_server, seed_plans, admin_user, office_user, liaison_user, leader_user, outsider_user
):
    from tasks.models import Category, Leader, Plan, ProgressReport, Task, Unit
    from tests.factories import reports_sprinkle

    base = live_server.url
    audit = Audit()
    annual = Plan.objects.get(kind="annual")
    five = Plan.objects.get(kind="five_year")
    category = Category.objects.filter(plan=annual).order_by("pk").first()
    unit = Unit.objects.get(name="区科委")
    leader = Leader.objects.get(name="谭瑞琮")
    task = Task.objects.get(plan=annual, number="4")  # led by 区科委

    # Anonymous: the login page, clean and with an error.
    anon = _context(browser).new_page()
    audit.visit(anon, f"{base}/accounts/login/", "login")
    anon.get_by_label("用户名").fill("nobody")
    anon.get_by_label("密码").fill("wrong")
    with anon.expect_navigation():
        anon.get_by_role("button", name="登录").click()
    audit.check(anon, "login with error")
    anon.context.close()

    # The office first sees an empty review queue.
    office = _login(browser, live_server, "duchashi")
    audit.visit(office, f"{base}/reports/pending/", "office: review queue (empty)")

    reports_sprinkle(every=2)
    # The insights pages with rows: a suggested link, and a quantified target with its own page.
    from insights.models import Indicator, TaskLink

    five_task = Task.objects.filter(plan=five).order_by("pk").first()
    TaskLink.objects.create(annual_task=task, five_year_task=five_task, score=0.8, rank=1)
    indicator = Indicator.objects.create(
        task=five_task, name="每万人口发明专利拥有量", target_value=92, unit="件", target_year=2025
    )
    ProgressReport.objects.filter(pk__in=ProgressReport.objects.order_by("pk").values("pk")[:3]).update(
        review_state="submitted"
    )

    reader_pages = [
        ("/", "dashboard"),
        (f"/plans/{annual.pk}/", "plan (annual)"),
        (f"/plans/{five.pk}/", "plan (five-year)"),
        (f"/plans/{annual.pk}/categories/{category.pk}/", "category"),
        ("/units/", "unit index"),
        (f"/units/{unit.pk}/", "unit detail"),
        (f"/units/{unit.pk}/print/", "unit print"),
        ("/leaders/", "leader index"),
        (f"/leaders/{leader.pk}/", "leader detail"),
        (f"/tasks/{task.pk}/", "task"),
        ("/tasks/?q=研发", "search with results"),
        ("/tasks/?q=不存在的任务名称", "search empty"),
        ("/insights/", "insights index"),
        ("/insights/compare/", "insights compare"),
        ("/insights/suggestions/", "insights suggestions"),
        ("/insights/gaps/", "insights gaps"),
        ("/insights/indicators/", "insights indicators"),
        (f"/insights/five-year-tasks/{five_task.pk}/", "insights chain"),
        (f"/insights/indicators/{indicator.pk}/", "insights indicator"),
        ("/accounts/password/", "password change"),
        ("/no-such-page/", "404"),
    ]

    def reader_walk(page: Page, role: str) -> None:
        for path, label in reader_pages:
            audit.visit(page, base + path, f"{role}: {label}", 404 if label == "404" else 200)
        # Pages of other issues, covered as soon as their URL names exist; a role without access sees 403.
        for name in OPTIONAL_PAGES:
            try:
                path = reverse(name)
            except NoReverseMatch:
                continue
            response = page.goto(base + path)
            assert response.status in (200, 403), f"{role}: {name} gave {response.status}"
            audit.check(page, f"{role}: {name} ({response.status})")

    # Office: every reading page, the queue with rows and a row error, the password form with errors.
    reader_walk(office, "office")
    # 考评: a ranking and a unit's score sheet with its lines and the adjustment form.
    import datetime as dt

    from assessment.services import score_run_compute

    run = score_run_compute(plan=annual, scope="period", start=dt.date(2025, 6, 1), user=office_user)
    audit.visit(office, f"{base}/assessment/runs/{run.pk}/", "office: 考评 ranking")
    audit.visit(office, f"{base}/assessment/runs/{run.pk}/units/{unit.pk}/", "office: 考评 score sheet")
    rule_set = run.rule_version.rule_set_id
    audit.visit(office, f"{base}/assessment/rules/{rule_set}/", "office: 考评 rules")
    audit.visit(office, f"{base}/reports/pending/", "office: review queue (rows)")
    row = office.locator("#pending tbody tr").first
    row.get_by_role("button", name="退回").click()
    office.wait_for_selector("#pending .row-error")
    audit.check(office, "office: review queue (row error)")
    audit.visit(office, f"{base}/imports/upload/", "office: import upload (403)", 403)
    office.goto(f"{base}/accounts/password/")
    office.get_by_label("当前密码").fill("wrong")
    office.get_by_role("button", name="修改密码").click()  # the browser's own check stops it: no navigation
    audit.check(office, "office: password change with errors")
    office.context.close()

    # Liaison: reading pages, the report form clean and with errors, 403 on the queue.
    liaison = _login(browser, live_server, "liaison")
    reader_walk(liaison, "liaison")
    form_url = f"{base}/tasks/{task.pk}/report/{unit.pk}/"
    audit.visit(liaison, form_url, "liaison: report form")
    liaison.evaluate("() => { for (const f of document.forms) f.noValidate = true; }")
    liaison.get_by_label("完成百分比").fill("150")
    with liaison.expect_navigation():
        liaison.get_by_role("button", name="提交审核").click()
    assert "完成百分比应在 0 到 100 之间。" in liaison.content()
    audit.check(liaison, "liaison: report form with errors")
    audit.visit(liaison, f"{base}/reports/pending/", "liaison: review queue (403)", 403)
    audit.visit(liaison, f"{base}/assessment/runs/{run.pk}/units/{unit.pk}/", "liaison: own 考评 score sheet")
    liaison.context.close()

    # Leader: reading pages.
    leader_page = _login(browser, live_server, "leader")
    reader_walk(leader_page, "leader")
    leader_page.context.close()

    # Admin: reading pages, the import upload (clean, with an error) and its preview, history.
    admin = _login(browser, live_server, "sysadmin")
    reader_walk(admin, "admin")
    audit.visit(admin, f"{base}/reports/pending/", "admin: review queue")
    audit.visit(admin, f"{base}/imports/", "admin: import history")
    audit.visit(admin, f"{base}/imports/upload/", "admin: import upload")
    admin.evaluate("() => { for (const f of document.forms) f.noValidate = true; }")
    admin.get_by_role("button", name="上传并预览").click()
    admin.wait_for_selector("#error-summary")
    assert "请选择要上传的文件。" in admin.locator("#id_file_error").inner_text()
    assert admin.evaluate("() => document.activeElement.id") == "error-summary"
    audit.check(admin, "admin: import upload with error")
    admin.get_by_label("任务分解表文件").set_input_files(str(ROOT / "fixtures" / "annual_2025.docx"))
    admin.get_by_role("button", name="上传并预览").click()
    admin.wait_for_url("**/imports/pending/**")
    audit.check(admin, "admin: import preview")
    admin.context.close()

    # Outsider (no role): the 403 page.
    outsider = _login(browser, live_server, "outsider")
    audit.check(outsider, "outsider: landing (403)")
    audit.visit(outsider, f"{base}/units/", "outsider: unit index (403)", 403)
    outsider.context.close()

    audit.assert_clean()


# URL names (without arguments) of pages other open issues add: to-do, messages, scores, cockpit,
# accounts and audit. Each is checked for every role once its name resolves.
OPTIONAL_PAGES = [
    "tasks:todo",
    "todo:index",
    "messages:index",
    "notices:index",
    "scores:index",
    "cockpit:index",
    "security:home",
    "security:accounts",
    "security:audit",
    "security:sessions",
    "security:otp",
    "documents:bulletin_list",
    "documents:bulletin",
    "documents:templates",
    "assessment:index",
    "assessment:rules",
    "assessment:burden",
]


def _tab_to(page: Page, predicate: str, limit: int = 200) -> None:
    """Press Tab until the focused element satisfies a JS predicate `el => bool`.

    The document's body never counts: focus falls back to it when Tab leaves the page, and its
    text contains every link's, so a loose predicate would match it and Enter would do nothing.
    """
    check = (
        "() => { const el = document.activeElement;"
        f" return !!el && el !== document.body && el !== document.documentElement && ({predicate})(el); }}"
    )
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(check):
            return
    raise AssertionError(f"never reached by Tab: {predicate}")


def _enter_and_wait(page: Page) -> None:
    focused = page.evaluate("() => document.activeElement.outerHTML.slice(0, 200)")
    try:
        with page.expect_navigation():
            page.keyboard.press("Enter")
    except Exception as exc:
        raise AssertionError(f"Enter on {focused} did not load a page") from exc


def test_keyboard_only_reporting_and_reviewing(
    browser, live_server, seed_plans, liaison_user, office_user, pinned_clock
):
    # pinned_clock: on the real date the 2025 task is past due and would also ask for a reason.
    from tasks.models import ProgressReport, Task, Unit

    task = Task.objects.get(plan__kind="annual", number="4")
    unit = Unit.objects.get(name="区科委")

    # The liaison reaches the form from the task page by keyboard alone.
    page = _login(browser, live_server, "liaison")
    page.goto(f"{live_server.url}/tasks/{task.pk}/")
    _tab_to(page, "el => el.tagName === 'A' && el.textContent === '以区科委身份填报'")
    _enter_and_wait(page)
    assert page.url.endswith(f"/tasks/{task.pk}/report/{unit.pk}/")
    # A wrong percent: the page comes back with the error summary focused, the field tied to its error.
    page.evaluate("() => { for (const f of document.forms) f.noValidate = true; }")
    _tab_to(page, "el => el.name === 'percent'")
    page.keyboard.type("150")
    _tab_to(page, "el => el.value === 'submit'")
    _enter_and_wait(page)
    focused = page.evaluate("() => document.activeElement.id")
    assert focused == "error-summary"
    summary = page.locator("#error-summary")
    assert "请修改以下 1 处错误后再提交" in summary.inner_text()
    assert "完成百分比应在 0 到 100 之间。" in summary.inner_text()
    percent = page.get_by_label("完成百分比")
    assert percent.get_attribute("aria-invalid") == "true"
    described = percent.get_attribute("aria-describedby").split()
    assert "id_percent_error" in described
    assert page.locator("#id_percent_error").inner_text() == "完成百分比应在 0 到 100 之间。"
    # The summary's link moves focus to the field.
    _tab_to(page, "el => el.getAttribute('href') === '#id_percent'")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "id_percent"
    page.keyboard.press("Control+A")
    page.keyboard.type("60")
    _tab_to(page, "el => el.name === 'progress_text'")
    page.keyboard.type("键盘填报的进展。")
    _tab_to(page, "el => el.value === 'submit'")
    _enter_and_wait(page)
    assert page.url.split("#")[0].endswith(f"/tasks/{task.pk}/")
    assert "已提交，等待督查室审核" in page.locator(".message").inner_text()
    page.context.close()

    # The office returns it without a comment: the error stands beside the row, tied to its box.
    office = _login(browser, live_server, "duchashi")
    office.goto(f"{live_server.url}/reports/pending/")
    name = f"第{task.number}项"
    # The button's name says which report it returns (退回：第N项 区科委).
    _tab_to(office, f"el => el.tagName === 'BUTTON' && el.textContent === '退回：{name} 区科委'")
    _enter_and_wait(office)
    row = office.locator("#pending tbody tr").filter(has_text=name)
    alert = row.get_by_role("alert")
    assert alert.inner_text() == "退回时请填写退回意见。"
    box = row.locator("textarea")
    assert box.get_attribute("aria-invalid") == "true"
    assert alert.get_attribute("id") in box.get_attribute("aria-describedby").split()
    assert office.evaluate("() => document.activeElement.tagName") == "TEXTAREA"
    office.keyboard.type("请补充走访企业名单。")
    _tab_to(office, "el => el.tagName === 'BUTTON' && el.textContent.startsWith('退回')")
    _enter_and_wait(office)
    assert ProgressReport.objects.get(task=task, unit=unit).review_state == "returned"
    assert "已退回" in office.locator(".message").inner_text()
    office.context.close()


def test_focus_ring_contrast_on_the_red_header(browser, live_server, seed_plans, office_user):
    """WCAG 2.4.7 / 1.4.11: the outline around a focused header link is at least 3:1 against the header."""
    page = _login(browser, live_server, "duchashi")
    _tab_to(page, "el => el.classList.contains('brand')")
    colours = page.evaluate(
        """() => { const el = document.activeElement; const s = getComputedStyle(el);
        return [s.outlineColor, s.outlineStyle, getComputedStyle(el.closest('.site-header')).backgroundColor]; }"""
    )
    outline, style, background = colours
    assert style != "none"
    assert _contrast(outline, background) >= 3, colours
    page.context.close()


def _contrast(a: str, b: str) -> float:
    def luminance(css: str) -> float:
        r, g, b_ = (int(x) / 255 for x in css[css.index("(") + 1 : css.index(")")].split(",")[:3])
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b_)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
