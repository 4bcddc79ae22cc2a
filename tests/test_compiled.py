"""minhang_plans.compiled: a query's SQL built once per key gives the same rows as building it each
time, reads the data as it is now, refuses a builder that queries, forgets on a settings change,
stays within its size, and the pages it serves are the same byte for byte with it switched off."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from minhang_plans.compiled import (
    BuilderQueried,
    compiled_rows,
    compiled_size,
    compiled_statement,
)
from supervision.selectors.counts import counts_sql
from tasks.models import Plan, PlanKind, Task, TaskUnit, Unit
from tasks.selectors.version import Scope, scope_version
from tasks.status.clock import Clock
from tests.factories import TODAY
from tests.html import csrf_removed

pytestmark = pytest.mark.django_db


@pytest.fixture
def annual(seed_plans) -> Plan:
    return Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2025)


def _statuses(plan_id: int):
    return (
        Task.objects.filter(plan_id=plan_id)
        .with_status_shown(Clock(today=TODAY))
        .order_by("position")
        .values_list("pk", "number", "light", "status", "percent")
    )


def test_the_rows_are_those_of_the_queryset_and_the_sql_is_built_once(annual):
    expected = list(_statuses(annual.pk))
    assert len(expected) == 190
    first = compiled_rows(key=("t", annual.pk), build=lambda: _statuses(annual.pk))
    built = []

    def counting():
        built.append(1)
        return _statuses(annual.pk)

    again = compiled_rows(key=("t", annual.pk), build=counting)
    assert first == expected
    # Another call site (another builder's code) never shares the entry: built once for itself.
    assert again == expected and built == [1]
    assert compiled_rows(key=("t", annual.pk), build=counting) == expected
    assert built == [1]


def test_model_instances_values_and_related_rows_come_back_as_django_gives_them(annual):
    def tasks():
        return Task.objects.filter(plan=annual.pk).select_related("plan", "category").order_by("position")[:5]

    rows = compiled_rows(key="models", build=tasks)
    again = compiled_rows(key="models", build=tasks)
    assert [t.pk for t in again] == [t.pk for t in tasks()]
    assert all(isinstance(t, Task) for t in again) and again[0] is not rows[0]
    with CaptureQueriesContext(connection) as queries:
        assert again[0].plan.title == annual.title and again[0].category.plan_id == annual.pk
    assert len(queries) == 0  # select_related came with the stored SQL
    per_unit = compiled_rows(
        key="values",
        build=lambda: (
            TaskUnit.objects.filter(task__plan=annual.pk)
            .values("unit__name")
            .annotate(n=Count("pk"))
            .order_by("-n", "unit__name")
        ),
    )
    assert per_unit == list(
        TaskUnit.objects.filter(task__plan=annual.pk)
        .values("unit__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "unit__name")
    )


def test_the_stored_sql_reads_the_data_as_it_is_now(annual):
    def red_ones():
        return _statuses(annual.pk).filter(light="red").values_list("pk", flat=True)

    before = compiled_rows(key="red", build=red_ones)
    green = Task.objects.filter(plan=annual).exclude(pk__in=before).order_by("position").first()
    Task.objects.filter(pk=green.pk).update(due_date=TODAY.replace(year=2024))  # now overdue: red
    after = compiled_rows(key="red", build=red_ones)
    assert set(after) == set(before) | {green.pk}


def test_the_key_tells_inputs_apart(annual, seed_plans):
    five = Plan.objects.get(kind=PlanKind.FIVE_YEAR)

    def of(plan_id: int):
        return compiled_rows(key=("plan", plan_id), build=lambda: _statuses(plan_id))

    assert len(of(annual.pk)) == 190 and len(of(five.pk)) == 74
    assert of(annual.pk) == list(_statuses(annual.pk))


def test_ids_are_parameters_of_one_entry(annual, seed_plans):
    """One stored SQL serves every plan; a list of ids keeps one entry per length."""
    five = Plan.objects.get(kind=PlanKind.FIVE_YEAR)

    def of(plan_id: int):
        return compiled_rows(key="plan-ids", build=lambda plan_id: _statuses(plan_id), ids={"plan_id": plan_id})

    assert of(annual.pk) == list(_statuses(annual.pk)) and of(five.pk) == list(_statuses(five.pk))
    assert compiled_size() == 1
    first = list(Task.objects.filter(plan=annual).order_by("position").values_list("pk", flat=True)[:3])
    other = list(Task.objects.filter(plan=five).order_by("position").values_list("pk", flat=True)[:3])

    def numbers(ids: list[int]):
        return compiled_rows(
            key="some",
            build=lambda ids: Task.objects.filter(pk__in=ids).order_by("pk").values_list("pk"),
            ids={"ids": ids},
        )

    assert numbers(first) == [(pk,) for pk in sorted(first)]
    assert numbers(other) == [(pk,) for pk in sorted(other)]
    assert numbers(first[:2]) == [(pk,) for pk in sorted(first[:2])]
    assert compiled_size() == 3


def test_an_id_the_builder_does_not_pass_as_a_parameter_is_refused(annual):
    with pytest.raises(ValueError, match="ids not passed as parameters"):
        compiled_rows(key="derived", build=lambda plan_id: _statuses(plan_id + 1), ids={"plan_id": annual.pk})
    with pytest.raises(ValueError, match="ids not passed as parameters"):
        compiled_rows(key="unused", build=lambda plan_id: _statuses(annual.pk), ids={"plan_id": annual.pk})


def test_an_empty_result_asks_nothing(annual):
    with CaptureQueriesContext(connection) as queries:
        assert compiled_rows(key="none", build=lambda: Task.objects.filter(pk__in=[])) == []
        assert compiled_rows(key="none", build=lambda: Task.objects.filter(pk__in=[])) == []
    assert len(queries) == 0


def test_a_builder_that_queries_is_refused(annual):
    def baking():
        ids = list(Unit.objects.values_list("pk", flat=True)[:3])  # rows of this moment in the SQL
        return TaskUnit.objects.filter(unit_id__in=ids)

    with pytest.raises(BuilderQueried, match="ran a query while building"):
        compiled_rows(key="baking", build=baking)
    with pytest.raises(BuilderQueried):
        compiled_statement(key="baking", build=lambda: counts_sql(querysets=[baking()]))


def test_a_settings_change_forgets_and_zero_entries_compiles_every_time(annual, settings):
    compiled_rows(key="a", build=lambda: _statuses(annual.pk))
    assert compiled_size() >= 1
    settings.LIGHT_DUE_SOON_DAYS = 5  # a builder reads it (the yellow rule)
    assert compiled_size() == 0
    settings.COMPILED_SQL_ENTRIES = 0
    assert compiled_rows(key="a", build=lambda: _statuses(annual.pk)) == list(_statuses(annual.pk))
    assert compiled_size() == 0


def test_the_least_recently_used_go_past_the_limit(annual, settings):
    settings.COMPILED_SQL_ENTRIES = 3
    for n in range(6):
        compiled_rows(key=("n", n), build=lambda n=n: Task.objects.filter(number=str(n)).values_list("pk"))
    assert compiled_size() == 3


def test_statements_are_kept_per_key(annual):
    def statement():
        return counts_sql(querysets=[Task.objects.filter(plan=annual.pk), Unit.objects.filter(Q(name__contains="区"))])

    sql, params = compiled_statement(key="counts", build=statement)
    assert compiled_statement(key="counts", build=statement) == (sql, tuple(params))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        assert cursor.fetchone()[0] == 190


@pytest.mark.django_db(transaction=True)
def test_each_thread_runs_the_stored_sql_on_its_own_connection(seed_plans):
    plan = Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2025)
    expected = compiled_rows(key="threads", build=lambda: _statuses(plan.pk))
    seen: list[object] = []

    def other() -> None:
        try:
            seen.append((compiled_rows(key="threads", build=lambda: _statuses(plan.pk)), connections["default"]))
        finally:
            connections.close_all()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    rows, used = seen[0]
    assert rows == expected and used is not connections["default"]


def test_pages_are_the_same_with_the_compiled_sql_off(
    annual, client_as, office_user, liaison_user, settings, pinned_clock
):
    """Every page that reads through it, as the office and as a liaison: the same HTML."""
    from django.core.cache import cache

    keji = Unit.objects.get(name="区科委")
    task = Task.objects.filter(plan=annual, unit_links__unit=keji).order_by("position").first()
    leader = task.leader_links.first().leader
    category = task.category
    paths = [
        "/",
        f"/units/{keji.pk}/",
        f"/leaders/{leader.pk}/",
        f"/tasks/{task.pk}/",
        f"/plans/{annual.pk}/",
        f"/plans/{annual.pk}/categories/{category.pk}/",
        "/tasks/?q=推进",
        "/tasks/?q=推进&page=2",
        "/tasks/?light=red&reported=no",
        "/units/",
        "/leaders/",
        f"/tasks/{task.pk}/report/{keji.pk}/",
    ]
    for user in (office_user, liaison_user):
        client = client_as(user)
        pages = {}
        for entries in (512, 0, 512):
            settings.COMPILED_SQL_ENTRIES = entries
            for path in paths:
                cache.clear()
                response = client.get(path)
                assert response.status_code == 200, path
                html = response.content.decode()
                # The CSRF token differs per response; the rest must not.
                html = csrf_removed(html)
                if path in pages:
                    assert html == pages[path], (user.username, path, entries)
                pages[path] = html
    assert scope_version(scope=Scope.everything())  # the pages' keys were read from real versions
