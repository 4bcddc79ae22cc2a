"""trends.selectors: the trends over the last 12 periods (one query each, at any size) and the
leader's cockpit, checked against plain-Python counts over the snapshot rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tasks.choices import Light, ProgressStatus, ReportingPeriod, ReviewState, UnitRole
from tasks.models import Leader, Plan, TaskUnit
from tasks.selectors import leader_summary, leader_task_list, leader_unit_list
from tasks.selectors.version import Scope, scope_version
from tasks.services import task_status_refresh
from tests.factories import CLOCK, LAST_PERIOD, THIS_PERIOD, plans_multiply, report_make, world_build
from trends.models import StatusSnapshot
from trends.selectors import (
    leader_cockpit,
    leader_get_for,
    summary_of_rows,
    trend_of_district,
    trend_of_leader,
    trend_of_plan,
    trend_periods,
)
from trends.services import snapshot_take, snapshots_backfill

D = dt.date


@pytest.fixture
def world(db, pinned_clock):
    w = world_build()
    snapshots_backfill(periods=12)
    return w


def expected(snapshots) -> dict[dt.date, tuple[int, int, int, int, int]]:
    """(total, done, owed, reported, red) per period, counted in Python from the rows."""
    lead = set(TaskUnit.objects.filter(role=UnitRole.LEAD).values_list("task_id", flat=True))
    out: dict[dt.date, list[int]] = {}
    for s in snapshots:
        row = out.setdefault(s.period, [0, 0, 0, 0, 0])
        owed = s.task_id in lead and not s.done
        row[0] += 1
        row[1] += s.done
        row[2] += owed
        row[3] += owed and s.reported
        row[4] += s.light == Light.RED
    return {period: tuple(v) for period, v in out.items()}


def figures(trend) -> dict[dt.date, tuple[int, int, int, int, int]]:
    return {p.period: (p.total, p.done, p.owed, p.reported, p.red) for p in trend.points if p.has_data}


def test_the_last_12_periods_end_with_the_last_closed_one():
    assert trend_periods(clock=CLOCK) == [D(2024, m, 1) for m in range(6, 13)] + [D(2025, m, 1) for m in range(1, 6)]
    quarters = trend_periods(clock=CLOCK, reporting_period=ReportingPeriod.QUARTERLY)
    assert quarters[0] == D(2022, 4, 1) and quarters[-1] == D(2025, 1, 1) and len(quarters) == 12


def test_the_district_trend_counts_as_its_rows_say(world):
    trend = trend_of_district(district=world.annual.district, clock=CLOCK)
    assert [p.label for p in trend.points][:2] == ["2024年6月", "2024年7月"] and trend.span == "2024年6月—2025年5月"
    assert figures(trend) == expected(StatusSnapshot.objects.all())
    may = trend.points[-1]
    # 46 tasks (23 a plan); 南部科创 done in May; 零号湾 the only open task both lead units reported;
    # red: 营商 (overdue), 零号湾 (滞后) and the ten annual filler tasks due on the 28th of January–May.
    assert (may.total, may.done, may.owed, may.reported, may.red) == (46, 1, 45, 1, 12)
    assert (may.completion, may.reporting) == (2, 2)
    # The five-year plan alone before 2025 (the annual plan's periods begin with its year).
    assert trend.points[0].total == 23 and trend.points[0].red == 0


def test_reporting_rate_counts_open_tasks_with_a_lead_unit(world):
    report_make(
        task=world.tasks["服务包"],
        unit=world.units["经委"],
        period=LAST_PERIOD,
        status=ProgressStatus.IN_PROGRESS,
        percent=50,
        review_state=ReviewState.SUBMITTED,  # awaiting review counts as reported
    )
    snapshots_backfill(periods=1, replace=True, plan_ids=[world.annual.pk])
    may = trend_of_plan(plan=world.annual, clock=CLOCK).points[-1]
    assert (may.owed, may.reported, may.reporting) == (23, 1, 4)
    # A task without a lead unit owes nothing: from the snapshot that records it so. The trend reads
    # the links as they stood at the close, not as they stand today.
    TaskUnit.objects.filter(task=world.tasks["营商"]).delete()
    task_status_refresh(task_ids=[world.tasks["营商"].pk])
    assert trend_of_plan(plan=world.annual, clock=CLOCK).points[-1].owed == 23
    snapshots_backfill(periods=1, replace=True, plan_ids=[world.annual.pk])
    may = trend_of_plan(plan=world.annual, clock=CLOCK).points[-1]
    assert (may.total, may.owed, may.reported) == (23, 22, 1)


def test_a_leaders_trend_is_the_tasks_they_lead(world):
    trend = trend_of_leader(leader=world.leaders["谭"], clock=CLOCK)
    assert trend.scope == "谭瑞琮牵头的任务"
    # 服务包 and 研发 (撤销 is withdrawn); the annual plan's periods only.
    assert {p.period: p.total for p in trend.points if p.has_data} == {D(2025, m, 1): 2 for m in range(1, 6)}
    leader_tasks = world.leaders["谭"].task_links.values("task_id")
    assert figures(trend) == expected(StatusSnapshot.objects.filter(task_id__in=leader_tasks))


def test_a_quarterly_plans_trend_is_by_quarter(db, pinned_clock):
    world = world_build()
    Plan.objects.filter(pk=world.annual.pk).update(reporting_period=ReportingPeriod.QUARTERLY)
    world.annual.refresh_from_db()
    snapshot_take(plan=world.annual, period=D(2025, 1, 1))
    trend = trend_of_plan(plan=world.annual, clock=CLOCK)
    assert [p.label for p in trend.points if p.has_data] == ["2025年第1季度"]
    assert trend.points[-1].short == "1季" and len(trend.points) == 12


def test_a_period_without_a_snapshot_is_a_gap_not_a_zero(db, pinned_clock):
    world = world_build()
    trend = trend_of_plan(plan=world.annual, clock=CLOCK)
    assert not trend.has_data and all(p.completion is None and p.reporting is None for p in trend.points)
    snapshot_take(plan=world.annual, period=D(2025, 3, 1))
    trend = trend_of_plan(plan=world.annual, clock=CLOCK)
    assert [p.has_data for p in trend.points].count(True) == 1 and trend.has_data


def test_each_trend_is_one_query_whatever_the_size(db, pinned_clock):
    world = world_build()
    snapshots_backfill(periods=12)

    def count() -> list[int]:
        counts = []
        for read in (
            lambda: trend_of_district(district=world.annual.district, clock=CLOCK),
            lambda: trend_of_leader(leader=world.leaders["赵"], clock=CLOCK),
            lambda: trend_of_plan(plan=world.annual, clock=CLOCK),
        ):
            with CaptureQueriesContext(connection) as ctx:
                read()
            counts.append(len(ctx.captured_queries))
        return counts

    small = StatusSnapshot.objects.count()
    assert count() == [1, 1, 1]
    plans_multiply(times=6)  # the copies get other years: take their snapshots in the window anyway
    for plan in Plan.objects.all():
        for period in trend_periods(clock=CLOCK):
            snapshot_take(plan=plan, period=period)
    assert StatusSnapshot.objects.count() > 3 * small
    assert count() == [1, 1, 1]


# -- the cockpit --------------------------------------------------------------------------------------


def test_the_cockpit_agrees_with_the_leader_selectors(world):
    leader = world.leaders["谭"]
    rows = leader_task_list(leader=leader, clock=CLOCK)
    with CaptureQueriesContext(connection) as ctx:
        cockpit = leader_cockpit(leader=leader, tasks=rows, clock=CLOCK)
    assert len(ctx.captured_queries) == 3  # links with latest reports, final states, the trend
    assert cockpit.summary == leader_summary(leader=leader, clock=CLOCK) == summary_of_rows(rows)
    assert [(u.id, u.name, u.summary) for u in cockpit.units] == [
        (u.id, u.name, u.summary) for u in leader_unit_list(leader=leader, clock=CLOCK)
    ]
    assert cockpit.closed == [] and cockpit.trend.has_data


def test_the_drill_down_gives_each_units_own_latest_report_problems_first(world):
    report_make(
        task=world.tasks["研发"],
        unit=world.units["城投"],
        period=LAST_PERIOD,
        status=ProgressStatus.IN_PROGRESS,
        percent=20,
        progress_text="五月进展。",
        review_state=ReviewState.RETURNED,
        review_comment="请补充数据。",
    )
    report_make(
        task=world.tasks["研发"], unit=world.units["城投"], period=THIS_PERIOD, status="done", review_state="draft"
    )
    leader = world.leaders["谭"]
    cockpit = leader_cockpit(leader=leader, tasks=leader_task_list(leader=leader, clock=CLOCK), clock=CLOCK)
    units = {u.name: u for u in cockpit.drill}
    assert list(units) == ["区科委", "区经委", "闵行城投公司"]  # by tasks led, then by name
    [keji] = units["区科委"].tasks
    assert (keji.number, keji.latest.period_label, keji.latest.status, keji.latest.percent) == (
        "4",
        "2025年6月",
        "in_progress",
        40,
    )
    [chengtou] = units["闵行城投公司"].tasks
    # The unit's own latest report, not a draft, whatever became of it.
    assert (chengtou.latest.period, chengtou.latest.review, chengtou.latest.comment) == (
        LAST_PERIOD,
        ReviewState.RETURNED,
        "请补充数据。",
    )
    assert chengtou.silent and not keji.silent
    [jingwei] = units["区经委"].tasks  # 服务包 (撤销 is withdrawn)
    assert jingwei.latest is None and jingwei.light == Light.YELLOW


def test_closed_plans_show_the_leaders_final_states(world, office_user):
    from yearend.models import FinalState, PlanClosure, TaskOutcome

    for task, state in ((world.tasks["服务包"], FinalState.DONE), (world.tasks["研发"], FinalState.CARRIED)):
        TaskOutcome.objects.create(task=task, state=state, confirmed_by=office_user, confirmed_at=timezone.now())
    PlanClosure.objects.create(plan=world.annual, closed_by=office_user, closed_at=timezone.now())
    leader = world.leaders["谭"]
    cockpit = leader_cockpit(leader=leader, tasks=leader_task_list(leader=leader, clock=CLOCK), clock=CLOCK)
    [closed] = cockpit.closed
    assert (closed.plan_id, closed.url) == (world.annual.pk, f"/plans/{world.annual.pk}/yearend/")
    f = closed.figures
    assert (f.name, f.total, f.done, f.carried, f.not_done, f.rate) == ("2025年区委、区政府重点工作", 2, 1, 1, 0, 50)
    # The closed plan's tasks leave the current figures; its past periods stay in the trend.
    assert cockpit.summary.total == 0 and cockpit.drill == [] and cockpit.trend.has_data


def test_the_leader_page_knows_its_own_leaders_account_and_its_cache_version_in_the_same_query(
    world, leader_user, office_user
):
    with CaptureQueriesContext(connection) as ctx:
        leader, own, version = leader_get_for(leader_id=world.leaders["谭"].pk, user_id=leader_user.pk)
    assert own and leader.name == "谭瑞琮" and len(ctx.captured_queries) == 1
    # The page's cache key reads the same version a separate query would (tasks.selectors.version).
    assert version is not None and version == scope_version(scope=Scope.leader(leader.pk))
    assert leader_get_for(leader_id=world.leaders["赵"].pk, user_id=leader_user.pk)[1] is False
    assert leader_get_for(leader_id=world.leaders["谭"].pk, user_id=office_user.pk)[1] is False
    assert leader_get_for(leader_id=world.leaders["谭"].pk, user_id=None)[1] is False
    # The statement is compiled once for every leader and account: the ids are its parameters.
    assert leader_get_for(leader_id=world.leaders["赵"].pk, user_id=None)[0].name == world.leaders["赵"].name
    with pytest.raises(Http404):
        leader_get_for(leader_id=Leader.objects.order_by("-pk").first().pk + 1, user_id=leader_user.pk)
