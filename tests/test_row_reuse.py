"""tasks/selectors/row_reuse.py: a page's per-task pieces kept under the task's version.

Transactional: the versions are moved by the database's triggers on committed writes, and
nothing is kept inside a transaction (as the page cache)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tasks.models import Leader, Plan, ProgressStatus, Task, TaskLeader, TaskUnit, Unit, UnitRole
from tasks.selectors import leader_rows_reuse, leader_task_list
from tasks.selectors.row_reuse import (
    Reuse,
    pieces_keep,
    pieces_reused,
    reuse_context,
    row_pieces_clear,
    row_pieces_count,
)
from tasks.selectors.version import data_version
from tasks.services.reports import ReportInput, report_save
from tests.factories import CLOCK
from tests.html import csrf_removed
from trends.selectors import leader_get_for

pytestmark = pytest.mark.django_db(transaction=True)
# The leader page reads its tasks' versions with the leader as arrays (ArraySubquery).
pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the versions are read as PostgreSQL arrays")


@pytest.fixture
def leader(seed_plans, pinned_clock) -> Leader:
    """The leader of the most tasks in the 2025 plan; nothing kept from earlier tests."""
    cache.clear()
    row_pieces_clear()
    annual = Plan.objects.get(kind="annual")
    most = (
        TaskLeader.objects.filter(task__plan=annual)
        .values("leader_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "leader_id")
    )
    return Leader.objects.get(pk=most[0]["leader_id"])


def a_single_lead_task_of(leader: Leader) -> Task:
    single = (
        TaskUnit.objects.filter(task__leader_links__leader=leader, task__plan__kind="annual", role=UnitRole.LEAD)
        .values("task_id")
        .annotate(n=Count("pk"))
        .filter(n=1)
        .order_by("task__position")
    )
    return Task.objects.get(pk=single[0]["task_id"])


def report_done(task: Task, user) -> None:
    unit = TaskUnit.objects.get(task=task, role=UnitRole.LEAD).unit
    data = ReportInput(status=ProgressStatus.DONE, percent=100, progress_text="已完成。", problems="")
    report_save(user=user, task=task, unit=unit, period=dt.date(2025, 6, 1), data=data, version=None)


def ids_read(captured) -> list[list[int]]:
    """The id lists of the queries that read tasks by id (rows, their units and leaders, the
    cockpit's links)."""
    found = []
    for query in captured.captured_queries:
        match = re.search(r'"tasks_task(?:unit)?"\."(?:id|task_id)" IN \(([^)]*)\)', query["sql"])
        if match:
            found.append(sorted({int(part) for part in match.group(1).split(",")}))  # repeats: ids_padded
    return found


def page_of(client, url: str) -> tuple[str, int, list[list[int]]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    main = csrf_removed(html[html.index("<main") :])
    return main, len(captured), ids_read(captured)


@pg_only
def test_after_a_report_the_leader_page_reads_that_task_only_and_is_the_page_built_afresh(
    leader, client_as, office_user
):
    client = client_as(office_user)
    url = reverse("tasks:leader", args=[leader.pk])
    first, _, read = page_of(client, url)
    # Nothing kept yet: every task read by id (its row, its units and leaders, its links), and kept.
    everything = sorted(row.id for row in leader_task_list(leader=leader, clock=CLOCK))
    assert read == [everything] * 3 and len(everything) > 10 and row_pieces_count() == 2 * len(everything)
    task = a_single_lead_task_of(leader)
    report_done(task, office_user)

    kept, queries, read = page_of(client, url)
    assert read == [[task.pk]] * 3  # only the reported task, again
    assert queries <= 12 and kept != first
    assert f'href="/tasks/{task.pk}/"' in kept

    cache.clear()
    row_pieces_clear()
    afresh, _, read = page_of(client, url)
    assert read == [everything] * 3 and afresh == kept  # as built from nothing


@pg_only
def test_a_renamed_unit_is_shown_at_once(leader, client_as, office_user):
    client = client_as(office_user)
    url = reverse("tasks:leader", args=[leader.pk])
    page_of(client, url)
    unit = TaskUnit.objects.filter(task__leader_links__leader=leader, role=UnitRole.LEAD).first().unit
    number = data_version()
    Unit.objects.filter(pk=unit.pk).update(name="区测试改名委")
    assert data_version() > number  # a new shared number: a new context, nothing reused
    html, _, read = page_of(client, url)
    assert "区测试改名委" in html and unit.name not in html and len(read) == 3 and len(read[0]) > 10


def test_only_the_missing_and_the_changed_are_fetched(leader):
    context = reuse_context(clock=CLOCK, shared=data_version())
    assert context is not None
    asked: list[list[int]] = []

    def fetch(ids: list[int]) -> dict[int, str]:
        asked.append(ids)
        return {task_id: f"piece {task_id}" for task_id in ids if task_id != 3}  # 3: no such task

    versions = ((1, 5), (2, 7), (3, 1), (4, None))
    got = pieces_reused(kind="test", reuse=Reuse(context=context, versions=versions), fetch=fetch)
    assert got == [(1, "piece 1"), (2, "piece 2"), (4, "piece 4")] and asked == [[1, 2, 3, 4]]
    # Task 2's version moved; task 4 has no version (no status row) and is never kept.
    moved = ((1, 5), (2, 8), (3, 1), (4, None))
    again = pieces_reused(kind="test", reuse=Reuse(context=context, versions=moved), fetch=fetch)
    assert again == got and asked[-1] == [2, 3, 4]
    # Another kind of piece, another day: kept apart.
    pieces_reused(kind="other", reuse=Reuse(context=context, versions=moved[:1]), fetch=fetch)
    assert asked[-1] == [1]
    tomorrow = reuse_context(clock=CLOCK.__class__(today=CLOCK.today + dt.timedelta(days=1)), shared=data_version())
    assert tomorrow != context
    pieces_reused(kind="test", reuse=Reuse(context=tomorrow, versions=moved[:1]), fetch=fetch)
    assert asked[-1] == [1]


def test_the_store_keeps_at_most_its_size(leader, settings):
    settings.TASK_PIECE_ENTRIES = 3
    context = reuse_context(clock=CLOCK, shared=data_version())
    pieces_keep(kind="test", context=context, pieces=[(i, 1, i) for i in range(10)])
    assert row_pieces_count() == 3


def test_nothing_is_kept_or_reused_inside_a_transaction_without_triggers_or_when_off(leader, settings):
    with transaction.atomic():
        assert reuse_context(clock=CLOCK, shared=data_version()) is None
        read, _, _ = leader_get_for(leader_id=leader.pk, user_id=None)
        assert leader_rows_reuse(leader=read, clock=CLOCK, shared=data_version()) is None
    assert reuse_context(clock=CLOCK, shared=None) is None
    settings.TASK_PIECE_ENTRIES = 0
    assert reuse_context(clock=CLOCK, shared=data_version()) is None


@pg_only
def test_reused_rows_are_the_rows_read_afresh(leader, office_user):
    shared = data_version()
    fresh = leader_task_list(leader=leader, clock=CLOCK)
    read, _, _ = leader_get_for(leader_id=leader.pk, user_id=None)
    reuse = leader_rows_reuse(leader=read, clock=CLOCK, shared=shared)
    assert reuse is not None and [task_id for task_id, _ in reuse.versions] == sorted(row.id for row in fresh)
    assert leader_task_list(leader=leader, clock=CLOCK, reuse=reuse) == fresh
    report_done(a_single_lead_task_of(leader), office_user)
    read, _, _ = leader_get_for(leader_id=leader.pk, user_id=None)
    reuse = leader_rows_reuse(leader=read, clock=CLOCK, shared=shared)
    after = leader_task_list(leader=leader, clock=CLOCK, reuse=reuse)
    assert after == leader_task_list(leader=leader, clock=CLOCK) and after != fresh


def test_without_the_versions_nothing_is_reused(leader):
    """A leader read without its tasks' versions (another database than PostgreSQL, or another
    query) gets its page built as before."""
    assert leader_rows_reuse(leader=leader, clock=CLOCK, shared=data_version()) is None
