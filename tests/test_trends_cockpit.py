"""The leader's cockpit (领导驾驶舱) on the leader page and the district's trends on the dashboard:
figures against the lists they link to, the drill-down, who gets 批示 and 催办, the final states
against the 年终办结 page, the query budgets and the page cache."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tasks.models import Plan, Role
from tests.factories import CLOCK, plans_multiply, world_build
from tests.test_views import assert_figures_match_their_lists, budget_for, measure, result_count
from trends.selectors import trend_of_district, trend_periods
from trends.services import snapshot_take, snapshots_backfill


@pytest.fixture
def world(db, pinned_clock):
    w = world_build()
    snapshots_backfill(periods=12)
    return w


def leader_url(world, nick: str = "谭") -> str:
    return reverse("tasks:leader", args=[world.leaders[nick].pk])


def cockpit_of(html: str) -> str:
    start = html.index("data-cockpit>")
    return html[start : html.index('<section aria-labelledby="leader-units">')]


def drill_units(html: str) -> dict[str, str]:
    """Each unit's part of the drill-down, by unit name."""
    parts = re.split(r'<li data-drill-unit="', cockpit_of(html))[1:]
    return {part[: part.index('"')]: part for part in parts}


def test_the_leaders_cockpit_figures_match_the_lists_they_link_to(client_as, leader_user, world):
    client = client_as(leader_user)
    html = client.get(leader_url(world)).content.decode()
    cockpit = cockpit_of(html)
    assert '<h2 id="cockpit-h">领导驾驶舱</h2>' in cockpit
    # 7 figures of the cockpit, 4 per unit in the units table (3 units).
    figures = assert_figures_match_their_lists(client, leader_url(world), at_least=7 + 3 * 4)
    assert ("/tasks/?leader={}&light=red".format(world.leaders["谭"].pk), 0) in figures
    total = dict(figures)[f"/tasks/?leader={world.leaders['谭'].pk}"]
    assert total == 2 == sum(p.count("data-drill-task=") for p in drill_units(html).values()) - 1  # 研发: 2 lead units


def test_the_drill_down_goes_unit_task_latest_report(client_as, leader_user, world):
    client = client_as(leader_user)
    html = client.get(leader_url(world)).content.decode()
    units = drill_units(html)
    assert list(units) == ["区科委", "区经委", "闵行城投公司"]
    search = reverse("tasks:task_search")
    for name, part in units.items():
        led = int(re.search(r"牵头(\d+)项 · 红灯(\d+)项 · 本期未报送(\d+)项", part).group(1))
        unit_id = re.search(r'href="/units/(\d+)/"', part).group(1)
        listed = result_count(
            client.get(search, {"leader": world.leaders["谭"].pk, "unit": unit_id, "unit_role": "lead"})
        )
        assert led == part.count("data-drill-task=") == listed, name
    keji = units["区科委"]
    assert "第4项" in keji and "最新报送：2025年6月 · 推进中 · 40%" in keji and "已完成年度统计口径核定。" in keji
    assert "闵行城投公司尚未报送过该任务的进展。" in units["闵行城投公司"]
    assert '<span class="tag">本期未报送</span>' in units["闵行城投公司"]


def test_from_a_task_one_tap_to_instruct_for_the_leader_and_to_chase_for_the_office(
    client_as, leader_user, office_user, liaison_user, user_make, world
):
    task = world.tasks["研发"].pk
    panel = reverse("supervision:task_panel", args=[task])
    leader_html = cockpit_of(client_as(leader_user).get(leader_url(world)).content.decode())
    assert f'<a href="{panel}#id_text" data-action="instruct">批示</a>' in leader_html
    assert 'data-action="chase"' not in leader_html
    office_html = cockpit_of(client_as(office_user).get(leader_url(world)).content.decode())
    assert f'<a href="{panel}#id_unit" data-action="chase">催办</a>' in office_html
    assert 'data-action="instruct"' not in office_html
    # Another leader's page, or a liaison: neither (the task page is always there).
    zhao = user_make("zhao", Role.LEADER, leader="赵亮")
    for user in (zhao, liaison_user):
        html = cockpit_of(client_as(user).get(leader_url(world)).content.decode())
        assert 'data-action="instruct"' not in html and 'data-action="chase"' not in html
        assert f'href="/tasks/{task}/" data-action="task"' in html
    # The links lead to the forms: the panel offers the leader 写批示 and the office 发出催办.
    assert "写批示" in client_as(leader_user).get(panel).content.decode()
    assert "发出催办" in client_as(office_user).get(panel).content.decode()


def test_the_trend_table_says_what_the_snapshots_say(client_as, leader_user, world):
    html = cockpit_of(client_as(leader_user).get(leader_url(world)).content.decode())
    assert "<caption>谭瑞琮牵头的任务：近12期各期结束时的数字（2024年6月—2025年5月）</caption>" in html
    may = re.search(r'<tr data-period="2025-05">.*?</tr>', html).group(0)
    assert '<td class="num" data-trend-col="completion">0%<small>0/2</small></td>' in may
    assert '<td class="num" data-trend-col="reporting">0%<small>0/2</small></td>' in may
    assert html.count('<td colspan="3" class="muted">无快照</td>') == 7  # 2024: the annual plan had not begun


