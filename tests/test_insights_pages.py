"""Plan chains against the real seeds: suggestions, decisions and their
permissions, year over year on a synthetic 2026 plan, gaps, indicators,
the .xlsx export and each page's query budget."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from insights import selectors, services
from insights.models import Direction, Indicator, IndicatorActual, LinkState, TaskLink
from tasks.models import Plan, PlanKind, Task, Unit
from tests.factories import report_make

KEY_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "insights"

REWORDED_2025 = "13"
DROPPED_2025 = "190"
NEW_TEXT = "聚焦低空经济示范区建设，打造无人机测试飞行与研发配套基地，完善低空飞行服务保障体系。"


def _plans():
    return (
        Plan.objects.get(kind=PlanKind.FIVE_YEAR, year_start=2021),
        Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2025),
    )


def _task(plan: Plan, number: str) -> Task:
    return Task.objects.get(plan=plan, number=number)


def link_confirm_pair(*, user, annual_task, five_year_task):
    """A link the suggestions missed, confirmed as the office does it on the page (test setup)."""
    link, _ = TaskLink.objects.get_or_create(annual_task=annual_task, five_year_task=five_year_task)
    return services.link_decide(user=user, link=link, confirm=True)


@pytest.fixture
def plans(seed_plans):
    return _plans()


@pytest.fixture
def plan_2026(plans):
    """The 2025 plan exported and re-imported as 2026: one item reworded, the last
    dropped, a new one in front, so every item's number changes."""
    from imports.export import plan_export_csv
    from imports.pipeline import plan_import

    _, annual = plans
    lines = plan_export_csv(plan=annual).splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.startswith("序号,"))
    head = [
        line.replace("2025", "2026")
        for line in lines[:header_at]
        if not line.startswith("（共")  # stated totals no longer hold
    ]
    rows = list(csv.reader(lines[header_at + 1 :]))
    columns = next(csv.reader([lines[header_at]]))
    text_at, number_at = columns.index("任务"), columns.index("序号")
    kept = []
    for row in rows:
        if row[number_at] == DROPPED_2025:
            continue
        if row[number_at] == REWORDED_2025:
            row[text_at] = row[text_at].replace("进一步明晰", "持续明晰").replace("应急能力、", "")
        kept.append(row)
    new_row = list(kept[0])
    new_row[text_at] = NEW_TEXT
    leader_at, unit_at = columns.index("牵头领导"), columns.index("牵头单位")
    new_row[leader_at], new_row[unit_at] = "谭瑞琮", "区经委"
    kept.insert(0, new_row)
    for index, row in enumerate(kept, start=1):
        row[number_at] = str(index)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for line in head:
        buffer.write(line + "\n")
    writer.writerow(columns)
    writer.writerows(kept)
    plan_import(data=buffer.getvalue().encode("utf-8"), file_name="annual_2026.csv")
    return Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2026)


# -- suggestions -------------------------------------------------------------

KNOWN_PAIRS = [("41", "5"), ("43", "6"), ("68", "68"), ("84", "60"), ("99", "63"), ("16", "29"), ("101", "35")]


def test_suggestions_carry_hand_checked_links_in_top_three(plans):
    five_year, annual = plans
    created = services.link_suggestions_refresh(annual_plan=annual)
    assert 0 < created <= 3 * annual.tasks.count()
    for annual_number, five_year_number in KNOWN_PAIRS:
        links = list(
            TaskLink.objects.filter(annual_task=_task(annual, annual_number))
            .order_by("rank")
            .select_related("five_year_task")
        )
        assert len(links) <= 3
        assert [link.score for link in links] == sorted((link.score for link in links), reverse=True)
        assert five_year_number in [link.five_year_task.number for link in links], annual_number
        assert all(link.five_year_task.plan_id == five_year.pk for link in links)


def test_refresh_keeps_decisions_and_never_resuggests_a_rejection(plans, office_user):
    _, annual = plans
    services.link_suggestions_refresh(annual_plan=annual)
    item = _task(annual, "41")
    first, second = TaskLink.objects.filter(annual_task=item).order_by("rank")[:2]
    services.link_decide(user=office_user, link=first, confirm=True)
    services.link_decide(user=office_user, link=second, confirm=False)
    services.link_suggestions_refresh(annual_plan=annual)
    states = dict(TaskLink.objects.filter(annual_task=item).values_list("five_year_task_id", "state"))
    assert states[first.five_year_task_id] == LinkState.CONFIRMED
    assert states[second.five_year_task_id] == LinkState.REJECTED
    first.refresh_from_db()
    assert first.decided_by == office_user and first.decided_at is not None


