"""Stop 44's status rule on the rows stored before it: a task is not done while one of its lead
units (a 泛指 unit aside) has approved nothing; it reads 未报送 (进展不明) with no percent. A frozen
copy of the rule's change (tasks/status/stored.py is the live rule), reading the links' stored
approved_period. The triggers of migrations 0012 and 0017 bump each changed row's version."""

from django.db import migrations
from django.db.models import Exists, OuterRef


def forwards(apps, schema_editor):
    task_status = apps.get_model("tasks", "TaskStatus")
    task_unit = apps.get_model("tasks", "TaskUnit")
    silent_lead = task_unit.objects.filter(
        task_id=OuterRef("task_id"), role="lead", approved_period__isnull=True
    ).exclude(unit__kind="group")
    task_status.objects.filter(Exists(silent_lead), status="done").update(status="not_reported", percent=None)


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0019_district_units_leaders_plan_titles"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
