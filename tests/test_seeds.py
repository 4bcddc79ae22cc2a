"""tests/seeds.py: the session's one import (the `seed_plans` fixture) and its one world
(tests.factories.world_build), each copied into a test, leave the database as a real import or
build in that test would have left it."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from imports.models import ImportRecord
from imports.pipeline import plan_import
from tasks.models import (
    Category,
    DataVersion,
    Plan,
    ProgressReport,
    Project,
    Task,
    TaskLeader,
    TaskStatus,
    TaskUnit,
    Unit,
    UnitAlias,
)
from tests.conftest import ANNUAL_2025_TXT, FIVE_YEAR_TXT
from tests.factories import WORLD_SNAPSHOT, World, world_build, world_steps


def _import_for_real() -> None:
    for path in (FIVE_YEAR_TXT, ANNUAL_2025_TXT):
        plan_import(data=path.read_bytes(), file_name=path.name)


def _fingerprint() -> dict:
    """Every row the seeds make, named by what it says rather than by its key, and every table's size."""
    history = Task.history.model
    return {
        "plans": sorted(Plan.objects.values_list("kind", "year_start", "year_end", "title", "stated_tasks")),
        "categories": sorted(Category.objects.values_list("plan__kind", "order", "name", "stated_count")),
        "projects": sorted(Project.objects.values_list("category__plan__kind", "category__order", "order", "name")),
        "tasks": sorted(
            Task.objects.values_list(
                "plan__kind", "number", "position", "text", "due_date", "city_level", "state", "project__name"
            )
        ),
        "unit_links": sorted(
            TaskUnit.objects.values_list("task__plan__kind", "task__number", "unit__name", "role", "position")
        ),
        "leader_links": sorted(
            TaskLeader.objects.values_list("task__plan__kind", "task__number", "leader__name", "position")
        ),
        "status": sorted(
            TaskStatus.objects.values_list(
                "task__plan__kind", "task__number", "status", "percent", "lead_units", "reported_since"
            )
        ),
        "reports": sorted(
            ProgressReport.objects.values_list(
                "task__plan__kind", "task__number", "unit__name", "period", "status", "percent", "review_state"
            )
        ),
        "units": sorted(Unit.objects.values_list("name", "kind")),
        "aliases": sorted(UnitAlias.objects.values_list("name", "unit__name")),
        "history": sorted(history.objects.values_list("plan__kind", "number", "history_type")),
        "imports": sorted(ImportRecord.objects.values_list("file_name", "sha256", "outcome", "plan__kind")),
        "sizes": {
            m._meta.label: m._base_manager.count()
            for m in apps.get_models(include_auto_created=True)
            if m._meta.managed and not m._meta.proxy and m._meta.label != "tasks.DataVersion"
        },
    }


@pytest.mark.django_db
def test_the_copied_seeds_equal_an_import_even_when_the_test_made_their_units_and_leaders_first(
    liaison_user, leader_user, shipped_aliases, _seed_snapshot
):
    # liaison_user made 区科委 and leader_user made 谭瑞琮 before the seeds: the import uses those rows.
    savepoint = transaction.savepoint()
    _import_for_real()
    imported = _fingerprint()
    transaction.savepoint_rollback(savepoint)
    assert _fingerprint()["sizes"]["tasks.Task"] == 0

    before = timezone.now()
    _seed_snapshot.restore()
    reports = _seed_snapshot.result
    assert _fingerprint() == imported
    assert [r.file_name for r in reports] == [FIVE_YEAR_TXT.name, ANNUAL_2025_TXT.name]
    # The rows point at the persona's unit and leader, and say they were made now.
    assert TaskUnit.objects.filter(unit__name="区科委").exists()
    assert liaison_user.profile.units.get().task_links.exists()
    assert leader_user.profile.leader.task_links.exists()
    # (as long before the restore as the session's import took: never after it, or history would
    # compare a test's edit with rows from its future)
    took = _seed_snapshot.finished - _seed_snapshot.started
    made = list(ImportRecord.objects.values_list("created_at", flat=True))
    after = timezone.now()
    assert len(made) == 2 and all(before - took <= moment <= after for moment in made), (before, took, made)


