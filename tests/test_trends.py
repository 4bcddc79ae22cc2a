"""trends: the status snapshot at a period's close (model, services, commands, the daily job on the
real worker). The trend selectors are in test_trends_selectors.py, the pages in test_trends_cockpit.py."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_q.models import Schedule

from jobs.schedules import schedules_ensure
from jobs.worker import queue_drain
from tasks.choices import CurrentStatus, DueRule, Light, ProgressStatus, ReviewState
from tasks.models import Plan, TaskStatus
from tests.factories import LAST_PERIOD, TODAY, report_make, world_build
from trends.models import StatusSnapshot
from trends.selectors import snapshot_overdue
from trends.services import (
    snapshot_reconstruct,
    snapshot_take,
    snapshots_backfill,
    snapshots_take_due,
)

D = dt.date
MAY = LAST_PERIOD  # 2025-05-01: the latest closed month on TODAY (2025-06-15)


@pytest.fixture
def world(db, pinned_clock):
    return world_build()


def rows(plan: Plan, period: dt.date) -> dict[str, StatusSnapshot]:
    """The plan's snapshot of the period by task number."""
    return {s.task.number: s for s in StatusSnapshot.objects.filter(plan=plan, period=period).select_related("task")}


def values(s: StatusSnapshot) -> tuple:
    return (s.light, s.status, s.percent, s.reported, s.overdue, s.done)


# -- taking a snapshot --------------------------------------------------------------------------------


def test_a_snapshot_holds_each_active_task_as_the_rule_says_on_the_close_day(world):
    taken = snapshot_take(plan=world.annual, period=MAY)
    assert (taken.plan_id, taken.period, taken.tasks) == (world.annual.pk, MAY, 3 + 20)  # 撤销 is withdrawn
    got = rows(world.annual, MAY)
    assert "3" not in got
    # 营商: due 31 March, never reported: overdue at the close (31 May), red.
    assert values(got["1"]) == (Light.RED, CurrentStatus.NOT_REPORTED, None, False, True, False)
    # 服务包: due 1 July, more than 30 days after the close: not yet yellow; nobody reported: grey.
    assert values(got["2"]) == (Light.GREY, CurrentStatus.NOT_REPORTED, None, False, False, False)
    # 研发: the stored status as it stands (区科委's June report), 城投 never reported.
    assert values(got["4"]) == (Light.GREY, ProgressStatus.IN_PROGRESS, 40, False, False, False)
    assert snapshot_overdue(plan_id=world.annual.pk, period=MAY) >= {world.tasks["营商"].pk}
    assert world.tasks["服务包"].pk not in snapshot_overdue(plan_id=world.annual.pk, period=MAY)
    assert {timezone.localdate(s.taken_at) for s in got.values()} == {timezone.localdate()}


def test_this_period_at_the_close_is_the_period_closed_even_when_the_close_falls_in_the_next(world):
    five = world.five_year
    five.report_due_rule, five.report_due_number = DueRule.WORKDAYS_AFTER, 5
    five.save()
    snapshot_take(plan=five, period=MAY)  # closes on 9 June
    got = rows(five, MAY)
    # 零号湾: both lead units reported for May (approved): reported, though the close day is in June.
    assert values(got["2"]) == (Light.RED, ProgressStatus.BEHIND, 10, True, False, False)
    assert values(got["1"]) == (Light.GREEN, ProgressStatus.DONE, 100, True, False, True)  # 南部科创


def test_taking_a_period_again_replaces_it_in_one_delete_and_one_insert(world):
    snapshot_take(plan=world.annual, period=MAY)
    first = {k: values(v) for k, v in rows(world.annual, MAY).items()}
    report_make(
        task=world.tasks["服务包"],
        unit=world.units["经委"],
        period=MAY,
        status=ProgressStatus.DONE,
        percent=100,
        review_state=ReviewState.APPROVED,
    )
    with CaptureQueriesContext(connection) as ctx:
        taken = snapshot_take(plan=world.annual, period=D(2025, 5, 20))  # any day names its period
    inserts = [q for q in ctx.captured_queries if q["sql"].startswith("INSERT INTO")]
    deletes = [q for q in ctx.captured_queries if q["sql"].startswith("DELETE FROM")]
    assert len(inserts) == 1 and len(deletes) == 1 and taken.period == MAY
    again = {k: values(v) for k, v in rows(world.annual, MAY).items()}
    assert StatusSnapshot.objects.filter(plan=world.annual, period=MAY).count() == 23
    assert again["2"] == (Light.GREEN, ProgressStatus.DONE, 100, True, False, True)
    assert {k: v for k, v in again.items() if k != "2"} == {k: v for k, v in first.items() if k != "2"}


