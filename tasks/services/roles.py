"""The role groups, and the Django admin permissions of the 系统管理员 group."""

from __future__ import annotations

from django.contrib.auth.models import Group

from ..models import Role

# What 系统管理员 administers in the Django admin (README: imports and the Django admin): every model
# of these apps and the login-protection records.
ADMIN_ROLE_APPS = ("tasks", "imports", "insights", "documents", "axes")
ADMIN_ROLE_MODELS: tuple[tuple[str, str], ...] = ()
# 三员分立: accounts, their groups and whom an account reports or reads for (its units and leader,
# tasks.UserProfile) are the 安全管理员's, on the security pages (accounts app). The 系统管理员 group
# held these permissions before the roles were separated; they are taken back.
SECURITY_ROLE_MODELS = (("auth", "user"), ("auth", "group"), ("tasks", "userprofile"))


def roles_ensure() -> dict[str, Group]:
    """The role groups, with the 系统管理员 group holding the admin permissions (added, never
    removed: an administrator may grant more), except those over accounts, which it never holds
    (SECURITY_ROLE_MODELS). Permissions that do not exist yet (during
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
    accounts = Q(pk__in=[])
    for app_label, model in SECURITY_ROLE_MODELS:
        accounts |= Q(content_type__app_label=app_label, content_type__model=model)
    admin_group.permissions.remove(*Permission.objects.filter(accounts).filter(group=admin_group))
    return groups