@pytest.mark.parametrize("persona", ["liaison_user", "leader_user", "outsider_user"])
def test_only_the_office_may_decide(plans, persona, request, client_as):
    _, annual = plans
    services.link_suggestions_refresh(annual_plan=annual)
    link = TaskLink.objects.filter(annual_task__plan=annual).first()
    client = client_as(request.getfixturevalue(persona))
    url = reverse("insights:link_decide", args=[link.pk])
    assert client.post(url, {"decision": "confirm"}).status_code == 403
    assert client.post(reverse("insights:suggestions_refresh"), {"plan": annual.pk}).status_code == 403
    link.refresh_from_db()
    assert link.state == LinkState.SUGGESTED


def test_office_confirms_and_rejects(plans, office_user, client_as):
    _, annual = plans
    services.link_suggestions_refresh(annual_plan=annual)
    confirm, reject = TaskLink.objects.filter(annual_task__plan=annual).order_by("pk")[:2]
    client = client_as(office_user)
    assert client.get(reverse("insights:link_decide", args=[confirm.pk])).status_code == 405
    response = client.post(reverse("insights:link_decide", args=[confirm.pk]), {"decision": "confirm"})
    assert response.status_code == 302
    client.post(reverse("insights:link_decide", args=[reject.pk]), {"decision": "reject"})
    assert client.post(reverse("insights:link_decide", args=[reject.pk]), {"decision": "x"}).status_code == 400
    confirm.refresh_from_db(), reject.refresh_from_db()
    assert (confirm.state, reject.state) == (LinkState.CONFIRMED, LinkState.REJECTED)


def test_decide_needs_csrf(plans, office_user):
    from django.test import Client

    _, annual = plans
    services.link_suggestions_refresh(annual_plan=annual)
    link = TaskLink.objects.filter(annual_task__plan=annual).first()
    client = Client(enforce_csrf_checks=True)
    client.force_login(office_user)
    assert client.post(reverse("insights:link_decide", args=[link.pk]), {"decision": "confirm"}).status_code == 403


def test_reading_needs_a_role(plans, outsider_user, client_as, client):
    assert client.get(reverse("insights:compare")).status_code == 302  # anonymous → login
    outsider = client_as(outsider_user)
    for name in ("index", "compare", "suggestions", "gaps", "indicators"):
        assert outsider.get(reverse(f"insights:{name}")).status_code == 403, name


# -- year over year ------------------------------------------------------------


def test_year_over_year_groups_do_not_depend_on_numbers(plans, plan_2026):
    _, annual = plans
    comparison = selectors.year_over_year_compare(old_plan=annual, new_plan=plan_2026)
    assert comparison.counts == {"verbatim": 188, "reworded": 1, "new": 1, "dropped": 1}
    (reworded,) = comparison.group("reworded")
    assert (reworded.old.number, reworded.new.number) == (REWORDED_2025, "14")
    assert 0.5 <= reworded.score < 1
    (new,) = comparison.group("new")
    assert new.new.text == NEW_TEXT and new.new.number == "1"
    (dropped,) = comparison.group("dropped")
    assert dropped.old.number == DROPPED_2025
    # Every continuing item changed its number, yet it is matched to its own text.
    verbatim = comparison.group("verbatim")
    assert all(int(p.new.number) == int(p.old.number) + 1 for p in verbatim)
    by_unit = dict(comparison.by_unit)
    assert by_unit["区国资委"]["reworded"] == 1
    assert by_unit["区经委"]["new"] == 1
    assert by_unit["区委办"]["dropped"] == 1
    by_leader = dict(comparison.by_leader)
    assert by_leader["谭瑞琮"]["new"] == 1
    assert sum(c["total"] for _, c in comparison.by_unit) >= 191


