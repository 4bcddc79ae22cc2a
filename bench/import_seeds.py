"""Benchmark: import both seed documents end to end (read → … → apply) on a
fresh SQLite database; print wall time and SQL query count, best of N runs.

    .venv/bin/python bench/import_seeds.py [--runs 5]

A script, not a test: figures vary with the machine. Results are appended to
bench/results/import_seeds.txt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="bench-import-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minhang_plans.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from imports.pipeline import plan_import
    from tasks.models import Plan

    call_command("migrate", verbosity=0)
    seeds = [ROOT / "fixtures" / "000_a62ce10d14304788.txt", ROOT / "fixtures" / "004_81e3937e704ee9fc.txt"]
    payloads = [(path.name, path.read_bytes()) for path in seeds]
    timings, queries = [], []
    for _ in range(args.runs):
        Plan.objects.all().delete()
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            for name, data in payloads:
                plan_import(data=data, file_name=name)
            timings.append(time.perf_counter() - start)
        queries.append(len(captured.captured_queries))
    tasks = sum(plan.tasks.count() for plan in Plan.objects.all())
    line = (
        f"{dt.datetime.now():%Y-%m-%d %H:%M} {platform.node()} python {platform.python_version()} SQLite: "
        f"both seeds ({tasks} tasks) best {min(timings) * 1000:.0f} ms, median "
        f"{sorted(timings)[len(timings) // 2] * 1000:.0f} ms over {args.runs} runs; {queries[-1]} SQL queries"
    )
    print(line)
    results = ROOT / "bench" / "results" / "import_seeds.txt"
    results.parent.mkdir(exist_ok=True)
    with results.open("a") as handle:
        handle.write(line + "\n")


if __name__ == "__main__":
    main()
