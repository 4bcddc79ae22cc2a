"""tasks/status/: the rule (rule.py: light and status for each task, as of a Clock), the clock
(clock.py), the summaries (summary.py) and the stored current status (stored.py, kept by
services.task_status_refresh).

Every test that touches the database is also checked by conftest's
`_stored_status_matches_reports`: stored status equals the derivation afterwards.
Here: the named tasks of tests/factories.py get the lights its table documents, each rule at its
boundary, the derivation against an independent Python model of the rules, each write path keeping
it current, and the summaries reading the stored columns only.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks import selectors
from tasks.choices import Light
from tasks.models import (
    Plan,
    ProgressReport,
    ProgressStatus,
    ReportingPeriod,
    ReviewState,
    Task,
    TaskStatus,
    TaskUnit,
    Unit,
    UnitRole,
)
from tasks.services import ReportInput, report_approve, report_return, report_save, task_status_refresh
from tasks.status.clock import Clock
from tasks.status.summary import Summary
from tests.factories import CLOCK, LAST_PERIOD, THIS_PERIOD, report_make, world_build

WORST_FIRST = ["behind", "not_started", "in_progress", "ongoing", "done"]
PERIODS = [dt.date(2025, month, 1) for month in range(1, 7)]


def stored(task: Task) -> tuple:
    row = TaskStatus.objects.filter(task=task).first()
    if row is None:
        return ("not_reported", None, 0, None, None)
    return (row.status, row.percent, row.lead_units, row.reported_since, row.pending_period)


def expected(reports: list[dict], lead_ids: set[int]) -> tuple:
    """The rules of the module docstring of tasks/selectors.py, written out plainly."""
    lead = [r for r in reports if r["unit_id"] in lead_ids]
    approved = [r for r in lead if r["review_state"] == ReviewState.APPROVED]
    status, percent = "not_reported", None
    if approved:
        # Each lead unit's own latest approved report; the worst of them speaks for the task.
        own_latest = [
            max((r for r in approved if r["unit_id"] == unit), key=lambda r: r["period"])
            for unit in {r["unit_id"] for r in approved}
        ]
        status = min((r["status"] for r in own_latest), key=WORST_FIRST.index)
        percent = min(r["percent"] for r in own_latest)
        if status == "done" and {r["unit_id"] for r in approved} != lead_ids:
            # Not done while a lead unit (none is a 泛指 unit here) has approved nothing.
            status, percent = "not_reported", None
    reported = {
        unit: max(
            (r["period"] for r in lead if r["unit_id"] == unit and r["review_state"] in ("submitted", "approved")),
            default=None,
        )
        for unit in lead_ids
    }
    since = None if not reported or None in reported.values() else min(reported.values())
    pending = max((r["period"] for r in lead if r["review_state"] == ReviewState.SUBMITTED), default=None)
    return (status, percent, len(lead_ids), since, pending)


@pytest.fixture
def world(db):
    return world_build()


report_sets = st.lists(
    st.fixed_dictionaries(
        {
            "unit": st.sampled_from(["科委", "城投", "经委"]),  # two lead units and one that is not
            "period": st.sampled_from(PERIODS),
            "status": st.sampled_from(ProgressStatus.values),
            "percent": st.integers(0, 100),
            "review_state": st.sampled_from(ReviewState.values),
        }
    ),
    max_size=8,
    unique_by=lambda r: (r["unit"], r["period"]),
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reports=report_sets)
def test_stored_status_follows_the_rules_for_any_reports(world, reports):
    task = world.tasks["研发"]  # lead: 区科委 and 闵行城投公司
    ProgressReport.objects.filter(task=task).delete()
    rows = [
        {
            "unit_id": world.units[r["unit"]].pk,
            **{k: r[k] for k in ("period", "status", "percent", "review_state")},
        }
        for r in reports
    ]
    ProgressReport.objects.bulk_create(ProgressReport(task=task, **row) for row in rows)
    task_status_refresh(task_ids=[task.pk])
    lead_ids = set(TaskUnit.objects.filter(task=task, role=UnitRole.LEAD).values_list("unit_id", flat=True))
    want = expected(rows, lead_ids)
    assert stored(task) == want
    # And the light read from those columns: 研发 is due 2025-12-31, so never overdue on 2025-06-15.
    row = Task.objects.filter(pk=task.pk).with_status_shown(CLOCK).get()
    status, _, _, since, pending = want
    assert row.is_reported == (since is not None and since >= THIS_PERIOD)
    assert row.is_pending == (pending is not None and pending >= THIS_PERIOD)
    if status == ProgressStatus.BEHIND:
        assert row.light == Light.RED
    elif status != ProgressStatus.DONE and not row.is_reported:
        assert row.light == Light.GREY


@pytest.fixture
def keji_task(seed_plans):
    return Task.objects.get(plan__kind="annual", number="4")  # lead unit 区科委 only


def test_report_services_keep_the_status_current(keji_task, liaison_user, office_user, pinned_clock):
    keji = Unit.objects.get(name="区科委")
    period = selectors.Clock.now().month_start
    assert stored(keji_task) == ("not_reported", None, 1, None, None)
    data = ReportInput(status=ProgressStatus.IN_PROGRESS, percent=40, progress_text="完成方案。")
    draft = report_save(
        user=liaison_user, task=keji_task, unit=keji, period=period, data=data, version=None, submit=False
    )
    assert stored(keji_task) == ("not_reported", None, 1, None, None)  # a draft is nobody's business yet
    report = report_save(user=liaison_user, task=keji_task, unit=keji, period=period, data=data, version=draft.version)
    assert stored(keji_task) == ("not_reported", None, 1, period, period)  # reported, pending review
    report = report_return(user=office_user, report=report, version=report.version, comment="请补充。")
    assert stored(keji_task) == ("not_reported", None, 1, None, None)
    report = report_save(user=liaison_user, task=keji_task, unit=keji, period=period, data=data, version=report.version)
    report_approve(user=office_user, report=report, version=report.version)
    assert stored(keji_task) == ("in_progress", 40, 1, period, None)


def test_admin_edits_and_deletes_of_reports_refresh_the_status(keji_task, client_as, admin_user):
    keji = Unit.objects.get(name="区科委")
    report = ProgressReport.objects.create(
        task=keji_task, unit=keji, period=THIS_PERIOD, status=ProgressStatus.BEHIND, percent=10, problems="慢"
    )
    task_status_refresh(task_ids=[keji_task.pk])
    client = client_as(admin_user)
    url = reverse("admin:tasks_progressreport_change", args=[report.pk])
    form = {
        "task": keji_task.pk,
        "unit": keji.pk,
        "period": "2025-06-01",
        "status": ProgressStatus.DONE,
        "percent": 100,
        "review_state": ReviewState.APPROVED,
        "version": report.version,
        "attachments-TOTAL_FORMS": 0,
        "attachments-INITIAL_FORMS": 0,
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert stored(keji_task)[:2] == ("done", 100)
    response = client.post(reverse("admin:tasks_progressreport_delete", args=[report.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert stored(keji_task) == ("not_reported", None, 1, None, None)


def test_summaries_read_the_stored_status_not_the_reports(seed_plans, client_as, office_user):
    """The pages that count every task (dashboard, category counts, unit and leader indexes)
    must not touch the reports table: that is what made them slow at city scale."""
    client = client_as(office_user)
    plan = Plan.objects.get(kind="annual")
    # The header's 我的待办 badge reads the reports awaiting review; 我的待办 counts it and keeps it
    # for the other pages (supervision.context_processors), so what is left is the pages' own reads.
    client.get(reverse("supervision:todo"))
    for url in (
        reverse("tasks:dashboard"),
        reverse("tasks:plan", args=[plan.pk]),
        reverse("tasks:unit_index"),
        reverse("tasks:leader_index"),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        touching = [q["sql"][:200] for q in queries.captured_queries if "tasks_progressreport" in q["sql"]]
        assert touching == [], url


def test_refresh_command_checks_and_repairs(world):
    task = world.tasks["研发"]
    call_command("refresh_status", "--check")  # consistent after world_build
    TaskStatus.objects.filter(task=task).update(status=ProgressStatus.DONE)  # a hand edit
    with pytest.raises(CommandError, match=rf"^1 条任务的当前状态与进展报告不一致（任务编号：{task.pk}）。$"):
        call_command("refresh_status", "--check")
    call_command("refresh_status")
    call_command("refresh_status", "--check")
    assert stored(task)[0] == ProgressStatus.IN_PROGRESS
    TaskUnit.objects.filter(task=task, unit=world.units["科委"]).update(reported_period=None)  # a link's period
    with pytest.raises(CommandError, match=rf"（任务编号：{task.pk}）。$"):
        call_command("refresh_status", "--check")
    call_command("refresh_status")


# -- the rule: light and status as of a clock (rule.py, clock.py, summary.py) ----------------------


def status_of(task: Task, clock: Clock = CLOCK) -> tuple[str, str]:
    t = Task.objects.filter(pk=task.pk).with_status_shown(clock).get()
    return t.status, t.light


def test_named_tasks_get_the_documented_lights(world):
    assert status_of(world.tasks["营商"]) == ("not_reported", Light.RED)  # overdue, nothing reported
    assert status_of(world.tasks["服务包"]) == ("not_reported", Light.YELLOW)  # due in 16 days
    # 区科委 reported this period, its co-lead 城投 did not: never green while a lead unit is silent.
    assert status_of(world.tasks["研发"]) == (ProgressStatus.IN_PROGRESS, Light.GREY)
    assert status_of(world.tasks["零号湾"]) == (ProgressStatus.BEHIND, Light.RED)  # worst of the period wins
    assert status_of(world.tasks["南部科创"]) == (ProgressStatus.DONE, Light.GREEN)  # done stays done
    assert status_of(world.tasks["产业"]) == ("not_reported", Light.GREY)  # a draft is not a report
    assert status_of(world.tasks["撤销"]) == ("not_reported", Light.GREY)  # withdrawn


def test_every_lead_unit_must_report_for_green_and_pending_is_marked(world):
    task = world.tasks["研发"]
    row = Task.objects.filter(pk=task.pk).with_status_shown(CLOCK).get()
    assert (row.units_reported, row.units_lead, row.is_pending) == (1, 2, False)
    report = report_make(
        task=task,
        unit=world.units["城投"],
        period=THIS_PERIOD,
        status=ProgressStatus.IN_PROGRESS,
        percent=60,
        review_state=ReviewState.SUBMITTED,
    )
    row = Task.objects.filter(pk=task.pk).with_status_shown(CLOCK).get()
    # Submitted counts as reported (the unit did its part) but is pending, not yet in the status.
    assert (row.units_reported, row.is_pending, row.light) == (2, True, Light.GREEN)
    report.review_state = ReviewState.APPROVED
    report.save()
    task_status_refresh(task_ids=[report.task_id])
    row = Task.objects.filter(pk=task.pk).with_status_shown(CLOCK).get()
    assert (row.is_pending, row.percent, row.light) == (False, 40, Light.GREEN)  # lowest percent


def test_percent_trailing_elapsed_time_is_yellow(world, settings):
    """研发 is due 2025-12-31; on 2025-06-15 about 45% of 2025 has passed."""
    task = world.tasks["研发"]
    report_make(
        task=task,
        unit=world.units["城投"],
        period=THIS_PERIOD,
        status=ProgressStatus.IN_PROGRESS,
        percent=40,
        review_state=ReviewState.APPROVED,
    )
    settings.LIGHT_BEHIND_SCHEDULE_POINTS = 0
    ProgressReport.objects.filter(task=task).update(percent=50)
    task_status_refresh(task_ids=[task.pk])
    assert status_of(task)[1] == Light.GREEN  # 50% done, 45% of the time gone
    ProgressReport.objects.filter(task=task).update(percent=40)
    task_status_refresh(task_ids=[task.pk])
    assert status_of(task)[1] == Light.YELLOW  # 40% < 45%
    settings.LIGHT_BEHIND_SCHEDULE_POINTS = 10  # 40 + 10 ≥ 45: within tolerance
    assert status_of(task)[1] == Light.GREEN


def test_stagnant_when_nothing_moved_for_n_periods(world, settings):
    settings.LIGHT_STAGNANT_PERIODS = 3
    task = world.tasks["营商"]
    unit = world.units["发改"]
    for month in (4, 5, 6):
        report_make(
            task=task,
            unit=unit,
            period=dt.date(2025, month, 1),
            status=ProgressStatus.IN_PROGRESS,
            percent=30,
            review_state=ReviewState.APPROVED,
        )
    task.refresh_from_db()
    assert selectors.task_is_stagnant(task=task, clock=CLOCK) is True
    ProgressReport.objects.filter(task=task, period=dt.date(2025, 6, 1)).update(percent=35)
    task_status_refresh(task_ids=[task.pk])
    assert selectors.task_is_stagnant(task=task, clock=CLOCK) is False
    ProgressReport.objects.filter(task=task, period=dt.date(2025, 5, 1)).delete()
    task_status_refresh(task_ids=[task.pk])
    assert selectors.task_is_stagnant(task=task, clock=CLOCK) is False  # a silent period is not "no change"


def test_a_report_from_a_support_unit_does_not_count(world):
    task = world.tasks["产业"]
    report_make(
        task=task,
        unit=world.units["莘庄镇"],
        period=THIS_PERIOD,
        status=ProgressStatus.DONE,
        review_state=ReviewState.APPROVED,
    )
    assert status_of(task) == ("not_reported", Light.GREY)


def test_returned_report_does_not_count_but_approved_does(world):
    task = world.tasks["产业"]
    report = ProgressReport.objects.get(task=task)
    report.review_state = ReviewState.RETURNED
    report.save()
    task_status_refresh(task_ids=[report.task_id])
    assert status_of(task)[1] == Light.GREY
    report.review_state = ReviewState.APPROVED
    report.save()
    task_status_refresh(task_ids=[report.task_id])
    assert status_of(task) == (ProgressStatus.DONE, Light.GREEN)


def test_last_periods_report_is_grey_this_period_unless_done(world):
    task = world.tasks["产业"]
    ProgressReport.objects.filter(task=task).delete()
    task_status_refresh(task_ids=[task.pk])
    report_make(
        task=task,
        unit=world.units["经委"],
        period=LAST_PERIOD,
        status=ProgressStatus.IN_PROGRESS,
        review_state=ReviewState.APPROVED,
    )
    assert status_of(task) == (ProgressStatus.IN_PROGRESS, Light.GREY)


def test_newer_period_overrides_older(world):
    task = world.tasks["零号湾"]
    for unit in (world.units["科委"], world.units["发改"]):
        report_make(
            task=task,
            unit=unit,
            period=THIS_PERIOD,
            status=ProgressStatus.IN_PROGRESS,
            review_state=ReviewState.APPROVED,
        )
    assert status_of(task) == (ProgressStatus.IN_PROGRESS, Light.GREEN)


def test_done_overdue_task_is_not_red(world):
    task = world.tasks["营商"]
    report_make(
        task=task,
        unit=world.units["发改"],
        period=LAST_PERIOD,
        status=ProgressStatus.DONE,
        review_state=ReviewState.APPROVED,
    )
    assert status_of(task) == (ProgressStatus.DONE, Light.GREEN)


def test_due_soon_boundary_is_30_days(world):
    task = world.tasks["服务包"]  # due 2025-07-01
    assert status_of(task, Clock(today=dt.date(2025, 6, 1)))[1] == Light.YELLOW  # 30 days before
    assert status_of(task, Clock(today=dt.date(2025, 5, 31)))[1] == Light.GREY  # 31 days before
    assert status_of(task, Clock(today=dt.date(2025, 7, 1)))[1] == Light.YELLOW  # due today: not yet late
    assert status_of(task, Clock(today=dt.date(2025, 7, 2)))[1] == Light.RED


def test_quarterly_plan_counts_a_report_from_earlier_in_the_quarter(world):
    plan = world.five_year
    plan.reporting_period = ReportingPeriod.QUARTERLY
    plan.save()
    task = world.tasks["产业"]
    report_make(
        task=task,
        unit=world.units["经委"],
        period=dt.date(2025, 4, 1),
        status=ProgressStatus.IN_PROGRESS,
        review_state=ReviewState.APPROVED,
    )
    assert status_of(task)[1] == Light.GREEN  # April is in the quarter of 2025-06-15
    assert status_of(task, Clock(today=dt.date(2025, 7, 5)))[1] == Light.GREY  # a new quarter


def test_clock_periods():
    clock = Clock(today=dt.date(2025, 8, 20))
    assert clock.month_start == dt.date(2025, 8, 1)
    assert clock.quarter_start == dt.date(2025, 7, 1)
    assert clock.due_soon == dt.date(2025, 9, 19)


def test_summary_done_share():
    s = Summary(total=8, n_done=3)
    assert s.done_percent == 38
    assert Summary().done_share == 0.0


@pytest.mark.django_db
def test_migration_0018_rewrites_statuses_stored_under_the_old_rule(world):
    """Rows stored before stop 43 (the newest month decided) are rewritten by the frozen copy of
    the rule in migration 0018 to what the live rule stores."""
    import importlib

    from django.apps import apps

    from tasks.services import task_status_drift

    task = world.tasks["研发"]  # lead: 区科委 and 闵行城投公司
    ProgressReport.objects.filter(task=task).delete()
    for unit, period, status in (("科委", PERIODS[4], "behind"), ("城投", PERIODS[5], "done")):
        unit_row = world.units[unit]
        report_make(task=task, unit=unit_row, period=period, status=status, percent=50, review_state="approved")
    assert stored(task)[0] == "behind"  # the live rule: 区科委's latest (5月) is 滞后
    TaskStatus.objects.filter(task=task).update(status="done", percent=50)  # as the old rule stored it
    assert task_status_drift()
    migration = importlib.import_module("tasks.migrations.0018_status_each_units_latest")
    migration.forwards(apps, None)
    assert stored(task)[0] == "behind" and not task_status_drift()


@pytest.mark.django_db
def test_a_task_is_not_done_while_a_lead_unit_is_silent_and_migration_0020_rewrites_it(world):
    """区科委's 已完成 beside 闵行城投公司's silence was stored 已完成 (green, counted done, and 考评's
    提前完成 for both): the live rule stores 未报送 with no percent, and migration 0020's frozen copy
    rewrites rows stored before it."""
    import importlib

    from django.apps import apps

    from tasks.services import task_status_drift

    task = world.tasks["研发"]  # lead: 区科委 and 闵行城投公司
    ProgressReport.objects.filter(task=task).delete()
    report_make(
        task=task, unit=world.units["科委"], period=PERIODS[5], status="done", percent=100, review_state="approved"
    )
    assert stored(task)[:2] == ("not_reported", None)
    TaskStatus.objects.filter(task=task).update(status="done", percent=100)  # as the rule before stored it
    assert task_status_drift()
    migration = importlib.import_module("tasks.migrations.0020_status_not_done_while_a_lead_is_silent")
    migration.forwards(apps, None)
    assert stored(task)[:2] == ("not_reported", None) and not task_status_drift()
    report_make(
        task=task, unit=world.units["城投"], period=PERIODS[5], status="done", percent=100, review_state="approved"
    )
    assert stored(task)[:2] == ("done", 100)
