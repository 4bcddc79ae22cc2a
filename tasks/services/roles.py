"""The role groups, and the Django admin permissions of the 系统管理员 group."""

from __future__ import annotations

from django.contrib.auth.models import Group

from ..models import Role

# What 系统管理员 administers in the Django admin (README: imports, accounts, Django admin):
# every model of these apps, accounts and groups, and the login-protection records.
ADMIN_ROLE_APPS = ("tasks", "imports", "insights", "documents", "axes")
ADMIN_ROLE_MODELS = (("auth", "user"), ("auth", "group"))


def roles_ensure() -> dict[str, Group]:
    """The role groups, with the 系统管理员 group holding the admin permissions (added, never
    removed: an administrator may grant more). Permissions that do not exist yet (during
    migrate, before Django creates them) are granted on the next call; post_migrate calls this."""
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    groups = {role.value: Group.objects.get_or_create(name=role.value)[0] for role in Role}
    scope = Q(content_type__app_label__in=ADMIN_ROLE_APPS)
    for app_label, model in ADMIN_ROLE_MODELS:
        scope |= Q(content_type__app_label=app_label, content_type__model=model)
    admin_group = groups[Role.ADMIN.value]
    missing = Permission.objects.filter(scope).exclude(group=admin_group)
    admin_group.permissions.add(*missing)
    return groups
