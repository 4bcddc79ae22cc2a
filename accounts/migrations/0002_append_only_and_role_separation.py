"""Database guards: the audit log is append-only (UPDATE and DELETE refused, except the retention
job's DELETE once it set minhang.audit_prune for its transaction), and no account joins two of
the three administrator groups (三员分立).

PostgreSQL: PL/pgSQL triggers. A PostgreSQL-compatible database without PL/pgSQL (信创; detected
here by creating the trigger functions in a savepoint) gets the same rules without it: two
query-rewrite rules refuse UPDATE and DELETE of audit records with the same message, and a
partial unique index on auth_user_groups (built at post_migrate, accounts/guards.py, since it
names the groups' ids) admits one administrator group per account. A warning is logged.
SQLite: triggers (DELETE is refused by the model there). On every database the model guards
(accounts/models.py, accounts/guards.py) refuse first, with the same messages."""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)

ADMIN_GROUPS = "('系统管理员', '安全管理员', '审计管理员')"
ROLE_MESSAGE = "系统管理员、安全管理员、审计管理员三者分立，一个账号只能担任其中一个。"
AUDIT_MESSAGE = "审计记录只能追加，不能修改或删除。"

POSTGRES_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION accounts_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('minhang.audit_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '{AUDIT_MESSAGE}' USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION accounts_admin_roles_exclusive() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM auth_group g WHERE g.id = NEW.group_id AND g.name IN {ADMIN_GROUPS})
       AND EXISTS (
           SELECT 1 FROM auth_user_groups ug JOIN auth_group g ON g.id = ug.group_id
           WHERE ug.user_id = NEW.user_id AND ug.id <> NEW.id AND g.id <> NEW.group_id
             AND g.name IN {ADMIN_GROUPS}
       ) THEN
        RAISE EXCEPTION '{ROLE_MESSAGE}' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""

POSTGRES_TRIGGERS = """
CREATE TRIGGER accounts_audit_append_only BEFORE UPDATE OR DELETE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION accounts_audit_append_only();
CREATE TRIGGER accounts_admin_roles_exclusive BEFORE INSERT OR UPDATE ON auth_user_groups
    FOR EACH ROW EXECUTE FUNCTION accounts_admin_roles_exclusive();
"""

# Without PL/pgSQL nothing can RAISE, so the rules' replacement query fails on purpose: casting
# the message to an integer errors with the message in its text ("invalid input syntax for type
# integer: "审计记录只能追加…""). The CASE on OLD.id keeps the planner from evaluating the cast
# before a row matches (a DELETE by the retention job, or one that matches nothing, passes).
_REFUSE = f"SELECT CAST(CASE WHEN OLD.id IS NOT NULL THEN '{AUDIT_MESSAGE}' END AS integer)"
POSTGRES_RULES = f"""
CREATE RULE accounts_audit_no_update AS ON UPDATE TO accounts_auditevent DO INSTEAD {_REFUSE};
CREATE RULE accounts_audit_no_delete AS ON DELETE TO accounts_auditevent
    WHERE current_setting('minhang.audit_prune', true) IS DISTINCT FROM 'on' DO INSTEAD {_REFUSE};
"""

POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS accounts_audit_append_only ON accounts_auditevent;
DROP FUNCTION IF EXISTS accounts_audit_append_only();
DROP TRIGGER IF EXISTS accounts_admin_roles_exclusive ON auth_user_groups;
DROP FUNCTION IF EXISTS accounts_admin_roles_exclusive();
DROP RULE IF EXISTS accounts_audit_no_update ON accounts_auditevent;
DROP RULE IF EXISTS accounts_audit_no_delete ON accounts_auditevent;
DROP INDEX IF EXISTS accounts_one_admin_role;
"""

SQLITE_FORWARD = [
    f"""CREATE TRIGGER accounts_audit_no_update BEFORE UPDATE ON accounts_auditevent
    BEGIN SELECT RAISE(ABORT, '{AUDIT_MESSAGE}'); END""",
    f"""CREATE TRIGGER accounts_admin_roles_exclusive BEFORE INSERT ON auth_user_groups
    WHEN (SELECT name FROM auth_group WHERE id = NEW.group_id) IN {ADMIN_GROUPS}
     AND EXISTS (
         SELECT 1 FROM auth_user_groups ug JOIN auth_group g ON g.id = ug.group_id
         WHERE ug.user_id = NEW.user_id AND g.id <> NEW.group_id AND g.name IN {ADMIN_GROUPS}
     )
    BEGIN SELECT RAISE(ABORT, '{ROLE_MESSAGE}'); END""",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS accounts_audit_no_update",
    "DROP TRIGGER IF EXISTS accounts_admin_roles_exclusive",
]


def plpgsql_functions_created(schema_editor) -> bool:
    """Create the trigger functions in a savepoint: where PL/pgSQL is missing (or this role may
    not use it) the refusal must not abort migrate."""
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute(POSTGRES_FUNCTIONS)
    except DatabaseError as refused:
        logger.warning(
            "PL/pgSQL unavailable (%s): the audit log is append-only through rules, "
            "and one administrator role per account through a unique index.",
            str(refused).strip().splitlines()[0],
        )
        return False
    return True


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        if plpgsql_functions_created(schema_editor):
            schema_editor.execute(POSTGRES_TRIGGERS)
        else:
            schema_editor.execute(POSTGRES_RULES)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forward, backward)]
