"""tasks/apps.py: after migrate (or a test's flush), the role groups and the 系统管理员 group's permissions."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission

from tasks.apps import _roles_after_migrate
from tasks.models import Role
from tasks.services.roles import ADMIN_ROLE_APPS, ADMIN_ROLE_MODELS, SECURITY_ROLE_MODELS

pytestmark = pytest.mark.django_db


def test_after_migrate_the_admin_group_holds_the_permissions_of_apps_migrated_after_tasks():
    # As a flush leaves the database: no permission of the apps whose post_migrate comes after tasks'.
    order = [config.label for config in apps.get_app_configs()]
    later = [label for label in ADMIN_ROLE_APPS if order.index(label) > order.index("tasks")]
    assert later  # imports, insights, documents
    Permission.objects.filter(content_type__app_label__in=later).delete()

    # tasks' own receiver, as post_migrate calls it for tasks: before the later apps' turn.
    _roles_after_migrate(sender=apps.get_app_config("tasks"))

    held = set(Group.objects.get(name=Role.ADMIN.value).permissions.values_list("content_type__app_label", "codename"))
    for label in ADMIN_ROLE_APPS:
        for model in apps.get_app_config(label).get_models():
            if (label, model._meta.model_name) in SECURITY_ROLE_MODELS:
                continue  # taken back below
            for action in model._meta.default_permissions:
                assert (label, f"{action}_{model._meta.model_name}") in held
    for label, model_name in ADMIN_ROLE_MODELS:
        assert (label, f"change_{model_name}") in held
    # 三员分立: accounts are the 安全管理员's, never the 系统管理员's.
    for label, model_name in SECURITY_ROLE_MODELS:
        assert not {(label, f"{action}_{model_name}") for action in ("add", "change", "delete", "view")} & held
    assert {name for name in Group.objects.values_list("name", flat=True)} >= {role.value for role in Role}
