"""PostgreSQL's own account of a benchmark's statements (pg_stat_statements, shipped with PostgreSQL):
which statements the database spent its time on, planning included. For `bench/soak.py --pg-statements`.

The server must be started with SERVER_OPTIONS; `reset()` after the setup, `top()` after the load."""

from __future__ import annotations

import re

SERVER_OPTIONS = (
    "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all "
    "-c pg_stat_statements.track_planning=on"
)


def reset() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        cursor.execute("SELECT pg_stat_statements_reset()")


def _shape(query: str) -> str:
    """The statement's first words and the tables it reads, short enough for a table row."""
    tables = list(dict.fromkeys(re.findall(r'(?:FROM|JOIN|UPDATE|INTO)\s+"(\w+)"', query)))
    head = " ".join(query.split()[:2])[:24]
    return f"{head} … {', '.join(tables[:4])}"[:90]


def top(*, requests: int, limit: int = 15) -> list[str]:
    """The statements with the most planning + execution time, per request of the load, and the total."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT calls, total_plan_time, total_exec_time, query FROM pg_stat_statements "
            "WHERE query NOT ILIKE '%pg_stat_statements%' ORDER BY total_plan_time + total_exec_time DESC"
        )
        rows = cursor.fetchall()
    per = 1 / max(requests, 1)
    plan_all = sum(r[1] for r in rows) * per
    exec_all = sum(r[2] for r in rows) * per
    lines = [
        f"PostgreSQL's statements (pg_stat_statements), ms per request: planning {plan_all:.2f}, "
        f"execution {exec_all:.2f}, {sum(r[0] for r in rows) * per:.1f} statements",
        f"  {'calls/req':>9} {'plan ms':>8} {'exec ms':>8}  statement",
    ]
    for calls, plan, execute, query in rows[:limit]:
        lines.append(f"  {calls * per:9.2f} {plan * per:8.3f} {execute * per:8.3f}  {_shape(query)}")
    return lines
