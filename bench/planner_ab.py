"""Benchmark: every SQL statement of the benchmark pages, timed under two `random_page_cost` values.

    source /tmp/minhang-bench.env   # bench/run-all's held city (BENCH_SETUP_ONLY=1)
    .venv/bin/python bench/planner_ab.py [--costs 4,1.1] [--runs 15]

Each page of bench/pages.py is requested once through Django's test client right after the shared
data version moved (built from the database); its SELECTs are then run again on one connection,
alternating the settings (`SET random_page_cost`), and the median of each is kept. Prints the
statements that differ by more than 0.5 ms and each page's total. Settings only, on the same data
and connection: the machine's noise falls on both alike. Results: bench/results/planner_ab.txt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pages import bench_user, pick_pages, setup_django  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "planner_ab.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--costs", default="4,1.1", help="two random_page_cost values, the first the reference")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    costs = [c.strip() for c in args.costs.split(",")]
    if len(costs) != 2 or not all(c.replace(".", "", 1).isdigit() for c in costs):
        raise SystemExit("--costs: two numbers, e.g. 4,1.1")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("source /tmp/minhang-bench.env (bench/run-all's held setup) first")
    os.environ["TWO_FACTOR_ROLES"] = ""
    setup_django()
    from django.db import connection
    from django.db.models import F
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tasks.models import DataVersion

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(bench_user())
    statements: list[tuple[str, str]] = []
    for page in (p for p in pick_pages() if p.key != "admin"):
        client.get(page.path)
        DataVersion.objects.filter(pk=1).update(number=F("number") + 1)
        with CaptureQueriesContext(connection) as captured:
            client.get(page.path)
        selects = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip("( ").upper().startswith("SELECT")]
        statements += [(page.key, sql) for sql in selects]
    totals: dict[str, list[float]] = {}
    lines = [
        f"$ .venv/bin/python bench/planner_ab.py --costs {args.costs} --runs {args.runs}",
        f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}: city scale (bench/run-all's held setup), "
        f"each page's SELECTs after a full rebuild, median of {args.runs} per setting, alternating",
        "",
    ]
    with connection.cursor() as cursor:
        for key, sql in statements:
            times: dict[str, list[float]] = {c: [] for c in costs}
            for _ in range(args.runs):
                for cost in costs:
                    cursor.execute(f"SET random_page_cost = {cost}")
                    started = time.perf_counter()
                    cursor.execute(sql)
                    cursor.fetchall()
                    times[cost].append((time.perf_counter() - started) * 1000)
            a, b = (statistics.median(times[c]) for c in costs)
            total = totals.setdefault(key, [0.0, 0.0])
            total[0] += a
            total[1] += b
            if abs(a - b) > 0.5:
                lines.append(f"{key:<10} {a:7.2f} → {b:7.2f} ms  {sql[:100]}")
        cursor.execute("RESET random_page_cost")
    lines.append("")
    for key, (a, b) in totals.items():
        lines.append(f"{key:<10} all SELECTs: {a:6.1f} ms at {costs[0]} → {b:6.1f} ms at {costs[1]}")
    text = "\n".join(lines) + "\n"
    print(text)
    with RESULTS.open("a") as out:
        out.write(text + "\n")


if __name__ == "__main__":
    main()
