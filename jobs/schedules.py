"""The worker's schedules, created or corrected on every `migrate` (and by `jobs_schedule`).

Idempotent: each schedule is found by its name; a run changes only what differs from the code
and the settings, so a deployment's next runs are kept across migrations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django_q.models import Schedule


@dataclass(frozen=True)
class Spec:
    name: str
    func: str
    schedule_type: str
    hour: int | None  # None: every hour, on the hour
    weekday: int | None = None  # 1 = Monday, for weekly schedules


def schedule_specs() -> list[Spec]:
    hour = settings.REMINDER_HOUR
    return [
        Spec("报送提醒（截止前）", "notifications.reminders.reminders_send", Schedule.DAILY, hour),
        Spec("逾期催报（截止后）", "notifications.reminders.escalations_send", Schedule.DAILY, hour),
        # Daily: the job sends on WEEKLY_DIGEST_WEEKDAY, or the first working day after it that week
        # (notifications.reminders.weekly_digest_day), once a week.
        Spec("督查室每周汇总", "notifications.reminders.weekly_digest_send", Schedule.DAILY, hour),
        Spec("清理后台任务文件", "jobs.services.jobs_tidy_scheduled", Schedule.DAILY, 3),
        # After the period's status snapshot (trends), which the overdue deductions read.
        Spec("考评计分（周期结束后）", "assessment.services.scores_close_due_scheduled", Schedule.DAILY, 4),
        Spec("重发未送达的邮件", "notifications.services.messages_email_retry", Schedule.HOURLY, None),
        # After midnight: a period closes at the end of its close day (trends.services).
        Spec("期末状态快照", "trends.services.snapshots_take_due", Schedule.DAILY, 2),
    ]


def _next_run(spec: Spec, *, now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    if spec.hour is None:
        return local.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    run = local.replace(hour=spec.hour, minute=0, second=0, microsecond=0)
    if spec.weekday is not None:
        run += dt.timedelta(days=(spec.weekday - 1 - run.weekday()) % 7)
    while run <= local:
        run += dt.timedelta(days=7 if spec.weekday is not None else 1)
    return run


def _on_time(spec: Spec, next_run: dt.datetime | None) -> bool:
    if next_run is None:
        return False
    local = timezone.localtime(next_run)
    if spec.hour is None:
        return local.minute == 0
    return local.hour == spec.hour and (spec.weekday is None or local.isoweekday() == spec.weekday)


def schedules_ensure(*, now: dt.datetime | None = None) -> list[str]:
    """Create the missing schedules and correct changed ones; returns the names it wrote."""
    now = now or timezone.now()
    written = []
    for spec in schedule_specs():
        schedule = Schedule.objects.filter(name=spec.name).first()
        wanted = {"func": spec.func, "schedule_type": spec.schedule_type, "repeats": -1}
        if schedule is None:
            Schedule.objects.create(name=spec.name, next_run=_next_run(spec, now=now), **wanted)
            written.append(spec.name)
            continue
        changed = {k: v for k, v in wanted.items() if getattr(schedule, k) != v}
        if changed or not _on_time(spec, schedule.next_run):
            for key, value in changed.items():
                setattr(schedule, key, value)
            schedule.next_run = _next_run(spec, now=now)
            schedule.save()
            written.append(spec.name)
    return written
