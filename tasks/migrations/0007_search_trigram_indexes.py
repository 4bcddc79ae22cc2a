"""Trigram indexes for Chinese substring search on PostgreSQL.

Django's `icontains` becomes `UPPER(col::text) LIKE UPPER('%…%')`, so the GIN
indexes are on UPPER(col). Searches of three or more characters use them.
SQLite has no pg_trgm: nothing to do there.
"""

from django.db import migrations

INDEXES = [
    ("task_text_upper_trgm", "tasks_task", "text"),
    ("task_title_upper_trgm", "tasks_task", "title"),
    ("task_note_upper_trgm", "tasks_task", "note"),
    ("unit_name_upper_trgm", "tasks_unit", "name"),
    ("unitalias_name_upper_trgm", "tasks_unitalias", "name"),
    ("leader_name_upper_trgm", "tasks_leader", "name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("tasks", "0006_plan_district")]

    operations = [migrations.RunPython(create, drop)]
