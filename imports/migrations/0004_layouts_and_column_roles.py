# A confirmed column mapping is kept as a layout named by its header; a pending
# import keeps the admin's column roles between previews.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0003_pending_confirmed_and_rollback_words"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="pendingimport",
            name="column_roles",
            field=models.JSONField(default=dict, verbose_name="列对应"),
        ),
        migrations.CreateModel(
            name="ImportLayout",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("signature", models.CharField(max_length=64, unique=True, verbose_name="表头标识")),
                ("headers", models.JSONField(default=list, verbose_name="表头")),
                ("roles", models.JSONField(default=dict, verbose_name="各列用途")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="保存时间")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="保存人",
                    ),
                ),
            ],
            options={"verbose_name": "表格版式", "verbose_name_plural": "表格版式", "ordering": ["-updated_at"]},
        ),
    ]
