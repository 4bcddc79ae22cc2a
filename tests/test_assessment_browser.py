"""考评 in Chromium: one deduction followed from a liaison's missing report to its line on the
unit's score sheet and back to the task. The office computes the period from the 考评 page; the
liaison of 区科委 opens their sheet from the menu and finds 零号湾 (reported in May, not June)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("plain_static")]


def _login(browser, live_server, username: str):
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(f"pw-{username}")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/todo/")
    return page


def test_a_missing_report_is_a_line_on_the_units_sheet(browser, live_server, office_user, liaison_user, clock_at):
    from assessment.models import LineKind, ScoreRun
    from tests.factories import world_build

    w = world_build()
    task = w.tasks["零号湾"]  # 区科委 and 区发展改革委 lead it; reported for May only
    clock_at(dt.date(2025, 7, 3))  # June has closed

    office = _login(browser, live_server, "duchashi")
    office.get_by_role("link", name="考评").click()
    row = office.locator(f'[data-compute="{w.five_year.pk}"]')
    row.get_by_label("考评周期").select_option(label="2025年6月")
    with office.expect_navigation():  # the answer is a new page: wait for it
        row.get_by_role("button", name="计算").click()
    assert (
        office.locator("p.message").inner_text()
        == f"已计算{w.five_year.title}2025年6月的考评得分（草稿，可对比后定稿）。"
    )
    run = ScoreRun.objects.get(plan=w.five_year)
    office.context.close()

    liaison = _login(browser, live_server, "liaison")
    liaison.get_by_role("navigation", name="主导航").get_by_role("link", name="考评").click()
    table = liaison.locator(f'[data-unit-runs="{w.units["科委"].pk}"]')
    table.get_by_role("row", name=re.compile(w.five_year.title)).get_by_role("link", name="2025年6月").click()
    liaison.wait_for_url(f"**/assessment/runs/{run.pk}/units/{w.units['科委'].pk}/")

    line = liaison.locator('tr[data-line="missing"]', has_text=task.title)
    assert line.locator("[data-points]").inner_text() == "-10.00"
    assert line.get_by_role("link").inner_text() == f"第{task.number}项 {task.title}：本期未报送"
    # The page's figures agree with its lines: total = base + every line shown.
    points = [Decimal(p) for p in liaison.locator("[data-points]").all_inner_texts()]
    total = re.search(r"得分 ([\d.]+) =", liaison.locator("[data-sheet-total]").inner_text()).group(1)
    assert Decimal(total) == Decimal(100) + sum(points)
    assert len(points) == run.lines.filter(unit=w.units["科委"]).count()
    assert run.lines.filter(unit=w.units["科委"], kind=LineKind.MISSING, task=task, period=dt.date(2025, 6, 1)).exists()
    # No sideways scrolling on a phone.
    assert liaison.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    line.get_by_role("link").click()
    liaison.wait_for_url(f"**/tasks/{task.pk}/")
    assert task.title in liaison.get_by_role("heading", level=1).inner_text()
    liaison.context.close()
