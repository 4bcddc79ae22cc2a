"""tests/fast_flush.py: a transactional test's teardown leaves the database as Django's flush does."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection

from tasks.models import Task, Unit
from tests.factories import world_build
from tests.fast_flush import FlushedState

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps Django's flush")


def _flush() -> FlushedState:
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
    return FlushedState.read()


@pytest.mark.django_db(transaction=True)
def test_putting_back_equals_djangos_flush_after_writes_everywhere():
    flushed = _flush()
    assert {"django_content_type", "auth_permission", "auth_group", "tasks_unit"} <= set(flushed.refilled)
    assert "tasks_task" in flushed.emptied

    world_build()  # rows in emptied tables, units added to a refilled one, the data version moved
    Unit.objects.filter(name="区发展改革委").update(name="区发改委（改）")  # a refilled row changed
    Group.objects.filter(permissions__isnull=False).first().permissions.clear()  # refilled rows removed
    written, changed = flushed.differences()
    assert {"tasks_task", "tasks_progressreport"} <= set(written)
    # (the data version row exists where PL/pgSQL does: migration 0009)
    moved = {"tasks_dataversion"} & set(flushed.refilled)
    assert {"tasks_unit", "auth_group_permissions", *moved} <= set(changed)

    assert flushed.put_back()
    assert flushed.differences() == ([], [])
    assert Task.objects.count() == 0
    assert Unit.objects.filter(name="区发展改革委").exists()
    assert FlushedState.read() == flushed
    put_back = _natural()
    _flush()
    assert put_back == _natural()


def _natural() -> dict:
    """The rows flush writes back, by what they say rather than by their keys (which a flush renews)."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django_q.models import Schedule

    from tasks.models import DataVersion, UnitAlias

    return {
        "content_types": sorted(ContentType.objects.values_list("app_label", "model")),
        "permissions": sorted(Permission.objects.values_list("content_type__app_label", "codename", "name")),
        "groups": sorted(
            (g.name, sorted(g.permissions.values_list("codename", flat=True))) for g in Group.objects.all()
        ),
        "units": sorted(Unit.objects.values_list("name", "kind")),
        "aliases": sorted(UnitAlias.objects.values_list("name", "unit__name")),
        # next_run is when the schedule was made: the put-back rows keep the first flush's.
        "schedules": sorted(Schedule.objects.values_list("name", "func", "schedule_type", "minutes", "cron")),
        "data_version": list(DataVersion.objects.values_list("pk", "number")),
    }


@pytest.mark.django_db(transaction=True)
def test_a_table_written_back_before_the_one_whose_triggers_move_it_is_written_back_again():
    flushed = _flush()
    if "tasks_dataversion" not in flushed.refilled:
        pytest.skip("no data version without PL/pgSQL (migration 0009)")
    # The data version first: writing the units back afterwards moves it again (statement triggers).
    first = {"tasks_dataversion": flushed.refilled["tasks_dataversion"]}
    reordered = FlushedState(flushed.emptied, first | flushed.refilled, flushed.keys)
    Unit.objects.create(name="新增单位")
    assert {"tasks_unit", "tasks_dataversion"} <= set(reordered.differences()[1])
    assert reordered.put_back()
    assert FlushedState.read() == flushed


@pytest.mark.django_db(transaction=True)
def test_what_cannot_be_put_back_is_reported_so_that_django_flushes():
    flushed = _flush()
    Unit.objects.create(name="新增单位")
    # A rule that keeps the units' rows: the recorded rows cannot be written back.
    with connection.cursor() as cursor:
        cursor.execute("CREATE RULE keep_units AS ON DELETE TO tasks_unit DO INSTEAD NOTHING")
    try:
        assert flushed.put_back() is False
        assert Unit.objects.filter(name="新增单位").exists()  # nothing half done
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP RULE keep_units ON tasks_unit")
    assert flushed.put_back()
