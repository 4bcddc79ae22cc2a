"""确认导入 on the worker (jobs.services.RUNNERS): a large file is confirmed in the background, with
its progress on the job page, and the result arrives as a message linking to the import record."""

from __future__ import annotations

from django.urls import reverse

from jobs.models import Job
from jobs.services import JobError, JobResult, job_progress

from . import services
from .errors import ImportRefused
from .models import PendingImport

STEPS = 2  # read and check (outside the transaction, so the page sees it), then apply


def import_confirm(*, job: Job) -> JobResult:
    """params: {"pending": the uploaded file's PendingImport id}. The checks are the preview's
    (a dry run, outside any transaction: its progress is seen while it runs); then the confirm
    itself, atomic as in the browser, under the pending row's lock (a second confirm is told)."""
    pending = PendingImport.objects.filter(pk=job.params.get("pending")).first()
    if pending is None:
        raise JobError("上传的文件已过期或已被处理，未导入。请重新上传。")
    job_progress(job=job, done=0, total=STEPS, message="正在读取并核对文件…")
    try:
        preview = services.pending_import_preview(pending=pending)
        job_progress(
            job=job,
            done=1,
            message=(
                f"核对完成：新增 {len(preview.diff.added)} 条、修改 {len(preview.diff.changed)} 条、"
                f"撤销 {len(preview.diff.withdrawn)} 条；正在写入数据库…"
            ),
        )
        report = services.pending_import_confirm(user=job.owner, pending=pending)
    except services.PendingImportGone as gone:
        raise JobError(str(gone)) from None
    except ImportRefused as refused:
        raise JobError(f"导入未完成，数据库未作任何修改：{refused}") from None
    if not report.applied or report.record_id is None:
        return JobResult(link=reverse("imports:history"))
    return JobResult(link=reverse("imports:record", args=[report.record_id]))
