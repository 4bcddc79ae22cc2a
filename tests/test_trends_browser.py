"""The leader's cockpit in Debian's Chromium at phone width (390 px): unit → task → latest report in
two taps, 批示 one tap from the task; the office's 催办 the same way; axe-core on the cockpit opened
and on the dashboard's trends, no sideways scrolling at 320 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.test_accessibility import Audit, _login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("plain_static", "pinned_clock")]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def cockpit_world(seed_plans, leader_user, office_user):
    from tasks.models import Leader, Task
    from tests.factories import reports_sprinkle
    from trends.services import snapshots_backfill

    reports_sprinkle(every=2)
    snapshots_backfill(periods=12)
    leader = Leader.objects.get(name="谭瑞琮")
    return leader, Task.objects.filter(leader_links__leader=leader, plan__kind="annual")


def test_a_leader_on_a_phone_reaches_a_units_latest_report_in_two_taps(browser, live_server, cockpit_world):
    from tasks.models import ProgressReport

    leader, tasks = cockpit_world
    page = _login(browser, live_server, "leader")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/leaders/{leader.pk}/")
    cockpit = page.locator("[data-cockpit]")
    expect(cockpit.get_by_role("heading", name="领导驾驶舱")).to_be_visible()
    expect(cockpit.locator(".trend-chart svg[role=img]")).to_have_count(3)
    report = ProgressReport.objects.filter(task__in=tasks).select_related("task", "unit").order_by("task__position")[0]
    unit = cockpit.locator(f'[data-drill-unit="{report.unit.name}"]')
    task = unit.locator(f'[data-drill-task="{report.task_id}"]')
    expect(task).to_be_hidden()
    unit.locator("summary").first.click()  # tap 1: the unit opens on its tasks
    expect(task).to_be_visible()
    latest = task.locator("[data-latest]")
    expect(latest).to_be_hidden()
    task.locator("summary").click()  # tap 2: the task opens on the unit's latest report
    expect(latest).to_be_visible()
    expect(latest).to_contain_text(f"最新报送：2025年6月 · {report.get_status_display()}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # One tap from the task to 批示: the panel with the leader's form.
    with page.expect_navigation():
        task.get_by_role("link", name="批示").click()
    assert page.url.endswith(f"/supervision/tasks/{report.task_id}/#id_text")
    expect(page.get_by_label("批示内容")).to_be_visible()
    expect(page.get_by_role("button", name="提交批示")).to_be_visible()
    page.context.close()


def test_the_office_chases_from_the_cockpit_in_one_tap(browser, live_server, cockpit_world):
    leader, _ = cockpit_world
    page = _login(browser, live_server, "duchashi")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/leaders/{leader.pk}/")
    unit = page.locator("[data-drill-unit]").first
    unit.locator("summary").first.click()
    task = unit.locator("[data-drill-task]").first
    task.locator("summary").click()
    expect(task.get_by_role("link", name="批示")).to_have_count(0)
    with page.expect_navigation():
        task.get_by_role("link", name="催办").click()
    expect(page.get_by_role("button", name="发出催办")).to_be_visible()
    page.context.close()


def test_the_cockpit_and_the_districts_trends_pass_axe(browser, live_server, cockpit_world):
    leader, _ = cockpit_world
    audit = Audit()
    for username in ("leader", "duchashi"):
        page = _login(browser, live_server, username)
        audit.visit(page, f"{live_server.url}/leaders/{leader.pk}/", f"{username}: leader page with the cockpit")
        unit = page.locator("[data-drill-unit]").first
        unit.locator("summary").first.click()
        unit.locator("[data-drill-task] summary").first.click()
        audit.check(page, f"{username}: cockpit drilled down to a report")
        audit.visit(page, f"{live_server.url}/", f"{username}: dashboard with the district's trends")
        expect(page.locator("[data-district-trend] svg[role=img]")).to_have_count(3)
        page.context.close()
    audit.assert_clean()
