"""tasks/selectors/plan_summaries.py: each plan's figures kept under its own version.

Transactional: the versions are moved by the database's triggers on committed writes, and
nothing is kept inside a transaction (as the page cache)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tasks.models import Plan, ProgressStatus, Task, TaskState, TaskStatus, TaskUnit, UnitRole
from tasks.selectors.plan_summaries import plan_summaries, plan_versions
from tasks.selectors.version import data_version
from tasks.services import task_status_refresh
from tasks.services.reports import ReportInput, report_save
from tasks.status.clock import Clock
from tasks.status.summary import summaries
from tests.factories import CLOCK
from tests.html import csrf_removed

pytestmark = pytest.mark.django_db(transaction=True)


def counted_now(clock: Clock = CLOCK) -> dict:
    """The plain count: every open plan's active tasks in one GROUP BY, nothing kept."""
    return summaries(Task.objects.active().with_status(clock), keys=("plan_id", "city_level"))


def report_on_a_single_lead_task(plan: Plan, user, *, status: str, first: bool) -> None:
    """A report through the service on the plan's first (or last) task with one lead unit: it
    takes the task out of 本期未报送, so the plan's figures change."""
    single = (
        TaskUnit.objects.filter(task__plan=plan, role=UnitRole.LEAD)
        .values("task_id")
        .annotate(n=Count("pk"))
        .filter(n=1)
        .order_by("task__position" if first else "-task__position")
    )
    task = Task.objects.get(pk=single[0]["task_id"])
    unit = TaskUnit.objects.get(task=task, role=UnitRole.LEAD).unit
    percent = 100 if status == ProgressStatus.DONE else 40
    data = ReportInput(status=status, percent=percent, progress_text="按计划推进。", problems="资金未到位。")
    report_save(user=user, task=task, unit=unit, period=dt.date(2025, 6, 1), data=data, version=None)


def statements(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries]


@pytest.fixture
def annual(seed_plans, pinned_clock) -> Plan:
    cache.clear()
    return Plan.objects.get(kind="annual")


def test_the_figures_are_the_plain_counts_first_kept_and_after_a_report(annual, office_user):
    number = data_version()
    assert number and not connection.in_atomic_block
    first = plan_summaries(clock=CLOCK, number=number)
    assert first == counted_now() and {plan_id for plan_id, _ in first} == set(
        Plan.objects.values_list("pk", flat=True)
    )
    with CaptureQueriesContext(connection) as captured:
        kept = plan_summaries(clock=CLOCK, number=number)
    assert kept == first
    assert len(captured) == 1  # the plans' versions only: every plan's figures were kept

    report_on_a_single_lead_task(annual, office_user, status=ProgressStatus.DONE, first=True)
    assert data_version() == number  # a report leaves the shared number: only its plan's version moves

    with CaptureQueriesContext(connection) as captured:
        after = plan_summaries(clock=CLOCK, number=number)
    assert after == counted_now() and after != first
    assert after[(annual.pk, False)].n_silent == first[(annual.pk, False)].n_silent - 1
    recounted = [sql for sql in statements(captured) if "GROUP BY" in sql and "CASE" in sql]
    assert len(recounted) == 1 and len(captured) == 2  # versions, then the one plan that moved


def test_a_withdrawn_task_and_a_new_day_are_counted_again(annual):
    number = data_version()
    plan_summaries(clock=CLOCK, number=number)
    Task.objects.filter(pk=Task.objects.filter(plan=annual).order_by("position").values("pk")[:1]).update(
        state=TaskState.WITHDRAWN
    )
    assert plan_summaries(clock=CLOCK, number=data_version()) == counted_now()
    later = Clock(today=CLOCK.today + dt.timedelta(days=40))  # lights move with the date
    assert plan_summaries(clock=later, number=data_version()) == counted_now(later)


def test_each_plans_version_is_its_status_rows_and_their_versions(annual):
    versions = plan_versions()
    assert set(versions) == set(Plan.objects.values_list("pk", flat=True))
    for plan in Plan.objects.all():
        statuses = TaskStatus.objects.filter(task__plan=plan)  # through the task, not the copied column
        assert versions[plan.pk] == (statuses.count(), sum(statuses.values_list("version", flat=True)))


def test_a_closed_plan_has_no_version(annual, office_user):
    from yearend.models import PlanClosure

    PlanClosure.objects.create(plan=annual, closed_by=office_user, closed_at=timezone.now())
    assert annual.pk not in plan_versions()


def test_a_status_row_takes_its_tasks_plan_and_follows_it(annual):
    """Migration 0017's triggers: on insert (the refresh's upsert), when the task moves, and when a
    stale instance would write its old plan back."""
    five_year = Plan.objects.exclude(pk=annual.pk).get()
    task = Task.objects.filter(plan=annual).order_by("position").first()
    TaskStatus.objects.filter(task=task).delete()
    task_status_refresh(task_ids=[task.pk])
    assert TaskStatus.objects.get(task=task).plan_id == annual.pk

    stale = TaskStatus.objects.get(task=task)
    before = plan_versions()
    Task.objects.filter(pk=task.pk).update(plan=five_year, number="移入-1")  # numbers are unique per plan
    assert TaskStatus.objects.get(task=task).plan_id == five_year.pk
    after = plan_versions()
    assert after[five_year.pk][0] == before[five_year.pk][0] + 1
    assert after[annual.pk][0] == before[annual.pk][0] - 1

    stale.save()  # writes back the annual plan it was read with
    assert TaskStatus.objects.get(task=task).plan_id == five_year.pk


def test_nothing_is_kept_inside_a_transaction_or_without_triggers(annual):
    from django.db import transaction

    with transaction.atomic():
        assert plan_summaries(clock=CLOCK, number=data_version()) == counted_now()
    assert plan_summaries(clock=CLOCK, number=None) == counted_now()
    assert not [key for key in cache._cache if "plan-summar" in key]


def test_the_home_page_after_a_report_is_the_page_counted_afresh(annual, client_as, office_user):

    from django.urls import reverse

    client = client_as(office_user)
    home = reverse("tasks:dashboard")
    client.get(home)  # every plan's figures kept
    report_on_a_single_lead_task(annual, office_user, status=ProgressStatus.BEHIND, first=False)

    def page() -> str:
        # The page's own content: the header's 我的待办 badge may lag by design (its own cache).
        html = client.get(home).content.decode()
        return csrf_removed(html[html.index("<main") :])

    kept = page()  # the page rebuilt, the other plans' figures read from the cache
    cache.clear()
    assert kept == page()  # as counted from nothing


def test_the_plan_column_migrates_back_and_forth_on_sqlite_keeping_every_trigger(tmp_path):
    """SQLite rebuilds a table to drop an indexed column, and a rebuilt table loses its triggers
    (and fails on those of other tables that name it): the column has no index, so it is dropped in
    place. Run as an operator would, in its own database."""
    import os
    import sqlite3
    import subprocess
    import sys
    from contextlib import closing
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=root, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    def triggers() -> list[str]:
        # Read with Python's own sqlite3: the file as the migrations left it, without starting Django.
        with closing(sqlite3.connect(tmp_path / "db.sqlite3")) as db:
            return [
                name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            ]

    manage("migrate", "-v0")
    before = triggers()
    assert "tasks_taskstatus_plan_insert" in before and "tasks_taskstatus_version" in before
    manage("migrate", "tasks", "0016", "-v0")
    back = triggers()
    assert "tasks_taskstatus_plan_insert" not in back and "tasks_taskstatus_version" in back
    manage("migrate", "-v0")
    assert triggers() == before
