"""The printable unit summary (/units/<id>/print/) in a real browser: one A4 sheet.

Chromium prints the page to PDF (page.pdf, A4) and poppler's `pdfinfo` counts the pages; the unit
with the most tasks in the seed documents, every task carrying a long report, must fit one page.
"""

from __future__ import annotations

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
