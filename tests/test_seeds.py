"""The `seed_plans` fixture (tests/seeds.py): the session's one import, copied into a test, leaves
the database as a real import in that test would have left it."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from imports.models import ImportRecord
from imports.pipeline import plan_import
from tasks.models import Category, Plan, Project, Task, TaskLeader, TaskStatus, TaskUnit, Unit, UnitAlias
from tests.conftest import ANNUAL_2025_TXT, FIVE_YEAR_TXT


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
    reports = _seed_snapshot.restore()
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