def test_compare_page_and_xlsx(plans, plan_2026, leader_user, client_as, django_assert_max_num_queries):
    _, annual = plans
    Task.objects.filter(plan=plan_2026, number="1").update(text='=HYPERLINK("http://x") ' + NEW_TEXT)
    client = client_as(leader_user)
    query = f"?old={annual.pk}&new={plan_2026.pk}"
    with django_assert_max_num_queries(15):
        response = client.get(reverse("insights:compare") + query)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-count="dropped">1<' in html and 'data-count="reworded">1<' in html
    assert 'style="' not in html
    # The file also writes its security audit record (the chain's lock, its last hash, the insert).
    with django_assert_max_num_queries(18):
        response = client.get(reverse("insights:compare_xlsx") + query)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="compare-2025-2026.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["汇总", "明细", "按单位", "按领导"]
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(min_row=4, values_only=True)}
    assert summary == {"原文延续": 188, "改写延续": 1, "新增": 1, "未再列入": 1}
    detail = list(book["明细"].iter_rows(values_only=True))
    assert detail[0][0] == "分组" and len(detail) == 1 + 191
    (new_row,) = [row for row in book["明细"].iter_rows(min_row=2) if row[0].value == "新增"]
    assert new_row[4].value.startswith("'=HYPERLINK") and new_row[4].data_type == "s"
    assert client.get(reverse("insights:compare_xlsx") + f"?old={annual.pk}&new={annual.pk}").status_code == 404
    assert client.get(reverse("insights:compare") + "?old=999999").status_code == 404


# -- chain and gaps ------------------------------------------------------------


