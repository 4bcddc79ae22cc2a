"""Two real database connections saving the same report at once: exactly one
wins, the other gets a conflict, and no update is lost."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from tasks.models import ProgressReport, ProgressStatus, Task, Unit
from tasks.services import ReportConflict, ReportInput, report_save

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # SQLite's in-memory test database cannot be shared by two threads; CI runs this on PostgreSQL.
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real PostgreSQL connections"),
]
PERIOD = dt.date(2025, 6, 1)


def test_simultaneous_saves_of_one_version_never_lose_an_update(seed_plans, pinned_clock, liaison_user, office_user):
    task = Task.objects.get(plan__kind="annual", number="4")
    unit = Unit.objects.get(name="区科委")
    first = ReportInput(status=ProgressStatus.IN_PROGRESS, percent=10, progress_text="初稿。")
    report_save(user=liaison_user, task=task, unit=unit, period=PERIOD, data=first, version=None)

    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def save(name: str, user, percent: int) -> None:
        try:
            barrier.wait(timeout=10)
            data = ReportInput(status=ProgressStatus.IN_PROGRESS, percent=percent, progress_text=f"{name}的修改。")
            outcomes[name] = report_save(user=user, task=task, unit=unit, period=PERIOD, data=data, version=1)
        except ReportConflict as conflict:
            outcomes[name] = conflict
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=("联络员", liaison_user, 30)),
        threading.Thread(target=save, args=("督查室", office_user, 60)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    conflicts = [o for o in outcomes.values() if isinstance(o, ReportConflict)]
    saved = [o for o in outcomes.values() if isinstance(o, ProgressReport)]
    assert len(conflicts) == 1 and len(saved) == 1
    stored = ProgressReport.objects.get(task=task, unit=unit, period=PERIOD)
    assert (stored.version, stored.percent) == (2, saved[0].percent)
    # The loser is shown the winner's version.
    assert conflicts[0].current.percent == saved[0].percent
    assert stored.history.count() == 2
