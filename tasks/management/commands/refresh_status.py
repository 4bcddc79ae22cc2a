"""Check or rebuild every task's stored current status from its reports.

python manage.py refresh_status           # recompute all (after a restore or a manual SQL change)
python manage.py refresh_status --check   # only report tasks whose stored status is stale; exit 1 if any

The site keeps the status current on every write; this is for writes that did
not go through it (a restored backup, a hand-edited table).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from tasks.services import task_status_drift, task_status_refresh


class Command(BaseCommand):
    help = "检查或重新计算全部任务的当前状态（由进展报告推导）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--check", action="store_true", help="只检查，不修改；有不一致时退出码为 1")

    def handle(self, *args, check: bool = False, **options) -> None:
        started = time.perf_counter()
        stale = task_status_drift()
        if check:
            if stale:
                shown = "、".join(str(pk) for pk in stale[:20]) + ("……" if len(stale) > 20 else "")
                raise CommandError(f"{len(stale)} 条任务的当前状态与进展报告不一致（任务编号：{shown}）。")
            self.stdout.write("全部任务的当前状态与进展报告一致。")
            return
        count = task_status_refresh()
        self.stdout.write(
            f"已重新计算 {count} 条任务的当前状态（此前不一致 {len(stale)} 条），"
            f"用时 {time.perf_counter() - started:.1f} 秒。"
        )
