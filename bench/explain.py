"""Benchmark: the two heaviest SQL queries of the pages, with EXPLAIN (ANALYZE, BUFFERS).

Run by bench/run-all after bench/pages.py, against the same city-scale PostgreSQL
database (DATABASE_URL and the settings in the environment):

    .venv/bin/python bench/explain.py [--repeat 3]

Every page bench/pages.py measures is requested --repeat times through Django's test
Client with the queries captured (DEBUG off); each query's time is the median over the
repeats; the two slowest queries (from different pages when they tie in shape) are run
again under EXPLAIN (ANALYZE, BUFFERS), and the plans, the indexes they use and the
definition of each index go to bench/results/explain.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pages as page_bench  # noqa: E402  (bench/pages.py: URL picking, session)

RESULTS = ROOT / "bench" / "results" / "explain.md"
SLOW_MS = 100.0
EXCERPT_LINES = 24

# What each index of the hot tables is for; an index missing here is still listed with its definition.
KNOWN_INDEXES = {
    "report_unit_period": "ProgressReport (unit, period): a unit's reports by period "
    "(the unit pages' own-report lookups)",
    "report_unique_task_unit_period": "ProgressReport unique (task, unit, period): the status derivation "
    "(services.task_status_refresh) and the unit page's own-report lookups read one task's (and one unit's) "
    "reports, newest period first, by its leading columns",
    "tasks_taskstatus_pkey": "TaskStatus primary key (task): the stored status joined to its task",
    "task_plan_position": "Task (plan, position): a plan's tasks in document order",
    "task_unique_number": "Task unique (plan, number)",
    "taskunit_unique": "TaskUnit unique (task, unit): the lead-unit EXISTS and the unit's role per task",
    "taskunit_unique_position": "TaskUnit unique (task, position)",
    "taskleader_unique": "TaskLeader unique (task, leader)",
    "taskleader_unique_position": "TaskLeader unique (task, position)",
    "task_text_upper_trgm": "GIN pg_trgm on UPPER(text): icontains search; a term needs 3+ characters to use it",
    "task_title_upper_trgm": "GIN pg_trgm on UPPER(title): icontains search",
    "task_note_upper_trgm": "GIN pg_trgm on UPPER(note): icontains search",
    "unit_name_upper_trgm": "GIN pg_trgm on UPPER(unit name): icontains search",
    "unitalias_name_upper_trgm": "GIN pg_trgm on UPPER(alias name): icontains search",
    "leader_name_upper_trgm": "GIN pg_trgm on UPPER(leader name): icontains search",
}


def capture(pages, user, repeat: int) -> list[dict]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    found: dict[tuple[str, int], dict] = {}
    for page in pages:
        client.get(page.path)  # warm-up
        for _ in range(repeat):
            cache.clear()  # the page built from the database, not served from the fragment cache
            with CaptureQueriesContext(connection) as captured:
                response = client.get(page.path)
            assert response.status_code == 200, (page.path, response.status_code)
            for i, q in enumerate(captured.captured_queries):
                entry = found.setdefault((page.key, i), {"page": page, "index": i, "sql": q["sql"], "times": []})
                entry["times"].append(float(q["time"]) * 1000)
    queries = list(found.values())
    for q in queries:
        q["ms"] = statistics.median(q["times"])
    return sorted(queries, key=lambda q: -q["ms"])


def shape(sql: str) -> str:
    """The query with literals removed: two pages running the same selector count once."""
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def index_definitions(names: set[str]) -> dict[str, str]:
    from django.db import connection

    if not names:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)", [sorted(names)])
        return dict(cursor.fetchall())


_INDEX_USE = re.compile(r"(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\S+)")
_SEQ = re.compile(r"Seq Scan on (\S+)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--top", type=int, default=2)
    args = parser.parse_args()
    page_bench.setup_django()
    from django.db import connection

    pages = page_bench.pick_pages()
    user = page_bench.bench_user()
    queries = capture(pages, user, args.repeat)
    chosen, shapes = [], set()
    for q in queries:
        if shape(q["sql"]) in shapes:
            continue
        shapes.add(shape(q["sql"]))
        chosen.append(q)
        if len(chosen) == args.top:
            break

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    out = [
        f"# The heaviest queries at city scale — {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        "",
        f"Generated by `bench/explain.py` (run by `bench/run-all`) on {version}, city-scale data "
        "(96 plans, 18,800 tasks, ~394,000 progress reports), ANALYZEd. Each page of `bench/pages.py` was "
        f"requested {args.repeat}× through Django's test Client (DEBUG off) with its SQL captured; a query's time "
        f"is the median over those requests. The {args.top} slowest distinct queries, run again under "
        "`EXPLAIN (ANALYZE, BUFFERS)` (a warm cache: the figures are CPU, not disk):",
        "",
        "| rank | page | query # on the page | median ms (captured) |",
        "| --- | --- | --- | --- |",
    ]
    for rank, q in enumerate(chosen, 1):
        out.append(f"| {rank} | {q['page'].label} `{q['page'].path}` | {q['index'] + 1} | {q['ms']:.1f} |")
    out += ["", "Slowest ten captured (page, query #, median ms):", ""]
    for q in queries[:10]:
        out.append(f"- {q['page'].key} #{q['index'] + 1}: {q['ms']:.1f} ms — `{q['sql'][:110]}…`")

    # Besides the heaviest two: the slowest query of every other page over SLOW_MS (the budget is 50 ms a page).
    others = []
    for page in pages:
        worst = next((q for q in queries if q["page"].key == page.key), None)
        if worst and worst not in chosen and worst["ms"] > SLOW_MS and page.key not in {c["page"].key for c in chosen}:
            others.append(worst)
    sections = [(f"{rank}", q) for rank, q in enumerate(chosen, 1)]
    sections += [(f"{len(chosen)}+{i}", q) for i, q in enumerate(others, 1)]
    if others:
        out += ["", f"Then the slowest query of each other page over {SLOW_MS:.0f} ms, for the pages over budget."]
    for rank, q in sections:
        plan = explain(q["sql"])
        used = set(_INDEX_USE.findall(plan))
        seq = sorted(set(_SEQ.findall(plan)))
        defs = index_definitions(used)
        total = re.search(r"Execution Time: ([\d.]+) ms", plan)
        lines = plan.splitlines()
        subplans = [i for i, line in enumerate(lines) if re.match(r"\s*SubPlan \d+", line)]
        hits = re.search(r"Buffers: shared hit=(\d+)", plan)
        out += [
            "",
            f"## {rank}. {q['page'].label}: `{q['page'].path}`, query #{q['index'] + 1} "
            f"({q['ms']:.1f} ms captured, {total.group(1) if total else '?'} ms under EXPLAIN ANALYZE)",
            "",
            f"{len(lines)} plan lines, {len(subplans)} correlated SubPlan nodes"
            + (f", {int(hits.group(1)):,} shared buffer hits at the top node" if hits else "")
            + ".",
            "",
            "Indexes used:",
            "",
        ]
        for name in sorted(used):
            why = KNOWN_INDEXES.get(name, "")
            out.append(f"- `{name}` — `{defs.get(name, '?')}`" + (f": {why}" if why else ""))
        if not used:
            out.append("- none")
        if seq:
            out.append(f"- sequential scans: {', '.join(f'`{t}`' for t in seq)}")
        excerpt = lines[:EXCERPT_LINES]
        if subplans and subplans[0] >= EXCERPT_LINES:
            first = subplans[0]
            nxt = subplans[1] if len(subplans) > 1 else len(lines)
            excerpt += ["…", *lines[first : min(nxt, first + EXCERPT_LINES)]]
        if len(lines) > len(excerpt):
            excerpt.append(f"… ({len(lines) - len(excerpt)} more lines in the full plan below)")
        excerpt += [line for line in lines[-3:] if line.startswith(("Planning Time", "Execution Time"))]
        out += ["", "Excerpt (the top of the plan and its first SubPlan):", "", "```", *excerpt, "```"]
        out += ["", "<details><summary>SQL</summary>", "", "```sql", q["sql"], "```", "", "</details>"]
        out += ["", "<details><summary>Full plan</summary>", "", "```", plan, "```", "", "</details>"]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(out) + "\n")
    print("\n".join(out[: 22 + len(chosen)]))
    print(f"… written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
