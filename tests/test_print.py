"""The printable unit summary (/units/<id>/print/) in a real browser: one A4 sheet.

Chromium prints the page to PDF (page.pdf, A4) and poppler's `pdfinfo` counts the pages; the unit
with the most tasks in the seed documents, every task carrying a long report, must fit one page.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db.models import Count, Q

SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("plain_static", "pinned_clock")]


def keep(pdf) -> None:
    # The printed sheet, for a reviewer, beside the browser tests' screenshots (not committed).
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(pdf, SHOTS / f"{os.environ.get('PYTEST_CURRENT_TEST', 'print').split('::')[-1].split(' ')[0]}.pdf")


def pdf_pages(path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)$", out, flags=re.M).group(1))


@pytest.fixture
def busiest_unit(shipped_aliases, seed_plans):
    """The unit with the most active tasks in the seeds, every lead task with a long report this
    period (approved, awaiting review or returned), the worst case for the one-page layout."""
    from tasks.models import ProgressReport, ProgressStatus, ReviewState, TaskUnit, Unit
    from tasks.services import task_status_refresh
    from tests.factories import THIS_PERIOD

    unit = (
        Unit.objects.annotate(n=Count("task_links", filter=Q(task_links__task__state="active")))
        .order_by("-n", "name")
        .first()
    )
    states = [ReviewState.APPROVED, ReviewState.SUBMITTED, ReviewState.RETURNED]
    links = TaskUnit.objects.filter(unit=unit, role="lead").order_by("task_id")
    ProgressReport.objects.bulk_create(
        ProgressReport(
            task_id=link.task_id,
            unit=unit,
            period=THIS_PERIOD,
            status=ProgressStatus.IN_PROGRESS,
            percent=50,
            progress_text="本单位牵头推进，已完成阶段性目标，正在协调相关部门落实后续工作。" * 40,
            review_state=states[i % 3],
            review_comment="请补充具体数据。" if states[i % 3] == ReviewState.RETURNED else "",
        )
        for i, link in enumerate(links)
    )
    task_status_refresh()
    return unit


def test_unit_summary_prints_on_one_a4_page(browser, live_server, client, office_user, busiest_unit, tmp_path):
    from tasks.models import TaskUnit

    tasks = TaskUnit.objects.filter(unit=busiest_unit, task__state="active").count()
    assert tasks >= 40  # 区科委 and 区经委 lead 40 items each in the seeds
    client.force_login(office_user)
    context = browser.new_context()
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/units/{busiest_unit.pk}/print/")
    assert page.get_by_role("heading", level=1).inner_text() == f"{busiest_unit.name} 任务推进情况汇总"
    assert page.locator("table.print-sheet tbody tr[data-task]").count() == tasks  # every task listed
    assert "※ 文字过长处已截断，全文见系统中的任务页面。" in page.locator("[data-print-note]").inner_text()

    page.emulate_media(media="print")
    # The font size of every visible element that holds text of its own.
    sizes = page.evaluate(
        "[...document.querySelectorAll('.print-page main *')]"
        ".filter(e => e.offsetParent !== null"
        " && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))"
        ".map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert sizes and min(sizes) >= 12  # 9pt = 12 CSS px: small, still legible
    pdf = tmp_path / "unit.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    keep(pdf)
    assert pdf_pages(pdf) == 1
    context.close()


def test_a_unit_with_more_tasks_than_a_sheet_holds_still_prints_one_page(
    browser, live_server, client, office_user, busiest_unit, tmp_path
):
    from tasks.models import TaskUnit
    from tests.factories import plans_multiply

    plans_multiply(times=2)  # the same units lead twice as many tasks
    tasks = TaskUnit.objects.filter(unit=busiest_unit, task__state="active").count()
    client.force_login(office_user)
    context = browser.new_context()
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/units/{busiest_unit.pk}/print/")
    shown = page.locator("table.print-sheet tbody tr[data-task]").count()
    assert shown < tasks
    assert f"另有{tasks - shown}项任务未列出，见系统中的单位页面。" in page.locator("[data-print-note]").inner_text()
    pdf = tmp_path / "unit.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    keep(pdf)
    assert pdf_pages(pdf) == 1
    context.close()


# -- every page, printed -----------------------------------------------------------------------------

# What a printed page must not show: controls, action links, and ▶ lines of collapsed details.
VISIBLE_CONTROLS = """() => {
  const shown = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  return [...document.querySelectorAll(
      'main form, main button, main input:not([type=hidden]), main select, main textarea, main a[data-export]')]
    .filter(shown).map(e => e.outerHTML.slice(0, 100))
    .concat([...document.querySelectorAll('main summary')]
      .filter(e => shown(e) && getComputedStyle(e).display === 'list-item')
      .map(e => 'marker: ' + e.innerText.slice(0, 40)));
}"""


def _page_as(browser, live_server, client, user):
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context.new_page()


def test_every_page_prints_its_title_and_dates_and_no_controls(browser, live_server, client, office_user, progressed):
    """Each page printed says what it is and when (base.html's print-only line: the page's title, the
    product's "today" in Chinese, the local time it was made), and prints no form, button, box,
    export link or collapsed ▶ line: the cockpit, dashboard, 考评 ranking and score sheet, 我的待办,
    search, review queue, plan and unit pages."""
    from assessment import services
    from assessment.models import Scope
    from tasks.models import Leader, Unit

    run = services.score_run_compute(plan=progressed, scope=Scope.PERIOD, start=dt.date(2025, 6, 1), user=office_user)
    keji = Unit.objects.get(name="区科委")
    leader = Leader.objects.get(name="谭瑞琮")
    pages = {
        f"/leaders/{leader.pk}/": "谭瑞琮",
        "/": "首页",
        f"/assessment/runs/{run.pk}/": "考评排名",
        f"/assessment/runs/{run.pk}/units/{keji.pk}/": "考评得分 · 区科委",
        "/todo/": "我的待办",
        f"/tasks/?plan={progressed.pk}": "查找任务",
        "/reports/pending/": "待审核进展",
        f"/plans/{progressed.pk}/": progressed.title,
        f"/units/{keji.pk}/": "区科委",
    }
    page = _page_as(browser, live_server, client, office_user)
    for path, title in pages.items():
        page.goto(live_server.url + path)
        assert page.title().startswith(title), (path, page.title())
        stamp = page.locator("[data-print-stamp]")
        assert not stamp.is_visible(), path  # print only
        page.emulate_media(media="print")
        assert stamp.is_visible(), path
        text = stamp.inner_text()
        assert text.startswith(f"{title}"), (path, text)
        assert "数据截至2025年6月15日" in text and "（北京时间）" in text, (path, text)  # the pinned clock's day
        assert re.search(r"页面生成于\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", text), text
        assert page.evaluate(VISIBLE_CONTROLS) == [], path
        page.emulate_media(media="screen")
    page.context.close()


def test_headings_stay_with_what_follows_when_printed(browser, live_server, client, office_user, progressed, tmp_path):
    """The plan page printed (190 tasks over many pages): no page ends with a project heading or the
    状态灯 legend of a table that starts on the next page; headings, captions and legends avoid a
    break after them and charts, figures and figure rows are never split."""
    page = _page_as(browser, live_server, client, office_user)
    page.goto(f"{live_server.url}/plans/{progressed.pk}/")
    headings = {t.strip() for t in page.locator("h2, h3.project").all_inner_texts()}
    page.emulate_media(media="print")
    styles = page.evaluate(
        "() => [...document.querySelectorAll('main h2, main h3, main .legend, main figure')].map(e =>"
        " [e.tagName + '.' + e.className, getComputedStyle(e).breakAfter, getComputedStyle(e).breakInside])"
    )
    for name, after, inside in styles:
        if name.startswith("FIGURE"):
            assert inside == "avoid", name
        else:
            assert after == "avoid", name
    pdf = tmp_path / "plan.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    keep(pdf)
    pages = pdf_pages(pdf)
    assert pages > 5
    for n in range(1, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True, text=True
        ).stdout
        last = [line.strip() for line in text.splitlines() if line.strip()][-1]
        assert not last.startswith("状态灯"), (n, last)
        assert re.sub(r"\s+", "", last) not in {re.sub(r"\s+", "", h) for h in headings}, (n, last)
    page.context.close()


def test_a_paged_search_says_in_print_which_page_it_is_and_how_to_print_all(
    browser, live_server, client, office_user, progressed
):
    page = _page_as(browser, live_server, client, office_user)
    page.goto(f"{live_server.url}/tasks/?plan={progressed.pk}")
    note = page.locator("[data-print-page-note]")
    assert not note.is_visible()
    assert "要打印全部190项" in page.locator("[data-print-all-hint]").inner_text()
    page.emulate_media(media="print")
    assert note.inner_text() == (
        "本次打印为第1/4页，即共190项中的第1—50项；全部任务请在系统中“按当前条件导出 Excel 台账”后打印。"
    )
    assert not page.locator("[data-print-all-hint]").is_visible()
    page.context.close()
