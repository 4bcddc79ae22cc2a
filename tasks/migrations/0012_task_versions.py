"""Key-based expiry: a report expires only the pages that show its task.

0009 bumped one shared number on every write to any of the app's tables, so a report on one
task rebuilt every cached page of every district. From here on:

- the shared number (tasks_dataversion) moves on writes to plans, categories, projects, leaders,
  units and unit aliases, and on any DELETE of tasks or of their leader/unit links (and when a
  task or link moves to another plan, category, project, unit or leader);
- TaskStatus.version (one per task) moves on any change to the task's row, its links, its
  reports and their attachments, and its stored status.

Pages are keyed by (shared number, task count, sum of versions) over the tasks they show
(tasks/selectors/version.py). History tables feed no cached page and carry no trigger.

Both are detected at migrate time: a PostgreSQL-compatible database without PL/pgSQL gets no
triggers and no tasks_dataversion row, and then nothing is cached (pages are built fresh).
The SQL is frozen here, not imported from the app, like every migration's.
"""

import logging

from django.db import migrations, models

log = logging.getLogger(__name__)

# Every table 0009 watched.
OLD_WATCHED = [
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
# Still move the shared number on every write, as in 0009.
SHARED = ["tasks_plan", "tasks_category", "tasks_project", "tasks_leader", "tasks_unit", "tasks_unitalias"]
# Move the shared number when rows are deleted, or when a row moves out of a page's scope.
MOVES = {
    "tasks_task": ("plan_id", "category_id", "project_id"),
    "tasks_taskunit": ("task_id", "unit_id"),
    "tasks_taskleader": ("task_id", "leader_id"),
}
# (table, how a row names its task) for the per-task version. Not on INSERT of tasks_task: a new
# task has no status row yet (its first status row is itself a change of count).
TOUCHES = {
    "tasks_task": "{row}.id",
    "tasks_taskunit": "{row}.task_id",
    "tasks_taskleader": "{row}.task_id",
    "tasks_progressreport": "{row}.task_id",
    "tasks_reportattachment": "(SELECT task_id FROM tasks_progressreport WHERE id = {row}.report_id)",
}
# tasks_taskunit's reported_period / approved_period are derived columns, rewritten for every link
# of a plan by a bulk status refresh; the status row's own update follows in the same transaction
# and moves the version once, so an update of only those columns does not touch it again.
DERIVED_ONLY = {
    "tasks_taskunit": "(OLD.reported_period IS DISTINCT FROM NEW.reported_period "
    "OR OLD.approved_period IS DISTINCT FROM NEW.approved_period)"
}

PG_TOUCH_FUNCTION = """
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE tasks_taskstatus SET version = version + 1 WHERE task_id = {old};
    END IF;
    IF TG_OP = 'INSERT' THEN
        UPDATE tasks_taskstatus SET version = version + 1 WHERE task_id = {new};
    ELSIF TG_OP = 'UPDATE' THEN
        IF {new} IS DISTINCT FROM {old} THEN
            UPDATE tasks_taskstatus SET version = version + 1 WHERE task_id = {new};
        END IF;
    END IF;
    RETURN NULL;
END
$$
"""
PG_SELF_FUNCTION = """
CREATE OR REPLACE FUNCTION tasks_status_version_self() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END
$$
"""


def _pg_has_plpgsql(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_language WHERE lanname = 'plpgsql'")
        return cursor.fetchone() is not None


def _pg_create(run) -> None:
    for table in OLD_WATCHED:
        if table not in SHARED:
            run(f"DROP TRIGGER IF EXISTS tasks_data_version ON {table}")
    for table, columns in MOVES.items():
        run(
            f"CREATE TRIGGER tasks_data_version_delete AFTER DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION tasks_data_version_bump()"
        )
        moved = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
        run(
            f"CREATE TRIGGER tasks_data_version_move AFTER UPDATE ON {table} "
            f"FOR EACH ROW WHEN ({moved}) EXECUTE FUNCTION tasks_data_version_bump()"
        )
    for table in ("tasks_taskstatus", "tasks_progressreport", "tasks_reportattachment"):
        run(
            f"CREATE TRIGGER tasks_data_version_delete AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION tasks_data_version_bump()"
        )
    run(PG_SELF_FUNCTION)
    run(
        "CREATE TRIGGER tasks_status_version BEFORE UPDATE ON tasks_taskstatus "
        "FOR EACH ROW EXECUTE FUNCTION tasks_status_version_self()"
    )
    for table, task in TOUCHES.items():
        name = f"{table}_status_touch"
        run(PG_TOUCH_FUNCTION.format(name=name, old=task.format(row="OLD"), new=task.format(row="NEW")))
        each = f"FOR EACH ROW EXECUTE FUNCTION {name}()"
        if table == "tasks_task":
            run(f"CREATE TRIGGER tasks_status_touch AFTER UPDATE ON {table} {each}")
        elif table in DERIVED_ONLY:
            # A WHEN clause cannot name OLD in an INSERT trigger: updates get their own trigger.
            run(f"CREATE TRIGGER tasks_status_touch AFTER INSERT OR DELETE ON {table} {each}")
            run(
                f"CREATE TRIGGER tasks_status_touch_update AFTER UPDATE ON {table} "
                f"FOR EACH ROW WHEN (NOT {DERIVED_ONLY[table]}) EXECUTE FUNCTION {name}()"
            )
        else:
            run(f"CREATE TRIGGER tasks_status_touch AFTER INSERT OR UPDATE OR DELETE ON {table} {each}")


SQLITE_BUMP = """
    INSERT INTO tasks_dataversion (id, number)
    SELECT 1, 0 WHERE NOT EXISTS (SELECT 1 FROM tasks_dataversion WHERE id = 1);
    UPDATE tasks_dataversion SET number = number + 1 WHERE id = 1;"""


def _sqlite_touch(task: str) -> str:
    return f"UPDATE tasks_taskstatus SET version = version + 1 WHERE task_id = {task};"


def _sqlite_create(run) -> None:
    for table in OLD_WATCHED:
        if table not in SHARED:
            for op in ("insert", "update", "delete"):
                run(f"DROP TRIGGER IF EXISTS {table}_data_version_{op}")
    for table, columns in MOVES.items():
        run(f"CREATE TRIGGER {table}_data_version_delete AFTER DELETE ON {table} BEGIN{SQLITE_BUMP}\nEND")
        moved = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
        run(f"CREATE TRIGGER {table}_data_version_move AFTER UPDATE ON {table} WHEN {moved} BEGIN{SQLITE_BUMP}\nEND")
    # SQLite cannot assign NEW in a BEFORE trigger; an AFTER trigger's own UPDATE does not fire it
    # again (recursive triggers are off), and the WHEN skips updates that already moved it.
    run(
        "CREATE TRIGGER tasks_taskstatus_version AFTER UPDATE ON tasks_taskstatus WHEN NEW.version = OLD.version "
        "BEGIN UPDATE tasks_taskstatus SET version = OLD.version + 1 WHERE task_id = NEW.task_id; END"
    )
    for table, task in TOUCHES.items():
        old, new = task.format(row="OLD"), task.format(row="NEW")
        if table != "tasks_task":
            run(f"CREATE TRIGGER {table}_status_touch_insert AFTER INSERT ON {table} BEGIN {_sqlite_touch(new)} END")
            run(f"CREATE TRIGGER {table}_status_touch_delete AFTER DELETE ON {table} BEGIN {_sqlite_touch(old)} END")
        when = f" WHEN NOT {DERIVED_ONLY[table]}".replace("IS DISTINCT FROM", "IS NOT") if table in DERIVED_ONLY else ""
        run(
            f"CREATE TRIGGER {table}_status_touch_update AFTER UPDATE ON {table}{when} BEGIN "
            f"{_sqlite_touch(old)} UPDATE tasks_taskstatus SET version = version + 1 "
            f"WHERE task_id = {new} AND {new} IS NOT {old}; END"
        )


def triggers_create(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        if not _pg_has_plpgsql(schema_editor):
            log.warning("PL/pgSQL is not available: no data-version triggers; cached pages are built fresh each time.")
            run("DELETE FROM tasks_dataversion")
            return
        _pg_create(run)
    else:
        _sqlite_create(run)


def triggers_drop(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for table in MOVES:
            run(f"DROP TRIGGER IF EXISTS tasks_data_version_delete ON {table}")
            run(f"DROP TRIGGER IF EXISTS tasks_data_version_move ON {table}")
        for table in ("tasks_taskstatus", "tasks_progressreport", "tasks_reportattachment"):
            run(f"DROP TRIGGER IF EXISTS tasks_data_version_delete ON {table}")
        run("DROP TRIGGER IF EXISTS tasks_status_version ON tasks_taskstatus")
        run("DROP FUNCTION IF EXISTS tasks_status_version_self()")
        for table in TOUCHES:
            run(f"DROP TRIGGER IF EXISTS tasks_status_touch ON {table}")
            run(f"DROP TRIGGER IF EXISTS tasks_status_touch_update ON {table}")
            run(f"DROP FUNCTION IF EXISTS {table}_status_touch()")
        if _pg_has_plpgsql(schema_editor):
            for table in OLD_WATCHED:
                if table not in SHARED:
                    run(
                        f"CREATE TRIGGER tasks_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                        "FOR EACH STATEMENT EXECUTE FUNCTION tasks_data_version_bump()"
                    )
    else:
        for table in MOVES:
            run(f"DROP TRIGGER IF EXISTS {table}_data_version_delete")
            run(f"DROP TRIGGER IF EXISTS {table}_data_version_move")
        run("DROP TRIGGER IF EXISTS tasks_taskstatus_version")
        for table in TOUCHES:
            for op in ("insert", "update", "delete"):
                run(f"DROP TRIGGER IF EXISTS {table}_status_touch_{op}")
        for table in OLD_WATCHED:
            if table not in SHARED:
                for op in ("insert", "update", "delete"):
                    run(
                        f"CREATE TRIGGER IF NOT EXISTS {table}_data_version_{op} AFTER {op} ON {table} "
                        f"BEGIN{SQLITE_BUMP}\nEND"
                    )


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0011_sqlite_triggers_after_rebuild"),
    ]

    operations = [
        migrations.AddField(
            model_name="taskstatus",
            name="version",
            field=models.BigIntegerField(default=1, editable=False, verbose_name="版本号"),
        ),
        migrations.RunPython(triggers_create, triggers_drop),
    ]
