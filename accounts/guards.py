"""三员分立 below the services: no account holds two of the three administrator groups, however
the groups are added (a service, the Django admin, a shell).

- In Python, on every database: `user.groups.add(...)` and `group.user_set.add(...)` are refused
  with the message the services use, before anything is written.
- In the database: a trigger (migration 0002; PostgreSQL with PL/pgSQL, and SQLite), or, on a
  PostgreSQL-compatible database without PL/pgSQL, a partial unique index on auth_user_groups
  that admits one row per account among the administrator groups. A partial index's predicate
  cannot look the groups up by name, so it names their ids: it is rebuilt at post_migrate (also
  after a test flush re-creates the groups) and whenever a group is created, renamed or deleted."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django.db.models import Count
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

from tasks.permissions import ADMIN_ROLES

from .models import ROLE_CONFLICT_MESSAGE

logger = logging.getLogger(__name__)

ADMIN_ROLE_NAMES = frozenset(role.value for role in ADMIN_ROLES)
FALLBACK_MARKER = "accounts_audit_no_update"  # a rule of migration 0002's fallback
ROLE_INDEX = "accounts_one_admin_role"


def _admin_group_ids(using: str) -> set[int]:
    return set(Group.objects.using(using).filter(name__in=ADMIN_ROLE_NAMES).values_list("id", flat=True))


def _admin_roles_exclusive(
    sender: Any, instance: User | Group, action: str, reverse: bool, pk_set: set[int] | None, using: str, **kwargs: Any
) -> None:
    """m2m_changed on User.groups: refuse an add that would give an account a second
    administrator group. `pk_set` holds only the rows not there yet."""
    if action != "pre_add" or not pk_set:
        return
    admin_ids = _admin_group_ids(using)
    if reverse:  # group.user_set.add(*users)
        if instance.pk not in admin_ids:
            return
        conflict = sender.objects.using(using).filter(user_id__in=pk_set, group_id__in=admin_ids - {instance.pk})
        if conflict.exists():
            raise ValidationError(ROLE_CONFLICT_MESSAGE)
        return
    adding = pk_set & admin_ids
    if not adding:
        return
    held = set(
        sender.objects.using(using)
        .filter(user_id=instance.pk, group_id__in=admin_ids)
        .values_list("group_id", flat=True)
    )
    if len(adding | held) > 1:
        raise ValidationError(ROLE_CONFLICT_MESSAGE)


def admin_roles_index_sync(*, using: str = "default") -> bool:
    """PostgreSQL without PL/pgSQL: (re)build the unique index over the administrator
    groups' current ids. Returns whether it was rebuilt. Refuses (IntegrityError) while an
    account already holds two administrator groups."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        # Migration 0002 made the rules instead of the triggers: the database has no PL/pgSQL.
        # (No rule: the trigger is there, or 0002 is not applied, and there is nothing to do.)
        cursor.execute("SELECT 1 FROM pg_rules WHERE rulename = %s", [FALLBACK_MARKER])
        if not cursor.fetchone():
            return False
        admin_ids = sorted(_admin_group_ids(using))
        ids = ",".join(str(pk) for pk in admin_ids)
        # The index's comment records the ids it was built for.
        cursor.execute("SELECT obj_description(to_regclass(%s), 'pg_class')", [ROLE_INDEX])
        row = cursor.fetchone()
        if (row[0] if row else None) == ids:
            return False
        with transaction.atomic(using=using):
            cursor.execute(f"DROP INDEX IF EXISTS {ROLE_INDEX}")
            if not admin_ids:
                return True
            try:
                with transaction.atomic(using=using):
                    cursor.execute(
                        f"CREATE UNIQUE INDEX {ROLE_INDEX} ON auth_user_groups (user_id) WHERE group_id IN ({ids})"
                    )
            except IntegrityError as duplicate:
                both = (
                    User.objects.using(using)
                    .filter(groups__id__in=admin_ids)
                    .annotate(admin_roles=Count("groups"))
                    .filter(admin_roles__gt=1)
                    .order_by("username")
                    .values_list("username", flat=True)
                )
                raise IntegrityError(
                    f"{ROLE_CONFLICT_MESSAGE}以下账号同时担任多个管理员角色，请先在“账号管理”中改正：{'、'.join(both)}"
                ) from duplicate
            cursor.execute(f"COMMENT ON INDEX {ROLE_INDEX} IS '{ids}'")
    logger.info("accounts: one administrator role per account enforced by index %s (groups %s)", ROLE_INDEX, ids)
    return True


def _after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from tasks.services import roles_ensure

    roles_ensure()  # the groups the index names (tasks' own post_migrate may not have run yet)
    admin_roles_index_sync(using=using)


def _group_changed(sender: Any, instance: Group, using: str = "default", **kwargs: Any) -> None:
    admin_roles_index_sync(using=using)


def connect() -> None:
    from django.apps import apps

    m2m_changed.connect(_admin_roles_exclusive, sender=User.groups.through, dispatch_uid="accounts.admin_roles")
    post_migrate.connect(
        _after_migrate, sender=apps.get_app_config("accounts"), dispatch_uid="accounts.admin_roles_index"
    )
    post_save.connect(_group_changed, sender=Group, dispatch_uid="accounts.group_saved")
    post_delete.connect(_group_changed, sender=Group, dispatch_uid="accounts.group_deleted")
