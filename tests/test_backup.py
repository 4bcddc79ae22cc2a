"""Backup and restore through Django's dumpdata/loaddata (the database-neutral
path documented in the README): a restored database exports the identical
plans and progress."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from imports.export import plans_export_data
from tasks.models import ProgressReport, ProgressStatus, Task, Unit, UnitAlias
from tasks.services import ReportInput, report_save
from tasks.status.clock import Clock

pytestmark = pytest.mark.django_db(transaction=True)
BACKUP_ARGS = [
    "--natural-foreign",
    "--natural-primary",
    "-e",
    "contenttypes",
    "-e",
    "auth.permission",
    "-e",
    "admin.logentry",
    "-e",
    "sessions",
    "-e",
    "axes",
]


def _progress():
    return sorted(
        ProgressReport.objects.values_list(
            "task__plan__kind",
            "task__number",
            "unit__name",
            "period",
            "status",
            "percent",
            "progress_text",
            "review_state",
            "version",
        )
    )


def test_dumpdata_loaddata_round_trip(seed_plans, liaison_user, tmp_path, flush_as_in_production):
    task = Task.objects.get(plan__kind="annual", number="4")
    report_save(
        user=liaison_user,
        task=task,
        unit=Unit.objects.get(name="区科委"),
        period=dt.date(2025, 6, 1),
        data=ReportInput(status=ProgressStatus.IN_PROGRESS, percent=35, progress_text="进展。"),
        version=None,
        clock=Clock(today=dt.date(2025, 6, 15)),  # a report is filed for its own period
    )
    plans, progress = plans_export_data(), _progress()
    aliases = sorted(UnitAlias.objects.values_list("name", "unit__name"))
    backup = tmp_path / "backup.json"
    call_command("dumpdata", *BACKUP_ARGS, output=str(backup), stdout=io.StringIO())

    call_command("flush", "--no-input", stdout=io.StringIO())
    assert plans_export_data() == {"plans": []}
    call_command("loaddata", str(backup), stdout=io.StringIO())

    assert plans_export_data() == plans
    assert _progress() == progress
    assert sorted(UnitAlias.objects.values_list("name", "unit__name")) == aliases
    assert ProgressReport.objects.get().history.count() == 1
