"""Create one demo account per role and print the logins (quick start only)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import demo_accounts_ensure


class Command(BaseCommand):
    help = "创建各角色的演示账号并打印登录信息（仅限 DEMO_MODE=1）。"

    def handle(self, *args, **options) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("演示账号只能在 DEMO_MODE=1 时创建（生产环境不应存在演示账号）。")
        accounts = demo_accounts_ensure()
        self.stdout.write("演示账号（用户名 / 密码 / 角色）：")
        for account in accounts:
            self.stdout.write(f"  {account.username:<10} {account.password:<16} {account.description}")
        self.stdout.write("仅供试用：演示账号的密码是公开的，不得用于生产环境。")
