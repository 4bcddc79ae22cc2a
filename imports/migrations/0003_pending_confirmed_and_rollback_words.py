# A confirmed pending import is kept (without its bytes) until it expires, so a
# second confirm is told what happened; undoing an import is called 回退.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0002_pending_imports_and_undo"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="pendingimport",
            name="confirmed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="确认时间"),
        ),
        migrations.AddField(
            model_name="pendingimport",
            name="record",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="imports.importrecord",
                verbose_name="导入记录",
            ),
        ),
        migrations.AlterField(
            model_name="importrecord",
            name="outcome",
            field=models.CharField(
                choices=[("applied", "已导入"), ("undone", "已回退")], max_length=16, verbose_name="结果"
            ),
        ),
        migrations.AlterField(
            model_name="importrecord",
            name="undone_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="回退时间"),
        ),
        migrations.AlterField(
            model_name="importrecord",
            name="undone_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="回退人",
            ),
        ),
    ]