def test_one_row_per_task_and_period(world):
    snapshot_take(plan=world.annual, period=MAY)
    row = StatusSnapshot.objects.filter(plan=world.annual).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusSnapshot.objects.create(
            task=row.task,
            plan=row.plan,
            period=MAY,
            light=Light.RED,
            status=CurrentStatus.NOT_REPORTED,
            reported=False,
            overdue=False,
            done=False,
            taken_at=timezone.now(),
        )


def test_a_task_deleted_takes_its_snapshots_with_it(world):
    snapshot_take(plan=world.annual, period=MAY)
    world.tasks["服务包"].delete()
    assert StatusSnapshot.objects.filter(plan=world.annual, period=MAY).count() == 22


# -- the daily job -------------------------------------------------------------------------------------


def test_the_job_takes_each_open_plans_latest_closed_period_once(world, clock_at):
    clock_at(D(2025, 6, 1))
    assert snapshots_take_due() == 2
    assert set(StatusSnapshot.objects.values_list("plan_id", "period").distinct()) == {
        (world.annual.pk, MAY),
        (world.five_year.pk, MAY),
    }
    assert snapshots_take_due() == 0  # nothing new the same day or until June closes
    clock_at(D(2025, 6, 30))
    assert snapshots_take_due() == 0
    clock_at(D(2025, 7, 1))
    assert snapshots_take_due() == 2


def test_a_closed_plan_is_left_alone(world, office_user, clock_at):
    from yearend.models import PlanClosure

    PlanClosure.objects.create(plan=world.five_year, closed_by=office_user, closed_at=timezone.now())
    assert snapshots_take_due() == 1
    assert set(StatusSnapshot.objects.values_list("plan_id", flat=True).distinct()) == {world.annual.pk}


worker_db = pytest.mark.django_db(transaction=True)
SNAPSHOT = "期末状态快照"


