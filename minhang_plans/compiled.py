"""Compiled SQL kept per process for the querysets whose building costs more than running them.

The status rule (tasks.status.rule) is a tree of CASE expressions. Django resolves and compiles
it again for every queryset: 2–5 ms of Python per query, more than the database takes to run
it, and about half of the CPU a rebuilt page costs. `compiled_rows(key=…, build=…)` builds and
compiles a queryset once per key, then runs the stored SQL through Django's own iterables, so the
rows come back exactly as iterating the queryset gives them (model instances, values, tuples,
with the backend's converters).

The key names the query and every input of its builder but the ids (the clock: a Clock holds the
day, so the SQL of a day is built once that day). Ids (a unit, a task, a list of plans) are
passed to the builder as keyword arguments and become the stored SQL's parameters, so one entry
serves every unit. A builder must be a pure function of its key and ids: it may read settings (a
settings change, in tests, empties the cache) but not the database; a query run while building
raises, so a builder that would bake rows into its SQL fails at once.

Least recently used entries are dropped past COMPILED_SQL_ENTRIES (0: compile every time).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler

from .lru import LruStore

Row = TypeVar("Row")
Source = TypeVar("Source", bound=QuerySet[Any])
Ids = int | Sequence[int]

# Stand-ins for ids while building: no row has a negative id, so each is found in the parameters.
_SENTINEL_FIRST = -1_987_654_321

# What SQLCompiler.setup_query/pre_sql_setup leave on the compiler and the iterables read back.
_STATE = ("select", "klass_info", "annotation_col_map", "col_count", "has_extra_select")


class BuilderQueried(RuntimeError):
    """A builder ran a query: its SQL would hold rows of the moment it was built."""


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet[Any] | None  # the built queryset, never evaluated itself: it carries the iterable and names
    sql: str  # "" when Django found the result empty without asking the database
    params: tuple[Any, ...]
    state: dict[str, Any]
    slots: tuple[tuple[int, str, int | None], ...] = ()  # (param position, id name, index in a list of ids)

    def bound(self, ids: Mapping[str, Ids]) -> tuple[Any, ...]:
        """The stored parameters with these ids in their places."""
        if not self.slots:
            return self.params
        params = list(self.params)
        for position, name, index in self.slots:
            value = ids[name]
            given = value if index is None else value[index]  # type: ignore[index]
            params[position] = type(self.params[position])(given)  # the backend's own integer type
        return tuple(params)


_entries: LruStore[_Compiled] = LruStore()


def compiled_clear(**_: Any) -> None:
    """Forget every compiled query (on any settings change: a builder may read settings)."""
    _entries.clear()


setting_changed.connect(compiled_clear, dispatch_uid="minhang_plans.compiled")


def compiled_size() -> int:
    return len(_entries)


def _refuse_queries(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    raise BuilderQueried(f"a compiled_rows builder ran a query while building: {sql[:200]}")


def _compile(queryset: QuerySet[Any], *, stand_ins: dict[int, tuple[str, int | None]]) -> _Compiled:
    compiler = queryset.query.get_compiler(queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        sql, params = "", ()
    state = {name: getattr(compiler, name) for name in _STATE if hasattr(compiler, name)}
    return _Compiled(
        queryset=queryset, sql=sql, params=tuple(params), state=state, slots=_slots(sql, params, stand_ins)
    )


def _stand_ins(ids: Mapping[str, Ids]) -> tuple[dict[str, Ids], dict[int, tuple[str, int | None]]]:
    """Sentinel ids to build with (a list keeps its length), and where each sentinel stands."""
    kwargs: dict[str, Ids] = {}
    where: dict[int, tuple[str, int | None]] = {}
    sentinel = _SENTINEL_FIRST
    for name in sorted(ids):
        value = ids[name]
        if isinstance(value, int):
            kwargs[name], where[sentinel] = sentinel, (name, None)
            sentinel -= 1
        else:
            kwargs[name] = tuple(range(sentinel, sentinel - len(value), -1))
            for index, stand_in in enumerate(kwargs[name]):  # type: ignore[arg-type]
                where[stand_in] = (name, index)
            sentinel -= len(value)
    return kwargs, where


def _slots(
    sql: str, params: Sequence[Any], stand_ins: dict[int, tuple[str, int | None]]
) -> tuple[tuple[int, str, int | None], ...]:
    """Where each id goes in the parameters. An id that did not become a parameter (written into
    the SQL, or turned into another value first) would be stored with the sentinel: refused."""
    # isinstance: psycopg's backend hands integers over as Int4/Int8, subclasses of int.
    slots = tuple(
        (position, *stand_ins[value])
        for position, value in enumerate(params)
        if isinstance(value, int) and not isinstance(value, bool) and value in stand_ins
    )
    missing = set(stand_ins.values()) - {(name, index) for _, name, index in slots}
    if sql and missing:
        raise ValueError(f"compiled_rows: ids not passed as parameters of the SQL: {sorted(map(str, missing))}")
    if sql and any(str(stand_in) in sql for stand_in in stand_ins):
        raise ValueError("compiled_rows: an id was written into the SQL text")
    return slots


def _runner(compiled: _Compiled, *, params: tuple[Any, ...]) -> QuerySet[Any]:
    """A fresh, unevaluated queryset over the stored query whose compiler hands back the stored SQL."""
    # QuerySet's private attributes, as its own _clone() copies them (the stubs do not declare them).
    template: Any = compiled.queryset
    assert template is not None
    query = template.query.chain()

    def get_compiler(using: str | None = None, connection: Any = None, elide_empty: bool = True) -> SQLCompiler:
        connection = connections[using] if using else connection
        compiler: SQLCompiler = connection.ops.compiler(query.compiler)(query, connection, using, elide_empty)
        compiler.__dict__.update(compiled.state)
        # Instance attributes win over the class's methods: execute_sql asks these for its SQL.
        compiler.as_sql = lambda *args, **kwargs: (compiled.sql, params)  # type: ignore[method-assign]
        compiler.pre_sql_setup = lambda *args, **kwargs: None  # type: ignore[method-assign,assignment]
        return compiler

    query.get_compiler = get_compiler
    runner: Any = template.__class__(model=template.model, query=query, using=template._db, hints=template._hints)
    runner._iterable_class = template._iterable_class
    runner._fields = template._fields
    runner._prefetch_related_lookups = template._prefetch_related_lookups[:]
    runner._known_related_objects = template._known_related_objects
    return runner


def code_of(build: Callable[..., Any]) -> Any:
    """What tells two builders apart in a key: their code (a lambda's is one per call site)."""
    return getattr(build, "__code__", build)


def ids_padded(ids: Sequence[int]) -> list[int]:
    """`ids` lengthened to the next power of two by repeating the last: a list's length is part of a
    compiled key, so lists of any length would each compile their own SQL (a few ms of Python
    every time a new length comes); `IN` ignores the repeats."""
    if not ids:
        return []
    size = 1 << (len(ids) - 1).bit_length()
    return [*ids, *[ids[-1]] * (size - len(ids))]


def compiled_rows(
    *, key: Hashable, build: Callable[..., QuerySet[Any, Row]], ids: Mapping[str, Ids] | None = None
) -> list[Row]:
    """The rows of `build(**ids)`, whose SQL is built and compiled once per `key` (and database).

    `ids`: ids the builder takes as keyword arguments (one id, or a list of ids). They are the
    stored SQL's parameters, not part of the key, so one entry serves every unit or task (a
    list's length is part of the key). The builder must use each as given, in a lookup.

    Only iterate what `build` returns here: chaining `.filter()` onto a stored query would be
    ignored, so this returns the rows, not a queryset."""
    ids = ids or {}
    if settings.COMPILED_SQL_ENTRIES <= 0:
        return list(build(**ids))
    compiled = _entry("rows", key, build, ids, lambda built, stand_ins: _compile(built, stand_ins=stand_ins))
    return list(_runner(compiled, params=compiled.bound(ids)))


def compiled_statement(
    *, key: Hashable, build: Callable[..., tuple[str, Sequence[Any]]], ids: Mapping[str, Ids] | None = None
) -> tuple[str, Sequence[Any]]:
    """The (sql, params) `build(**ids)` makes from querysets, once per `key`: for statements run
    on a cursor (a SELECT of several counts, an UPDATE), under the same rules as `compiled_rows`."""
    ids = ids or {}
    if settings.COMPILED_SQL_ENTRIES <= 0:
        return build(**ids)

    def statement(built: tuple[str, Sequence[Any]], stand_ins: dict[int, tuple[str, int | None]]) -> _Compiled:
        sql, params = built
        return _Compiled(queryset=None, sql=sql, params=tuple(params), state={}, slots=_slots(sql, params, stand_ins))

    compiled = _entry("statement", key, build, ids, statement)
    return compiled.sql, compiled.bound(ids)


def compiled_or_plain(
    source: Source | Callable[..., Source],
    *,
    then: Callable[[Source], QuerySet[Any, Row]],
    key: Hashable | None = None,
    ids: Mapping[str, Ids] | None = None,
) -> list[Row]:
    """The rows of `then(source)`: `source` a queryset, run as it is; or, with `key`, a builder
    (taking the `ids`), compiled once per key (the selectors' summaries and task rows take both)."""
    if key is None:
        assert isinstance(source, QuerySet)
        return list(then(source))
    assert callable(source)
    build: Callable[..., Source] = source
    return compiled_rows(key=(key, code_of(build)), build=lambda **given: then(build(**given)), ids=ids)


def _entry(
    kind: str,
    key: Hashable,
    build: Callable[..., Any],
    ids: Mapping[str, Ids],
    make: Callable[[Any, dict[int, tuple[str, int | None]]], _Compiled],
) -> _Compiled:
    """The stored entry, or built now with stand-in ids under the query guard and stored."""
    # The builder's code is part of the key (two call sites never share an entry by accident), and
    # the ids' names and list lengths (a list of n ids is n parameters).
    shape = tuple(sorted((name, None if isinstance(value, int) else len(value)) for name, value in ids.items()))
    full_key = (kind, key, code_of(build), shape)
    compiled = _entries.get(full_key)
    if compiled is None:
        kwargs, stand_ins = _stand_ins(ids)
        with connections[DEFAULT_DB_ALIAS].execute_wrapper(_refuse_queries):
            built = build(**kwargs)
        compiled = make(built, stand_ins)
        _entries.put_many({full_key: compiled}, limit=settings.COMPILED_SQL_ENTRIES)
    return compiled


__all__ = [
    "BuilderQueried",
    "code_of",
    "compiled_clear",
    "compiled_or_plain",
    "compiled_rows",
    "compiled_size",
    "compiled_statement",
]
