"""A score run computed, frozen or published is a data change for the cached pages: the leader's
cockpit shows their units' published scores. So assessment_scorerun moves the shared data version
the cached pages are keyed by, as the trends and yearend tables do (its sheets and lines are
written in the same transaction as the run). Without PL/pgSQL (tasks 0009 made no version row
and nothing is cached) there is no trigger."""

from django.db import migrations

TABLES = ["assessment_scorerun"]
SQLITE_TRIGGER = """
CREATE TRIGGER {table}_data_version_{op} AFTER {op} ON {table} BEGIN
    INSERT INTO tasks_dataversion (id, number)
    SELECT 1, 0 WHERE NOT EXISTS (SELECT 1 FROM tasks_dataversion WHERE id = 1);
    UPDATE tasks_dataversion SET number = number + 1 WHERE id = 1;
END
"""


def triggers_create(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_proc WHERE proname = 'tasks_data_version_bump'")
            if cursor.fetchone() is None:
                return
        for table in TABLES:
            run(
                f"CREATE TRIGGER tasks_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION tasks_data_version_bump()"
            )
    else:
        for table in TABLES:
            for op in ("insert", "update", "delete"):
                run(SQLITE_TRIGGER.format(table=table, op=op))


def triggers_drop(apps, schema_editor):
    run = schema_editor.execute
    for table in TABLES:
        if schema_editor.connection.vendor == "postgresql":
            run(f"DROP TRIGGER IF EXISTS tasks_data_version ON {table}")
        else:
            for op in ("insert", "update", "delete"):
                run(f"DROP TRIGGER IF EXISTS {table}_data_version_{op}")


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0001_initial"),
        ("tasks", "0012_task_versions"),
    ]

    operations = [migrations.RunPython(triggers_create, triggers_drop)]
