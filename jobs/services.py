"""Jobs: enqueue long work, report its progress, hand its result to the owner as a message.

How another app adds a kind of job (the importer's 确认导入, for example):

1. a `JobKind` value (jobs/models.py) and, in `RUNNERS` below, the dotted path of its runner;
2. the runner: `def run(*, job: Job) -> JobResult`, called on the worker. It reads `job.params`
   (JSON, set by the view), calls `job_progress(job=job, done=…, total=…, message=…)` as it goes,
   returns a `JobResult` (a file to download, or a link to a page), or raises `JobError("中文说明")`
   for a failure the user should read. Anything else it raises becomes a generic Chinese error and
   a logged traceback. A runner that writes inside one transaction should report progress before
   and after it: progress written inside an open transaction is seen only when it commits.
3. the view checks the permission, calls `job_enqueue(kind=…, owner=request.user, params={…})`
   and redirects to `reverse("jobs:detail", args=[job.pk])`, the page that shows the progress.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.tasks import async_task

from notifications.models import MessageKind
from notifications.services import message_send
from tasks.permissions import can_import, can_read, require_user

from .models import Job, JobKind, JobState

logger = logging.getLogger(__name__)

# kind -> the runner's dotted path (imported on the worker, when a job of that kind runs).
RUNNERS: dict[str, str] = {
    JobKind.LEDGER_EXPORT: "jobs.runners.ledger_export",
    JobKind.IMPORT_CONFIRM: "imports.jobs.import_confirm",
}
# kind -> who may start it (checked again here, whatever the view did).
MAY_START: dict[str, Callable[[User | AnonymousUser], bool]] = {
    JobKind.LEDGER_EXPORT: can_read,
    JobKind.IMPORT_CONFIRM: can_import,
}
UNEXPECTED = "处理时发生意外错误，未生成结果。请稍后重试；如仍失败，请联系系统管理员。"


class JobError(Exception):
    """A failure the owner should read (its text is Chinese and shown as is)."""


@dataclass(frozen=True)
class JobResult:
    file: IO[bytes] | bytes | None = None
    name: str = ""  # the download's file name
    link: str = ""  # or where the result is shown (a page on this site)


def job_enqueue(*, kind: str, owner: User | AnonymousUser, params: dict[str, Any]) -> Job:
    """Record the job and queue it for the worker, in one transaction: the queue is a table of
    this database (django-q2's ORM broker), so either both exist or neither does."""
    if kind not in RUNNERS:
        raise ValueError(f"unknown job kind {kind!r}")
    account = require_user(owner, MAY_START[kind](owner), "您没有执行此操作的权限。")
    with transaction.atomic():
        job = Job.objects.create(kind=kind, owner=account, params=params)
        async_task("jobs.services.job_run", job.pk, task_name=f"job-{job.pk}", group=f"job:{kind}")
    return job


def job_progress(*, job: Job, done: int, total: int | None = None, message: str | None = None) -> None:
    """How far the job has got (done of total), and optionally what it is doing now."""
    total = job.total if total is None else total
    if total < 0 or not 0 <= done <= total:
        raise ValueError(f"progress {done}/{total} out of range")
    job.done, job.total = done, total
    fields: dict[str, int | str] = {"done": done, "total": total}
    if message is not None:
        job.message = fields["message"] = message[:200]
    Job.objects.filter(pk=job.pk).update(**fields)


def job_run(job_id: int) -> str:
    """The worker's entry point. Claims the job first: a job already claimed (a second worker, a
    message delivered twice) is left alone, so each job runs once."""
    claimed = Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "skipped: not queued"
    job = Job.objects.select_related("owner").get(pk=job_id)
    try:
        outcome = import_string(RUNNERS[job.kind])(job=job)
    except JobError as error:
        _finish_failed(job=job, error=str(error))
        return "failed"
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish_failed(job=job, error=UNEXPECTED)
        return "failed"
    _finish_done(job=job, outcome=outcome)
    return "done"


def _finish_done(*, job: Job, outcome: JobResult) -> None:
    label = job.get_kind_display()
    with transaction.atomic():
        if outcome.file is not None:
            content = ContentFile(outcome.file) if isinstance(outcome.file, bytes) else File(outcome.file)
            suffix = outcome.name.rsplit(".", 1)[-1] if "." in outcome.name else "bin"
            # A random stored name: the download is only ever served through the owner's check.
            job.result.save(f"{uuid.uuid4().hex}.{suffix}", content, save=False)
            job.result_name = outcome.name
        job.state = JobState.DONE
        job.done = job.total
        job.finished_at = timezone.now()
        job.message = "已完成"
        job.save(update_fields=["result", "result_name", "state", "done", "finished_at", "message"])
        link = outcome.link or (reverse("jobs:download", args=[job.pk]) if job.result else "")
        body = f"{label}已完成。" + (f"文件：{job.result_name}，点击“查看”下载。" if job.result else "")
        message_send(
            recipients=[job.owner],
            kind=MessageKind.JOB,
            title=f"{label}已完成",
            body=body,
            link=link or reverse("jobs:detail", args=[job.pk]),
            event_key=f"job:{job.pk}:finished",
        )


def _finish_failed(*, job: Job, error: str) -> None:
    label = job.get_kind_display()
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(state=JobState.FAILED, error=error, finished_at=timezone.now())
        message_send(
            recipients=[job.owner],
            kind=MessageKind.JOB,
            title=f"{label}失败",
            body=error,
            link=reverse("jobs:detail", args=[job.pk]),
            event_key=f"job:{job.pk}:finished",
        )


STALE = "处理超时或工作进程中断，未生成结果。请重新发起。"


def jobs_tidy(*, file_days: int, timeout_seconds: int) -> dict[str, int]:
    """Delete the files of jobs finished more than `file_days` ago (the rows stay), and fail jobs
    that have been running longer than the worker's timeout (their worker was killed or lost)."""
    now = timezone.now()
    pruned = 0
    for job in Job.objects.filter(finished_at__lt=now - dt.timedelta(days=file_days)).exclude(result=""):
        job.result.delete(save=False)
        Job.objects.filter(pk=job.pk).update(result="")
        pruned += 1
    stale = 0
    for job in Job.objects.filter(
        state=JobState.RUNNING, started_at__lt=now - dt.timedelta(seconds=timeout_seconds + 60)
    ).select_related("owner"):
        _finish_failed(job=job, error=STALE)
        stale += 1
    return {"pruned": pruned, "stale": stale}


def jobs_tidy_scheduled() -> dict[str, int]:
    """The daily schedule's entry point (settings: JOB_FILE_DAYS, JOB_TIMEOUT_SECONDS)."""
    return jobs_tidy(file_days=settings.JOB_FILE_DAYS, timeout_seconds=settings.JOB_TIMEOUT_SECONDS)
