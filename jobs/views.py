"""Job pages: start the background ledger, follow a job's progress, download its result.
A job is its owner's: anyone else gets a 404, as if it did not exist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.audit import audit_download
from tasks.permissions import can_read, read_refusal, require

from .models import Job, JobKind, JobState
from .services import job_enqueue

QUERY_MAX = 4000
RECENT = 20


def _own_job(request: HttpRequest, job_id: int) -> Job:
    return get_object_or_404(Job, pk=job_id, owner_id=request.user.pk)


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = Job.objects.filter(owner_id=request.user.pk).order_by("-created_at", "-pk")[:RECENT]
    return render(request, "jobs/job_list.html", {"jobs": jobs, "section": "jobs"})


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _own_job(request, job_id)
    return render(request, "jobs/job_detail.html", {"job": job, "section": "jobs"})


@login_required
def job_status(request: HttpRequest, job_id: int) -> JsonResponse:
    """What the progress page polls (jobs/progress.js)."""
    job = _own_job(request, job_id)
    return JsonResponse(
        {
            "state": job.state,
            "state_label": job.get_state_display(),
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "message": job.message,
            "finished": job.finished,
        }
    )


@login_required
def job_download(request: HttpRequest, job_id: int) -> HttpResponseBase:
    job = _own_job(request, job_id)
    if job.state != JobState.DONE or not job.result:
        messages.error(request, "没有可下载的文件：任务尚未完成，或文件已过期清理，请重新发起。")
        return redirect("jobs:detail", job_id=job.pk)
    filename = job.result_name or job.result.name
    # The ledger's filters are the job's, not this URL's: the audit names the list that left.
    audit_download(request, object_repr=filename, detail={"job": job.pk, "params": job.params})
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=filename)


@login_required
@require_POST
def ledger_export(request: HttpRequest) -> HttpResponse:
    """The task ledger of a search, built in the background (query: the search's query string)."""
    require(can_read(request.user), read_refusal(request.user))
    query = request.POST.get("query", "")
    if len(query) > QUERY_MAX or "\x00" in query:
        messages.error(request, "筛选条件过长或含有非法字符，未导出。")
        return redirect("tasks:task_search")
    job = job_enqueue(kind=JobKind.LEDGER_EXPORT, owner=request.user, params={"query": query})
    return redirect("jobs:detail", job_id=job.pk)
