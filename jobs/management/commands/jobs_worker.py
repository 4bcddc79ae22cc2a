"""The background worker: django-q2's cluster (qcluster), after bringing the schedules up to date,
so that a changed REMINDER_HOUR or WEEKLY_DIGEST_WEEKDAY takes effect when the worker restarts."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from jobs.schedules import schedules_ensure


class Command(BaseCommand):
    help = "启动后台任务进程（django-q2 的 qcluster）：执行页面发起的后台任务和定时提醒、催报、汇总。"

    def handle(self, *args: Any, **options: Any) -> None:
        schedules_ensure()
        call_command("qcluster")
