"""The quick start's demo accounts (DEMO_MODE only): one per role, the three administrators
separate (三员分立), and none a superuser — daily work, demo included, never uses one."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from tasks.models import Leader, Role, Unit, UserProfile
from tasks.services import roles_ensure


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    description: str
    unit: str | None = None
    leader: str | None = None
    name: str = ""  # 姓名, shown where the person acted (审核人, 录入, 催办)


DEMO_ACCOUNTS = [
    DemoAccount("admin", "demo-admin-2025", Role.ADMIN, "系统管理员（导入、配置、后台管理；非超级用户）", name="赵磊"),
    DemoAccount("anquan", "demo-anquan-2025", Role.SECURITY, "安全管理员（账号、角色、单位）", name="周强"),
    DemoAccount("shenji", "demo-shenji-2025", Role.AUDITOR, "审计管理员（安全审计记录）", name="吴敏"),
    DemoAccount("office", "demo-office-2025", Role.OFFICE, "督查室（查看全部、审核）", name="陈静"),
    DemoAccount("keji", "demo-keji-2025", Role.LIAISON, "单位联络员：区科委", unit="区科委", name="李明"),
    DemoAccount("fagai", "demo-fagai-2025", Role.LIAISON, "单位联络员：区发展改革委", unit="区发展改革委", name="王芳"),
    DemoAccount("tanruicong", "demo-leader-2025", Role.LEADER, "区领导：谭瑞琮", leader="谭瑞琮", name="谭瑞琮"),
]
DEMO_USERNAMES = frozenset(account.username for account in DEMO_ACCOUNTS)


@transaction.atomic
def demo_accounts_ensure() -> list[DemoAccount]:
    """Create (or reset) the demo accounts; safe to run again. The 系统管理员 reaches the Django
    admin as staff through its group's permissions, not as a superuser."""
    groups = roles_ensure()
    user_model = get_user_model()
    for account in DEMO_ACCOUNTS:
        user, _ = user_model.objects.get_or_create(username=account.username)
        user.set_password(account.password)
        user.first_name = account.name
        user.is_staff = account.role == Role.ADMIN
        # Also takes the flag away from a demo admin created by an earlier version.
        user.is_superuser = False
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
