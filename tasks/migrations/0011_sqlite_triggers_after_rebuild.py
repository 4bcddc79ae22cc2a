"""SQLite rebuilds a table to add a column (0010 did so for tasks_task, tasks_historicaltask and
tasks_unitalias), and a rebuilt table loses its triggers. Re-create the data-version triggers of
0009 wherever they are missing (IF NOT EXISTS: a no-op where they survived). PostgreSQL alters
tables in place and keeps them. tests/test_page_cache.py checks every watched table has them."""

from django.db import migrations

WATCHED = [
    "tasks_plan",
    "tasks_category",
    "tasks_project",
    "tasks_leader",
    "tasks_unit",
    "tasks_unitalias",
    "tasks_task",
    "tasks_historicaltask",
    "tasks_taskleader",
    "tasks_taskunit",
    "tasks_taskstatus",
    "tasks_progressreport",
    "tasks_historicalprogressreport",
    "tasks_reportattachment",
]
SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS {table}_data_version_{op} AFTER {op} ON {table} BEGIN
    INSERT INTO tasks_dataversion (id, number)
    SELECT 1, 0 WHERE NOT EXISTS (SELECT 1 FROM tasks_dataversion WHERE id = 1);
    UPDATE tasks_dataversion SET number = number + 1 WHERE id = 1;
END
"""


def triggers_restore(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in WATCHED:
        for op in ("insert", "update", "delete"):
            schema_editor.execute(SQLITE_TRIGGER.format(table=table, op=op))


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0010_task_extras_alias_district"),
    ]

    operations = [migrations.RunPython(triggers_restore, migrations.RunPython.noop)]
