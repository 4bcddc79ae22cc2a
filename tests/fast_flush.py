"""A transactional test ends with the database as Django's flush leaves it, without a full flush
each time (a pytest plugin, tests/conftest.py).

Django ends every transactional test (live_server, transaction=True) with `flush`: a TRUNCATE of
every table, then post_migrate, whose receivers write back content types, permissions, the role
groups, the shipped units and aliases, the job schedules and the data version. That took 0.41 s a
test in the suite (85 such tests, timed per fixture: bench/results/test_suite.txt), mostly for
tables the test never wrote to and rows that come back the same.

So the first such teardown does Django's flush and records what it left (`FlushedState`): the
tables it left empty, and the rows of those it refilled. Every later teardown reads, in one query,
which empty tables now hold rows and which refilled tables differ; it empties the former
(TRUNCATE … CASCADE) and writes the refilled tables' recorded rows back, then reads again. Only
if the database is then still not as recorded (a rule or trigger that writes back, a table the
record does not know) does it do Django's flush and record again. Sequences are left alone
either way, as the flush in TransactionTestCase (reset_sequences=False) leaves them.
PostgreSQL only: SQLite keeps Django's flush.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.test import TransactionTestCase

_django_teardown = TransactionTestCase._fixture_teardown


@dataclass(frozen=True)
class FlushedState:
    """What Django's flush left in the test database."""

    emptied: tuple[str, ...]
    # table -> its rows as JSON, in key order, as post_migrate wrote them back
    refilled: dict[str, str]
    keys: dict[str, str]  # table -> its primary key column

    @classmethod
    def read(cls) -> FlushedState:
        keys = _flushed_tables()
        with connection.cursor() as cursor:
            cursor.execute(_rows_sql(keys))
            rows = dict(zip(keys, cursor.fetchone(), strict=True))
        return cls(
            emptied=tuple(t for t, r in rows.items() if r == "[]"),
            refilled={t: r for t, r in rows.items() if r != "[]"},
            keys=keys,
        )

    def differences(self) -> tuple[list[str], list[str]]:
        """(empty tables that now hold rows, refilled tables whose rows differ), in one query."""
        quote = connection.ops.quote_name
        checks = [f"EXISTS (SELECT 1 FROM {quote(t)})" for t in self.emptied]
        checks += [f"({_json_sql(t, self.keys[t])}) <> %s" for t in self.refilled]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(checks)}", list(self.refilled.values()))
            flags = cursor.fetchone()
        tables = [*self.emptied, *self.refilled]
        dirty = [t for t, flag in zip(tables, flags, strict=True) if flag]
        return [t for t in dirty if t not in self.refilled], [t for t in dirty if t in self.refilled]

    def put_back(self) -> bool:
        """Make the database as recorded; False when it still is not (the caller flushes)."""
        quote = connection.ops.quote_name
        # Twice at most: writing one table back can move another (the data version's statement
        # triggers fire on the TRUNCATE and on writing the units back).
        for _ in range(2):
            written, changed = self.differences()
            if not written and not changed:
                return True
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    if written:
                        cursor.execute(f"TRUNCATE {', '.join(quote(t) for t in written)} CASCADE")
                    for table in changed:
                        cursor.execute(f"DELETE FROM {quote(table)}")
                        cursor.execute(
                            f"INSERT INTO {quote(table)} "
                            f"SELECT * FROM json_populate_recordset(NULL::{quote(table)}, %s)",
                            [self.refilled[table]],
                        )
            except DatabaseError:
                return False
        return self.differences() == ([], [])


def _flushed_tables() -> dict[str, str]:
    """The tables Django's flush truncates, with their primary key column."""
    flushed = set(connection.introspection.django_table_names(only_existing=True, include_views=False))
    return {
        m._meta.db_table: m._meta.pk.column
        for m in apps.get_models(include_auto_created=True)
        if m._meta.db_table in flushed
    }


def _json_sql(table: str, key: str) -> str:
    quote = connection.ops.quote_name
    return f"SELECT coalesce(json_agg(r ORDER BY r.{quote(key)})::text, '[]') FROM {quote(table)} r"


def _rows_sql(keys: dict[str, str]) -> str:
    return "SELECT " + ", ".join(f"({_json_sql(t, k)})" for t, k in keys.items())


_state: list[FlushedState] = []


def _fixture_teardown(self: TransactionTestCase) -> None:
    simple = (
        connection.vendor == "postgresql"
        and self.available_apps is None
        and not self.serialized_rollback
        and list(self._databases_names(include_mirrors=False)) == ["default"]
    )
    if simple and _state and _state[0].put_back():
        return
    _django_teardown(self)
    if simple:
        _state[:] = [FlushedState.read()]


@pytest.fixture(scope="session", autouse=True)
def _flush_only_what_changed() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", _fixture_teardown)
        yield
    _state.clear()
