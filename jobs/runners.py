"""Runners of the job kinds this app owns (see services.RUNNERS). They run on the worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import QueryDict
from django.utils import timezone

from tasks.permissions import can_read
from tasks.querysets import current_work

from .models import Job
from .services import JobError, JobResult, job_progress

if TYPE_CHECKING:
    from tasks.filters import TaskFilter

PROGRESS_EVERY = 500  # rows between two progress updates


def ledger_export(*, job: Job) -> JobResult:
    """The task ledger (任务台账) of a task search, built by tasks.exports as the direct download
    is, with progress while its rows are read. params: {"query": the search's query string}."""
    from tasks import selectors
    from tasks.exports import ledger_title, ledger_xlsx
    from tasks.filters import TaskFilter
    from tasks.models import Leader, Plan, Unit

    if not can_read(job.owner):
        raise JobError("您的账号已无权查看任务，未导出。")
    clock = selectors.Clock.now()
    data = QueryDict(job.params.get("query", ""))
    filterset = TaskFilter(data or None, queryset=selectors.task_search_base(clock=clock), clock=clock)
    if not filterset.is_bound:
        matches = filterset.queryset.filter(current_work())  # as the search
    elif filterset.is_valid():
        matches = filterset.qs
    else:
        raise JobError("筛选条件有误，未导出。请回到查找任务页面检查筛选条件后重试。")
    ids = list(matches.values_list("pk", flat=True))
    job_progress(job=job, done=0, total=len(ids), message="正在读取任务…")
    rows = []
    for row in selectors.export_rows(ids=ids, clock=clock):
        rows.append(row)
        if len(rows) % PROGRESS_EVERY == 0:
            job_progress(job=job, done=len(rows))
    job_progress(job=job, done=len(rows), message="正在生成Excel文件…")
    chosen = filterset.form.cleaned_data if filterset.is_bound else {}
    plan = Plan.objects.filter(pk=chosen["plan"]).first() if chosen.get("plan") else None
    unit = Unit.objects.filter(pk=chosen["unit"]).first() if chosen.get("unit") else None
    leader = Leader.objects.filter(pk=chosen["leader"]).first() if chosen.get("leader") else None
    title = ledger_title(
        plan=plan.title if plan else "", unit=unit.name if unit else "", leader=leader.name if leader else ""
    )
    stream = ledger_xlsx(
        rows=rows,
        title=title,
        filters=_filters_text(filterset),
        generated_at=timezone.localtime(),
        with_plan=plan is None,
    )
    return JobResult(file=stream, name=f"{title}-{clock.today:%Y%m%d}.xlsx")


def _filters_text(filterset: TaskFilter) -> str:
    """The filters in words, for the ledger's title row (as the direct download writes them)."""
    if not filterset.is_bound:
        return ""
    parts = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, "", False):
            continue
        field = filterset.form.fields[name]
        choices = {str(key): label for key, label in getattr(field, "choices", [])}
        parts.append(f"{field.label}：{'是' if value is True else choices.get(str(value), value)}")
    return "；".join(parts)