@worker_db
def test_the_job_runs_on_the_real_worker_after_the_close(clock_at, shipped_aliases):
    clock_at(TODAY)
    world = world_build()
    schedules_ensure()
    schedule = Schedule.objects.get(name=SNAPSHOT)
    assert schedule.func == "trends.services.snapshots_take_due" and schedule.schedule_type == Schedule.DAILY
    assert timezone.localtime(schedule.next_run).hour == 2
    # Only this schedule is due (an hourly one may have come due while the suite ran).
    Schedule.objects.exclude(name=SNAPSHOT).update(next_run=timezone.now() + dt.timedelta(days=1))
    Schedule.objects.filter(name=SNAPSHOT).update(next_run=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert queue_drain(schedules=True) == 1
    assert StatusSnapshot.objects.filter(period=MAY).count() == (3 + 20) + (3 + 20)
    assert rows(world.annual, MAY)["1"].overdue is True
    # The next run the same day finds nothing to take.
    Schedule.objects.filter(name=SNAPSHOT).update(next_run=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    before = set(StatusSnapshot.objects.values_list("pk", flat=True))
    assert queue_drain(schedules=True) == 1
    assert set(StatusSnapshot.objects.values_list("pk", flat=True)) == before


# -- backfill -----------------------------------------------------------------------------------------


def test_backfill_reads_each_period_from_the_reports_up_to_it(world):
    taken = snapshots_backfill(periods=3)
    assert sorted({(t.plan_id, t.period) for t in taken}) == sorted(
        (plan.pk, D(2025, m, 1)) for plan in (world.five_year, world.annual) for m in (3, 4, 5)
    )
    five_april, five_may = rows(world.five_year, D(2025, 4, 1)), rows(world.five_year, MAY)
    # 零号湾: nothing reported up to April; in May 发改 reported 滞后 and 科委 推进中 (approved).
    assert values(five_april["2"]) == (Light.GREY, CurrentStatus.NOT_REPORTED, None, False, False, False)
    assert values(five_may["2"]) == (Light.RED, ProgressStatus.BEHIND, 10, True, False, False)
    assert values(five_may["1"]) == (Light.GREEN, ProgressStatus.DONE, 100, True, False, True)
    # 研发's June report is after May: not there yet (the live snapshot would read it).
    assert values(rows(world.annual, MAY)["4"]) == (Light.GREY, CurrentStatus.NOT_REPORTED, None, False, False, False)
    # 营商 fell due on 31 March: not overdue at March's close, overdue at April's.
    assert rows(world.annual, D(2025, 3, 1))["1"].light == Light.YELLOW
    assert rows(world.annual, D(2025, 4, 1))["1"].overdue is True
    # The stored status is what the reports say today (conftest checks every task after the test too).
    assert TaskStatus.objects.get(task=world.tasks["研发"]).percent == 40


def test_backfill_fills_only_what_is_missing_unless_asked(world):
    snapshot_take(plan=world.annual, period=MAY)
    live = rows(world.annual, MAY)["4"].pk
    taken = snapshots_backfill(periods=2)
    assert {(t.plan_id, t.period) for t in taken} == {
        (world.annual.pk, D(2025, 4, 1)),
        (world.five_year.pk, D(2025, 4, 1)),
        (world.five_year.pk, MAY),
    }
    assert rows(world.annual, MAY)["4"].pk == live  # the live snapshot is kept
    assert snapshots_backfill(periods=2) == []
    assert len(snapshots_backfill(periods=2, replace=True, plan_ids=[world.annual.pk])) == 2
    assert values(rows(world.annual, MAY)["4"])[1] == CurrentStatus.NOT_REPORTED


def test_backfill_counts_review_states_as_they_are_today(world):
    report_make(
        task=world.tasks["服务包"],
        unit=world.units["经委"],
        period=D(2025, 4, 1),
        status=ProgressStatus.IN_PROGRESS,
        percent=20,
        review_state=ReviewState.RETURNED,
    )
    snapshot_reconstruct(plan=world.annual, period=D(2025, 4, 1))
    assert values(rows(world.annual, D(2025, 4, 1))["2"])[:4] == (Light.GREY, CurrentStatus.NOT_REPORTED, None, False)


# -- commands -----------------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as error:
        run(*args)
    return str(error.value)


def test_snapshots_take_command(world):
    assert run("snapshots_take") == "已拍摄 2 个规划的期末状态快照。\n"
    assert run("snapshots_take") == "各规划最近结束的周期均已有快照。\n"
    assert run("snapshots_take", "--plan", str(world.annual.pk), "--period", "2025-04") == (
        "已拍摄《2025年区委、区政府重点工作》2025年4月的期末状态快照：23 项任务。\n"
    )
    assert (
        refused("snapshots_take", "--plan", str(world.annual.pk), "--period", "2025-06")
        == "《2025年区委、区政府重点工作》2025年6月尚未结束（2025-06-30截止），不能拍摄快照。"
    )
    assert refused("snapshots_take", "--plan", "999999") == "规划 ID 999999 不存在。"
    assert refused("snapshots_take", "--period", "5月") == "周期格式应为 YYYY-MM（如 2025-05），收到“5月”。"
    out = run("snapshots_take", "--period", "2024-12")
    assert "《2025年区委、区政府重点工作》：2024年12月不在该规划的报送期内，未拍摄。" in out
    assert "已拍摄《闵行区“十四五”规划重点任务》2024年12月的期末状态快照：23 项任务。" in out


def test_snapshots_backfill_command(world):
    out = run("snapshots_backfill", "--periods", "12")
    # The five-year plan: June 2024 – May 2025; the annual plan: January – May 2025.
    assert out.startswith("已推算 17 个规划周期的状态快照，共 391 行，用时 ")
    assert out.endswith("秒（由进展报告推算的近似值）。\n")
    assert run("snapshots_backfill").startswith("已推算 0 个规划周期的状态快照，共 0 行")
    assert refused("snapshots_backfill", "--periods", "0") == "--periods 须在 1 至 60 之间。"
