"""Imports that fail part-way leave nothing behind: a database error inside the
write, and the importing process killed at different moments."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import IntegrityError, connection

from imports.export import plans_export_data
from imports.pipeline import plan_import
from tasks.models import Plan, Task, Unit

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_a_database_error_mid_write_rolls_everything_back(seed_plans, monkeypatch):
    import imports.apply

    before = plans_export_data()
    counts = (Plan.objects.count(), Task.objects.count(), Unit.objects.count())
    real = imports.apply._projects_ensure

    def duplicate_then_continue(*args, **kwargs):
        # A real constraint violation raised by the database, after units and leaders were written.
        Unit.objects.create(name="区科委")
        return real(*args, **kwargs)

    monkeypatch.setattr(imports.apply, "_projects_ensure", duplicate_then_continue)
    text = "标题：2031年区委、区政府重点工作任务分解表\n序号,类别,任务,牵头单位\n1,一、甲,新任务,区新设单位\n"
    with pytest.raises(IntegrityError):
        plan_import(data=text.encode(), file_name="2031.csv")
    assert plans_export_data() == before
    assert (Plan.objects.count(), Task.objects.count(), Unit.objects.count()) == counts
    assert not Unit.objects.filter(name="区新设单位").exists()


def _big_plan(path: Path, rows: int) -> None:
    lines = ["标题：2032年区委、区政府重点工作任务分解表", "序号,类别,项目,任务,牵头领导,牵头单位"]
    for n in range(1, rows + 1):
        category = f"{'一二三四五'[n % 5]}、类别{n % 5}"
        lines.append(f"{n},{category},项目{n % 40},第{n}项任务：推进重点工作。,张{n % 30}明,区单位{n % 200}局")
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the killed process must share the test database")
def test_a_killed_import_process_leaves_all_or_nothing(tmp_path):
    rows = 6000
    big = tmp_path / "2032.csv"
    _big_plan(big, rows)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    command = [sys.executable, "manage.py", "import_plan", str(big)]

    def writing_backends() -> int:
        # Another connection of this database with a transaction that has written something.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
            )
            return cursor.fetchone()[0]

    outcomes = []
    for into_write in (0.1, 0.8, 2.0):
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while process.poll() is None and not writing_backends() and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(into_write)
        killed_mid_write = process.poll() is None and writing_backends() > 0
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        tasks = Task.objects.filter(plan__year_start=2032).count()
        outcomes.append((into_write, killed_mid_write, tasks))
        assert tasks in (0, rows), outcomes  # all or nothing
        if killed_mid_write:
            assert tasks == 0, outcomes  # killed inside the write transaction: nothing was committed
    print("seconds into the write, killed mid-write, tasks:", outcomes)
    assert sum(killed for _, killed, _ in outcomes) >= 2, outcomes
    # Left alone, the same import completes with every row.
    assert subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=300).returncode == 0
    assert Task.objects.filter(plan__year_start=2032).count() == rows
