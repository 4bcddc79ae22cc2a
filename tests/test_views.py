"""Every browsing page: who may see it, what it shows, and the counts it prints.

Small hand-made data (tests.factories) pins exact lights and figures; the seed
documents, imported through the real pipeline, check what the issue says must show.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from tasks.models import Category, Leader, Plan, PlanKind, ProgressStatus, ReviewState, Task, Unit
from tests.factories import THIS_PERIOD, report_make, world_build
from tests.test_selectors import awaiting_review_make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static", "pinned_clock")]


def text_of(response) -> str:
    """The page's visible text, tags stripped and whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style|title|desc)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</?(a|span|strong|small|em|b|i)\b[^>]*>", "", html)  # inline tags join their text
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def col(row_html: str, name: str) -> int:
    """The number in a table cell <td data-col="name">, linked or not."""
    match = re.search(rf'data-col="{name}">(?:<a [^>]*>)?(\d+)<', row_html)
    assert match, f"no column {name}"
    return int(match.group(1))


def figure(response, name: str) -> str:
    """The text of the first <dd data-figure="name">…</dd>."""
    match = re.search(rf'data-figure="{name}">(.*?)</dd>', response.content.decode(), flags=re.S)
    assert match, f"no figure {name}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


@pytest.fixture
def world(db):
    return world_build(scale=1)


@pytest.fixture
def office(client_as, office_user):
    return client_as(office_user)


def test_missing_things_give_chinese_404(office, world):
    for url in [
        reverse("tasks:task", args=[999999]),
        reverse("tasks:unit", args=[999999]),
        reverse("tasks:leader", args=[999999]),
        reverse("tasks:plan", args=[999999]),
        reverse("tasks:unit_by_name", args=["不存在的单位"]),
        # A category of another plan is not found under this plan.
        reverse("tasks:category", args=[world.five_year.pk, world.annual.categories.get(order=1).pk]),
    ]:
        response = office.get(url)
        assert response.status_code == 404, url
        assert "页面不存在" in response.content.decode()


def test_500_page_is_chinese_and_standalone():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")  # no request, like Django's server_error handler
    assert "系统出错了" in html
    assert 'lang="zh-Hans"' in html


def test_login_page_is_chinese(client, db):
    text = text_of(client.get(reverse("login")))
    assert "用户名" in text and "密码" in text and "登录" in text


# -- dashboard -------------------------------------------------------------------------


