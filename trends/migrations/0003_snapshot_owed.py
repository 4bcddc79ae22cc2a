"""Snapshots record whether each task owed a report for the period (open, with a lead unit) as it
stood at the close, so the reporting rate reads the snapshot instead of today's links. Rows taken
before this are filled from the links and `done` (the best there is for them).

SQLite rebuilds the table to add the column, and a rebuilt table loses its triggers (as tasks 0011
and 0014 repaired): the data-version triggers of 0002 are put back (IF NOT EXISTS: a no-op where
they survived). PostgreSQL alters in place."""

from django.db import migrations, models

SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS trends_statussnapshot_data_version_{op} AFTER {op} ON trends_statussnapshot BEGIN
    INSERT INTO tasks_dataversion (id, number)
    SELECT 1, 0 WHERE NOT EXISTS (SELECT 1 FROM tasks_dataversion WHERE id = 1);
    UPDATE tasks_dataversion SET number = number + 1 WHERE id = 1;
END
"""
FILL = """
UPDATE trends_statussnapshot SET owed = TRUE
WHERE NOT done AND EXISTS (
    SELECT 1 FROM tasks_taskunit u WHERE u.task_id = trends_statussnapshot.task_id AND u.role = 'lead'
)
"""


def owed_fill(apps, schema_editor):
    schema_editor.execute(FILL)


def triggers_restore(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for op in ("insert", "update", "delete"):
            schema_editor.execute(SQLITE_TRIGGER.format(op=op))


class Migration(migrations.Migration):
    dependencies = [
        ("trends", "0002_data_version_triggers"),
    ]

    operations = [
        migrations.AddField(
            model_name="statussnapshot",
            name="owed",
            field=models.BooleanField(default=False, verbose_name="本期应报送"),
        ),
        migrations.RunPython(triggers_restore, migrations.RunPython.noop),
        migrations.RunPython(owed_fill, migrations.RunPython.noop),
    ]
