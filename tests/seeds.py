"""Data many tests want, built once per session and copied into each test that asks: the two
seed documents (conftest's seed_plans) and tests.factories' small world.

Importing both seeds through the pipeline costs 1.5–1.7 s on PostgreSQL, and about a hundred tests
want them; building the world through the ORM costs about 0.1 s, and about 250 tests want it.
`Snapshot.take(build)` runs the real build once, inside a transaction that it rolls back, and
keeps every row it added (for the seeds: plans, categories, projects, tasks, links, leaders, units,
aliases, stored status, history, import records). `restore()` writes those rows again, in bulk and
with the same primary keys, inside the calling test's transaction: the database is then as the
build would have left it, and the test's rollback (or a transactional test's flush) removes them
again, as it removed the built rows before. On PostgreSQL, as a superuser (the throwaway cluster
of bin/run-tests), the rows go in with row triggers and foreign key checks off, since they are
the build's final, consistent rows; the data version's statement triggers still fire once.

Two things can differ between the session's database and a test's, and restore() handles both:
- rows that were there before the build and that built rows point to (the units migration
  0003 ships) get new primary keys when a transactional test's flush re-creates them, so such
  references are kept by natural key (the unit's district and name) and looked up again;
- a test may already have made a unit or leader the build would have created (the 区科委 of
  `liaison_user`, the 谭瑞琮 of `leader_user`); the build would have used that row, and so does
  restore(), which returns such changed keys so that a caller can find its objects again.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.apps import apps
from django.db import connection, models, transaction
from django.utils import timezone

from tests.status_writes import status_agreed_after_copy, status_writes

Row = dict[str, Any]
T = TypeVar("T")


def _tracked_models() -> list[type[models.Model]]:
    # Only tables that exist: a model whose migration is still being written has none to read.
    tables = set(connection.introspection.table_names())
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped and m._meta.db_table in tables
    ]


def _attnames(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _rows(model: type[models.Model]) -> dict[Any, tuple]:
    names = _attnames(model)
    pk_at = names.index(model._meta.pk.attname)
    return {
        row[pk_at]: tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
        for row in model._base_manager.order_by().values_list(*names)
    }


def _natural_fields(model: type[models.Model]) -> tuple[str, ...] | None:
    """A unique field other than the key, or the (district, name) a row is unique by within its
    district (Unit, Leader), if the model has one."""
    for f in model._meta.concrete_fields:
        if f.unique and not f.primary_key:
            return (f.attname,)
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and tuple(constraint.fields) == ("district", "name"):
            return ("district", "name")
    return None


def _foreign_keys(model: type[models.Model]) -> list[models.ForeignKey]:
    return [f for f in model._meta.concrete_fields if f.is_relation and (f.many_to_one or f.one_to_one)]


def _ordered(tables: Iterable[_Table]) -> list[_Table]:
    """Parents before children (every foreign key's target table first)."""
    pending = {t.model: t for t in tables}
    done: list[_Table] = []
    while pending:
        ready = [
            t
            for m, t in pending.items()
            if not any(f.related_model in pending and f.related_model is not m for f in _foreign_keys(m))
        ]
        if not ready:
            # restore() writes without foreign key checks (as a superuser), so nothing would catch a
            # child written before the parent it names: refuse rather than copy out of order.
            raise RuntimeError(f"a cycle of foreign keys between {sorted(m.__name__ for m in pending)}")
        for t in ready:
            done.append(t)
            del pending[t.model]
    return done


@dataclass
class _Table:
    model: type[models.Model]
    rows: list[Row] = field(default_factory=list)
    # Filled by _prepare: the INSERT's columns and each row's values as the database takes them.
    columns: list[str] = field(default_factory=list)
    prepared: list[list[Any]] = field(default_factory=list)

    def prepare(self) -> None:
        # Django's bulk_create spends most of its time preparing values; do it once per session.
        fields = self.model._meta.concrete_fields
        self.columns = [f.column for f in fields]
        self.prepared = [[f.get_db_prep_save(r[f.attname], connection) for f in fields] for r in self.rows]


Remap = dict[type[models.Model], dict[Any, Any]]


@dataclass
class Snapshot(Generic[T]):
    tables: list[_Table]
    # (model, primary key at import time) -> lookup that finds the same row again
    outside: dict[tuple[type[models.Model], Any], dict[str, Any]]
    # What the build returned (the import reports; a World whose keys restore() may remap).
    result: T
    # When the build ran: moments inside it (created_at, history_date) move to just before the restore.
    started: datetime.datetime
    finished: datetime.datetime

    @classmethod
    def take(cls, build: Callable[[], T]) -> Snapshot[T]:
        """Runs `build` once, in a transaction rolled back at once, and keeps the rows it added."""
        from tasks.models import DataVersion
        from tasks.status.stored import task_status_drift

        tracked = _tracked_models()
        with transaction.atomic():
            before = {m: _rows(m) for m in tracked}
            started = timezone.now()
            result = build()
            finished = timezone.now()
            disagree = task_status_drift()
            if disagree:
                raise RuntimeError(f"the build leaves tasks {disagree[:5]} whose stored status differs from reports")
            after = {m: _rows(m) for m in tracked}
            transaction.set_rollback(True)

        tables: list[_Table] = []
        added: dict[type[models.Model], set] = {}
        for model in tracked:
            old, new = before[model], after[model]
            changed = [pk for pk in old if pk in new and old[pk] != new[pk]]
            # The version row is bumped by database triggers: restoring rows bumps it again.
            if model is not DataVersion and (changed or set(old) - set(new)):
                raise RuntimeError(
                    f"the build changed or deleted existing {model.__name__} rows {changed[:5]}; "
                    "tests/seeds.py only replays added rows"
                )
            fresh = [pk for pk in new if pk not in old]
            if fresh:
                names = _attnames(model)
                tables.append(_Table(model, [dict(zip(names, new[pk], strict=True)) for pk in sorted(fresh)]))
                added[model] = set(fresh)

        outside: dict[tuple[type[models.Model], Any], dict[str, Any]] = {}
        for table in tables:
            table.prepare()
            for fk in _foreign_keys(table.model):
                target = fk.related_model
                natural = _natural_fields(target)
                for row in table.rows:
                    pk = row[fk.attname]
                    if pk is None or pk in added.get(target, ()) or (target, pk) in outside:
                        continue
                    if natural is None:
                        outside[(target, pk)] = {"pk": pk}
                    else:
                        values = dict(zip(_attnames(target), after[target][pk], strict=True))
                        outside[(target, pk)] = {name: values[name] for name in natural}
        _sequences_past(tables)
        return cls(_ordered(tables), outside, result, started, finished)

    def restore(self) -> Remap:
        """Write the build's rows into the current transaction. Returns the keys that differ here:
        rows the build referred to, or would have made, that this database has under other keys."""
        remap: Remap = {}
        for (model, pk), lookup in self.outside.items():
            found = model._base_manager.filter(**lookup).values_list("pk", flat=True).first()
            if found is None:
                raise LookupError(f"the seed rows refer to {model.__name__} {lookup}, which this database lacks")
            if found != pk:
                remap.setdefault(model, {})[pk] = found
        # Ends at now: rows the test writes next must come after them (history diffs compare dates).
        shift = timezone.now() - self.finished
        written_before = status_writes()
        with transaction.atomic(), connection.cursor() as cursor:
            quiet = _row_triggers_off(cursor)
            for table in self.tables:
                model = table.model
                fields = model._meta.concrete_fields
                pk_name = model._meta.pk.attname
                keep = range(len(table.rows))
                natural = _natural_fields(model)
                if natural is not None:
                    keys = [tuple(r[name] for name in natural) for r in table.rows]
                    found = model._base_manager.filter(**{f"{natural[-1]}__in": [k[-1] for k in keys]})
                    existing = {tuple(row[:-1]): row[-1] for row in found.values_list(*natural, "pk")}
                    for r, key in zip(table.rows, keys, strict=True):
                        if key in existing:
                            remap.setdefault(model, {})[r[pk_name]] = existing[key]
                    keep = [i for i, key in enumerate(keys) if key not in existing]
                moved = [
                    (i, remap[f.related_model])
                    for i, f in enumerate(fields)
                    if f.is_relation and f.related_model in remap
                ]
                moments = [(i, f) for i, f in enumerate(fields) if isinstance(f, models.DateTimeField)]
                values = []
                for n in keep:
                    row, prepared = table.rows[n], list(table.prepared[n])
                    for i, mapping in moved:
                        prepared[i] = mapping.get(prepared[i], prepared[i])
                    for i, f in moments:
                        moment = row[f.attname]
                        if moment is not None and self.started <= moment <= self.finished:
                            prepared[i] = f.get_db_prep_save(moment + shift, connection)
                    values.append(prepared)
                _insert(cursor, model._meta.db_table, table.columns, values)
            if quiet:
                _row_triggers_on(cursor, [t.model._meta.db_table for t in self.tables])
        status_agreed_after_copy(written_before=written_before)  # take() checked the build agreed
        return remap


def _row_triggers_off(cursor) -> bool:
    """On PostgreSQL, as a superuser: the rows go in without firing triggers, for the rest of the restore.

    The rows are the build's final rows, so what its row triggers wrote (a status row's plan and
    version) is in them already; and they were consistent and go in parents first (_ordered), so
    the foreign key checks that Django's TestCase would otherwise run for each of them at the end of
    every test (SET CONSTRAINTS ALL IMMEDIATE, 37 ms a seeded test) have nothing to find.
    """
    if connection.vendor != "postgresql" or connection.connection.info.parameter_status("is_superuser") != "on":
        return False
    cursor.execute("SELECT set_config('session_replication_role', 'replica', true)")
    return True


def _row_triggers_on(cursor, tables: list[str]) -> None:
    """Triggers fire again, and each table's statement triggers (the data version's) fire once,
    as the inserts would have fired them: an insert of no rows fires a statement trigger too."""
    cursor.execute("SELECT set_config('session_replication_role', 'origin', true)")
    qn = connection.ops.quote_name
    for table in tables:
        cursor.execute(f"INSERT INTO {qn(table)} SELECT * FROM {qn(table)} WHERE false")


def _insert(cursor, table: str, columns: list[str], rows: list[list[Any]]) -> None:
    if not rows:
        return
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        # COPY: psycopg would otherwise re-parse a statement of thousands of placeholders per table.
        with cursor.cursor.copy(f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    per_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    limit = connection.features.max_query_params or 30000
    batch = max(1, min(1000, limit // len(columns)))
    head = f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES "
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        cursor.execute(head + ", ".join([per_row] * len(chunk)), [v for row in chunk for v in row])


def _sequences_past(tables: list[_Table]) -> None:
    """Keep the database's own keys clear of the restored ones.

    PostgreSQL sequences ignore the rollback, so they are already past the imported keys. SQLite
    rolls its sqlite_sequence back with everything else: move it past them again.
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for table in tables:
            name = table.model._meta.db_table
            top = max(r[table.model._meta.pk.attname] for r in table.rows)
            if not isinstance(top, int):
                continue
            cursor.execute("UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s", [top, name])
            if cursor.rowcount == 0:
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [name, top])
