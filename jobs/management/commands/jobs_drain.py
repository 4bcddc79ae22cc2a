"""Run the queued jobs (and, with --schedules, the due scheduled ones) once, in this process."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jobs.worker import queue_drain


class Command(BaseCommand):
    help = "在当前进程中执行队列中的后台任务一次（--schedules：先把到期的定时任务加入队列）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schedules", action="store_true", help="先把到期的定时任务加入队列")

    def handle(self, *args: Any, **options: Any) -> None:
        ran = queue_drain(schedules=options["schedules"])
        self.stdout.write(f"已执行 {ran} 个后台任务。")
