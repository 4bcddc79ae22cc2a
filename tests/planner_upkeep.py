"""Keeps PostgreSQL's row estimates sane in the test database (a pytest plugin, tests/conftest.py).

Most tests insert the seed plans inside a transaction that is rolled back. If autovacuum or
auto-analyze reaches a table while such a transaction is open, it sees pages full of rows that
are not committed, and records the table as N pages holding 0 rows. Until the next vacuum, the
planner then takes every such table for one row and chooses nested loops: a unit's bulletin
draft took 38 s instead of 2 s, a district one 334 s (seen in the suite's runs). Which test hit
that depended on when the daemon woke, so the suite's time did too.

So autovacuum is off for the test database's tables, and the tables are vacuumed here every
VACUUM_EVERY database tests, between tests, when no transaction is open: the dead rows are
removed and the empty pages truncated, so the planner again estimates from the table's size."""

from __future__ import annotations

import pytest
from django.db import connection
from pytest_django.plugin import blocking_manager_key

VACUUM_EVERY = 25

_since_vacuum = [0]


def autovacuum_off() -> None:
    """For every table of the test database (called once it is migrated)."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    off = "autovacuum_enabled = false, toast.autovacuum_enabled = false"
    with connection.cursor() as cursor:
        for name in connection.introspection.table_names():
            cursor.execute(f"ALTER TABLE {quote(name)} SET ({off})")


def uses_database(item: pytest.Item) -> bool:
    """Whether the test asks for the database (a db fixture or the django_db marker)."""
    names = set(getattr(item, "fixturenames", ()))
    return bool({"db", "transactional_db"} & names or item.get_closest_marker("django_db"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    result = yield
    # After the test's own teardown (its transaction rolled back or its tables flushed); not after
    # the last test, whose teardown also drops the test database.
    if nextitem is not None and connection.vendor == "postgresql" and uses_database(item):
        _since_vacuum[0] += 1
        if _since_vacuum[0] >= VACUUM_EVERY and not connection.in_atomic_block:
            blocker = item.config.stash[blocking_manager_key]
            with blocker.unblock(), connection.cursor() as cursor:
                cursor.execute("VACUUM")
            _since_vacuum[0] = 0
    return result