@pytest.mark.django_db(transaction=True)
def test_the_copied_seeds_equal_an_import_after_a_flush_recreated_the_shipped_units(_seed_snapshot):
    # A flush empties every table; post_migrate puts the shipped units back under new keys
    # (keys keep counting, as after a transactional test).
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
    _seed_snapshot.restore()
    restored = _fingerprint()
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
    _import_for_real()
    assert restored == _fingerprint()


def _named(world: World) -> dict:
    """What each nickname of the world names, by content rather than key."""
    return {
        "plans": {name: (p.kind, p.year_start) for name, p in (("five", world.five_year), ("annual", world.annual))},
        "units": {name: u.name for name, u in world.units.items()},
        "leaders": {name: x.name for name, x in world.leaders.items()},
        "tasks": {name: (t.plan.kind, t.number, t.text, t.state) for name, t in world.tasks.items()},
        "categories": {name: (c.plan.kind, c.name) for name, c in world.categories.items()},
        "projects": {name: (p.category.name, p.name) for name, p in world.projects.items()},
    }


@pytest.mark.django_db
def test_the_copied_world_equals_a_build_even_when_the_test_made_its_units_and_leaders_first(liaison_user, leader_user):
    assert WORLD_SNAPSHOT, "the session's world was not taken"
    savepoint = transaction.savepoint()
    built = world_steps()
    expected = (_fingerprint(), _named(built))
    transaction.savepoint_rollback(savepoint)
    assert Task.objects.count() == 0

    world = world_build()
    assert (_fingerprint(), _named(world)) == expected
    # The world's objects are this database's rows: the persona's unit and leader among them.
    assert world.units["科委"] == liaison_user.profile.units.get()
    assert world.leaders["谭"] == leader_user.profile.leader
    assert world.tasks["研发"] == Task.objects.get(plan=world.annual, number="4")


@pytest.mark.django_db(transaction=True)
def test_the_copied_world_equals_a_build_after_a_flush_recreated_the_shipped_units():
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
    world = world_build()
    copied = (_fingerprint(), _named(world))
    assert world.units["发改"] == Unit.objects.get(name="区发展改革委")
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
    named = _named(world_steps())
    assert copied == (_fingerprint(), named)


@pytest.mark.django_db
def test_a_world_at_another_scale_is_built_not_copied():
    world = world_build(scale=2)
    assert Task.objects.filter(plan=world.annual).count() == 4 + 40


def _data_version() -> int | None:
    return DataVersion.objects.values_list("number", flat=True).first()


@pytest.mark.django_db(transaction=True)
def test_the_copy_moves_the_data_version_so_no_cached_page_outlives_it(_seed_snapshot):
    before = _data_version()
    if before is None:
        pytest.skip("no data version row: this database has no PL/pgSQL, so no page is cached")
    _seed_snapshot.restore()
    assert _data_version() > before


@pytest.mark.django_db
def test_on_postgresql_as_superuser_the_copied_status_rows_are_the_builds_own_rows(_seed_snapshot, shipped_aliases):
    connection.ensure_connection()
    if connection.vendor != "postgresql" or connection.connection.info.parameter_status("is_superuser") != "on":
        pytest.skip("rows go in without their triggers only for a PostgreSQL superuser")
    recorded = next(t for t in _seed_snapshot.tables if t.model is TaskStatus)
    expected = sorted((r["task_id"], r["version"], r["plan_id"]) for r in recorded.rows)
    _seed_snapshot.restore()
    # Exactly as the build left them (the status rows go in after the rows whose triggers touch them,
    # so this held with triggers on too: the copy without them changes nothing here).
    assert sorted(TaskStatus.objects.values_list("task_id", "version", "plan_id")) == expected
    with connection.cursor() as cursor:  # and the test's own writes fire triggers and checks again
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"
