"""The header badge: how many things the person's 我的待办 lists, counted in one statement over
the same querysets the page reads."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import DateTimeField, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from minhang_plans.compiled import compiled_statement
from notifications.selectors import message_unread
from tasks import permissions
from tasks.choices import Role
from tasks.models import Leader, Unit
from tasks.selectors.units import reports_to_fix
from tasks.status.clock import Clock, clock_or_now

from ..models import TodoVisit
from .acknowledgements import _new_tasks_rows
from .chases import chases_open
from .leader import FIRST_VISIT_DAYS, _leader_lists
from .liaison import _liaison_extensions, _liaison_instructions, _liaison_links
from .office import _office_lists


def counts_fetch(*, querysets: Sequence[QuerySet[Any]]) -> list[int]:
    """How many rows each queryset has, in ONE statement: a SELECT of scalar COUNT subqueries,
    each over the queryset's own SQL (so a grouped list counts its groups, a sliced one its slice)."""
    if not querysets:
        return []
    return _counts_run(querysets[0].db, counts_sql(querysets=querysets))


def counts_sql(*, querysets: Sequence[QuerySet[Any]]) -> tuple[str, list[Any]]:
    """The statement counts_fetch runs: SELECT (SELECT COUNT(*) FROM (…)), … for these querysets."""
    using = querysets[0].db
    parts: list[str] = []
    params: list[Any] = []
    for index, qs in enumerate(querysets):
        if not qs.query.is_sliced:
            qs = qs.order_by()  # ordering changes no count; a slice keeps it (it picks the rows)
        try:
            sql, qs_params = qs.query.get_compiler(using=using).as_sql()
        except EmptyResultSet:  # .none(), or `__in` an empty list: no rows, nothing to ask
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) counted_{index})")
        params.extend(qs_params)
    return "SELECT " + ", ".join(parts), params


def _counts_run(using: str, statement: tuple[str, Sequence[Any]]) -> list[int]:
    sql, params = statement
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return [int(n) for n in row]


def header_counts_fetch(*, user: User | AnonymousUser, clock: Clock, todo: bool) -> tuple[int, int | None]:
    """(unread 站内消息, the sum of 我的待办's counts or None when the person has none or `todo` is
    False): one statement, compiled once per person, role and day (minhang_plans.compiled) but for
    a leader, whose lists start from the last visit."""
    role = permissions.user_role(user)

    def build() -> tuple[str, list[Any]]:
        lists = todo_querysets(user=user, clock=clock) if todo else []
        return counts_sql(querysets=[message_unread(user=user), *lists])

    if role == Role.LEADER and todo:
        statement: tuple[str, Sequence[Any]] = build()
    else:
        statement = compiled_statement(key=("header_counts", user.pk, role, todo, clock), build=build)
    unread, *lists = _counts_run(DEFAULT_DB_ALIAS, statement)
    return unread, (sum(lists) if lists else None)


def todo_querysets(*, user: User | AnonymousUser, clock: Clock) -> list[QuerySet[Any]]:
    """One queryset per count on the person's 我的待办, each with a row per item of its list: the
    same querysets the page reads (liaison_todo, leader_todo, office_todo). Empty for anyone
    without a 我的待办 (no reading role). No query is run here: the person's units, leader and
    last visit are subqueries."""
    role = permissions.user_role(user)
    if not isinstance(user, User) or role not in permissions.READER_ROLES:
        return []
    if role == Role.LIAISON:
        units = Unit.objects.filter(liaisons__user_id=user.pk).values("pk")
        links = _liaison_links(unit_ids=units, clock=clock)
        return [
            links.filter(Q(is_silent=True)),
            links.filter(Q(is_due_soon=True)),
            reports_to_fix(unit_ids=units, clock=clock),
            _liaison_instructions(unit_ids=units),
            _liaison_extensions(unit_ids=units, clock=clock),
            _new_tasks_rows(unit_ids=units),
            chases_open().filter(unit_id__in=units),
        ]
    if role == Role.LEADER:
        # As the page: the reports since the last visit, or of the last week before the first one.
        leader = Subquery(Leader.objects.filter(accounts__user_id=user.pk).values("pk")[:1])
        first = timezone.now() - datetime.timedelta(days=FIRST_VISIT_DAYS)
        since = Coalesce(
            Subquery(TodoVisit.objects.filter(user_id=user.pk).values("seen_at")[:1]),
            Value(first, output_field=DateTimeField()),
        )
        leader_lists = _leader_lists(leader_id=leader, since=since, clock=clock)
        return [leader_lists.lights, leader_lists.units, leader_lists.reports]
    office = _office_lists(clock=clock)
    return [
        office.pending,
        office.units,
        office.overdue_chases,
        office.extensions,
        _new_tasks_rows(),
        office.red_silent,
    ]


def todo_count(*, user: User | AnonymousUser, clock: Clock | None = None) -> int:
    """The number the header badge shows: the sum of the counts on the person's 我的待办 (one query)."""
    return sum(counts_fetch(querysets=todo_querysets(user=user, clock=clock_or_now(clock))))
