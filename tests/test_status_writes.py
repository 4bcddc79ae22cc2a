"""tests/status_writes.py: conftest's drift check is skipped only where nothing was written to the
status tables since their stored status was known to agree with the reports."""

import pytest
from django.db import connection, transaction

from tasks.models import Milestone, Plan, ProgressReport, Task, TaskStatus, TaskUnit, Unit
from tasks.status.stored import task_status_drift
from tests.status_writes import _status_tables, status_unwritten_since_agreed, status_writes

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL counts each transaction's writes"),
]


def test_the_counted_tables_are_those_the_check_reads():
    # Every table the stored status is derived from (the status rule's inputs, migration 0012's
    # touch triggers) and the two it is stored in: a table missing here would let a write go unseen.
    # (tasks_unit: a 泛指 lead unit's silence does not hold a task back from 已完成.)
    models = (Milestone, Plan, ProgressReport, ProgressReport.milestones_met.through, Task, TaskStatus, TaskUnit, Unit)
    assert _status_tables() == sorted(m._meta.db_table for m in models)


def test_a_test_that_only_reads_after_the_copy_skips_the_check(seed_plans, client_as, office_user):
    assert any(inserted for _, inserted, _, _ in status_writes())  # the copy's rows
    assert client_as(office_user).get("/").status_code == 200
    assert status_unwritten_since_agreed()


def test_a_write_after_the_copy_brings_the_check_back_and_it_finds_the_difference(seed_plans):
    status = TaskStatus.objects.order_by("task_id").first()
    TaskStatus.objects.filter(pk=status.pk).update(percent=(status.percent or 0) + 1)  # a write without refresh
    assert not status_unwritten_since_agreed()
    assert task_status_drift() == [status.task_id]
    TaskStatus.objects.filter(pk=status.pk).update(percent=status.percent)  # so this test's own check passes


def test_a_task_written_before_the_copy_keeps_the_check(_seed_snapshot, shipped_aliases):
    from tasks.models import Category, Plan
    from tasks.services import task_status_refresh

    plan = Plan.objects.create(title="2040年计划", kind="annual", year_start=2040, year_end=2040)
    category = Category.objects.create(plan=plan, order=1, name="一、测试")
    task = Task.objects.create(plan=plan, category=category, number="1", position=1, text="写在复制之前")
    task_status_refresh(task_ids=[task.pk])
    _seed_snapshot.restore()
    assert not status_unwritten_since_agreed()


def test_a_snapshot_of_a_build_whose_status_disagrees_is_refused(_seed_snapshot, shipped_aliases):
    from tests.seeds import Snapshot

    def build() -> None:
        _seed_snapshot.restore()
        TaskStatus.objects.filter(task=Task.objects.order_by("pk").first()).update(percent=77)

    with pytest.raises(RuntimeError, match="whose stored status differs from reports"):
        Snapshot.take(build)
    assert not transaction.get_connection().needs_rollback
