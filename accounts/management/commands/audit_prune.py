"""The retention job: delete security audit records older than AUDIT_RETENTION_DAYS (≥ 180)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accounts.audit import audit_prune, retention_days


class Command(BaseCommand):
    help = "删除超过保存期限（AUDIT_RETENTION_DAYS，至少 180 天）的安全审计记录。"

    def handle(self, *args: Any, **options: Any) -> None:
        count = audit_prune()
        self.stdout.write(f"已删除 {count} 条超过 {max(retention_days(), 180)} 天的安全审计记录。")