def test_no_snapshots_yet_says_so(client_as, leader_user, db, pinned_clock):
    world = world_build()
    html = cockpit_of(client_as(leader_user).get(leader_url(world)).content.decode())
    assert "2024年6月—2025年5月尚无期末快照：每个报送周期结束后，由后台任务记录各任务当时的状态。" in html
    assert 'role="img"' not in html.split('aria-labelledby="cockpit-drill"')[0].split("cockpit-trends")[1]


def test_the_final_states_agree_with_the_yearend_page(client_as, office_user, world):
    from yearend.models import FinalState, PlanClosure, TaskOutcome

    states = {"营商": FinalState.NOT_DONE, "服务包": FinalState.DONE, "研发": FinalState.CARRIED}
    for nick, state in states.items():
        TaskOutcome.objects.create(
            task=world.tasks[nick], state=state, note="说明", confirmed_by=office_user, confirmed_at=timezone.now()
        )
    for task in world.annual.tasks.filter(position__gte=100):
        TaskOutcome.objects.create(
            task=task, state=FinalState.DONE, confirmed_by=office_user, confirmed_at=timezone.now()
        )
    PlanClosure.objects.create(plan=world.annual, closed_by=office_user, closed_at=timezone.now())
    client = client_as(office_user)
    html = cockpit_of(client.get(leader_url(world)).content.decode())
    row = re.search(rf'<tr data-closed-plan="{world.annual.pk}">.*?</tr>', html).group(0)
    mine = re.findall(r'data-state="\w+">(\d+)</td>', row)
    assert mine == ["2", "1", "0", "0", "1", "0"]  # 服务包 已完成, 研发 结转下年
    yearend = client.get(re.search(r'href="([^"]+)"', row).group(1)).content.decode()
    leaders = yearend[yearend.index('id="final-leaders"') :]
    line = re.search(r"<tr><th scope=\"row\">谭瑞琮</th>(.*?)</tr>", leaders).group(1)
    assert re.findall(r'<td class="num">(\d+)</td>', line) == mine
    assert "50%" in row and "50%" in line


def test_the_dashboard_shows_the_districts_trends(client_as, office_user, world):
    html = client_as(office_user).get(reverse("tasks:dashboard")).content.decode()
    section = html[html.index("data-district-trend>") :]
    assert '<h2 id="district-trends">闵行区近12期趋势</h2>' in section
    trend = trend_of_district(district=world.annual.district, clock=CLOCK)
    for p in trend.points:
        row = re.search(rf'<tr data-period="{p.period:%Y-%m}">.*?</tr>', section).group(0)
        assert f'data-trend-col="completion">{p.completion}%<small>{p.done}/{p.total}</small>' in row
        assert f'data-trend-col="red">{p.red}</td>' in row
    assert section.count('role="img"') == 3


def test_no_trend_section_on_the_dashboard_without_snapshots(client_as, office_user, db, pinned_clock):
    world_build()
    assert "data-district-trend" not in client_as(office_user).get(reverse("tasks:dashboard")).content.decode()


def _with_more_snapshots(times: int) -> None:
    plans_multiply(times=times)
    for plan in Plan.objects.all():
        for period in trend_periods(clock=CLOCK):
            snapshot_take(plan=plan, period=period)


@pytest.mark.parametrize("persona", ["leader_user", "office_user"])
def test_the_leader_page_and_dashboard_keep_the_query_budget(
    request, persona, client_as, world, django_assert_max_num_queries
):
    client = client_as(request.getfixturevalue(persona))
    urls = [leader_url(world), reverse("tasks:dashboard")]
    small = measure(client, urls, django_assert_max_num_queries)
    _with_more_snapshots(times=6)
    large = measure(client, urls, django_assert_max_num_queries)
    assert large == small and all(n <= budget_for(url) for url, n in small.items()), small


@pytest.mark.django_db(transaction=True)
def test_a_snapshot_written_expires_the_cached_pages(client_as, office_user, pinned_clock, shipped_aliases):
    from tests.test_page_cache import get

    world = world_build()
    client = client_as(office_user)
    for url in (leader_url(world), reverse("tasks:dashboard")):
        first, _ = get(client, url)
        again, _ = get(client, url)
        assert again == first and "data-trend-col" not in first
    _, cached = get(client, leader_url(world))
    snapshot_take(plan=world.annual, period=CLOCK.month_start.replace(month=5))
    leader_html, rebuilt = get(client, leader_url(world))
    assert rebuilt > cached and 'data-period="2025-05"><th scope="row">2025年5月</th><td class="num"' in leader_html
    assert "data-district-trend" in get(client, reverse("tasks:dashboard"))[0]


def test_a_returned_report_shows_its_comment_escaped_and_shortened_in_the_drill_down(
    client_as, leader_user, office_user, world
):
    from tasks.models import ProgressReport
    from tasks.services import report_reopen

    report = ProgressReport.objects.filter(unit__name="区科委").exclude(review_state="draft").latest("period")
    comment = "<b>请补充</b>" + "数据口径说明" * 30
    report_reopen(user=office_user, report=report, version=report.version, reason=comment)  # back to the unit
    part = drill_units(client_as(leader_user).get(leader_url(world)).content.decode())["区科委"]
    assert '<span class="tag review-returned">已退回</span>' in part
    shown = re.search(r'<div class="bad">退回意见：(.*?)</div>', part).group(1)
    assert shown.startswith("&lt;b&gt;请补充&lt;/b&gt;数据口径说明") and "<b>" not in shown
    assert len(html.unescape(shown)) == 80  # truncatechars:80, as the template had it
