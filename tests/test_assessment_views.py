"""考评 pages through the rendered forms: the office computes, recomputes and compares, adjusts
with a reason, freezes and publishes; a liaison reads only their unit's sheet; a leader reads
published rankings and their own units; every page's figures agree with its lines; query
budgets hold as the data grows; the ranking workbook opens and prints landscape."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import services
from assessment.models import LineKind, PlanReportCap, ReportCap, RunState, Scope, ScoreRun
from tasks.models import Plan, PlanKind, ReportingPeriod, Unit
from tests.test_supervision_views import form_on, shown_messages

pytestmark = pytest.mark.django_db
JUNE = dt.date(2025, 6, 1)


@pytest.fixture
def annual(seed_plans, clock_at) -> Plan:
    clock_at(dt.date(2025, 7, 3))
    return Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2025)


def submit(client, form: dict, **values) -> str:
    data = {k: v for k, v in form["fields"].items() if v is not None} | values
    response = client.post(form["attrs"]["action"], data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def computed(client, plan: Plan, period_label: str = "2025年6月") -> tuple[str, ScoreRun]:
    html = client.get(reverse("assessment:index")).content.decode()
    form = form_on(html, "data-compute", str(plan.pk))
    value = re.search(rf'<option value="([^"]+)">{period_label}</option>', html).group(1)
    html = submit(client, form, period=value)
    return html, ScoreRun.objects.exclude(state=RunState.SUPERSEDED).get(plan=plan, period=JUNE, scope=Scope.PERIOD)


def test_office_computes_recomputes_and_compares(annual, client_as, office_user):
    client = client_as(office_user)
    html, run = computed(client, annual)
    assert shown_messages(html) == [f"已计算{annual.title}2025年6月的考评得分（草稿，可对比后定稿）。"]
    # Every unit row on the ranking agrees with its sheet.
    for unit_id, total in re.findall(r'<tr data-unit="(\d+)">.*?<td class="num" data-total>([\d.]+)</td>', html, re.S):
        assert run.sheets.get(unit_id=unit_id).total == Decimal(total)
    assert html.count('<tr data-unit="') == run.sheets.exclude(unit_kind__in=["group"]).count()
    # Each table's ranks are the places of its totals, in the order listed (ties share a place).
    for table in re.findall(r"<table class=\"data\" data-ranking=[^>]*>(.*?)</table>", html, re.S):
        shown = re.findall(r'<tr data-unit="\d+"><td class="num">(\d+)</td>.*?data-total>([\d.]+)<', table, re.S)
        totals = [Decimal(t) for _, t in shown]
        assert totals == sorted(totals, reverse=True)
        assert [int(r) for r, _ in shown] == [totals.index(t) + 1 for t in totals]

    keji = Unit.objects.get(name="区科委")
    sheet_html = client.get(reverse("assessment:sheet", args=[run.pk, keji.pk])).content.decode()
    points = [Decimal(p) for p in re.findall(r"data-points>([+-][\d.]+)<", sheet_html)]
    assert len(points) == run.lines.filter(unit=keji).count()
    total = Decimal(re.search(r"data-sheet-total>得分 <strong>([\d.]+)</strong>", sheet_html).group(1))
    assert total == Decimal(100) + sum(points) == run.sheets.get(unit=keji).total

    # 人工调整 from the sheet's form: a reason is required; with one, the run is recomputed.
    form = form_on(sheet_html, "data-adjust-form")
    html = submit(client, form, points="2", reason="")
    assert shown_messages(html) == ["人工调整须填写理由。"]
    html = submit(client, form, points="2", reason="承担区级专项任务")
    assert shown_messages(html) == ["已记录人工调整，并按调整重新计算。"]
    latest = ScoreRun.objects.get(plan=annual, period=JUNE, state=RunState.DRAFT)
    assert latest.sheets.get(unit=keji).total == total + 2
    ranking = client.get(reverse("assessment:run", args=[latest.pk])).content.decode()
    compare = re.search(r'<table class="data" id="compare">(.*?)</table>', ranking, re.S).group(1)
    assert re.findall(r'<th scope="row">([^<]+)</th>', compare) == ["区科委"]
    assert "+2.00" in compare

    # 定稿, then 发布; a frozen run offers no recomputation.
    html = submit(client, form_on(ranking, "action", reverse("assessment:freeze", args=[latest.pk])))
    assert shown_messages(html) == ["已定稿。定稿后不再重算。"]
    assert reverse("assessment:recompute", args=[latest.pk]) not in html
    response = client.post(reverse("assessment:recompute", args=[latest.pk]), follow=True)
    assert shown_messages(response.content.decode()) == ["该期考评已定稿，不能重算或调整。"]
    html = submit(client, form_on(html, "action", reverse("assessment:publish", args=[latest.pk])))
    assert shown_messages(html) == ["已发布给区领导。"]


def test_a_liaison_reads_only_their_units_sheet(annual, client_as, office_user, liaison_user):
    run = services.score_run_compute(plan=annual, scope=Scope.PERIOD, start=JUNE, user=office_user)
    keji = Unit.objects.get(name="区科委")
    other = run.sheets.exclude(unit=keji).first().unit
    client = client_as(liaison_user)
    index = client.get(reverse("assessment:index")).content.decode()
    assert f'href="{reverse("assessment:sheet", args=[run.pk, keji.pk])}"' in index
    assert client.get(reverse("assessment:sheet", args=[run.pk, keji.pk])).status_code == 200
    refused = client.get(reverse("assessment:sheet", args=[run.pk, other.pk]))
    assert refused.status_code == 403 and "您只能查看本单位的考评得分。" in refused.content.decode()
    # The ranking shows their own unit only; the workbook is refused before publication.
    ranking = client.get(reverse("assessment:run", args=[run.pk])).content.decode()
    assert re.findall(r'<tr data-unit="(\d+)">', ranking) == [str(keji.pk)]
    assert client.get(reverse("assessment:run_xlsx", args=[run.pk])).status_code == 403
    for name in ("compute", "recompute", "freeze", "publish"):
        url = reverse(f"assessment:{name}", args=[] if name == "compute" else [run.pk])
        assert client.post(url, {"plan": annual.pk, "period": "period:2025-06-01"}).status_code == 403
    assert client.get(reverse("assessment:rules")).status_code == 403
    assert client.get(reverse("assessment:burden")).status_code == 403


def test_a_leader_sees_published_rankings_and_their_units(annual, client_as, office_user, leader_user):
    run = services.score_run_compute(plan=annual, scope=Scope.PERIOD, start=JUNE, user=office_user)
    client = client_as(leader_user)
    assert str(run.pk) not in re.findall(r'data-run="(\d+)"', client.get(reverse("assessment:index")).content.decode())
    services.score_run_freeze(user=office_user, run=run)
    services.score_run_publish(user=office_user, run=run)
    index = client.get(reverse("assessment:index")).content.decode()
    assert re.findall(r'data-run="(\d+)"', index) == [str(run.pk)]
    ranking = client.get(reverse("assessment:run", args=[run.pk])).content.decode()
    assert ranking.count('<tr data-unit="') == run.sheets.exclude(unit_kind="group").count()
    scores = re.search(r"<ul data-unit-scores>(.*?)</ul>", index, re.S).group(1)
    from assessment.selectors import leader_unit_ids

    assert scores.count("<li>") == len(leader_unit_ids(user=leader_user))


def test_the_ranking_workbook_opens_and_prints(annual, client_as, office_user):
    run = services.score_run_compute(plan=annual, scope=Scope.PERIOD, start=JUNE, user=office_user)
    response = client_as(office_user).get(reverse("assessment:run_xlsx", args=[run.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["考评排名"]
    setup = sheet.page_setup
    assert setup.orientation == "landscape" and sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert setup.fitToWidth in (None, 1) and int(setup.fitToHeight) == 0  # 1 wide is the default
    assert sheet["A1"].value == f"{annual.title} 2025年6月 考评排名（草稿（可重算））"
    names = [row[1] for row in sheet.iter_rows(min_row=4, values_only=True) if isinstance(row[0], int)]
    assert sorted(names) == sorted(run.sheets.exclude(unit_kind="group").values_list("unit__name", flat=True))
    assert not any(isinstance(c.value, str) and c.value.startswith("=") for row in sheet.iter_rows() for c in row)


def test_rules_edit_makes_a_new_version(annual, client_as, office_user):
    client = client_as(office_user)
    html = client.get(reverse("assessment:rules")).content.decode()
    default = re.search(r'href="(/assessment/rules/\d+/)">默认考评细则</a>', html).group(1)
    page = client.get(default).content.decode()
    form = form_on(page, "data-rules-form")
    assert form["fields"]["base"] == "100.00" and form["fields"]["missing_cap"] == "30.00"
    html = submit(client, form | {"attrs": {"action": default}}, missing_report="8", note="")
    assert "请填写修改说明。" in html
    html = submit(client, form | {"attrs": {"action": default}}, missing_report="8", note="按新办法调整")
    assert shown_messages(html) == ["已保存为新版本。已定稿的考评仍按原版本，之后的计算用新版本。"]
    run = services.score_run_compute(plan=annual, scope=Scope.PERIOD, start=JUNE, user=office_user)
    assert run.rule_version.number == 2
    assert {line.points for line in run.lines.filter(kind=LineKind.MISSING)} == {Decimal("-8.00")}


def test_burden_report_and_the_frequency_cap(annual, client_as, office_user):
    client = client_as(office_user)
    html = client.get(reverse("assessment:burden") + "?year=2025").content.decode()
    keji = Unit.objects.get(name="区科委")
    row = re.search(rf'<tr data-unit="{keji.pk}">(.*?)</tr>', html, re.S).group(1)
    months = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row)][:12]
    led = annual.tasks.filter(unit_links__unit=keji, unit_links__role="lead").count()
    five = Plan.objects.get(kind=PlanKind.FIVE_YEAR)
    led_five = five.tasks.filter(unit_links__unit=keji, unit_links__role="lead").count()
    assert months == [led + led_five] * 12  # both plans monthly, due within the month
    assert int(re.search(r"data-total>(\d+)<", row).group(1)) == sum(months)
    assert "登录次数" in html  # the page says what it never counts

    form = form_on(html, "action", reverse("assessment:cap_set", args=[annual.pk]))
    html = submit(client, form, per_year=str(ReportCap.QUARTERLY))
    assert shown_messages(html) == [f"已设定{annual.title}的报送频次上限。"]
    annual.refresh_from_db()
    assert annual.reporting_period == ReportingPeriod.QUARTERLY
    assert PlanReportCap.objects.get(plan=annual).per_year == 4
    # The admin cannot set the plan back to monthly past the cap.
    from tasks.admin import PlanAdminForm

    data = {f.name: getattr(annual, f.attname) for f in Plan._meta.fields if f.editable and f.name != "id"}
    form = PlanAdminForm(data | {"reporting_period": ReportingPeriod.MONTHLY}, instance=annual)
    assert not form.is_valid()
    assert form.errors["reporting_period"] == [
        "督查室已将该规划的报送频次上限设为每季度一次（减负），不能改为每月报送。"
    ]


@pytest.mark.parametrize("page", ["run", "sheet", "index", "burden"])
def test_query_budget_does_not_grow_with_the_data(annual, client_as, office_user, page):
    from tests.factories import plans_multiply

    def count() -> int:
        run = services.score_run_compute(plan=annual, scope=Scope.PERIOD, start=JUNE, user=office_user)
        keji = Unit.objects.get(name="区科委")
        url = {
            "run": reverse("assessment:run", args=[run.pk]),
            "sheet": reverse("assessment:sheet", args=[run.pk, keji.pk]),
            "index": reverse("assessment:index"),
            "burden": reverse("assessment:burden") + "?year=2025",
        }[page]
        client = client_as(office_user)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    services.score_run_compute(plan=annual, scope=Scope.PERIOD, start=JUNE, user=office_user)
    small = count()  # each count recomputes: the run page compares with the run it replaced
    plans_multiply(times=3)
    assert count() <= small


def test_the_leaders_cockpit_shows_their_units_published_scores(client_as, office_user, leader_user, clock_at):
    """Publishing moves the cached leader page on (assessment 0002's trigger); the figures are the sheets'."""
    from assessment.selectors import leader_unit_ids
    from tests.factories import world_build

    w = world_build()
    clock_at(dt.date(2025, 7, 3))
    run = services.score_run_compute(plan=w.annual, scope=Scope.PERIOD, start=JUNE, user=office_user)
    client = client_as(leader_user)
    url = reverse("tasks:leader", args=[w.leaders["谭"].pk])
    assert "近12个月没有已发布的考评。" in client.get(url).content.decode()  # a draft is not shown
    services.score_run_publish(user=office_user, run=services.score_run_freeze(user=office_user, run=run))
    html = client.get(url).content.decode()
    section = re.search(
        r"<section aria-labelledby=\"cockpit-scores-h\" data-cockpit-scores>(.*?)</section>", html, re.S
    )
    found = re.findall(r'data-unit-score="(\d+)"><a href="([^"]+)">[^<]+</a>：([\d.]+)分', section.group(1))
    shown = {unit_id: total for unit_id, _, total in found}
    for unit_id, href, _ in found:  # each links to that unit's sheet in the run
        assert href == reverse("assessment:sheet", args=[run.pk, int(unit_id)])
    mine = leader_unit_ids(user=leader_user) & set(run.sheets.values_list("unit_id", flat=True))
    assert {int(u) for u in shown} == mine
    for unit_id, total in shown.items():
        assert Decimal(total) == run.sheets.get(unit_id=unit_id).total
    average = re.search(r'<tr data-period="2025-06"><th scope="row">2025年6月</th><td class="num">([\d.]+)</td>', html)
    expected = sum(run.sheets.get(unit_id=u).total for u in mine) / len(mine)
    assert Decimal(average.group(1)) == expected.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _published(plan: Plan, start: dt.date, user) -> ScoreRun:
    run = services.score_run_compute(plan=plan, scope=Scope.PERIOD, start=start, user=user)
    return services.score_run_publish(user=user, run=services.score_run_freeze(user=user, run=run))


def test_every_score_a_leader_is_shown_opens_and_names_its_plan(
    seed_plans, client_as, office_user, leader_user, clock_at
):
    """A leader's unit also has sheets in plans where the leader leads nothing: those sheets are
    not theirs to open (can_see_sheet), so the 考评 page and the cockpit do not list or average them."""
    from assessment.selectors import leader_unit_ids
    from tasks.models import Leader

    clock_at(dt.date(2025, 7, 3))
    runs = [_published(plan, JUNE, office_user) for plan in Plan.objects.order_by("pk")]
    client = client_as(leader_user)
    index = client.get(reverse("assessment:index")).content.decode()
    scores = re.findall(
        r'<li><a href="([^"]+)">([^<]+)</a>：[\d.]+分（([^ ]+) ',
        re.search(r"<ul data-unit-scores>(.*?)</ul>", index, re.S).group(1),
    )
    leader = Leader.objects.get(name="谭瑞琮")
    cockpit = client.get(reverse("tasks:leader", args=[leader.pk])).content.decode()
    section = re.search(r"data-cockpit-scores>(.*?)</section>", cockpit, re.S).group(1)
    cockpit_links = re.findall(r'data-unit-score="\d+"><a href="([^"]+)">', section)
    assert scores and cockpit_links
    for href in [href for href, _, _ in scores] + cockpit_links:
        assert client.get(href).status_code == 200, href
    expected = {
        (run.plan.title, name)
        for run in runs
        for name in run.sheets.filter(unit_id__in=leader_unit_ids(user=leader_user, plan_id=run.plan_id))
        .exclude(unit_kind="group")
        .values_list("unit__name", flat=True)
    }
    assert {(plan, name) for _, name, plan in scores} == expected
    # The plans' sheets include units of the leader that the leader has no task with there.
    assert any(
        run.sheets.filter(unit_id__in=leader_unit_ids(user=leader_user))
        .exclude(unit_id__in=leader_unit_ids(user=leader_user, plan_id=run.plan_id))
        .exists()
        for run in runs
    )


def test_a_published_ranking_compares_only_with_a_frozen_period_before(annual, client_as, office_user, leader_user):
    """A draft of May computed after June was published does not move June's 较上期."""
    june = _published(annual, JUNE, office_user)
    client = client_as(leader_user)

    def changes() -> list[str]:
        html = client.get(reverse("assessment:run", args=[june.pk])).content.decode()
        return re.findall(r'<tr data-unit="\d+">.*?<td class="num">([^<]*)</td></tr>', html, re.S)

    assert set(changes()) == {"—"}
    may = services.score_run_compute(plan=annual, scope=Scope.PERIOD, start=dt.date(2025, 5, 1), user=office_user)
    assert set(changes()) == {"—"}
    services.score_run_freeze(user=office_user, run=may)
    assert set(changes()) != {"—"}


def test_a_liaison_is_not_offered_the_whole_rankings_workbook(annual, client_as, office_user, liaison_user):
    run = _published(annual, JUNE, office_user)
    client = client_as(liaison_user)
    page = client.get(reverse("assessment:run", args=[run.pk])).content.decode()
    assert "下载排名（Excel）" not in page and 'data-unit="' in page
    refused = client.get(reverse("assessment:run_xlsx", args=[run.pk]))
    assert refused.status_code == 403
    assert "全区考评排名只供督查室和区领导下载；单位联络员可以在排名页查看本单位的得分。" in refused.content.decode()


def test_the_cockpit_average_rounds_half_up():
    from assessment.selectors.cockpit import mean_rounded

    assert mean_rounded([Decimal("100.00"), Decimal("100.50")]) == Decimal("100.3")
    assert mean_rounded([Decimal("1604")] + [Decimal(0)] * 15) == Decimal("100.3")
    assert mean_rounded([]) is None


def test_a_year_is_offered_and_computed_only_once_it_is_over(annual, client_as, office_user, clock_at):
    """In July, "2025年度" would score January–June under the year's name: not offered, refused."""
    client = client_as(office_user)
    html = client.get(reverse("assessment:index")).content.decode()
    form = form_on(html, "data-compute", str(annual.pk))
    assert "2025年6月" in html and "2025年度" not in html
    refused = submit(client, form, period="year:2025-01-01")
    assert shown_messages(refused) == ["请选择已结束的考评周期。"]
    with pytest.raises(ValidationError) as not_over:
        services.score_run_compute(plan=annual, scope=Scope.YEAR, start=dt.date(2025, 1, 1), user=office_user)
    assert not_over.value.messages == [
        f"2025年度尚未结束：{annual.title}2025年最后一个报送期结束后，才能计算年度考评。"
    ]
    assert not ScoreRun.objects.filter(scope=Scope.YEAR).exists()
    clock_at(dt.date(2026, 1, 20))
    html = client.get(reverse("assessment:index")).content.decode()
    value = re.search(r'<option value="([^"]+)">2025年度</option>', html).group(1)
    submit(client, form_on(html, "data-compute", str(annual.pk)), period=value)
    assert ScoreRun.objects.filter(plan=annual, scope=Scope.YEAR, period=dt.date(2025, 1, 1)).exists()


def test_a_sheet_shows_the_rules_it_applied_and_its_caps_last(annual, client_as, office_user, liaison_user):
    """A liaison cannot open 考评细则, so the sheet itself lists the figures its lines apply (every
    figure of the rule version, by the model's own names) and says each cap's limit; the 封顶
    lines come after the lines they cap."""
    from assessment.models import RuleVersion

    keji = Unit.objects.get(name="区科委")
    run = services.score_run_compute(plan=annual, scope=Scope.PERIOD, start=JUNE, user=office_user)
    version = run.rule_version
    RuleVersion.objects.filter(pk=version.pk).update(missing_cap=Decimal("5"))
    run = services.score_run_compute(plan=annual, scope=Scope.PERIOD, start=JUNE, user=office_user)
    html = client_as(liaison_user).get(reverse("assessment:sheet", args=[run.pk, keji.pk])).content.decode()
    rules = re.search(r"<details data-rules>(.*?)</details>", html, re.S).group(1)
    assert f"计分依据：{version.rule_set.name}第{version.number}版" in rules
    assert '<th scope="row">缺报扣分上限</th><td class="num">5分</td>' in rules
    decimal_fields = [f for f in RuleVersion._meta.concrete_fields if f.get_internal_type() == "DecimalField"]
    assert rules.count('<th scope="row">') == len(decimal_fields)
    kinds = re.findall(r'<tr data-line="([a-z_]+)">', html)
    assert "cap" in kinds and kinds.index("cap") > max(i for i, k in enumerate(kinds) if k == "missing")
    assert "缺报超过上限（上限5分）的部分不计" in html
