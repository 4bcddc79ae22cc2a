"""Each status row names its task's plan, so the home page reads every plan's version from
tasks_taskstatus alone.

The home page keeps each plan's figures under that plan's version (tasks/selectors/plan_summaries.py):
the count of its tasks' status rows and the sum of their versions. Read through tasks_task, that
was a join of every task to its status row on every rebuild (14-23 ms at city scale, the largest
part of the page after a report); from this table alone it is one scan of one narrow table.

The column is kept by triggers, like `version` (0012), so that no write path can forget it:
- a status row takes its task's plan when it is inserted (bulk upserts, COPY, loaddata): PostgreSQL
  sets it before the insert; SQLite, which cannot assign NEW, updates the row right after;
- a task that moves to another plan moves its status row with it;
- a write that sets any other plan on a status row (a model instance saved after its task moved)
  is put back to the task's plan.
A row whose task is not there yet (loaddata in an order of its own) keeps the plan it was given.
Filling the column for existing rows moves every status version once (0012's trigger), so every
cached page is built afresh once after the upgrade.
The column has no index: it is only read whole, grouped by plan; and migrating back, SQLite drops
an unindexed column in place, where an indexed one makes it rebuild the table, which fails on the
triggers of other tables that name it (tests/test_plan_summaries.py migrates back and forth).
The SQL is frozen here, not imported from the app, like every migration's."""

import django.db.models.deletion
from django.db import migrations, models

TASK_PLAN = "(SELECT plan_id FROM tasks_task WHERE id = NEW.task_id)"

PG_SET = f"""
CREATE OR REPLACE FUNCTION tasks_status_plan_set() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.plan_id := COALESCE({TASK_PLAN}, NEW.plan_id);
    RETURN NEW;
END
$$
"""
PG_MOVE = """
CREATE OR REPLACE FUNCTION tasks_task_status_plan_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tasks_taskstatus SET plan_id = NEW.plan_id WHERE task_id = NEW.id;
    RETURN NULL;
END
$$
"""


def _pg_has_plpgsql(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_language WHERE lanname = 'plpgsql'")
        return cursor.fetchone() is not None


def triggers_create(apps, schema_editor):
    run = schema_editor.execute
    run(
        "UPDATE tasks_taskstatus SET plan_id = (SELECT plan_id FROM tasks_task WHERE tasks_task.id = tasks_taskstatus.task_id)"
    )
    if schema_editor.connection.vendor == "postgresql":
        if not _pg_has_plpgsql(schema_editor):
            return  # no triggers anywhere, nothing cached (0009, 0012): the column is not read
        run(PG_SET)
        run(
            "CREATE TRIGGER tasks_status_plan BEFORE INSERT ON tasks_taskstatus "
            "FOR EACH ROW EXECUTE FUNCTION tasks_status_plan_set()"
        )
        run(
            "CREATE TRIGGER tasks_status_plan_update BEFORE UPDATE ON tasks_taskstatus "
            "FOR EACH ROW WHEN (NEW.plan_id IS DISTINCT FROM OLD.plan_id) EXECUTE FUNCTION tasks_status_plan_set()"
        )
        run(PG_MOVE)
        run(
            "CREATE TRIGGER tasks_status_plan_move AFTER UPDATE ON tasks_task "
            "FOR EACH ROW WHEN (OLD.plan_id IS DISTINCT FROM NEW.plan_id) "
            "EXECUTE FUNCTION tasks_task_status_plan_move()"
        )
    else:
        set_plan = (
            f"UPDATE tasks_taskstatus SET plan_id = COALESCE({TASK_PLAN}, NEW.plan_id) WHERE task_id = NEW.task_id;"
        )
        run(f"CREATE TRIGGER tasks_taskstatus_plan_insert AFTER INSERT ON tasks_taskstatus BEGIN {set_plan} END")
        run(
            "CREATE TRIGGER tasks_taskstatus_plan_update AFTER UPDATE OF plan_id ON tasks_taskstatus "
            f"WHEN NEW.plan_id IS NOT COALESCE({TASK_PLAN}, NEW.plan_id) BEGIN {set_plan} END"
        )
        run(
            "CREATE TRIGGER tasks_task_status_plan_move AFTER UPDATE OF plan_id ON tasks_task "
            "WHEN OLD.plan_id IS NOT NEW.plan_id "
            "BEGIN UPDATE tasks_taskstatus SET plan_id = NEW.plan_id WHERE task_id = NEW.id; END"
        )


def triggers_drop(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run("DROP TRIGGER IF EXISTS tasks_status_plan ON tasks_taskstatus")
        run("DROP TRIGGER IF EXISTS tasks_status_plan_update ON tasks_taskstatus")
        run("DROP TRIGGER IF EXISTS tasks_status_plan_move ON tasks_task")
        run("DROP FUNCTION IF EXISTS tasks_status_plan_set()")
        run("DROP FUNCTION IF EXISTS tasks_task_status_plan_move()")
    else:
        for name in ("tasks_taskstatus_plan_insert", "tasks_taskstatus_plan_update", "tasks_task_status_plan_move"):
            run(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0016_report_awaiting_review_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="taskstatus",
            name="plan",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="tasks.plan",
                verbose_name="所属规划",
            ),
        ),
        migrations.RunPython(triggers_create, triggers_drop),
    ]
