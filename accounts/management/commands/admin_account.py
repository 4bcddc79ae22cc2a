"""Issue an administrator account on the server: the first 安全管理员 of an install, and any
审计管理员 (the 安全管理员 cannot make or reset one: 三员分立). Prints the issued password once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.services import admin_account_issue
from tasks.models import Role

ROLES = {role.label: role for role in (Role.ADMIN, Role.SECURITY, Role.AUDITOR)}


class Command(BaseCommand):
    help = "在服务器上签发管理员账号（系统管理员、安全管理员、审计管理员）：新建，或为已有账号重新签发初始密码。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="用户名")
        parser.add_argument("--role", required=True, choices=sorted(ROLES), help="角色")
        parser.add_argument("--name", default="", help="姓名")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user, password, created = admin_account_issue(
                username=options["username"], role=ROLES[options["role"]], full_name=options["name"]
            )
        except ValidationError as refused:
            raise CommandError("；".join(refused.messages)) from None
        what = "已创建" if created else "已重新签发"
        self.stdout.write(f"{what}{options['role']}账号 {user.get_username()}，初始密码（只显示这一次）：{password}")
        self.stdout.write("首次登录须先完成动态验证码（双因素认证），再修改密码。已记入安全审计。")
