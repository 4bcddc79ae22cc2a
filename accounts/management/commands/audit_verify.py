"""Check the security audit log's hash chain; exit status 1 when a record was changed or deleted."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.audit import audit_verify
from accounts.models import AuditEvent


class Command(BaseCommand):
    help = "校验安全审计记录的摘要链，发现被修改或删除的记录时以非零状态退出。"

    def handle(self, *args: Any, **options: Any) -> None:
        problems = audit_verify()
        if problems:
            for problem in problems:
                self.stderr.write(problem.message)
            raise CommandError(f"审计记录校验失败：发现 {len(problems)} 处问题。")
        self.stdout.write(f"审计记录校验通过：共 {AuditEvent.objects.count()} 条，摘要链完整。")