def test_chain_page_shows_annual_items_and_progress(plans, office_user, client_as, django_assert_max_num_queries):
    five_year, annual = plans
    item, target = _task(annual, "41"), _task(five_year, "2")
    link_confirm_pair(user=office_user, annual_task=item, five_year_task=target)
    report_make(
        task=item, unit=Unit.objects.get(name="区科委"), period=dt.date(2025, 6, 1), status="in_progress", percent=40
    )
    client = client_as(office_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("insights:chain", args=[target.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-annual="{item.pk}"' in html and "40%" in html and "已确认" in html
    chain = selectors.five_year_task_chain(task=target)
    assert [y.plan for y in chain] == [annual] and chain[0].items[0].latest.percent == 40
    assert client.get(reverse("insights:chain", args=[item.pk])).status_code == 404  # not a five-year task


def test_gaps_list_tasks_no_confirmed_item_carries(plans, office_user, client_as, django_assert_max_num_queries):
    five_year, annual = plans
    services.link_suggestions_refresh(annual_plan=annual)
    assert len(selectors.gaps(five_year_plan=five_year, year=2025)) == 74  # suggestions alone carry nothing
    link_confirm_pair(user=office_user, annual_task=_task(annual, "41"), five_year_task=_task(five_year, "2"))
    link_confirm_pair(user=office_user, annual_task=_task(annual, "68"), five_year_task=_task(five_year, "68"))
    rows = selectors.gaps(five_year_plan=five_year, year=2025)
    numbers = {t.number for t in rows}
    assert len(rows) == 72 and "2" not in numbers and "68" not in numbers
    assert any(t.pending for t in rows)
    assert len(selectors.gaps(five_year_plan=five_year, year=2024)) == 74
    client = client_as(office_user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("insights:gaps") + f"?plan={five_year.pk}&year=2025")
    assert "data-gap-count>72<" in response.content.decode()


def test_suggestions_page_budget(plans, office_user, client_as, django_assert_max_num_queries):
    _, annual = plans
    services.link_suggestions_refresh(annual_plan=annual)
    client = client_as(office_user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("insights:suggestions") + f"?plan={annual.pk}&state=all")
    html = response.content.decode()
    assert response.status_code == 200 and html.count("data-link=") == TaskLink.objects.count()
    assert 'style="' not in html


# -- indicators -------------------------------------------------------------------


def test_extraction_on_the_five_year_plan_is_idempotent(plans):
    five_year, _ = plans
    created = services.indicators_extract(plan=five_year)
    assert created >= 40
    assert services.indicators_extract(plan=five_year) == 0
    patent = Indicator.objects.get(task__plan=five_year, task__number="5", unit="件")  # task 5 also states 千亿级
    assert (patent.target_value, patent.unit, patent.direction, patent.target_year) == (
        Decimal(92),
        "件",
        Direction.AT_LEAST,
        2025,
    )
    jobs = Indicator.objects.get(task__plan=five_year, task__number="64", unit="万个")
    assert jobs.cumulative and jobs.baseline == 0 and jobs.baseline_year == 2020


def _indicator(direction=Direction.AT_LEAST, target="100", baseline=None, baseline_year=None, year=2025):
    return Indicator(
        name="x",
        target_value=Decimal(target),
        unit="个",
        direction=direction,
        target_year=year,
        baseline=None if baseline is None else Decimal(baseline),
        baseline_year=baseline_year,
    )


def _actuals(*pairs):
    return [IndicatorActual(year=year, value=Decimal(str(value))) for year, value in pairs]


def test_status_boundaries_at_least():
    indicator = _indicator(baseline="0", baseline_year=2020)  # path: 20 a year to 100 in 2025
    status = selectors.indicator_status
    assert status(indicator, []).code == "no_data"
    assert status(indicator, _actuals((2025, 100))).code == "achieved"
    assert status(indicator, _actuals((2023, 100))).code == "achieved"
    assert status(indicator, _actuals((2022, 40))).code == "on_track"  # exactly on the path
    assert status(indicator, _actuals((2022, "39.99"))).code == "behind"
    assert status(indicator, _actuals((2025, "99.9"))).code == "behind"  # target year reached, target not
    assert status(indicator, _actuals((2022, 40))).expected == Decimal(40)


def test_status_boundaries_at_most_and_without_baseline():
    cap = _indicator(direction=Direction.AT_MOST, target="0.016", baseline="0.036", baseline_year=2020)
    status = selectors.indicator_status
    assert status(cap, _actuals((2024, "0.016"))).code == "achieved"
    assert status(cap, _actuals((2022, "0.028"))).code == "on_track"  # 0.036 - 2 × 0.004
    assert status(cap, _actuals((2022, "0.0281"))).code == "behind"
    level = _indicator(target="92")  # no baseline: the first actual starts the path
    assert status(level, _actuals((2021, 80))).code == "unknown"
    assert status(level, _actuals((2021, 80), (2023, 86))).code == "on_track"  # path: 80 → 92 over 4 years
    assert status(level, _actuals((2021, 80), (2023, "85.9"))).code == "behind"


def test_indicator_pages_record_actuals(plans, office_user, liaison_user, client_as, django_assert_max_num_queries):
    five_year, _ = plans
    services.indicators_extract(plan=five_year)
    indicator = Indicator.objects.get(task__plan=five_year, task__number="37")
    url = reverse("insights:indicator", args=[indicator.pk])
    liaison = client_as(liaison_user)
    assert liaison.get(url).status_code == 200
    assert liaison.post(url, {"year": 2023, "value": "90"}).status_code == 403
    office = client_as(office_user)
    assert office.post(url, {"year": 2023, "value": "abc"}).status_code == 200  # form error, nothing saved
    assert not indicator.actuals.exists()
    assert office.post(url, {"year": 2022, "value": "88"}).status_code == 302
    assert office.post(url, {"year": 2024, "value": "92.5"}).status_code == 302
    assert office.post(url, {"year": 2024, "value": "92.5"}).status_code == 302  # same year: updated, not doubled
    assert indicator.actuals.count() == 2
    with django_assert_max_num_queries(10):
        html = office.get(url).content.decode()
    assert "已达成" in html and "<svg" in html and "<circle" in html and 'style="' not in html
    with django_assert_max_num_queries(10):
        response = office.get(reverse("insights:indicators") + f"?plan={five_year.pk}")
    html = response.content.decode()
    assert html.count("data-indicator=") == Indicator.objects.filter(task__plan=five_year).count()
    assert 'data-status="achieved"' in html


def test_extract_and_record_need_the_office(plans, leader_user, client_as):
    five_year, _ = plans
    client = client_as(leader_user)
    assert client.post(reverse("insights:indicators_extract"), {"plan": five_year.pk}).status_code == 403
    assert not Indicator.objects.exists()
    with pytest.raises(Exception) as raised:
        services.indicator_actual_record(user=leader_user, indicator=None, year=2024, value=1)
    assert raised.type.__name__ == "PermissionDenied"


@pytest.mark.parametrize("name", ["index", "compare", "suggestions", "gaps", "indicators"])
def test_pages_render_without_plans(name, leader_user, client_as):
    response = client_as(leader_user).get(reverse(f"insights:{name}"))
    assert response.status_code == 200


def test_pages_render_with_seeds(plans, leader_user, office_user, client_as):
    five_year, annual = plans
    services.link_suggestions_refresh(annual_plan=annual)
    services.indicators_extract(plan=five_year)
    client = client_as(leader_user)
    html = client.get(reverse("insights:index")).content.decode()
    assert five_year.title in html and annual.title in html
    html = client.get(reverse("insights:suggestions")).content.decode()
    assert "data-link=" in html and "确认</button>" not in html  # a leader sees, cannot decide
    html = client_as(office_user).get(reverse("insights:suggestions")).content.decode()
    assert "确认</button>" in html
    # Only one annual plan: nothing to compare yet, still a page.
    assert "请选择两份不同的年度计划" in client.get(reverse("insights:compare")).content.decode()


# -- abstention, decisions kept, annual targets, reported values ----------------------------

NO_LINK_ITEM = "190"  # 区委常委会 in 履职尽责上作表率: no five-year task covers it (the key says no link)


def test_suggestions_page_shows_abstentions(plans, office_user, client_as, django_assert_max_num_queries):
    from insights.models import LinkAbstention

    _, annual = plans
    services.link_suggestions_refresh(annual_plan=annual)
    item = _task(annual, NO_LINK_ITEM)
    assert not TaskLink.objects.filter(annual_task=item).exists()
    assert LinkAbstention.objects.filter(annual_task=item).exists()
    client = client_as(office_user)
    with django_assert_max_num_queries(10):
        html = client.get(reverse("insights:suggestions") + f"?plan={annual.pk}").content.decode()
    section = html.split(f'data-item="{item.pk}"', 1)[1].split("</section>", 1)[0]
    assert f'<p class="muted" data-abstained="{item.pk}">无对应五年规划任务</p>' in section
    assert "data-link=" not in section  # no best guess shown
    assert html.count("data-abstained=") == LinkAbstention.objects.filter(annual_task__plan=annual).count() > 0
    # The filter shows only the abstentions; the refresh message counts them.
    html = client.get(reverse("insights:suggestions") + f"?plan={annual.pk}&state=none").content.decode()
    assert "data-link=" not in html and f'data-abstained="{item.pk}"' in html
    response = client.post(reverse("insights:suggestions_refresh"), {"plan": annual.pk}, follow=True)
    abstained = LinkAbstention.objects.filter(annual_task__plan=annual).count()
    assert "条年度任务无对应五年规划任务" in response.content.decode()
    assert f"；{abstained}条年度任务无对应五年规划任务。" in response.content.decode()


def test_a_decided_suggestion_is_never_suggested_again(plans, office_user):
    _, annual = plans
    services.link_suggestions_refresh(annual_plan=annual)
    item = _task(annual, "41")
    first, second, third = TaskLink.objects.filter(annual_task=item).order_by("rank")
    services.link_decide(user=office_user, link=first, confirm=True)
    services.link_decide(user=office_user, link=second, confirm=False)
    services.link_decide(user=office_user, link=third, confirm=False)
    for _ in range(2):
        services.link_suggestions_refresh(annual_plan=annual)
        rows = list(TaskLink.objects.filter(annual_task=item).values_list("five_year_task_id", "state"))
        states = dict(rows)
        assert len(rows) == len(states)  # one row per pair, never a second suggestion of a decided pair
        assert states[first.five_year_task_id] == LinkState.CONFIRMED
        assert states[second.five_year_task_id] == LinkState.REJECTED
        assert states[third.five_year_task_id] == LinkState.REJECTED
        fresh = {t for t, s in rows if s == LinkState.SUGGESTED}
        assert not fresh & {first.five_year_task_id, second.five_year_task_id, third.five_year_task_id}
        assert 0 < len(fresh) <= 3  # the decided pairs make room for the next candidates


def test_rejecting_every_suggestion_never_brings_them_back(plans, office_user):
    from insights.models import LinkAbstention

    _, annual = plans
    services.link_suggestions_refresh(annual_plan=annual)
    item = _task(annual, "88")
    rejected = set()
    for _ in range(3):
        for link in TaskLink.objects.filter(annual_task=item, state=LinkState.SUGGESTED):
            services.link_decide(user=office_user, link=link, confirm=False)
            rejected.add(link.five_year_task_id)
        services.link_suggestions_refresh(annual_plan=annual)
        suggested = set(
            TaskLink.objects.filter(annual_task=item, state=LinkState.SUGGESTED).values_list(
                "five_year_task_id", flat=True
            )
        )
        assert not suggested & rejected
        assert suggested or LinkAbstention.objects.filter(annual_task=item).exists()


def test_confirming_a_link_clears_the_abstention(plans, office_user, client_as):
    from insights.models import LinkAbstention

    five_year, annual = plans
    services.link_suggestions_refresh(annual_plan=annual)
    item = _task(annual, NO_LINK_ITEM)
    assert LinkAbstention.objects.filter(annual_task=item).exists()
    link_confirm_pair(user=office_user, annual_task=item, five_year_task=_task(five_year, "74"))
    assert not LinkAbstention.objects.filter(annual_task=item).exists()
    services.link_suggestions_refresh(annual_plan=annual)
    assert not LinkAbstention.objects.filter(annual_task=item).exists()  # it has a confirmed task now
    html = client_as(office_user).get(reverse("insights:suggestions") + "?state=all").content.decode()
    assert f'data-abstained="{item.pk}"' not in html


def test_five_year_plan_is_the_same_districts(plans):
    five_year, annual = plans
    Plan.objects.create(
        district="徐汇区", title="徐汇区“十四五”规划", kind=PlanKind.FIVE_YEAR, year_start=2022, year_end=2025
    )
    assert services.five_year_plan_for(annual_plan=annual) == five_year


def test_extraction_on_the_annual_plan_finds_the_keys_targets(plans):
    _, annual = plans
    services.indicators_extract(plan=annual)
    found = {
        (i.task.number, i.target_value.normalize(), i.unit, i.direction, i.target_year)
        for i in Indicator.objects.filter(task__plan=annual).select_related("task")
    }
    with (KEY_DIR / "targets_2025.csv").open(encoding="utf-8") as handle:
        key = {
            (r["annual_number"], Decimal(r["value"]).normalize(), r["unit"], r["direction"], int(r["year"]))
            for r in csv.DictReader(handle)
        }
    assert found == key
    gdp = Indicator.objects.get(task__plan=annual, task__number="2")
    assert (gdp.name, gdp.target_value, gdp.unit) == ("地区生产总值增长", Decimal(5), "%")


def test_indicator_shows_values_stated_in_approved_reports(
    plans, office_user, client_as, django_assert_max_num_queries
):
    _, annual = plans
    services.indicators_extract(plan=annual)
    gdp = Indicator.objects.get(task__plan=annual, task__number="2")
    item = gdp.task
    unit = Unit.objects.get(name="区发展改革委")
    report_make(
        task=item,
        unit=unit,
        period=dt.date(2025, 9, 1),
        status="in_progress",
        percent=75,
        progress_text="1-9月，全区地区生产总值增长4.8%，规模以上工业总产值增长3.1%。",
        review_state="approved",
    )
    report_make(  # not yet approved: not read
        task=item,
        unit=unit,
        period=dt.date(2025, 10, 1),
        status="in_progress",
        percent=80,
        progress_text="1-10月，全区地区生产总值增长5.3%。",
        review_state="submitted",
    )
    client = client_as(office_user)
    with django_assert_max_num_queries(10):
        html = client.get(reverse("insights:indicator", args=[gdp.pk])).content.decode()
    assert "<td>4.8 %</td>" in html and "5.3" not in html
    assert "<td>2025年9月</td>" in html  # the report's period in words, as on the task page
    assert "据进展报告所载数值" in html and 'data-status="behind"' in html
    with django_assert_max_num_queries(10):
        html = client.get(reverse("insights:indicators") + f"?plan={annual.pk}").content.decode()
    row = html.split(f'data-indicator="{gdp.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "4.8（2025）" in row and "据进展报告" in row
