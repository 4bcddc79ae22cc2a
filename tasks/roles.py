"""Who a signed-in account is: its role (the group it is in) and, for a liaison, its units.

Read once per request and remembered on the user object. The local sign-in backend
(accounts/backends.py) reads the account, its role and its units in one query
(`user_get_with_role`); any other way in asks `user_role` and `user_unit_ids` on their own.
What each role may do is tasks/permissions.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, Group, User
from django.db.models import Aggregate, Case, CharField, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When

from minhang_plans.compiled import compiled_rows

from .models import Role, Unit

# The first of these among an account's groups is its role.
ROLE_ORDER = (Role.ADMIN, Role.SECURITY, Role.AUDITOR, Role.OFFICE, Role.LIAISON, Role.LEADER)


def _units_of(account_id: int | OuterRef) -> QuerySet[Unit]:
    """The units an account reports for (a liaison's; the account's id, or an OuterRef to it)."""
    return Unit.objects.filter(Q(liaisons__user_id=account_id))  # Q: the stubs type the lookup as an int only


def _role_of(*, is_superuser: bool, names: set[str]) -> Role | None:
    """The role an account's groups give it: a superuser is the system administrator; else the
    first of ROLE_ORDER among its groups."""
    if is_superuser:
        return Role.ADMIN
    return next((r for r in ROLE_ORDER if r.value in names), None)


def _remember_role(user: User, role: Role | None) -> None:
    # Per-request memo on the user object itself (accounts.services clears it when a role changes);
    # setattr because the model declares no such field.
    setattr(user, "_role_cache", role)  # noqa: B010


def user_role(user: User | AnonymousUser) -> Role | None:
    """The user's role (their group), cached on the user object for the request (read with the
    account itself when the sign-in backend is accounts.backends.ModelBackend: user_get_with_role)."""
    if not user.is_authenticated:
        return None
    cached: Role | bool | None = getattr(user, "_role_cache", False)
    if cached is not False and not isinstance(cached, bool):
        return cached
    if cached is None:
        return None
    names: set[str] = set()
    if not user.is_superuser:
        # Every request asks this: the statement is compiled once (minhang_plans.compiled).
        names = set(
            compiled_rows(
                key="user_role.groups",
                build=lambda user_id: Group.objects.filter(user__id=user_id).values_list("name", flat=True),
                ids={"user_id": user.pk},
            )
        )
    role = _role_of(is_superuser=user.is_superuser, names=names)
    _remember_role(user, role)
    return role


def user_get_with_role(*, user_id: int) -> User | None:
    """The account with this id and its role (remembered for user_role) in one query: every signed-in
    request reads both, and the role's own query was one of the busiest under load. None if there is
    no such account."""

    def build(user_id: int) -> QuerySet[User]:
        rank = Case(*(When(name=r.value, then=Value(i)) for i, r in enumerate(ROLE_ORDER)), output_field=IntegerField())
        first = Group.objects.filter(user=OuterRef("pk"), name__in=[r.value for r in ROLE_ORDER])
        role_name = Subquery(first.annotate(rank=rank).order_by("rank").values("name")[:1])
        # A liaison's units too (user_unit_ids), which the report form and the to-do lists ask.
        units = _units_of(OuterRef("pk")).order_by().values("liaisons__user_id")
        unit_ids = Subquery(units.annotate(ids=IdsJoined("pk")).values("ids"))
        return User.objects.annotate(role_name=role_name, unit_ids=unit_ids).filter(pk=user_id)

    found = compiled_rows(key="user_get_with_role", build=build, ids={"user_id": user_id})
    if not found:
        return None
    user = found[0]
    name = getattr(user, "role_name", None)
    _remember_role(user, _role_of(is_superuser=user.is_superuser, names={name} if name else set()))
    joined: str | None = getattr(user, "unit_ids", None)
    units = {int(unit_id) for unit_id in joined.split(",")} if joined else set()
    setattr(user, "_unit_ids_cache", units)  # noqa: B010  (user_unit_ids' memo)
    return user


class IdsJoined(Aggregate):
    """Integer ids joined by commas, in any order (PostgreSQL's string_agg, SQLite's group_concat)."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(
            compiler, connection, function="STRING_AGG", template="%(function)s((%(expressions)s)::text, ',')"
        )


def user_unit_ids(user: User | AnonymousUser) -> set[int]:
    cached = getattr(user, "_unit_ids_cache", None)
    if cached is None:
        # One query, straight through the profile's link table.
        cached = (
            set(
                compiled_rows(
                    key="user_unit_ids",
                    build=lambda user_id: _units_of(user_id).values_list("pk", flat=True),
                    ids={"user_id": user.pk},
                )
            )
            if user.is_authenticated
            else set()
        )
        setattr(user, "_unit_ids_cache", cached)  # noqa: B010  (a per-request memo, as in user_role)
    return cached
