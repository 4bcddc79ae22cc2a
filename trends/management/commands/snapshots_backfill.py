"""Reconstruct the status snapshots of past periods from the reports (for the demo and after an install).

python manage.py snapshots_backfill --periods 12            # each plan's last 12 closed periods without a snapshot
python manage.py snapshots_backfill --periods 12 --replace  # all of them, taken again
python manage.py snapshots_backfill --plan 3

An approximation, not a record (trends.services.snapshots_backfill): a period's status is read
from the reports up to it, by their review states today, with today's lead units, due dates and
tasks; the light is the status rule on the period's close day. The daily job records the real
figures from then on.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tasks.models import Plan
from tasks.status.clock import Clock
from trends.services import snapshots_backfill


class Command(BaseCommand):
    help = "由进展报告推算以往各期的任务状态快照（近似值，用于演示和新安装后）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--periods", type=int, default=12, help="每个规划推算最近多少个已结束的周期（默认 12）")
        parser.add_argument("--plan", type=int, help="只推算这个规划（ID）")
        parser.add_argument("--replace", action="store_true", help="已有快照的周期也重新推算")

    def handle(
        self, *args: Any, periods: int = 12, plan: int | None = None, replace: bool = False, **options: Any
    ) -> None:
        if not 1 <= periods <= 60:
            raise CommandError("--periods 须在 1 至 60 之间。")
        if plan is not None and not Plan.objects.filter(pk=plan).exists():
            raise CommandError(f"规划 ID {plan} 不存在。")
        started = time.perf_counter()
        taken = snapshots_backfill(
            periods=periods, clock=Clock.now(), plan_ids=None if plan is None else [plan], replace=replace
        )
        rows = sum(t.tasks for t in taken)
        self.stdout.write(
            f"已推算 {len(taken)} 个规划周期的状态快照，共 {rows} 行，用时 {time.perf_counter() - started:.1f} 秒"
            "（由进展报告推算的近似值）。"
        )
