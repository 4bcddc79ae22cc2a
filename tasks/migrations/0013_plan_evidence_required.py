"""佐证材料 per plan (Plan.evidence_required).

SQLite adds a NOT NULL column with a default by rebuilding the table, and a rebuilt table loses
its triggers: tasks_plan's data-version triggers (0009, kept by 0012 for the shared number) are
created again here, IF NOT EXISTS, as 0011 did after 0010. PostgreSQL alters the table in place
and keeps them. tests/test_page_cache.py checks every watched table has its triggers."""

from django.db import migrations, models

SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS tasks_plan_data_version_{op} AFTER {op} ON tasks_plan BEGIN
    INSERT INTO tasks_dataversion (id, number)
    SELECT 1, 0 WHERE NOT EXISTS (SELECT 1 FROM tasks_dataversion WHERE id = 1);
    UPDATE tasks_dataversion SET number = number + 1 WHERE id = 1;
END
"""


def triggers_restore(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for op in ("insert", "update", "delete"):
        schema_editor.execute(SQLITE_TRIGGER.format(op=op))


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0012_task_versions"),
    ]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="evidence_required",
            field=models.BooleanField(
                default=False,
                help_text="勾选后，各单位提交本规划任务的进展时须至少附一份佐证材料（附件）；保存草稿不受限制。",
                verbose_name="要求上传佐证材料",
            ),
        ),
        migrations.RunPython(triggers_restore, migrations.RunPython.noop),
    ]
