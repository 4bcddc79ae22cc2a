"""The task search, and what leaves the system from it: the Excel ledger, the plan as CSV."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_download
from imports.export import plan_export_csv
from minhang_plans.wording import join_messages

from .. import selectors
from ..decorators import reader_required
from ..exports import XLSX_MIME, ledger_title, ledger_xlsx
from ..filters import TaskFilter
from ..models import Leader, Plan, Task, Unit
from ..selectors.version import Scope, scope_version
from ..status.clock import Clock
from .caching import crumbs, lazy, page_key

PAGE_SIZE = 50


def _search(request: HttpRequest, clock: Clock) -> tuple[TaskFilter, QuerySet[Task]]:
    """The filter form and the matching tasks for a request's GET parameters (the ledger's export)."""
    base = selectors.task_search_base(clock=clock)
    filterset = TaskFilter(request.GET or None, queryset=base, clock=clock)
    return filterset, filterset.matches(base)


@reader_required
def task_search(request: HttpRequest) -> HttpResponse:
    clock = Clock.now()

    # The page's key and the form's lists share one read of the version (selectors.version).
    version = scope_version(scope=Scope.everything())

    def results() -> tuple[TaskFilter, Any]:
        # Every matching id in one query (over tasks and plans only), counted and sliced here, then
        # only the shown page's rows: the status filters never meet the joins a table of results
        # needs, and a short term (which no trigram index serves) scans the tasks once, not once
        # for the count and again for the page. At city scale that is 20,000 integers at most.
        # The form is over no tasks: it only validates and renders.
        filterset = TaskFilter(
            request.GET or None, queryset=Task.objects.none(), clock=clock, shared_number=version[0] if version else 0
        )
        ids = selectors.task_search_ids(filterset=filterset, clock=clock)
        page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = selectors.task_rows(ids=list(page.object_list), clock=clock)  # type: ignore[assignment]
        return filterset, page

    found = lazy(results)
    return render(
        request,
        "tasks/task_search.html",
        {
            "filter": lazy(lambda: found[0]),
            "page": lazy(lambda: found[1]),
            "page_key": page_key(clock, Scope.everything(), sorted(request.GET.lists()), version=version),
            "section": "search",
            "permalink": request.build_absolute_uri(),
            "breadcrumbs": crumbs(("查找任务", None)),
        },
    )


def _filters_text(filterset: TaskFilter) -> str:
    """The filters in words, for the ledger's title row."""
    if not filterset.is_bound or not filterset.is_valid():
        return ""
    parts = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, "", False):
            continue
        field = filterset.form.fields[name]
        choices = {str(key): label for key, label in getattr(field, "choices", [])}
        shown = choices.get(str(value), value)
        if value is True:
            shown = "是"
        parts.append(f"{field.label}：{shown}")
    return "；".join(parts)


def _download(stream: Any, filename: str, content_type: str) -> FileResponse:
    # Streamed from the spooled file; always a download, never shown inline.
    return FileResponse(stream, as_attachment=True, filename=filename, content_type=content_type)


@reader_required
def task_export_xlsx(request: HttpRequest) -> HttpResponse | FileResponse:
    """Whatever list the user is looking at (its filters in the URL), as the Excel ledger. A filter
    the form refuses (?plan=abc) gives no ledger: back to the list, which shows the error, rather
    than a workbook titled 全部 with no rows."""
    clock = Clock.now()
    filterset, matches = _search(request, clock)
    if filterset.is_bound and not filterset.is_valid():
        messages.error(
            request,
            "筛选条件有误，未生成台账："
            + join_messages(
                f"{filterset.form.fields[name].label}：{error}" if name in filterset.form.fields else str(error)
                for name, errors in filterset.form.errors.items()
                for error in errors
            ),
        )
        return redirect(reverse("tasks:task_search") + "?" + request.GET.urlencode())
    ids = list(matches.values_list("pk", flat=True))
    chosen = filterset.form.cleaned_data if filterset.is_bound and filterset.is_valid() else {}
    plan = Plan.objects.filter(pk=chosen["plan"]).first() if chosen.get("plan") else None
    unit = Unit.objects.filter(pk=chosen["unit"]).first() if chosen.get("unit") else None
    leader = Leader.objects.filter(pk=chosen["leader"]).first() if chosen.get("leader") else None
    # The title names whose list it is (the unit, the leader, the plan); 规划 is a column unless one plan.
    title = ledger_title(
        plan=plan.title if plan else "", unit=unit.name if unit else "", leader=leader.name if leader else ""
    )
    stream = ledger_xlsx(
        rows=list(selectors.export_rows(ids=ids, clock=clock)),
        title=title,
        filters=_filters_text(filterset),
        generated_at=timezone.localtime(),
        with_plan=plan is None,
    )
    filename = f"{title}-{clock.today:%Y%m%d}.xlsx"
    audit_download(request, object_repr=filename, detail={"rows": len(ids)})
    return _download(stream, filename, XLSX_MIME)


@reader_required
def plan_export_csv_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan as CSV in the documents' layout; it imports back into the identical plan."""
    plan = get_object_or_404(Plan, pk=plan_id)
    # A BOM so that Excel opens the Chinese text correctly; the importer skips it.
    response = HttpResponse(plan_export_csv(plan=plan).encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(plan.title)}.csv"
    audit_download(request, object_repr=f"{plan.title}.csv")
    return response
