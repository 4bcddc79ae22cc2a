"""我的待办 (/todo/): where login lands, what each role sees, and that every count is its list
and the list it links to (followed, rows counted on the search page)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from supervision import services
from tasks.models import ProgressReport, ProgressStatus, ReviewState, Task
from tests.factories import THIS_PERIOD, TODAY, plans_multiply, report_make, reports_sprinkle, world_build
from tests.html import csrf_removed

pytestmark = pytest.mark.django_db

BUDGET = 12  # queries per page (as tests/test_views.py)


@pytest.fixture
def world(pinned_clock):
    return world_build()


def count_of(html: str, key: str) -> int:
    match = re.search(rf'data-count="{re.escape(key)}"[^>]*>(\d+)<', html)
    assert match, (key, html[html.find("<h1>") :][:3000])
    return int(match.group(1))


def link_of(html: str, key: str) -> str:
    match = re.search(rf'href="([^"]+)"[^>]*data-link="{re.escape(key)}"', html)
    assert match, key
    return match.group(1).replace("&amp;", "&")


def list_items(html: str, key: str, marker: str) -> int:
    start = html.find(f'data-list="{key}"')
    if start == -1:
        return 0
    end = html.find("</ul>", start) if html.find("</ul>", start) != -1 else len(html)
    for closer in ("</ul>", "</ol>", "</table>"):
        pos = html.find(closer, start)
        if pos != -1:
            end = min(end, pos)
    return html[start:end].count(marker)


def search_rows(client, url: str) -> int:
    html = client.get(url).content.decode()
    rows = html.count('data-task="')
    shown = int(re.search(r"data-result-count>(\d+)<", html).group(1))
    assert rows == shown, url
    return rows


@pytest.mark.parametrize("persona", ["admin_user", "office_user", "liaison_user", "leader_user"])
def test_login_lands_on_the_todo_page(world, client_as, request, persona):
    client = client_as(request.getfixturevalue(persona))
    response = client.get(reverse("tasks:landing"))
    assert response["Location"] == reverse("supervision:todo")
    page = client.get(response["Location"])
    assert page.status_code == 200 and "<h1>我的待办</h1>" in page.content.decode()


def test_outsider_and_anonymous_are_refused(world, client, client_as, outsider_user):
    response = client.get(reverse("supervision:todo"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client_as(outsider_user).get(reverse("supervision:todo")).status_code == 403


def test_liaison_counts_match_their_lists_and_the_search(world, client_as, liaison_user, office_user):
    """区科委: its own silent tasks (the search's reported=no with the unit), a returned report with
    its comment, a draft, a task due soon, a chase and an instruction addressed to it."""
    w = world
    keji = w.units["科委"]
    returned = report_make(
        task=w.tasks["零号湾"],
        unit=keji,
        period=THIS_PERIOD,
        status=ProgressStatus.IN_PROGRESS,
        percent=10,
        review_state=ReviewState.RETURNED,
        review_comment="请补充街区改造的时间节点。",
    )
    report_make(
        task=w.tasks["南部科创"],
        unit=keji,
        period=THIS_PERIOD,
        status=ProgressStatus.DONE,
        percent=100,
        review_state=ReviewState.DRAFT,
    )
    chase = services.chase_unit(user=office_user, unit=keji, note="请本周内报送。")
    services.instruction_create(
        user=office_user, task=w.tasks["研发"], text="抓紧推进研发平台建设。", leader=w.leaders["谭"]
    )
    client = client_as(liaison_user)
    html = client.get(reverse("supervision:todo")).content.decode()
    silent = count_of(html, "silent")
    assert silent == list_items(html, "silent", "data-todo-task=") > 0
    assert search_rows(client, link_of(html, "silent")) == silent
    assert count_of(html, "returned") == list_items(html, "returned", "data-report=") == 1
    assert "审核意见：请补充街区改造的时间节点。" in html
    assert reverse("tasks:report_edit", args=[returned.task_id, keji.pk]) in html
    assert count_of(html, "drafts") == list_items(html, "drafts", "data-report=") == 1
    assert count_of(html, "chases") == list_items(html, "chases", "data-chase=") == 1
    assert f'data-chase="{chase.pk}"' in html and "请本周内报送。" in html
    assert count_of(html, "instructions") == list_items(html, "instructions", "data-instruction=") == 1
    assert "谭瑞琮批示</strong>（代录）：抓紧推进研发平台建设。" in html
    assert count_of(html, "due_soon") == list_items(html, "due_soon", "data-todo-task=")
    total = int(re.search(r"data-todo-total>(\d+)<", html).group(1))
    others = sum(count_of(html, key) for key in ("due_soon", "extensions", "new_tasks"))
    assert total == silent + 1 + 1 + 1 + 1 + others


def test_chase_leaves_the_todo_when_the_unit_replies_or_reports(world, client_as, liaison_user, office_user, clock_at):
    w = world
    keji = w.units["科委"]
    chase = services.chase_task(user=office_user, task=w.tasks["零号湾"], unit=keji, note="请报送。")
    client = client_as(liaison_user)
    assert count_of(client.get(reverse("supervision:todo")).content.decode(), "chases") == 1
    response = client.post(reverse("supervision:chase_reply", args=[chase.pk]), {"text": "已安排专人，明日报送。"})
    assert response.status_code == 302
    assert count_of(client.get(reverse("supervision:todo")).content.decode(), "chases") == 0
    # The next day the office chases again; this time the unit reports instead of replying.
    clock_at(TODAY + dt.timedelta(days=1))
    services.chase_task(user=office_user, task=w.tasks["零号湾"], unit=keji)
    assert count_of(client.get(reverse("supervision:todo")).content.decode(), "chases") == 1
    report_make(task=w.tasks["零号湾"], unit=keji, period=THIS_PERIOD, status=ProgressStatus.IN_PROGRESS, percent=20)
    assert count_of(client.get(reverse("supervision:todo")).content.decode(), "chases") == 0


def test_leader_counts_match_the_search(world, client_as, leader_user):
    client = client_as(leader_user)
    html = client.get(reverse("supervision:todo")).content.decode()
    for key in ("red", "yellow"):
        shown = count_of(html, key)
        assert shown == list_items(html, key, "data-todo-task=")
        assert search_rows(client, link_of(html, key)) == shown, key
    assert count_of(html, "yellow") >= 1  # 服务包: due within 30 days
    units = re.findall(r'data-link="(unit-\d+)"', html)
    assert units and count_of(html, "units") == len(units)
    for key in units:
        assert search_rows(client, link_of(html, key)) == count_of(html, key), key


def test_leader_sees_reports_since_the_last_visit(world, client_as, leader_user, office_user):
    w = world
    client = client_as(leader_user)
    report_make(
        task=w.tasks["服务包"],
        unit=w.units["经委"],
        period=THIS_PERIOD,
        status=ProgressStatus.IN_PROGRESS,
        percent=40,
        review_state=ReviewState.SUBMITTED,
        reported_at=timezone.now() - dt.timedelta(days=1),
    )
    first = client.get(reverse("supervision:todo")).content.decode()
    assert "近7天报送的进展" in first and count_of(first, "new_reports") == 1
    again = client.get(reverse("supervision:todo")).content.decode()
    assert "自上次查看（" in again and count_of(again, "new_reports") == 0
    report_make(
        task=w.tasks["研发"],
        unit=w.units["城投"],
        period=THIS_PERIOD,
        status=ProgressStatus.IN_PROGRESS,
        percent=30,
        review_state=ReviewState.SUBMITTED,
        reported_at=timezone.now(),
    )
    third = client.get(reverse("supervision:todo")).content.decode()
    assert count_of(third, "new_reports") == list_items(third, "new_reports", "data-report=") == 1


def test_office_counts_match_their_lists_and_links(world, client_as, office_user):
    w = world
    report_make(
        task=w.tasks["服务包"],
        unit=w.units["经委"],
        period=THIS_PERIOD,
        status=ProgressStatus.IN_PROGRESS,
        percent=40,
        review_state=ReviewState.SUBMITTED,
        reported_at=timezone.now(),
    )
    chase = services.chase_unit(
        user=office_user, unit=w.units["发改"], note="请报送。", reply_by=TODAY + dt.timedelta(days=2)
    )
    client = client_as(office_user)
    html = client.get(reverse("supervision:todo")).content.decode()
    pending = count_of(html, "pending")
    assert pending == ProgressReport.objects.filter(review_state=ReviewState.SUBMITTED).count() >= 1
    queue = client.get(link_of(html, "pending")).content.decode()
    assert queue.count("data-report=") == pending
    units = re.findall(r'data-link="(unit-\d+)"', html)
    assert count_of(html, "units") == len(units) == list_items(html, "units", "data-silent-unit=")
    for key in units:
        assert search_rows(client, link_of(html, key)) == count_of(html, key), key
    assert count_of(html, "overdue_chases") == 0
    red_silent = count_of(html, "red_silent")
    assert red_silent >= 1 and search_rows(client, link_of(html, "red_silent")) == red_silent  # 营商 at least
    assert f'data-unit-chase="{chase.unit.name}"' not in html or count_of(html, "units") >= 1


def test_office_sees_overdue_chases_without_reply(world, client_as, office_user, clock_at, liaison_user):
    services.chase_task(
        user=office_user,
        task=world.tasks["零号湾"],
        unit=world.units["科委"],
        note="限期答复。",
        reply_by=TODAY + dt.timedelta(days=1),
    )
    client = client_as(office_user)
    assert count_of(client.get(reverse("supervision:todo")).content.decode(), "overdue_chases") == 0
    clock_at(TODAY + dt.timedelta(days=2))
    html = client.get(reverse("supervision:todo")).content.decode()
    assert count_of(html, "overdue_chases") == list_items(html, "overdue_chases", "data-chase=") == 1
    assert "限期答复。" in html
    liaison_html = client_as(liaison_user).get(reverse("supervision:todo")).content.decode()
    assert "其中1条已过答复期限仍未答复。" in liaison_html


# -- query budget ------------------------------------------------------------------------------


def _measure(client, django_assert_max_num_queries) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with django_assert_max_num_queries(BUDGET), CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("supervision:todo"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["admin_user", "office_user", "liaison_user", "leader_user"])
def test_todo_keeps_the_query_budget_at_ten_times_the_data(
    world, client_as, request, persona, office_user, django_assert_max_num_queries
):
    user = request.getfixturevalue(persona)
    keji = world.units["科委"]
    services.chase_unit(user=office_user, unit=keji, note="请报送。", reply_by=TODAY)
    services.instruction_create(user=office_user, task=world.tasks["研发"], text="批示一。", leader=world.leaders["谭"])
    services.extension_request(
        user=office_user, task=world.tasks["研发"], unit=keji, requested_date=dt.date(2026, 3, 31), reason="推迟。"
    )
    client = client_as(user)
    small = _measure(client, django_assert_max_num_queries)
    plans_multiply(times=10)
    reports_sprinkle(every=2)
    assert Task.objects.count() >= 10 * 47
    large = _measure(client, django_assert_max_num_queries)
    assert large == small


def test_todo_keeps_the_query_budget_on_ten_times_seed(
    shipped_aliases, seed_plans, client_as, user_make, django_assert_max_num_queries
):
    from tasks.models import Role

    people = [
        user_make("o", Role.OFFICE),
        user_make("l", Role.LIAISON, units=["区科委", "区发展改革委"]),
        user_make("d", Role.LEADER, leader="谭瑞琮"),
    ]
    reports_sprinkle(every=3)
    seed = [_measure(client_as(p), django_assert_max_num_queries) for p in people]
    plans_multiply(times=10)
    ten = [_measure(client_as(p), django_assert_max_num_queries) for p in people]
    assert ten == seed


def test_extension_requests_on_both_todo_pages(world, client_as, liaison_user, office_user):
    extension = services.extension_request(
        user=liaison_user,
        task=world.tasks["研发"],
        unit=world.units["科委"],
        requested_date=dt.date(2026, 3, 31),
        reason="设备到货推迟。",
    )
    office = client_as(office_user).get(reverse("supervision:todo")).content.decode()
    assert count_of(office, "extensions") == list_items(office, "extensions", "data-extension=") == 1
    assert "区科委申请由2025-12-31延至2026-03-31" in office
    liaison = client_as(liaison_user).get(reverse("supervision:todo")).content.decode()
    assert count_of(liaison, "extensions") == list_items(liaison, "extensions", "data-extension=") == 1
    assert "申请延至2026-03-31，<strong>待审批</strong>" in liaison
    services.extension_decide(user=office_user, extension=extension, approve=True, granted_date=dt.date(2026, 3, 31))
    office = client_as(office_user).get(reverse("supervision:todo")).content.decode()
    assert count_of(office, "extensions") == 0
    liaison = client_as(liaison_user).get(reverse("supervision:todo")).content.decode()
    assert "<strong>已同意</strong>（截止日期改为2026-03-31）" in liaison


def test_liaison_acknowledges_new_tasks_per_plan_and_the_office_sees_who_has_not(
    world, client_as, liaison_user, office_user
):
    from supervision.models import AcknowledgedTask

    keji = world.units["科委"]
    liaison = client_as(liaison_user)
    html = liaison.get(reverse("supervision:todo")).content.decode()
    plans = re.findall(r'data-new-tasks="(\d+)"', html)
    assert count_of(html, "new_tasks") == len(plans) == 2  # both plans have 区科委-led tasks
    office_html = client_as(office_user).get(reverse("supervision:todo")).content.decode()
    assert count_of(office_html, "unacknowledged") == list_items(office_html, "unacknowledged", "data-unacknowledged=")
    assert 'data-unacknowledged="区科委"' in office_html
    liaison = client_as(liaison_user)
    annual = world.annual
    response = liaison.post(reverse("supervision:acknowledge", args=[keji.pk, annual.pk]), follow=True)
    n = AcknowledgedTask.objects.filter(unit=keji, task__plan=annual).count()
    assert n == 1  # 研发
    assert f"区科委已签收{annual.title}的1项新任务。" in response.content.decode()
    again = liaison.post(reverse("supervision:acknowledge", args=[keji.pk, annual.pk]), follow=True)
    assert f"{annual.title}没有需要区科委签收的新任务。" in again.content.decode()
    assert AcknowledgedTask.objects.count() == n
    html = liaison.get(reverse("supervision:todo")).content.decode()
    assert count_of(html, "new_tasks") == 1


def test_a_chase_on_a_finished_task_owes_nothing(world, client_as, liaison_user, office_user):
    """南部科创 is done (approved last period): nothing is owed, so its chase is not a to-do."""
    services.chase_task(user=office_user, task=world.tasks["南部科创"], unit=world.units["科委"])
    html = client_as(liaison_user).get(reverse("supervision:todo")).content.decode()
    assert count_of(html, "chases") == 0


# -- the header badge --------------------------------------------------------------------------

OFFICE_COUNTS = ("pending", "units", "extensions", "unacknowledged", "red_silent", "overdue_chases")
LEADER_COUNTS = ("red", "yellow", "units", "new_reports")


def badge_of(html: str) -> int:
    """The 我的待办 badge in the header (0 when there is none)."""
    header = html[html.find("<header") : html.find("</header>")]
    badge = r'我的待办<span class="badge" data-todo-badge>(\d+)<span class="visually-hidden">项待办</span>'
    match = re.search(badge, header)
    return int(match.group(1)) if match else 0


def todo_sum(html: str, role: str) -> int:
    """What 我的待办 lists, added up from the page: each unit's total for a liaison (itself the sum
    of its lists, tested above), the top-level counts for the office and a leader."""
    if role == "liaison":
        return sum(int(n) for n in re.findall(r"data-todo-total>(\d+)<", html))
    keys = OFFICE_COUNTS if role == "office" else LEADER_COUNTS
    return sum(count_of(html, key) for key in keys)


@pytest.fixture
def busy_world(world, office_user, liaison_user):
    """Something in every list of the three roles."""
    w = world
    keji = w.units["科委"]
    report_make(
        task=w.tasks["零号湾"],
        unit=keji,
        period=THIS_PERIOD,
        status=ProgressStatus.IN_PROGRESS,
        percent=10,
        review_state=ReviewState.RETURNED,
        review_comment="请补充。",
    )
    report_make(
        task=w.tasks["服务包"],
        unit=w.units["经委"],
        period=THIS_PERIOD,
        status=ProgressStatus.IN_PROGRESS,
        percent=40,
        review_state=ReviewState.SUBMITTED,
        reported_at=timezone.now() - dt.timedelta(days=1),
    )
    services.chase_task(
        user=office_user, task=w.tasks["零号湾"], unit=keji, note="限期答复。", reply_by=TODAY + dt.timedelta(days=1)
    )
    services.instruction_create(user=office_user, task=w.tasks["研发"], text="批示一。", leader=w.leaders["谭"])
    services.extension_request(
        user=liaison_user, task=w.tasks["研发"], unit=keji, requested_date=dt.date(2026, 3, 31), reason="推迟。"
    )
    return w


@pytest.mark.parametrize(
    ("persona", "role"), [("liaison_user", "liaison"), ("office_user", "office"), ("leader_user", "leader")]
)
def test_header_badge_is_the_sum_of_the_todo_lists(busy_world, client_as, request, persona, role, clock_at):
    """On another page and on 我的待办 itself, the badge is what 我的待办 adds up, and follows it
    when the lists change (two days on the chase is overdue; a leader's visit resets "since")."""
    from supervision.selectors import todo_count

    user = request.getfixturevalue(persona)
    client = client_as(user)
    before = badge_of(client.get(reverse("tasks:dashboard")).content.decode())
    counted = todo_count(user=user)  # what the badge counts, asked directly
    html = client.get(reverse("supervision:todo")).content.decode()
    total = todo_sum(html, role)
    assert total > 0 and before == counted == total == badge_of(html)
    clock_at(TODAY + dt.timedelta(days=2))
    after = badge_of(client.get(reverse("notifications:list")).content.decode())
    html = client.get(reverse("supervision:todo")).content.decode()
    assert after == todo_sum(html, role) == badge_of(html)
    if role == "leader":  # the report of yesterday was seen at the first visit
        assert count_of(html, "new_reports") == 0 and after == total - 1
    if role == "office":  # the chase is past its reply-by date
        assert count_of(html, "overdue_chases") == 1 and after == total + 1


def test_no_badge_without_a_todo_page(world, client_as, user_make):
    from tasks.models import Role

    html = client_as(user_make("sec", Role.SECURITY)).get(reverse("security:accounts")).content.decode()
    assert "data-todo-badge" not in html and "我的待办" not in html


def test_a_liaisons_todo_is_the_same_with_the_compiled_sql_off(busy_world, client_as, liaison_user, settings):
    """The liaison's lists are compiled once per day (minhang_plans.compiled). The page is the same
    byte for byte when they are built for each request: something in every list, a draft among the
    returned reports, and three units (so the ids are padded to four)."""
    from django.core.cache import cache

    from minhang_plans.compiled import compiled_size

    w = busy_world
    report_make(  # 城投 has not reported 研发 this period (tests.factories)
        task=w.tasks["研发"],
        unit=w.units["城投"],
        period=THIS_PERIOD,
        status=ProgressStatus.IN_PROGRESS,
        percent=20,
        review_state=ReviewState.DRAFT,
    )
    liaison_user.profile.units.add(w.units["经委"], w.units["城投"])
    client = client_as(liaison_user)
    pages = []
    for entries in (0, 512):
        settings.COMPILED_SQL_ENTRIES = entries  # a change of settings empties the store
        for _ in range(2):  # with the store on, the second request runs the SQL the first one stored
            cache.clear()
            html = client.get("/todo/").content.decode()
            pages.append(csrf_removed(html))
        # Off, nothing is stored; on, the four lists (and the page's other compiled queries) are.
        assert compiled_size() >= 4 if entries else compiled_size() == 0
    assert all(page == pages[0] for page in pages)
    html = pages[0]
    for key in ("silent", "returned", "drafts", "instructions", "extensions", "chases"):
        # One section per unit: the list is not empty in at least one of them.
        assert sum(int(n) for n in re.findall(rf'data-count="{key}"[^>]*>(\d+)<', html)) >= 1, key
    for name in ("区科委", "区经委", "闵行城投公司"):
        assert name in html


def test_a_leader_with_more_new_reports_than_the_list_shows_sees_them_all_counted(world, client_as, leader_user):
    from supervision.selectors import NEW_REPORTS_SHOWN

    w = world
    task = w.tasks["研发"]
    made = 0
    for months_back in range(30):
        period = dt.date(2022 + months_back // 12, months_back % 12 + 1, 1)  # 2022-01 … 2024-06
        for unit in (w.units["城投"], w.units["科委"]):
            report_make(
                task=task,
                unit=unit,
                period=period,
                status=ProgressStatus.IN_PROGRESS,
                percent=30,
                review_state=ReviewState.SUBMITTED,
                reported_at=timezone.now() - dt.timedelta(hours=months_back + 1),
            )
            made += 1
    html = client_as(leader_user).get(reverse("supervision:todo")).content.decode()
    assert made > NEW_REPORTS_SHOWN
    assert count_of(html, "new_reports") == made
    assert list_items(html, "new_reports", "data-report=") == NEW_REPORTS_SHOWN
    assert f"以上为最新{NEW_REPORTS_SHOWN}份；另有{made - NEW_REPORTS_SHOWN}份较早的报送" in html
    counts = sum(count_of(html, key) for key in LEADER_COUNTS)
    assert badge_of(html) == counts
