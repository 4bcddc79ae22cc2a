"""Whether a test has written to the tables its tasks' status is derived from since the status
was last known to agree with the reports: if not, conftest's drift check has nothing to find.

The check (tasks.status.stored.task_status_drift) reads every task's stored status, its reports
and its links: 23 ms a test, 23.7 s summed over a suite run (docs/performance.md). Most of those
tests only read pages after the seeds were copied in. PostgreSQL counts the rows each transaction
inserts, updates and deletes per table (pg_stat_xact_user_tables, subtransactions rolled back
included), so inside a test's transaction:

- at its start nothing is written and nothing is stored yet: known to agree;
- a snapshot copied in (tests/seeds.py) is a build whose status agreed when it was taken
  (Snapshot.take checks it), so after the copy it is known to agree again, provided nothing was
  written to those tables between the last known point and the copy;
- at the end, if the count equals the one at the last known point, the check is skipped.

The tables are the ones the check's own SQL reads, found by running it once; each table's three
counts are compared, not a sum. A TRUNCATE inside the test's transaction resets a table's counts,
so later writes could in principle bring them back to the agreed values: nothing the product does
truncates those tables. Outside a transaction (transactional tests), on SQLite and where the
server keeps no counts (track_counts off), the check always runs.
"""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

# Per status table: its name and the rows this transaction inserted, updated and deleted.
Counts = tuple[tuple[str, int, int, int], ...]

_tables: list[str] = []
# The count at the last point where stored status was known to agree with the reports.
_agreed_at: list[Counts | None] = [None]


def _status_tables() -> list[str]:
    if not _tables:
        from tasks.status.stored import task_status_drift

        with CaptureQueriesContext(connection) as queries:
            task_status_drift()
        named = {name for q in queries.captured_queries for name in re.findall(r'"(\w+)"', q["sql"])}
        _tables.extend(sorted(named & set(connection.introspection.table_names())))
    return _tables


def status_writes() -> Counts | None:
    """Per status table, the rows this transaction has inserted, updated and deleted so far; None
    where that is not known (SQLite, no transaction, or a server that keeps no counts)."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return None
    tables = _status_tables()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('track_counts')")
        if cursor.fetchone()[0] != "on":
            return None
        cursor.execute(
            "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables "
            "WHERE relname = ANY(%s) ORDER BY relname",
            [tables],
        )
        return tuple(cursor.fetchall())


def status_agreed_at_start() -> None:
    """A test's transaction begins: with no task in the database, nothing can disagree yet."""
    from tasks.models import Task

    _agreed_at[0] = None if Task.objects.exists() else status_writes()


def status_agreed_after_copy(*, written_before: Counts | None) -> None:
    """A snapshot that agreed was copied in: the status agrees again, if it agreed just before
    the copy (`written_before`, the count then, is the count at the last point it agreed)."""
    if written_before is not None and written_before == _agreed_at[0]:
        _agreed_at[0] = status_writes()
    else:
        _agreed_at[0] = None


def status_unwritten_since_agreed() -> bool:
    """True when the status tables are as they were at the last point they were known to agree."""
    agreed = _agreed_at[0]
    return agreed is not None and status_writes() == agreed


def status_forget() -> None:
    _agreed_at[0] = None