def test_dashboard_counts_by_light_and_red_list(office, world):
    response = office.get(reverse("tasks:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    # Each plan has its card, five-year plan first on the page is not assumed: find the annual card.
    annual_card = html[html.index(f'id="plan-{world.annual.pk}"') :]
    annual_card = annual_card[: annual_card.index("</section>")]
    # Annual: 3 named active tasks + 20 filler; the withdrawn one is not counted.
    assert re.search(r'data-figure="total"><a [^>]*>23</a>', annual_card)
    # 营商 is overdue → in the red list with its reason; 服务包 (due soon) is not.
    assert f'data-red-task="{world.tasks["营商"].pk}"' in annual_card
    assert "已逾期（2025-03-31）" in annual_card
    assert f'data-red-task="{world.tasks["服务包"].pk}"' not in annual_card
    five_card = html[html.index(f'id="plan-{world.five_year.pk}"') :]
    five_card = five_card[: five_card.index("</section>")]
    # 零号湾 is red because 区发展改革委 reported 滞后.
    assert f'data-red-task="{world.tasks["零号湾"].pk}"' in five_card
    assert "进展滞后" in five_card and "报送滞后" not in five_card
    # 南部科创 reported done → share completed is 2 of 23 (南部科创 + one filler).
    assert re.search(r'data-figure="done"><a [^>]*>2</a><small>（9%）</small>', five_card)


def test_dashboard_city_level_figure_agrees_with_the_list_it_links_to(office, world):
    # One city-level task withdrawn: the card counts active ones, as the search it links to does.
    Task.objects.filter(pk__in=[world.tasks["零号湾"].pk, world.tasks["撤销"].pk]).update(city_level=True)
    html = office.get(reverse("tasks:dashboard")).content.decode()
    for plan in (world.five_year, world.annual):
        card = html[html.index(f'id="plan-{plan.pk}"') :]
        card = card[: card.index("</section>")]
        link, shown = re.search(r'data-figure="city"><a href="([^"]+)">(\d+)</a>', card).groups()
        listed = office.get(link.replace("&amp;", "&")).content.decode()
        count = re.search(r"data-result-count>(\d+)<", listed).group(1)
        expected = Task.objects.active().filter(plan=plan, city_level=True).count()
        assert int(shown) == int(count) == expected, plan.title
    assert re.search(r'data-figure="city"><a [^>]*>[1-9]', html)


def test_dashboard_lists_units_silent_this_period(office, world):
    html = office.get(reverse("tasks:dashboard")).content.decode()
    five_card = html[html.index(f'id="plan-{world.five_year.pk}"') :]
    five_card = five_card[: five_card.index("</section>")]
    silent = five_card[five_card.index("本期未报送的单位") :]
    # 区经委 only has a draft this period for 产业: a draft is not a report.
    assert "区经委" in silent
    # 区科委 reported last period only, and 南部科创 is done: 零号湾 is still missing this period.
    assert "区科委" in silent


def test_dashboard_draws_svg_chart_per_plan_without_external_urls(office, world):
    html = office.get(reverse("tasks:dashboard")).content.decode()
    assert html.count("<svg") >= 4  # a light bar and a category chart per plan
    assert f'id="chart-plan-{world.annual.pk}"' in html
    assert "各类别任务状态" in html
    assert not re.search(r'(src|href)="https?://', html)


def test_dashboard_other_districts_in_a_table_and_chosen_by_link(office, world):
    other = Plan.objects.create(
        district="合成·徐汇区", title="徐汇年度计划", kind="annual", year_start=2026, year_end=2026
    )
    html = office.get(reverse("tasks:dashboard")).content.decode()
    assert f'data-plan-row="{other.pk}"' in html and f'id="plan-{other.pk}"' not in html
    assert f'id="plan-{world.annual.pk}"' in html
    assert 'href="?district=%E5%90%88%E6%88%90%C2%B7%E5%BE%90%E6%B1%87%E5%8C%BA"' in html
    html = office.get(reverse("tasks:dashboard"), {"district": "合成·徐汇区"}).content.decode()
    assert f'id="plan-{other.pk}"' in html and f'id="plan-{world.annual.pk}"' not in html


def test_dashboard_with_no_plans_says_so(office, db):
    assert "尚未导入任何规划" in text_of(office.get(reverse("tasks:dashboard")))


def test_grey_not_green_when_nothing_reported(office, world):
    # 产业 has only a draft and no due date: 未报送, grey, never done or green.
    text = text_of(office.get(reverse("tasks:task", args=[world.tasks["产业"].pk])))
    assert "当前状态 未报送（进展不明）" in text


# -- plan and category ------------------------------------------------------------------


def test_plan_page_lists_categories_projects_tasks_with_stated_counts(office, world):
    response = office.get(reverse("tasks:plan", args=[world.annual.pk]))
    html = response.content.decode()
    row = re.search(r'<tr data-category="1">(.*?)</tr>', html, flags=re.S).group(1)
    assert re.search(r"data-stated>12<", row) and re.search(r"data-found>12<", row)
    assert "一致" in row
    assert "健全优化营商环境制度体系" in html  # project heading
    assert "另有已撤销1项" in html
    # Withdrawn task shown struck through, not counted.
    assert 'class="withdrawn"' in html


def test_category_page_shows_only_its_tasks_and_flags_a_mismatch(office, world):
    cat = world.annual.categories.get(order=2)
    cat.stated_count = 99
    cat.save()
    response = office.get(reverse("tasks:category", args=[world.annual.pk, cat.pk]))
    html = response.content.decode()
    assert "加快建设科创中心" in text_of(response)
    assert world.tasks["研发"].title in html
    assert world.tasks["营商"].title not in html
    assert re.search(r"data-stated>99<", html) and re.search(r"data-found>11<", html)
    assert "不一致" in html
    # Breadcrumbs: 首页 › plan › category (current).
    crumbs = re.search(r'<nav aria-label="当前位置".*?</nav>', html, flags=re.S).group(0)
    assert "首页" in crumbs and world.annual.title in crumbs and 'aria-current="page">二、加快建设科创中心' in crumbs


# -- units --------------------------------------------------------------------------------


def test_unit_index_sorts_and_filters_by_kind(office, world):
    response = office.get(reverse("tasks:unit_index"), {"order": "red"})
    html = response.content.decode()
    names = re.findall(r'<tr data-unit="([^"]+)">', html)
    reds = [int(x) for x in re.findall(r'data-col="red">(?:<a [^>]*>)?(\d+)<', html)]
    assert reds == sorted(reds, reverse=True) and reds[0] > 0
    assert "区科委" in names and "区发展改革委" in names and "区发改委" not in names
    towns = office.get(reverse("tasks:unit_index"), {"kind": "town"}).content.decode()
    town_names = re.findall(r'<tr data-unit="([^"]+)">', towns)
    assert town_names and all(Unit.objects.get(name=n).kind == "town" for n in town_names)
    assert "区科委" not in town_names
    # 莘庄镇 only supports a task: it leads nothing, so it is not in the lead index.
    assert "莘庄镇" not in town_names


def test_unit_index_counts_for_keji(office, world):
    html = office.get(reverse("tasks:unit_index"), {"order": "name"}).content.decode()
    row = re.search(r'<tr data-unit="区科委">(.*?)</tr>', html, flags=re.S).group(1)
    # Leads 南部科创 (done), 零号湾 (behind → red), 研发 (its co-lead 城投 silent → grey); supports 服务包.
    assert (col(row, "led"), col(row, "done"), col(row, "red")) == (3, 1, 1)
    # Not reported by 区科委 itself this period: 零号湾 (red, reported last period only). Not 研发
    # (区科委 reported; the silent co-lead is 城投's to answer for), not 南部科创 (done).
    assert col(row, "silent") == 1


def test_unit_page_lists_tasks_from_both_plans_with_own_progress(office, world):
    response = office.get(reverse("tasks:unit", args=[world.units["科委"].pk]))
    html = response.content.decode()
    tasks = re.findall(r'data-task="(\d+)"', html)
    expected = {world.tasks[k].pk for k in ("南部科创", "零号湾", "研发", "服务包")}
    assert {int(t) for t in tasks} == expected
    assert figure(response, "lead") == "3" and figure(response, "support") == "1"
    assert figure(response, "done").startswith("1")
    assert "已完成年度统计口径核定" in html  # its own latest progress text
    assert "配合" in html and "牵头" in html
    assert "打印一页汇总" in html


def test_unit_alias_resolves_to_the_same_page(office, world):
    via_alias = office.get(reverse("tasks:unit_by_name", args=["区发改委"]))
    via_name = office.get(reverse("tasks:unit_by_name", args=["区发展改革委"]))
    assert via_alias.status_code == via_name.status_code == 302
    assert via_alias["Location"] == via_name["Location"] == reverse("tasks:unit", args=[world.units["发改"].pk])
    page = office.get(via_alias["Location"])
    assert "区发改委" in re.findall(r"<span data-alias>([^<]+)</span>", page.content.decode())


def test_unit_print_page_has_print_css_and_no_navigation_needed(office, world):
    response = office.get(reverse("tasks:unit_print", args=[world.units["科委"].pk]))
    html = response.content.decode()
    assert "区科委 任务推进情况汇总" in html
    assert 'class="print-page"' in html
    assert figure(response, "lead") == "3"
    css = (__import__("pathlib").Path(__file__).parent.parent / "static/css/app.css").read_text()
    assert "@media print" in css and "@page" in css


# -- leaders ---------------------------------------------------------------------------------


def test_leader_index_and_page(office, world):
    html = office.get(reverse("tasks:leader_index")).content.decode()
    assert re.findall(r'<tr data-leader="([^"]+)">', html) == ["赵亮", "谭瑞琮"]  # by tasks led, descending
    row = re.search(r'<tr data-leader="谭瑞琮">(.*?)</tr>', html, flags=re.S).group(1)
    assert col(row, "led") == 2  # 服务包 + 研发; the withdrawn task is not counted
    response = office.get(reverse("tasks:leader", args=[world.leaders["谭"].pk]))
    page = response.content.decode()
    assert figure(response, "total") == "2"
    assert re.search(r"data-task-count>2<", page)
    # The units under this leader: lead units of 服务包 and 研发.
    assert set(re.findall(r'<tr data-unit="([^"]+)">', page)) == {"区经委", "区科委", "闵行城投公司"}
    assert figure(response, "yellow") == "1"  # 服务包 due 2025-07-01, within 30 days of 2025-06-15


# -- task ------------------------------------------------------------------------------------


def test_task_page_shows_the_latest_twelve_periods_unless_asked_for_all(office, world):
    import datetime as dt

    from tasks.models import ProgressReport
    from tasks.services import task_status_refresh

    task = world.tasks["研发"]
    keji = world.units["科委"]
    ProgressReport.objects.filter(task=task).delete()
    months = [dt.date(2024 + m // 12, m % 12 + 1, 1) for m in range(18)]  # 2024-01 … 2025-06
    ProgressReport.objects.bulk_create(
        ProgressReport(
            task=task, unit=keji, period=month, status="in_progress", percent=i, progress_text=f"第{i}期进展",
            review_state=ReviewState.SUBMITTED if i == 0 else ReviewState.APPROVED,
        )
        for i, month in enumerate(months)
    )  # fmt: skip
    task_status_refresh(task_ids=[task.pk])
    html = office.get(reverse("tasks:task", args=[task.pk])).content.decode()
    shown = html.count("data-report=")
    # The 12 latest months, plus the oldest one because it still awaits review (with its review form).
    assert shown == 13 and "第17期进展" in html and "第0期进展" in html and "第3期进展" not in html
    assert "显示最近12期的13条（共18条）" in text_of(office.get(reverse("tasks:task", args=[task.pk])))
    html = office.get(reverse("tasks:task", args=[task.pk]), {"all": "1"}).content.decode()
    assert html.count("data-report=") == 18 and "data-timeline-trimmed" not in html


def test_task_page_shows_everything_and_the_timeline(office, world):
    task = world.tasks["研发"]
    report_make(
        task=task,
        unit=world.units["科委"],
        period=THIS_PERIOD.replace(month=5),
        status=ProgressStatus.NOT_STARTED,
        problems="统计口径待明确。",
        review_state=ReviewState.APPROVED,
    )
    response = office.get(reverse("tasks:task", args=[task.pk]))
    text = text_of(response)
    assert task.text in text
    assert "二、加快建设科创中心" in text and "强化科技创新策源" in text
    assert "牵头领导 谭瑞琮、赵亮" in text
    # Lead units in document order; 区科委 first.
    assert "牵头单位 区科委、闵行城投公司" in text
    assert "截止日期 2025年12月31日" in text
    assert "市级任务 否" in text
    assert "当前状态 推进中（进展不明）" in text
    assert "本期已报送 1/2 个牵头单位" in text
    # Timeline newest first.
    assert text.index("2025年6月 · 区科委 · 推进中") < text.index("2025年5月 · 区科委 · 未启动")
    assert "统计口径待明确" in text


def test_task_page_city_level_and_support_units(office, world):
    text = text_of(office.get(reverse("tasks:task", args=[world.tasks["南部科创"].pk])))
    assert "市级任务 是" in text
    text = text_of(office.get(reverse("tasks:task", args=[world.tasks["产业"].pk])))
    assert "配合单位 莘庄镇" in text


# -- search ------------------------------------------------------------------------------------


def result_ids(response) -> set[int]:
    return {int(x) for x in re.findall(r'data-task="(\d+)"', response.content.decode())}


def result_count(response) -> int:
    return int(re.search(r"data-result-count>(\d+)<", response.content.decode()).group(1))


def test_search_chinese_substring_in_text(office, world):
    response = office.get(reverse("tasks:task_search"), {"q": "零号湾"})
    assert result_ids(response) == {world.tasks["零号湾"].pk}


def test_search_by_unit_alias_and_leader_name(office, world):
    by_alias = office.get(reverse("tasks:task_search"), {"q": "发改委"})
    assert result_ids(by_alias) == {world.tasks["零号湾"].pk, world.tasks["营商"].pk}
    by_leader = office.get(reverse("tasks:task_search"), {"q": "谭瑞琮"})
    assert result_ids(by_leader) == {world.tasks["服务包"].pk, world.tasks["研发"].pk}


@pytest.mark.parametrize(
    ("params", "keys", "count"),
    [
        ({"light": "red", "q": "营商"}, {"营商"}, 1),
        ({"city_level": "true"}, {"南部科创"}, 1),
        ({"status": "behind", "q": "零号湾"}, {"零号湾"}, 1),
        ({"status": "done", "q": "南部"}, {"南部科创"}, 1),
        ({"overdue": "on", "q": "营商"}, {"营商"}, 1),
        ({"overdue": "on", "q": "服务包"}, set(), 0),
        ({"state": "withdrawn"}, {"撤销"}, 1),
    ],
)
def test_search_filters(office, world, params, keys, count):
    response = office.get(reverse("tasks:task_search"), params)
    assert response.status_code == 200
    assert result_ids(response) == {world.tasks[k].pk for k in keys}
    assert result_count(response) == count


def test_search_filters_by_plan_category_unit_leader(office, world):
    cat = world.annual.categories.get(order=2)
    params = {
        "plan": world.annual.pk,
        "category": cat.pk,
        "unit": world.units["科委"].pk,
        "leader": world.leaders["谭"].pk,
    }
    assert result_ids(office.get(reverse("tasks:task_search"), params)) == {world.tasks["研发"].pk}


def test_search_paginates_and_every_page_has_a_permalink(office, world):
    url = reverse("tasks:task_search")
    first = office.get(url, {"plan": world.annual.pk})
    # 3 named active + 20 filler in the annual plan, less than a page.
    assert result_count(first) == 23
    for n in range(60):
        Task.objects.create(
            plan=world.annual,
            category=world.annual.categories.get(order=1),
            number=f"9{n:03d}",
            position=9000 + n,
            text=f"附加任务{n}",
            title=f"附加任务{n}",
        )
    first = office.get(url, {"plan": world.annual.pk})
    assert result_count(first) == 83 and len(result_ids(first)) == 50
    html = first.content.decode()
    assert f'href="?plan={world.annual.pk}&amp;page=2" rel="next"' in html
    assert 'class="permalink" rel="bookmark"' in html and f"?plan={world.annual.pk}" in html
    second = office.get(url, {"plan": world.annual.pk, "page": 2})
    assert len(result_ids(second)) == 33 and not (result_ids(first) & result_ids(second))


def test_search_invalid_filter_shows_error_not_500(office, world):
    response = office.get(reverse("tasks:task_search"), {"plan": "999999"})
    assert response.status_code == 200
    assert "筛选条件有误" in response.content.decode()
    assert result_count(response) == 0


# -- query budgets -----------------------------------------------------------------------------

BUDGET = 12
# Pages allowed more than BUDGET (none).
PAGE_BUDGETS: dict[str, int] = {}


def budget_for(url: str) -> int:
    from django.urls import resolve

    return PAGE_BUDGETS.get(resolve(url.split("?")[0]).view_name, BUDGET)


def budget_urls(*, unit: Unit, leader: Leader, plan: Plan, task: Task) -> list[str]:
    search = reverse("tasks:task_search")
    return [
        reverse("tasks:dashboard"),
        reverse("tasks:plan", args=[plan.pk]),
        reverse("tasks:category", args=[plan.pk, plan.categories.order_by("order").first().pk]),
        reverse("tasks:unit_index"),
        reverse("tasks:unit_index") + "?kind=department&order=silent",
        reverse("tasks:unit", args=[unit.pk]),
        reverse("tasks:unit_print", args=[unit.pk]),
        reverse("tasks:leader_index"),
        reverse("tasks:leader", args=[leader.pk]),
        reverse("tasks:task", args=[task.pk]),
        search,
        search + "?q=区发改委",
        search + f"?plan={plan.pk}&light=grey&page=2",
        search + f"?unit={unit.pk}&leader={leader.pk}&status=not_reported&city_level=false&overdue=on",
    ]


def measure(client, urls: list[str], django_assert_max_num_queries) -> dict[str, int]:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for url in urls:
        # The session's last-seen time is written at most once a minute (accounts.sessions), by the
        # first request after a pause; on a slow machine that could be the measured one. A cheap
        # request first takes that write, so the page's own queries are what is counted.
        client.get(reverse("notifications:list"))
        cache.clear()  # the budget is for a page built from the database, not served from the cache
        with django_assert_max_num_queries(budget_for(url)), CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(ctx.captured_queries)
    return counts


def test_query_budget_same_at_ten_times_the_data(office, django_assert_max_num_queries):
    from tests.factories import plans_multiply, reports_sprinkle

    w = world_build(scale=1)
    urls = budget_urls(unit=w.units["科委"], leader=w.leaders["谭"], plan=w.annual, task=w.tasks["研发"])
    small = measure(office, urls, django_assert_max_num_queries)
    plans_multiply(times=10)
    reports_sprinkle(every=2)
    assert Task.objects.count() >= 10 * 47
    large = measure(office, urls, django_assert_max_num_queries)
    assert large == small


def test_query_budget_on_seed_and_ten_times_seed(office, shipped_aliases, seed_plans, django_assert_max_num_queries):
    from tests.factories import plans_multiply, reports_sprinkle

    annual = Plan.objects.get(kind=PlanKind.ANNUAL)
    urls = budget_urls(
        unit=Unit.objects.get(name="区科委"),
        leader=Leader.objects.get(name="谭瑞琮"),
        plan=annual,
        task=annual.tasks.order_by("position").first(),
    )
    reports_sprinkle(every=3)
    seed = measure(office, urls, django_assert_max_num_queries)
    plans_multiply(times=10)
    assert Task.objects.count() == 10 * (74 + 190)
    ten = measure(office, urls, django_assert_max_num_queries)
    assert ten == seed
    print("\nqueries per page (seed → 10× seed):")
    for url in urls:
        print(f"  {seed[url]:>2} → {ten[url]:>2}  {url}")


# -- the seed documents: what the issue says must show ----------------------------------------------


def test_seed_unit_keji_lists_tasks_from_both_plans(office, shipped_aliases, seed_plans):
    unit = Unit.objects.get(name="区科委")
    response = office.get(reverse("tasks:unit", args=[unit.pk]))
    ids = result_ids(response)
    plans = set(Task.objects.filter(pk__in=ids).values_list("plan__kind", flat=True))
    assert plans == {PlanKind.FIVE_YEAR, PlanKind.ANNUAL}
    # Every task linked to 区科委 is listed, and nothing else.
    assert ids == set(Task.objects.filter(unit_links__unit=unit).values_list("pk", flat=True))
    # The first task of the five-year plan (全力建设上海南部科创中心) is 区科委's.
    assert "全力建设上海南部科创中心" in response.content.decode()


def test_seed_fagaiwei_alias_is_the_same_unit_page(office, shipped_aliases, seed_plans):
    via_alias = office.get(reverse("tasks:unit_by_name", args=["区发改委"]), follow=True)
    via_name = office.get(reverse("tasks:unit_by_name", args=["区发展改革委"]), follow=True)
    assert via_alias.redirect_chain[-1][0] == via_name.redirect_chain[-1][0]
    ids = result_ids(via_alias)
    assert ids == result_ids(via_name)
    # The five-year plan prints 区发改委, the 2025 plan 区发展改革委: both are on the one page.
    assert set(Task.objects.filter(pk__in=ids).values_list("plan__kind", flat=True)) == {
        PlanKind.FIVE_YEAR,
        PlanKind.ANNUAL,
    }


def test_seed_leader_tan_lists_35_tasks_of_2025(office, shipped_aliases, seed_plans):
    leader = Leader.objects.get(name="谭瑞琮")
    response = office.get(reverse("tasks:leader", args=[leader.pk]))
    ids = result_ids(response)
    assert len(ids) == 35
    assert set(Task.objects.filter(pk__in=ids).values_list("plan__year_start", flat=True)) == {2025}
    assert figure(response, "total") == "35"
    assert re.search(r"data-task-count>35<", response.content.decode())


def test_seed_category_pages_match_stated_counts(office, shipped_aliases, seed_plans):
    five = Plan.objects.get(kind=PlanKind.FIVE_YEAR)
    html = office.get(reverse("tasks:plan", args=[five.pk])).content.decode()
    stated = [int(x) for x in re.findall(r"data-stated>(\d+)<", html)]
    found = [int(x) for x in re.findall(r"data-found>(\d+)<", html)]
    assert stated == found == [11, 13, 7, 4, 10, 9, 4, 9, 7]
    assert "不一致" not in html
    for category in Category.objects.filter(plan=five):
        response = office.get(reverse("tasks:category", args=[five.pk, category.pk]))
        assert len(result_ids(response)) == category.stated_count, category
        # The category page's own figure counts the rows it lists.
        assert f"data-found>{category.stated_count}<" in response.content.decode(), category
    annual = Plan.objects.get(kind=PlanKind.ANNUAL)
    html = office.get(reverse("tasks:plan", args=[annual.pk])).content.decode()
    assert re.search(r"data-found-total>190<", html) and re.search(r"data-stated-total>190<", html)
    assert len(result_ids(office.get(reverse("tasks:plan", args=[annual.pk])))) == 190


def test_seed_dashboard_shows_both_plans(office, shipped_aliases, seed_plans):
    html = office.get(reverse("tasks:dashboard")).content.decode()
    totals = [int(x) for x in re.findall(r'data-figure="total"><a [^>]*>(\d+)</a>', html)]
    assert sorted(totals) == [74, 190]


# -- every figure agrees with the list it summarises ---------------------------------------------


def linked_figures(html: str) -> list[tuple[str, int]]:
    """(search URL, number) of every figure and table count that links to the task list."""
    cells = re.findall(r'data-(?:figure|col)="[^"]+">\s*<a href="(/tasks/\?[^"]+)">(\d+)</a>', html)
    return [(url.replace("&amp;", "&"), int(n)) for url, n in cells]


def assert_figures_match_their_lists(client, page_url: str, *, at_least: int) -> list[tuple[str, int]]:
    html = client.get(page_url).content.decode()
    figures = linked_figures(html)
    assert len(figures) >= at_least, (page_url, figures)
    for url, number in figures:
        assert result_count(client.get(url)) == number, (page_url, url)
    return figures


@pytest.fixture
def mixed_reports(world):
    """Besides the world's reports: one awaiting review, one returned with a comment."""
    awaiting_review_make(world)
    report_make(
        task=world.tasks["零号湾"],
        unit=world.units["科委"],
        period=THIS_PERIOD,
        status=ProgressStatus.IN_PROGRESS,
        percent=35,
        progress_text="街区改造方案报批中。",
        review_state=ReviewState.RETURNED,
        review_comment="请补充街区改造的时间节点。",
    )
    return world


def test_dashboard_figures_match_the_lists_they_link_to(office, mixed_reports):
    w = mixed_reports
    Plan.objects.create(district="合成·徐汇区", title="徐汇年度计划", kind="annual", year_start=2026, year_end=2026)
    html = office.get(reverse("tasks:dashboard")).content.decode()
    figures = assert_figures_match_their_lists(office, reverse("tasks:dashboard"), at_least=2 * 8 + 3 * 7)
    assert f"/tasks/?plan={w.annual.pk}&reported=no" in dict(figures)
    # The red list's heading and its "all" link.
    for ov_id in (w.annual.pk, w.five_year.pk):
        card = html[html.index(f'id="plan-{ov_id}"') :]
        card = card[: card.index("</section>")]
        red = re.search(r"红灯任务（(\d+)项）", card)
        listed = card.count("data-red-task=")
        reds = result_count(office.get(reverse("tasks:task_search"), {"plan": ov_id, "light": "red"}))
        assert (int(red.group(1)) if red else 0) == reds and listed == min(reds, 10)


def test_dashboard_silent_units_agree_with_the_figure_and_the_unit_index(office, mixed_reports):
    w = mixed_reports
    html = office.get(reverse("tasks:dashboard")).content.decode()
    for plan in (w.annual, w.five_year):
        card = html[html.index(f'id="plan-{plan.pk}"') :]
        card = card[: card.index("</section>")]
        silent_figure = int(re.search(r'data-figure="silent"><a [^>]*>(\d+)</a>', card).group(1))
        units = int(re.search(r"data-silent-units>(\d+)<", card).group(1))
        listed = dict(re.findall(r'data-silent-unit="([^"]+)">.*?data-missing>(\d+)项未报送', card))
        # The tasks behind the figure are those of the listed units' own missing lists, taken together.
        union: set[int] = set()
        for url in re.findall(r'href="(/tasks/\?[^"]*reported=no)" data-missing', card):
            union |= result_ids(office.get(url.replace("&amp;", "&")))
        assert len(union) == silent_figure
        # The link beside the list: the unit index of this plan sorted by not reported, which shows
        # the same units with the same numbers, in descending order.
        index_url = re.search(r'href="([^"]+)" data-silent-index', card).group(1).replace("&amp;", "&")
        assert index_url == f"/units/?plan={plan.pk}&order=silent"
        index = office.get(index_url).content.decode()
        rows = re.findall(r'<tr data-unit="([^"]+)">(.*?)</tr>', index, flags=re.S)
        silent = [(name, col(row, "silent")) for name, row in rows]
        numbers = [n for _, n in silent]
        assert numbers == sorted(numbers, reverse=True)
        assert sum(1 for n in numbers if n) == units
        assert {name: str(n) for name, n in silent if n} == listed
        assert f"只统计：{plan.title}" in text_of(office.get(index_url))


def test_unit_page_figures_match_the_lists_they_link_to(office, mixed_reports):
    w = mixed_reports
    for key in ("科委", "发改", "经委"):
        figures = assert_figures_match_their_lists(office, reverse("tasks:unit", args=[w.units[key].pk]), at_least=8)
    keji = office.get(reverse("tasks:unit", args=[w.units["科委"].pk]))
    # 区科委 leads 南部科创 (done), 零号湾 (its report returned: not reported) and 研发 (reported).
    assert figure(keji, "silent") == "1"
    assert figures


def test_unit_index_figures_match_the_lists_and_the_silent_sort(office, mixed_reports):
    figures = assert_figures_match_their_lists(office, reverse("tasks:unit_index") + "?order=silent", at_least=4 * 8)
    silent = [n for url, n in figures if "reported=no" in url]
    assert silent == sorted(silent, reverse=True) and silent[0] > 0
    assert len(figures) == 4 * int(
        re.search(r"data-unit-count>(\d+)<", office.get(reverse("tasks:unit_index")).content.decode()).group(1)
    )


def test_leader_pages_figures_match_the_lists_they_link_to(office, mixed_reports):
    w = mixed_reports
    assert_figures_match_their_lists(office, reverse("tasks:leader", args=[w.leaders["谭"].pk]), at_least=7 + 3 * 4)
    figures = assert_figures_match_their_lists(office, reverse("tasks:leader_index") + "?order=silent", at_least=8)
    silent = [n for url, n in figures if "reported=no" in url]
    assert silent == sorted(silent, reverse=True)
    tan = office.get(reverse("tasks:leader", args=[w.leaders["谭"].pk]))
    assert figure(tan, "silent") == "2"  # 服务包 (yellow) and 研发 (grey), whatever the light


def test_seed_figures_match_their_lists(office, shipped_aliases, seed_plans, clock_at):
    # December: every task of the 2025 plan is due within 30 days (yellow) or overdue (red), and
    # nobody has reported yet. The grey light counts none of them; "not reported" counts them all.
    clock_at(datetime.date(2025, 12, 20))
    annual = Plan.objects.get(kind=PlanKind.ANNUAL)
    html = office.get(reverse("tasks:dashboard")).content.decode()
    card = html[html.index(f'id="plan-{annual.pk}"') :]
    card = card[: card.index("</section>")]
    assert re.search(r'data-figure="grey"><a [^>]*>0</a>', card)
    assert re.search(r'data-figure="silent"><a [^>]*>190</a>', card)
    units = int(re.search(r"data-silent-units>(\d+)<", card).group(1))
    assert units == len(set(annual.tasks.filter(unit_links__role="lead").values_list("unit_links__unit", flat=True)))
    assert_figures_match_their_lists(office, reverse("tasks:dashboard"), at_least=2 * 8)
    assert_figures_match_their_lists(
        office, reverse("tasks:unit", args=[Unit.objects.get(name="区科委").pk]), at_least=8
    )
    assert_figures_match_their_lists(
        office, reverse("tasks:leader", args=[Leader.objects.get(name="谭瑞琮").pk]), at_least=7
    )


def test_search_filter_not_reported_this_period(office, mixed_reports):
    w = mixed_reports
    response = office.get(reverse("tasks:task_search"), {"plan": w.annual.pk, "reported": "no"})
    ids = result_ids(response)
    # 营商 now awaits review (reported); 服务包 (yellow) and 研发 (grey, 城投 silent) are not reported.
    assert w.tasks["营商"].pk not in ids
    assert {w.tasks["服务包"].pk, w.tasks["研发"].pk} <= ids
    assert "本期报送" in text_of(response)
    # With a unit: that unit's own silence only.
    keji = result_ids(office.get(reverse("tasks:task_search"), {"unit": w.units["科委"].pk, "reported": "no"}))
    assert keji == {w.tasks["零号湾"].pk}


# -- the unit's own latest report ---------------------------------------------------------------


def own_cell(html: str, task_pk: int) -> str:
    row = re.search(rf'<tr class="[^"]*" data-task="{task_pk}">(.*?)</tr>', html, flags=re.S).group(1)
    return re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", re.search(r"data-own[^>]*>(.*?)</td>", row, flags=re.S).group(1))
    )


def test_unit_page_shows_a_returned_or_pending_report_as_such(office, mixed_reports):
    w = mixed_reports
    keji = office.get(reverse("tasks:unit", args=[w.units["科委"].pk])).content.decode()
    cell = own_cell(keji, w.tasks["零号湾"].pk)
    assert "尚无报送" not in cell
    assert "2025年6月 · 推进中 · 35% 已退回" in cell and "退回意见：请补充街区改造的时间节点。" in cell
    assert "已审核" in own_cell(keji, w.tasks["研发"].pk)
    fagai = office.get(reverse("tasks:unit", args=[w.units["发改"].pk])).content.decode()
    assert "2025年6月 · 推进中 · 50% 已报送待审核" in own_cell(fagai, w.tasks["营商"].pk)


def test_liaison_sees_the_returned_report_on_the_unit_page(client_as, liaison_user, mixed_reports):
    w = mixed_reports
    report_make(
        task=w.tasks["南部科创"],
        unit=w.units["科委"],
        period=THIS_PERIOD,
        status=ProgressStatus.DONE,
        percent=100,
        progress_text="草稿中",
        review_state=ReviewState.DRAFT,
    )
    liaison = client_as(liaison_user)
    # Login lands on 我的待办 (tests/test_todo.py); the unit page keeps the unit's reports to fix.
    response = liaison.get(reverse("tasks:unit", args=[w.units["科委"].pk]))
    html = response.content.decode()
    section = html[html.index("data-to-fix") : html.index("</section>", html.index("data-to-fix"))]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))
    assert "需要本单位处理的报告" in text
    assert "督查室退回了1份报告" in text
    assert f"第{w.tasks['零号湾'].number}项" in text and "审核意见： 请补充街区改造的时间节点。" in text
    assert "尚未提交的草稿（1份" in text
    link = re.search(r'href="([^"]+)" data-fix-link', section).group(1)
    assert link == reverse("tasks:report_edit", args=[w.tasks["零号湾"].pk, w.units["科委"].pk])
    form = liaison.get(link)
    assert form.status_code == 200 and "街区改造方案报批中" in form.content.decode()


def test_the_to_fix_section_is_the_liaisons_own(client_as, office_user, liaison_user, mixed_reports):
    url = reverse("tasks:unit", args=[mixed_reports.units["科委"].pk])
    assert "data-to-fix" in client_as(liaison_user).get(url).content.decode()
    assert "data-to-fix" not in client_as(office_user).get(url).content.decode()
    # Another unit's page, for the 区科委 liaison: nothing of theirs there.
    other = reverse("tasks:unit", args=[mixed_reports.units["发改"].pk])
    assert "data-to-fix" not in client_as(liaison_user).get(other).content.decode()


def test_unit_page_for_a_liaison_keeps_the_query_budget(
    client_as, liaison_user, mixed_reports, django_assert_max_num_queries
):
    client = client_as(liaison_user)
    with django_assert_max_num_queries(BUDGET):
        assert client.get(reverse("tasks:unit", args=[mixed_reports.units["科委"].pk])).status_code == 200


# -- the printable summary ------------------------------------------------------------------------


def test_unit_print_shows_period_status_label_and_progress(office, mixed_reports):
    w = mixed_reports
    html = office.get(reverse("tasks:unit_print", args=[w.units["科委"].pk])).content.decode()
    cells = dict(re.findall(r'<tr data-task="(\d+)">.*?<td data-own>(.*?)</td>', html, flags=re.S))
    assert cells[str(w.tasks["研发"].pk)] == "6月 推进中 40%：已完成年度统计口径核定。"
    assert cells[str(w.tasks["零号湾"].pk)] == "6月 推进中 35%（已退回）：街区改造方案报批…※"  # clipped to one line
    assert cells[str(w.tasks["南部科创"].pk)] == "5月 已完成 100%：南部科创中心建成。"
    assert "未报送" not in "".join(cells.values())


def test_unit_print_clips_long_texts_and_says_so(office, world):
    task = world.tasks["研发"]
    from tasks.models import ProgressReport

    ProgressReport.objects.filter(task=task, unit=world.units["科委"]).update(progress_text="很长的进展" * 40)
    html = office.get(reverse("tasks:unit_print", args=[world.units["科委"].pk])).content.decode()
    cell = dict(re.findall(r'<tr data-task="(\d+)">.*?<td data-own>(.*?)</td>', html, flags=re.S))[str(task.pk)]
    assert cell.endswith("…※") and len(cell) < 40
    assert "※ 文字过长处已截断，全文见系统中的任务页面。" in html


def test_task_page_history_shows_chinese_not_none(office, world):
    task = world.tasks["研发"]
    task.due_date = None
    task.save()
    text = text_of(office.get(reverse("tasks:task", args=[task.pk])))
    history = text[text.index("修改记录") :]
    assert "截止日期：2025年12月31日 → 未设置" in history
    assert "None" not in history


def test_unit_index_ignores_an_unknown_plan(office, world):
    everything = office.get(reverse("tasks:unit_index")).content.decode()
    unknown = office.get(reverse("tasks:unit_index"), {"plan": "999999"}).content.decode()
    count = re.compile(r"data-unit-count>(\d+)<")
    assert count.search(unknown).group(1) == count.search(everything).group(1) != "0"
    assert "data-plan-filter" not in unknown


def test_a_returned_report_of_an_earlier_period_links_to_its_own_form(client_as, liaison_user, world):
    from tests.factories import LAST_PERIOD

    task = world.tasks["零号湾"]
    from tasks.models import ProgressReport
    from tasks.services import task_status_refresh

    ProgressReport.objects.filter(task=task, unit=world.units["科委"], period=LAST_PERIOD).update(
        review_state=ReviewState.RETURNED, review_comment="五月的数据有误。", progress_text="五月进展"
    )
    task_status_refresh(task_ids=[task.pk])
    liaison = client_as(liaison_user)
    html = liaison.get(reverse("tasks:unit", args=[world.units["科委"].pk])).content.decode()
    section = html[html.index("data-to-fix") :]
    assert "2025年5月报告" in section and "五月的数据有误。" in section
    link = re.search(r'href="([^"]+)" data-fix-link', section).group(1).replace("&amp;", "&")
    assert link.endswith("?period=2025-05-01")
    form = liaison.get(link)
    assert form.status_code == 200 and "五月进展" in form.content.decode()


def test_search_choices_are_fresh_after_a_field_was_built_from_the_class(office, world):
    # Building a filter's field from the class (as a form walk does) once cached stale choices
    # that every later search copied: new plans were then refused and the list came back empty.
    from tasks.filters import TaskFilter

    _ = TaskFilter.base_filters["plan"].field
    assert result_count(office.get(reverse("tasks:task_search"), {"plan": world.annual.pk})) == 23


def test_plan_page_chart_draws_each_category_with_the_tables_count(office, world):
    html = office.get(reverse("tasks:plan", args=[world.annual.pk])).content.decode()
    table = re.findall(
        r'<tr data-category="\d+">\s*<th scope="row"><a href="[^"]*">([^<]+)</a>.*?data-found>(\d+)<', html, re.S
    )
    assert len(table) == world.annual.categories.count() and table
    chart = html[html.index('id="chart-categories"') :]
    assert "暂无数据" not in chart.split("</figure>")[0]
    drawn = re.findall(r"<li><a [^>]*>([^<]+)</a>：共(\d+)项", chart)
    assert drawn == table
