"""Trigram indexes for Chinese substring search on PostgreSQL.

Django's `icontains` becomes `UPPER(col::text) LIKE UPPER('%…%')`, so the GIN
indexes are on UPPER(col). Searches of three or more characters use them.
SQLite has no pg_trgm: nothing to do there. Nor on a PostgreSQL-compatible database
without the extension (信创 databases, or a role not allowed to create it): the
migration skips the indexes and search scans the tables instead, only slower.
"""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)

INDEXES = [
    ("task_text_upper_trgm", "tasks_task", "text"),
    ("task_title_upper_trgm", "tasks_task", "title"),
    ("task_note_upper_trgm", "tasks_task", "note"),
    ("unit_name_upper_trgm", "tasks_unit", "name"),
    ("unitalias_name_upper_trgm", "tasks_unitalias", "name"),
    ("leader_name_upper_trgm", "tasks_leader", "name"),
]


def trigram_available(schema_editor) -> bool:
    """pg_trgm is installed here, or can be (in a savepoint: a refusal must not abort migrate)."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone():
            return True
    try:
        with transaction.atomic(using=connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as refused:
        logger.warning("pg_trgm unavailable (%s): search works without trigram indexes, more slowly.", refused)
        return False
    return True


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql" or not trigram_available(schema_editor):
        return
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
