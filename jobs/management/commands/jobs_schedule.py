"""Create or correct the worker's schedules (migrate does it too) and list them."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_q.models import Schedule

from jobs.schedules import schedule_specs, schedules_ensure


class Command(BaseCommand):
    help = "创建或更正后台定时任务（migrate 时也会执行），并列出下次运行时间。"

    def handle(self, *args: Any, **options: Any) -> None:
        written = schedules_ensure()
        names = [spec.name for spec in schedule_specs()]
        for schedule in Schedule.objects.filter(name__in=names).order_by("next_run"):
            mark = "（已更新）" if schedule.name in written else ""
            self.stdout.write(f"{schedule.name}：下次运行 {timezone.localtime(schedule.next_run):%Y-%m-%d %H:%M}{mark}")
