"""Whether a test has written to the tables its tasks' status is derived from since the status
was last known to agree with the reports: if not, conftest's drift check has nothing to find.

The check (tasks.status.stored.task_status_drift) reads every task's stored status, its reports
and its links, 20 ms a test with the seeds in place, summed 20 s over a suite run. Most of those
tests only read pages after the seeds were copied in. PostgreSQL counts the rows each transaction
inserts, updates and deletes per table (pg_stat_xact_user_tables, subtransactions rolled back
included), so inside a test's transaction:

- at its start nothing is written and nothing is stored yet: known to agree;
- a snapshot copied in (tests/seeds.py) is a build whose status agreed when it was taken
  (Snapshot.take checks it), so after the copy it is known to agree again, provided nothing was
  written to those tables between the last known point and the copy;
- at the end, if the count equals the one at the last known point, the check is skipped.

The tables are the ones the check's own SQL reads, found by running it once. Outside a
transaction (transactional tests) and on SQLite, the check always runs.
"""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

_tables: list[str] = []
# The count at the last point where stored status was known to agree with the reports.
_agreed_at: list[int | None] = [None]


def _status_tables() -> list[str]:
    if not _tables:
        from tasks.status.stored import task_status_drift

        with CaptureQueriesContext(connection) as queries:
            task_status_drift()
        named = {name for q in queries.captured_queries for name in re.findall(r'"(\w+)"', q["sql"])}
        _tables.extend(sorted(named & set(connection.introspection.table_names())))
    return _tables


def status_writes() -> int | None:
    """Rows this transaction has inserted, updated or deleted in the status tables so far;
    None where that is not known (SQLite, or no transaction)."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return None
    tables = _status_tables()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables "
            "WHERE relname = ANY(%s)",
            [tables],
        )
        return int(cursor.fetchone()[0])


def status_agreed_at_start() -> None:
    """A test's transaction begins: with no task in the database, nothing can disagree yet."""
    from tasks.models import Task

    _agreed_at[0] = None if Task.objects.exists() else status_writes()


def status_agreed_after_copy(*, written_before: int | None) -> None:
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
