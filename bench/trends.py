"""Benchmark: the trend queries at city scale on PostgreSQL (trends app, issue 21 item 5).

    .venv/bin/python bench/trends.py [--repeat 30]

Without DATABASE_URL it starts a throwaway PostgreSQL cluster (bin/pg-throwaway) and runs itself
inside it; with DATABASE_URL set it uses that database (which it migrates and fills: use an empty one).

What it does:
  1. migrates, generates the synthetic city (generate_city_data: 16 districts, ~19,000 tasks,
     ~390,000 reports, "today" 2025-11-30);
  2. reconstructs 12 periods of snapshots for every plan (snapshots_backfill, timed: the install
     step) and takes one live snapshot of the biggest plan (snapshot_take, timed: the daily job's work);
  3. VACUUM ANALYZE;
  4. times each trend — the biggest district, the leader with most tasks, the biggest plan — as
     --repeat runs through the selector (the one query, its rows read into Python): median and p95,
     checks each is one query (CaptureQueriesContext), and prints the district query's plan
     (EXPLAIN ANALYZE) with the index it uses.
Results: bench/results/trends.txt. A script, not a test; the box is shared, figures vary ±15%.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "trends.txt"
TODAY = dt.date(2025, 11, 30)


def _relaunch_with_throwaway_postgres() -> int:
    script = (
        "set -e; source bin/pg-throwaway; pg_throwaway_start; "
        f"{sys.executable} bench/trends.py {' '.join(sys.argv[1:])}"
    )
    return subprocess.call(["bash", "-c", script], cwd=ROOT)


def timed(fn, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, round(0.95 * len(samples)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minhang_plans.settings")
    os.environ.setdefault("SECRET_KEY", "bench-trends")
    os.environ.setdefault("DEBUG", "0")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from tasks.models import Leader, Plan, ProgressReport, Task, TaskLeader
    from tasks.periods import period_closed_latest
    from tasks.status.clock import Clock
    from trends.models import StatusSnapshot
    from trends.selectors import trend_of_district, trend_of_leader, trend_of_plan
    from trends.services import snapshot_take, snapshots_backfill

    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    clock = Clock(today=TODAY)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("generate_city_data", "--today", TODAY.isoformat(), verbosity=0)
    generated = time.perf_counter() - started

    started = time.perf_counter()
    taken = snapshots_backfill(periods=12, clock=clock)
    backfill = time.perf_counter() - started
    # The biggest plan running in the trend's window (older synthetic plans closed their periods years ago).
    running = Plan.objects.filter(year_start__lte=TODAY.year, year_end__gte=TODAY.year)
    biggest_plan = running.annotate(n=Count("tasks")).order_by("-n", "pk").first()
    period = period_closed_latest(plan=biggest_plan, today=TODAY)
    started = time.perf_counter()
    live = snapshot_take(plan=biggest_plan, period=period)
    live_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT version()")
        pg_version = cursor.fetchone()[0].split(",")[0]

    district = Plan.objects.values("district").annotate(n=Count("tasks")).order_by("-n", "district").first()["district"]
    leader = Leader.objects.get(
        pk=TaskLeader.objects.values("leader_id").annotate(n=Count("pk")).order_by("-n", "leader_id")[0]["leader_id"]
    )
    scopes = [
        (f"district {district}", lambda: trend_of_district(district=district, clock=clock)),
        (
            f"leader {leader.name} ({leader.task_links.count()} tasks)",
            lambda: trend_of_leader(leader=leader, clock=clock),
        ),
        (
            f"plan {biggest_plan.pk} ({biggest_plan.tasks.count()} tasks)",
            lambda: trend_of_plan(plan=biggest_plan, clock=clock),
        ),
    ]

    say(f"# Trend queries at city scale — {dt.datetime.now():%Y-%m-%d %H:%M} (today pinned to {TODAY})")
    say(f"host {platform.node()}, nproc {os.cpu_count()}, python {platform.python_version()}, {pg_version}")
    load = os.getloadavg()
    say(f"load average at start of the timings: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    say(f"code: commit {commit.stdout.strip()}")
    say(
        f"data: {Plan.objects.count()} plans, {Task.objects.count()} tasks, {ProgressReport.objects.count()} reports "
        f"(generate_city_data, {generated:.0f} s with migrate), {StatusSnapshot.objects.count()} snapshot rows"
    )
    say(
        f"snapshots_backfill --periods 12: {len(taken)} plan-periods, {sum(t.tasks for t in taken)} rows in "
        f"{backfill:.1f} s (reconstruction, once after an install)"
    )
    say(
        f"snapshot_take of the biggest plan ({live.tasks} tasks, {period:%Y-%m}): {live_seconds * 1000:.0f} ms "
        "(the daily job's work per plan and period)"
    )
    say()
    say(f"trend (12 periods, one GROUP BY period)          queries   median ms   p95 ms   (n={args.repeat})")
    for label, read in scopes:
        read()  # warm
        with CaptureQueriesContext(connection) as ctx:
            trend = read()
        median, p95 = timed(read, args.repeat)
        points = sum(1 for p in trend.points if p.has_data)
        say(f"  {label:<44} {len(ctx.captured_queries):>7} {median:>11.1f} {p95:>8.1f}   ({points} periods with data)")
    say()
    with CaptureQueriesContext(connection) as ctx:
        trend_of_district(district=district, clock=clock)
    sql = ctx.captured_queries[0]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan_lines = [row[0] for row in cursor.fetchall()]
    say("EXPLAIN ANALYZE of the district's trend:")
    for line in plan_lines:
        say("    " + line)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    if not os.environ.get("DATABASE_URL"):
        sys.exit(_relaunch_with_throwaway_postgres())
    main()
