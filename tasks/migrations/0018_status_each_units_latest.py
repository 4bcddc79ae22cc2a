"""Stop 43's status rule on the rows stored before it: the worst of each lead unit's own latest
approved report (before, the newest month with any approved report decided). A frozen copy of
the rule (tasks/status/stored.py is the live one), so that this migration runs the same against
any later code. The triggers of migrations 0012 and 0017 bump each changed row's version, so
cached pages rebuild."""

from django.db import migrations
from django.db.models import Case, Exists, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce

WORST_FIRST = ("behind", "not_started", "in_progress", "ongoing", "done")


def forwards(apps, schema_editor):
    task_status = apps.get_model("tasks", "TaskStatus")
    progress_report = apps.get_model("tasks", "ProgressReport")
    task_unit = apps.get_model("tasks", "TaskUnit")
    worst = Case(
        *(When(status=status, then=Value(rank)) for rank, status in enumerate(WORST_FIRST)),
        default=Value(len(WORST_FIRST)),
        output_field=IntegerField(),
    )
    own_latest = task_unit.objects.filter(
        task_id=OuterRef("task_id"), unit_id=OuterRef("unit_id"), role="lead", approved_period=OuterRef("period")
    )
    approved = progress_report.objects.filter(
        Exists(own_latest), task_id=OuterRef("task_id"), review_state="approved"
    )
    task_status.objects.update(
        status=Coalesce(Subquery(approved.order_by(worst).values("status")[:1]), Value("not_reported")),
        percent=Subquery(approved.order_by("percent").values("percent")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0017_taskstatus_plan"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
