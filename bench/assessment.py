"""Benchmark: recomputing a whole city-scale year of 考评 scores.

Run against the city-scale PostgreSQL database (DATABASE_URL in the environment), e.g.:

    BENCH_SETUP_ONLY=1 BENCH_HOLD=1800 bench/run-all &   # then: source /tmp/minhang-bench.env
    .venv/bin/python bench/assessment.py [--runs 1]

bench/run-all runs it too. For every plan, the year run of its last year (every closed
period's events: missing, late and returned reports, overdue tasks, early completion, praise,
plus the year-end states), computed by `assessment.services.score_run_compute` as the job does,
the previous draft superseded. Target: the whole year < 30 s. Then one period (November) for
every plan, and the ranking page's queries. Results to bench/results/assessment.txt.
A script, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "assessment.txt"
TARGET_S = 30.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minhang_plans.settings")
    import django

    django.setup()
    from django.db import connection

    from assessment.models import Scope, ScoreLine
    from assessment.services import score_run_compute
    from tasks.models import Plan, ProgressReport, Task
    from tasks.status.clock import Clock

    # The city data's plans run in different years: each plan's year run is of its last year, so
    # every task of the city is scored once (the district's year-end work, all at once).
    plans = list(Plan.objects.order_by("pk"))
    tasks = Task.objects.count()
    reports = sum(ProgressReport.objects.filter(task__plan=plan, period__year=plan.year_end).count() for plan in plans)
    clock = Clock(today=dt.date(max(p.year_end for p in plans) + 1, 1, 10))
    lines: list[str] = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    commit = os.environ.get("BENCH_COMMIT", "working tree")
    say(f"# 考评 recompute at city scale — {dt.datetime.now():%Y-%m-%d %H:%M} at {commit}")
    say(
        f"# {len(plans)} plans, {tasks} tasks, {reports} reports in the years scored; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    say("# command: .venv/bin/python bench/assessment.py (against bench/run-all's city-scale PostgreSQL)")
    for attempt in range(args.runs):
        cpu0 = resource.getrusage(resource.RUSAGE_SELF).ru_utime
        start = time.perf_counter()
        queries: list[int] = []

        def count(execute, sql, params, many, context, queries=queries):  # type: ignore[no-untyped-def]
            queries.append(1)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            for plan in plans:
                score_run_compute(plan=plan, scope=Scope.YEAR, start=dt.date(plan.year_end, 1, 1), clock=clock)
        seconds = time.perf_counter() - start
        cpu = resource.getrusage(resource.RUSAGE_SELF).ru_utime - cpu0
        written = ScoreLine.objects.filter(run__scope=Scope.YEAR, run__state="draft").count()
        verdict = "met" if seconds < TARGET_S else "NOT met"
        say(
            f"a year of every plan (run {attempt + 1}): {seconds:.1f} s [{cpu:.1f} s CPU], "
            f"{len(queries)} queries, {written} lines written — target < {TARGET_S:.0f} s {verdict}"
        )
    start = time.perf_counter()
    for plan in plans:
        score_run_compute(plan=plan, scope=Scope.PERIOD, start=dt.date(plan.year_end, 11, 1), clock=clock)
    say(f"one period (November of each plan's last year), every plan: {time.perf_counter() - start:.1f} s")
    say(pages_budget())
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")


def pages_budget() -> str:
    """Queries per 考评 page at city scale, as the office (Django's test client, no HTTP)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from assessment.models import ScoreRun, ScoreSheet
    from tasks.models import Role
    from tasks.services import roles_ensure

    office, _ = get_user_model().objects.get_or_create(username="bench-office")
    office.groups.add(roles_ensure()[Role.OFFICE.value])
    run = max(
        ScoreRun.objects.filter(scope="period").exclude(state="superseded"),
        key=lambda r: r.sheets.count(),
    )
    sheet = ScoreSheet.objects.filter(run=run).order_by("-deducted").first()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(office)
    counts = []
    for name, url in (
        ("考评 index", reverse("assessment:index")),
        ("ranking", reverse("assessment:run", args=[run.pk])),
        ("score sheet", reverse("assessment:sheet", args=[run.pk, sheet.unit_id])),
        ("burden", reverse("assessment:burden") + f"?year={run.period.year}"),
    ):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            status = client.get(url).status_code
        counts.append(f"{name} {len(queries)} ({status})")
    return f"queries per page, office, the largest run ({run.sheets.count()} units): " + ", ".join(counts)


if __name__ == "__main__":
    main()
