"""System checks: production refuses the quick start's demo mode and its demo accounts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register("security", deploy=True)
def demo_mode_off_in_production(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if settings.DEMO_MODE and not settings.DEBUG:
        return [
            Error(
                "DEMO_MODE=1 不得用于生产环境：演示账号的密码是公开的。",
                hint="生产环境请设置 DEMO_MODE=0，并停用已创建的演示账号（admin、anquan、shenji 等）。",
                id="accounts.E001",
            )
        ]
    return []


@register(Tags.database)
def demo_accounts_closed_in_production(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Error]:
    """`check --database default` (and migrate) in production (DEBUG and DEMO_MODE off): no demo
    account may still sign in with the password printed by create_demo_accounts."""
    if settings.DEMO_MODE or settings.DEBUG or not databases:
        return []
    from django.contrib.auth import get_user_model
    from django.db import DatabaseError

    from .demo import DEMO_ACCOUNTS

    published = {account.username: account.password for account in DEMO_ACCOUNTS}
    try:
        users = list(get_user_model().objects.filter(username__in=published, is_active=True))
    except DatabaseError:
        return []  # not migrated yet: there are no accounts
    open_accounts = sorted(user.username for user in users if user.check_password(published[user.username]))
    if not open_accounts:
        return []
    return [
        Error(
            f"演示账号仍可用公开的演示密码登录：{'、'.join(open_accounts)}。",
            hint=(
                "生产环境请在“账号管理”中停用这些账号或重置其密码；"
                "审计管理员账号用 manage.py admin_account 重新签发密码。"
            ),
            id="accounts.E002",
        )
    ]
