"""Initial data: the four role groups and the shipped unit alias table.

The alias table is admin-editable afterwards; this only seeds it. Canonical
names are the full names the 2025 breakdown uses; the short forms appear in
the 14th Five-Year Plan table and elsewhere.
"""

from django.db import migrations

ROLES = ["系统管理员", "督查室", "单位联络员", "区领导"]

# canonical name -> (kind, aliases)
UNITS = {
    "区发展改革委": ("department", ["区发改委"]),
    "区市场监管局": ("department", ["区市场局"]),
    "区卫生健康委": ("department", ["区卫健委"]),
    "区人力资源社会保障局": ("department", ["区人社局"]),
    "区房屋管理局": ("department", ["区房管局"]),
    "区建设管理委": ("department", ["区建管委"]),
    "区投资促进中心": ("department", ["区投促中心"]),
}


def seed(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Unit = apps.get_model("tasks", "Unit")
    UnitAlias = apps.get_model("tasks", "UnitAlias")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    for canonical, (kind, aliases) in UNITS.items():
        unit, _ = Unit.objects.get_or_create(name=canonical, defaults={"kind": kind})
        for alias in aliases:
            if not Unit.objects.filter(name=alias).exists():
                UnitAlias.objects.get_or_create(name=alias, defaults={"unit": unit})


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0002_user_profile"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
