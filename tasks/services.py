"""Writes: every change to the domain goes through a function here."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from .models import Leader, Role, Unit, UserProfile


def roles_ensure() -> dict[str, Group]:
    return {role.value: Group.objects.get_or_create(name=role.value)[0] for role in Role}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    description: str
    unit: str | None = None
    leader: str | None = None


DEMO_ACCOUNTS = [
    DemoAccount("admin", "demo-admin-2025", Role.ADMIN, "系统管理员（导入、账号）"),
    DemoAccount("office", "demo-office-2025", Role.OFFICE, "督查室（查看全部、审核）"),
    DemoAccount("keji", "demo-keji-2025", Role.LIAISON, "单位联络员：区科委", unit="区科委"),
    DemoAccount("fagai", "demo-fagai-2025", Role.LIAISON, "单位联络员：区发展改革委", unit="区发展改革委"),
    DemoAccount("tanruicong", "demo-leader-2025", Role.LEADER, "区领导：谭瑞琮", leader="谭瑞琮"),
]


@transaction.atomic
def demo_accounts_ensure() -> list[DemoAccount]:
    """Create (or reset) the demo accounts; safe to run again."""
    groups = roles_ensure()
    user_model = get_user_model()
    for account in DEMO_ACCOUNTS:
        user, _ = user_model.objects.get_or_create(username=account.username)
        user.set_password(account.password)
        user.is_staff = account.role == Role.ADMIN
        user.is_superuser = account.role == Role.ADMIN
        user.save()
        user.groups.set([groups[account.role.value]])
        profile, _ = UserProfile.objects.get_or_create(user=user)
        if account.unit:
            unit = Unit.objects.filter(name=account.unit).first()
            if unit is not None:
                profile.units.set([unit])
        if account.leader:
            profile.leader = Leader.objects.filter(name=account.leader).first()
            profile.save(update_fields=["leader"])
    return DEMO_ACCOUNTS
