"""Demo progress for the quick start (`make run`): refused outside demo mode."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from tasks.demo import demo_progress_load
from tasks.status.clock import Clock


class Command(BaseCommand):
    help = "演示模式：为进行中的规划加载演示进展（往期已审核；本期有待审核、退回、草稿和未报送）。"

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            loaded = demo_progress_load(clock=Clock.now())
        except ImproperlyConfigured as refused:
            raise CommandError(str(refused)) from None
        if not loaded.reports:
            self.stdout.write("已有进展数据，或没有进行中的规划：未加载演示进展。")
            return
        self.stdout.write(
            f"已加载演示进展 {loaded.reports} 条：待审核 {loaded.pending}，退回 {loaded.returned}，"
            f"草稿 {loaded.drafts}，本期未报送 {loaded.silent_links} 个牵头单位任务。"
        )
