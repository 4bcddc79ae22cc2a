"""Take the status snapshot of reporting periods that have closed.

python manage.py snapshots_take                   # as the daily job: open plans' latest closed period, if not taken
python manage.py snapshots_take --plan 3          # plan 3's latest closed period, taken again
python manage.py snapshots_take --period 2025-05  # that period of every open plan (a quarterly plan: its quarter)
python manage.py snapshots_take --plan 3 --period 2025-05

Taking a period again replaces its rows. A period that has not closed yet (its last day and its
reporting deadline, whichever is later) is refused: its figures are not final.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tasks.models import Plan
from tasks.periods import period_close, period_closed_latest, period_label, period_start, plan_periods_bounds
from tasks.status.clock import Clock
from trends.services import snapshot_take, snapshots_take_due


def _month(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise CommandError(f"周期格式应为 YYYY-MM（如 2025-05），收到“{value}”。") from None


class Command(BaseCommand):
    help = "为已结束的报送周期拍摄任务状态快照（周期末日与报送截止日中较晚者之后）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", type=int, help="规划 ID（默认：全部未办结的规划）")
        parser.add_argument("--period", help="报送周期 YYYY-MM（默认：最近一个已结束的周期）")

    def handle(self, *args: Any, plan: int | None = None, period: str | None = None, **options: Any) -> None:
        today = Clock.now().today
        if plan is None and period is None:
            count = snapshots_take_due()
            self.stdout.write(f"已拍摄 {count} 个规划的期末状态快照。" if count else "各规划最近结束的周期均已有快照。")
            return
        if plan is not None:
            plans = list(Plan.objects.filter(pk=plan))
            if not plans:
                raise CommandError(f"规划 ID {plan} 不存在。")
        else:
            plans = list(Plan.objects.filter(closure__isnull=True).order_by("pk"))
        month = _month(period) if period else None
        for p in plans:
            start = (
                period_start(reporting_period=p.reporting_period, day=month)
                if month
                else period_closed_latest(plan=p, today=today)
            )
            label = period_label(reporting_period=p.reporting_period, start=start) if start else ""
            first, last = plan_periods_bounds(plan=p)
            if start is None or not first <= start <= last:
                self.stdout.write(f"《{p.title}》：{label or '尚无'}不在该规划的报送期内，未拍摄。")
                continue
            close = period_close(plan=p, period=start)
            if close >= today:
                if plan is not None:
                    raise CommandError(f"《{p.title}》{label}尚未结束（{close:%Y-%m-%d}截止），不能拍摄快照。")
                self.stdout.write(f"《{p.title}》：{label}尚未结束（{close:%Y-%m-%d}截止），未拍摄。")
                continue
            taken = snapshot_take(plan=p, period=start)
            self.stdout.write(f"已拍摄《{p.title}》{label}的期末状态快照：{taken.tasks} 项任务。")
