"""Database guards: the audit log is append-only on PostgreSQL (a trigger refuses UPDATE and
DELETE unless the retention job set minhang.audit_prune for its transaction; on SQLite UPDATE is
refused here and DELETE by the model), and no account joins two of the three administrator
groups (三员分立), on both databases."""

from django.db import migrations

ADMIN_GROUPS = "('系统管理员', '安全管理员', '审计管理员')"
ROLE_MESSAGE = "系统管理员、安全管理员、审计管理员三者分立，一个账号只能担任其中一个。"
AUDIT_MESSAGE = "审计记录只能追加，不能修改或删除。"

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION accounts_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('minhang.audit_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '{AUDIT_MESSAGE}' USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_audit_append_only BEFORE UPDATE OR DELETE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION accounts_audit_append_only();

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
CREATE TRIGGER accounts_admin_roles_exclusive BEFORE INSERT OR UPDATE ON auth_user_groups
    FOR EACH ROW EXECUTE FUNCTION accounts_admin_roles_exclusive();
"""

POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS accounts_audit_append_only ON accounts_auditevent;
DROP FUNCTION IF EXISTS accounts_audit_append_only();
DROP TRIGGER IF EXISTS accounts_admin_roles_exclusive ON auth_user_groups;
DROP FUNCTION IF EXISTS accounts_admin_roles_exclusive();
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


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
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
