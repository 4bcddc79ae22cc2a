"""Browsing pages. Views stay thin: parse the request, check the role, call selectors, render."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from imports.export import plan_export_csv

from . import permissions, selectors, services
from .exports import XLSX_MIME, ledger_rows, ledger_title, ledger_xlsx
from .filters import TaskFilter
from .forms import DueDateForm, ReopenForm, ReportForm, ReviewForm
from .models import (
    Category,
    Leader,
    Plan,
    ProgressReport,
    ProgressStatus,
    ReportAttachment,
    ReviewState,
    Role,
    Task,
    TaskState,
    Unit,
    UnitRole,
)
from .periods import period_label, period_start
from .permissions import can_read

PAGE_SIZE = 50
TIMELINE_PERIODS = 12  # a task page shows the reports of this many latest periods unless ?all=1
Crumbs = list[tuple[str, str | None]]


def reader_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in (else the login page) and in a role group (else 403): reading is open to every role."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_read(request.user):
            raise PermissionDenied("您的账号尚未分配角色，无法查看。")
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _page_key(clock: selectors.Clock, *parts: Any) -> str:
    """What a cached page fragment ({% cache … page_key %}) depends on: the data, by its version
    (bumped by database triggers on every committed write, so a change always means a new key),
    today (lights and "this period" move with the date), the settings the lights use, and the
    request's own parameters. Nothing user-specific is inside the cached fragments."""
    if connection.in_atomic_block:
        # Inside a transaction the page may show writes not yet committed (or about to be rolled
        # back) under a version number others will only see later: never share such a fragment.
        return f"uncommitted:{uuid.uuid4().hex}"
    light_settings = (settings.LIGHT_DUE_SOON_DAYS, settings.LIGHT_BEHIND_SCHEDULE_POINTS, settings.DISTRICT_NAME)
    return repr((selectors.data_version(), clock.today.isoformat(), light_settings, parts))


def _lazy(compute: Callable[[], Any]) -> Any:
    """Computed only if the template renders it, i.e. only when the cached fragment missed."""
    return SimpleLazyObject(compute)


def _crumbs(*items: tuple[str, str | None]) -> Crumbs:
    return [("首页", reverse("tasks:dashboard")), *items]


@reader_required
def dashboard(request: HttpRequest) -> HttpResponse:
    clock = selectors.Clock.now()
    district = request.GET.get("district") or None
    return render(
        request,
        "tasks/dashboard.html",
        {
            "board": _lazy(lambda: selectors.dashboard_overview(clock=clock, district=district)),
            "page_key": _page_key(clock, district),
            "section": "home",
            "light_labels": selectors.Light.LABELS,
        },
    )


@reader_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    clock = selectors.Clock.now()
    plan = selectors.plan_get(plan_id=plan_id)
    blocks = _lazy(lambda: selectors.plan_tree(plan=plan, clock=clock))
    return render(
        request,
        "tasks/plan_detail.html",
        {
            "plan": plan,
            "blocks": blocks,
            "category": None,
            "page_key": _page_key(clock, plan.pk),
            "section": "plans",
            "categories": _lazy(lambda: [block.category for block in blocks]),
            "breadcrumbs": _crumbs((plan.title, None)),
        },
    )


@reader_required
def category_detail(request: HttpRequest, plan_id: int, category_id: int) -> HttpResponse:
    clock = selectors.Clock.now()
    plan = selectors.plan_get(plan_id=plan_id)
    category = get_object_or_404(Category, pk=category_id, plan=plan)
    return render(
        request,
        "tasks/plan_detail.html",
        {
            "plan": plan,
            "blocks": _lazy(lambda: selectors.plan_tree(plan=plan, category_id=category_id, clock=clock)),
            "category": category,
            "page_key": _page_key(clock, plan.pk, category.pk),
            "section": "plans",
            "breadcrumbs": _crumbs((plan.title, reverse("tasks:plan", args=[plan.pk])), (str(category), None)),
        },
    )


@reader_required
def unit_index(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind") or None
    if kind not in selectors.UNIT_KIND_FILTERS:
        kind = None
    order = request.GET.get("order") or "led"
    if order not in selectors.UNIT_SORTS:
        order = "led"
    # One plan's figures (the dashboard's silent-unit list links here with its plan).
    plan_id = request.GET.get("plan", "")
    plan_id = int(plan_id) if plan_id.isdigit() and len(plan_id) < 10 else None
    plan = _lazy(lambda: selectors.plan_find(plan_id=plan_id))
    clock = selectors.Clock.now()
    return render(
        request,
        "tasks/unit_index.html",
        {
            # An unknown plan id is ignored, not an empty list.
            "rows": _lazy(
                lambda: selectors.unit_summary_list(
                    kind=kind, order=order, plan_id=plan.pk if plan else None, clock=clock
                )
            ),
            "plan": plan,
            "page_key": _page_key(clock, kind, order, plan_id),
            "kind": kind,
            "order": order,
            "kinds": selectors.UNIT_KIND_FILTERS,
            "sorts": selectors.UNIT_SORTS,
            "section": "units",
            "breadcrumbs": _crumbs(("单位", None)),
        },
    )


@reader_required
def unit_by_name(request: HttpRequest, name: str) -> HttpResponse:
    """A unit by any of its names: 区发改委 and 区发展改革委 lead to the same page."""
    unit = selectors.unit_resolve(name=name)
    if unit is None:
        raise Http404("没有这个单位。")
    return redirect("tasks:unit", unit_id=unit.pk)


def _unit_context(unit_id: int) -> dict[str, Any]:
    clock = selectors.Clock.now()
    unit = selectors.unit_get(unit_id=unit_id)
    tasks = _lazy(lambda: list(selectors.unit_task_list(unit=unit, clock=clock)))
    lead_count = _lazy(lambda: sum(1 for t in tasks if t.unit_role == UnitRole.LEAD))
    return {
        "unit": unit,
        "aliases": [a.name for a in unit.aliases.all()],
        "tasks": tasks,
        "lead_count": lead_count,
        # Active tasks, like every other figure (the table also shows withdrawn ones, struck through).
        "support_count": _lazy(
            lambda: sum(1 for t in tasks if t.unit_role != UnitRole.LEAD and t.state == TaskState.ACTIVE)
        ),
        "summary": _lazy(lambda: selectors.unit_summary(unit=unit, clock=clock)),
        "clock": clock,
        "section": "units",
        "breadcrumbs": _crumbs(("单位", reverse("tasks:unit_index")), (unit.name, None)),
    }


@reader_required
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    context = _unit_context(unit_id)
    # The page is cached, the print view is not (it needs no data version).
    context["page_key"] = _page_key(context["clock"], context["unit"].pk)
    # The unit's own liaisons also see what waits for them (outside the shared cached fragment).
    user = request.user
    if permissions.user_role(user) == Role.LIAISON and context["unit"].pk in permissions.user_unit_ids(user):
        context["to_fix"] = selectors.unit_reports_to_fix(unit=context["unit"], clock=context["clock"])
    return render(request, "tasks/unit_detail.html", context)


@reader_required
def unit_print(request: HttpRequest, unit_id: int) -> HttpResponse:
    context = _unit_context(unit_id)
    every = context["tasks"]
    context["tasks"] = _lazy(lambda: [t for t in every if t.state == TaskState.ACTIVE])
    return render(request, "tasks/unit_print.html", context)


@reader_required
def leader_index(request: HttpRequest) -> HttpResponse:
    order = request.GET.get("order") or "led"
    if order not in selectors.LEADER_SORTS:
        order = "led"
    clock = selectors.Clock.now()
    return render(
        request,
        "tasks/leader_index.html",
        {
            "rows": _lazy(lambda: selectors.leader_summary_list(order=order, clock=clock)),
            "page_key": _page_key(clock, order),
            "order": order,
            "sorts": selectors.LEADER_SORTS,
            "section": "leaders",
            "breadcrumbs": _crumbs(("牵头领导", None)),
        },
    )


@reader_required
def leader_detail(request: HttpRequest, leader_id: int) -> HttpResponse:
    clock = selectors.Clock.now()
    leader = selectors.leader_get(leader_id=leader_id)
    tasks = _lazy(lambda: list(selectors.leader_task_list(leader=leader, clock=clock)))
    return render(
        request,
        "tasks/leader_detail.html",
        {
            "leader": leader,
            "tasks": tasks,
            "active_count": _lazy(lambda: sum(1 for t in tasks if t.state == TaskState.ACTIVE)),
            "plans": _lazy(lambda: list(dict.fromkeys((t.plan_id, t.plan.title) for t in tasks))),
            "summary": _lazy(lambda: selectors.leader_summary(leader=leader, clock=clock)),
            "units": _lazy(lambda: selectors.leader_unit_list(leader=leader, clock=clock)),
            "page_key": _page_key(clock, leader.pk),
            "section": "leaders",
            "breadcrumbs": _crumbs(("牵头领导", reverse("tasks:leader_index")), (leader.name, None)),
        },
    )


@reader_required
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    task = selectors.task_get(task_id=task_id)
    links = list(task.unit_links.all())
    user = request.user
    lead_ids = [link.unit_id for link in links if link.role == UnitRole.LEAD]
    reportable = (
        set(permissions.reportable_unit_ids(user, task, lead_unit_ids=lead_ids))
        if task.state == TaskState.ACTIVE
        else set()
    )
    # The latest periods only, unless asked for all: five years of monthly reports by several
    # units is hundreds of entries. A report awaiting review is always shown, however old.
    show_all = request.GET.get("all") == "1"
    timeline, report_count = selectors.report_timeline(
        task=task, user=user, latest_periods=None if show_all else TIMELINE_PERIODS
    )
    review_forms = {}
    reopen_forms = {}
    if permissions.can_review(user):
        review_forms = {
            r.pk: ReviewForm(initial={"version": r.version})
            for r in timeline
            if r.review_state == ReviewState.SUBMITTED
        }
        # An approval can be taken back (撤回审核) while the task is active.
        if task.state == TaskState.ACTIVE:
            reopen_forms = {
                r.pk: ReopenForm(initial={"version": r.version}, prefix=f"reopen-{r.pk}")
                for r in timeline
                if r.review_state == ReviewState.APPROVED
            }
    return render(
        request,
        "tasks/task_detail.html",
        {
            "task": task,
            "lead_links": [link for link in links if link.role == UnitRole.LEAD],
            "support_links": [link for link in links if link.role != UnitRole.LEAD],
            "reportable_links": [link for link in links if link.unit_id in reportable],
            "reports": timeline,
            "report_count": report_count,
            "hidden_count": report_count - len(timeline),
            "timeline_periods": TIMELINE_PERIODS,
            "review_forms": review_forms,
            "reopen_forms": reopen_forms,
            # Units whose returned reports (of any period) this user may revise from the timeline.
            "reportable_unit_ids": reportable,
            # Drafts are never counted, so the visible timeline holds every report that matters.
            # The stagnant window (the last few periods) lies inside the shown periods.
            "stagnant": selectors.task_stagnant(
                task=task, reports=timeline if settings.LIGHT_STAGNANT_PERIODS <= TIMELINE_PERIODS else None
            ),
            "can_edit": permissions.can_edit_tasks(user),
            "due_form": DueDateForm(initial={"due_date": task.due_date}),
            "history": selectors.task_history(task=task),
            "section": "plans",
            "breadcrumbs": _crumbs(
                (task.plan.title, reverse("tasks:plan", args=[task.plan_id])),
                (str(task.category), reverse("tasks:category", args=[task.plan_id, task.category_id])),
                (f"第{task.number}项", None),
            ),
        },
    )


@reader_required
def landing(request: HttpRequest) -> HttpResponse:
    """After login: a leader lands on their own page, a unit liaison on their unit's, others on the dashboard."""
    role = permissions.user_role(request.user)
    profile = getattr(request.user, "profile", None)
    if role == Role.LEADER and profile and profile.leader_id:
        return redirect("tasks:leader", leader_id=profile.leader_id)
    if role == Role.LIAISON:
        unit_ids = sorted(permissions.user_unit_ids(request.user))
        if len(unit_ids) == 1:
            return redirect("tasks:unit", unit_id=unit_ids[0])
    return redirect("tasks:dashboard")


def _form_errors(form: ReportForm, invalid: ValidationError) -> None:
    """Show a service's refusal on the form, next to the field it names."""
    pairs = invalid.message_dict.items() if hasattr(invalid, "error_dict") else [(None, invalid.messages)]
    for field, errors in pairs:
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


@reader_required
def report_edit(request: HttpRequest, task_id: int, unit_id: int) -> HttpResponse:
    """Record (or revise) a lead unit's progress on a task for the current period."""
    task = selectors.task_get(task_id=task_id)
    unit = get_object_or_404(Unit, pk=unit_id)
    permissions.require(permissions.can_report(request.user, task, unit.pk), "您只能为本单位牵头的任务填报进展。")
    clock = selectors.Clock.now()
    period = period_start(reporting_period=task.plan.reporting_period, day=clock.today)
    current = selectors.report_current(task=task, unit_id=unit.pk, clock=clock)
    asked = request.GET.get("period")
    if asked:
        # An earlier period's report is open for revision only while it is returned (退回 or 撤回审核).
        asked_date = parse_date(asked) if len(asked) == 10 else None
        if asked_date is None:
            raise Http404("报送周期无效。")
        asked_start = period_start(reporting_period=task.plan.reporting_period, day=asked_date)
        if asked_start != period:
            earlier = selectors.report_current(task=task, unit_id=unit.pk, clock=selectors.Clock(today=asked_start))
            if earlier is None or earlier.review_state != ReviewState.RETURNED:
                messages.error(request, "只能填报本期进展，或修改被退回的往期报告。")
                return redirect("tasks:task", task_id=task.pk)
            period, current = asked_start, earlier
    conflict: services.ReportConflict | None = None
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = services.ReportInput(
                **{k: form.cleaned_data[k] for k in ("status", "percent", "progress_text", "problems", "next_steps")}
            )
            try:
                # The report and its attachment are saved together or not at all.
                report = services.report_save(
                    user=request.user,
                    task=task,
                    unit=unit,
                    period=period,
                    data=data,
                    version=form.cleaned_data["version"],
                    submit=request.POST.get("action") != "draft",
                    attachment=form.cleaned_data["attachment"],
                )
            except services.ReportConflict as exc:
                conflict = exc
                # Keep what the user typed; let them save again over the version they have now seen.
                form = ReportForm(initial={**form.cleaned_data, "version": exc.current.version})
            except ValidationError as invalid:
                _form_errors(form, invalid)
            else:
                state = "已提交，等待督查室审核" if report.review_state == ReviewState.SUBMITTED else "已保存草稿"
                label = period_label(reporting_period=task.plan.reporting_period, start=period)
                messages.success(request, f"{unit.name}对第{task.number}项的{label}进展{state}。")
                return redirect("tasks:task", task_id=task.pk)
    else:
        initial = {"version": current.version if current else None, "status": ProgressStatus.IN_PROGRESS, "percent": 0}
        if current:
            initial.update(
                status=current.status,
                percent=current.percent,
                progress_text=current.progress_text,
                problems=current.problems,
                next_steps=current.next_steps,
            )
        form = ReportForm(initial=initial)
    return render(
        request,
        "tasks/report_form.html",
        {
            "task": task,
            "unit": unit,
            "form": form,
            "current": current,
            "conflict": conflict,
            "period_label": period_label(reporting_period=task.plan.reporting_period, start=period),
            "breadcrumbs": _crumbs((f"第{task.number}项", reverse("tasks:task", args=[task.pk])), ("填报进展", None)),
        },
        status=409 if conflict else (400 if request.method == "POST" else 200),
    )


@reader_required
@require_POST
def report_review(request: HttpRequest, report_id: int) -> HttpResponse:
    permissions.require(permissions.can_review(request.user), "只有督查室可以审核进展报告。")
    report = get_object_or_404(ProgressReport.objects.select_related("task"), pk=report_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "审核请求无效，请刷新页面后重试。")
    else:
        action = services.report_approve if form.cleaned_data["decision"] == "approve" else services.report_return
        try:
            action(
                user=request.user,
                report=report,
                version=form.cleaned_data["version"],
                comment=form.cleaned_data["comment"],
            )
        except services.ReportConflict as conflict:
            messages.error(request, str(conflict))
        except ValidationError as invalid:
            messages.error(request, "；".join(invalid.messages))
        else:
            messages.success(request, "已审核通过。" if form.cleaned_data["decision"] == "approve" else "已退回。")
    # Only back to a page of this site (an attacker's `next` would make this an open redirect).
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("tasks:task", args=[report.task_id])
    return redirect(target)


@reader_required
def review_queue(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_review(request.user), "只有督查室可以查看待审核列表。")
    # The queue shows each report's attachments: one query for the whole page.
    pending = selectors.report_pending_list().prefetch_related("attachments")
    page = Paginator(pending, PAGE_SIZE).get_page(request.GET.get("page"))
    forms = {r.pk: ReviewForm(initial={"version": r.version}) for r in page}
    return render(
        request,
        "tasks/review_queue.html",
        {
            "page": page,
            "forms": forms,
            "section": "review",
            "breadcrumbs": _crumbs(("待审核进展", None)),
        },
    )


@reader_required
@require_POST
def report_reopen(request: HttpRequest, report_id: int) -> HttpResponse:
    """撤回审核: the office sends an approved report back to the unit, with a reason."""
    permissions.require(permissions.can_review(request.user), "只有督查室可以撤回审核。")
    report = get_object_or_404(ProgressReport.objects.select_related("unit"), pk=report_id)
    form = ReopenForm(request.POST, prefix=f"reopen-{report.pk}")
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            services.report_reopen(
                user=request.user,
                report=report,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except services.ReportConflict as conflict:
            messages.error(request, str(conflict))
        except ValidationError as invalid:
            messages.error(request, "；".join(invalid.messages))
        else:
            messages.success(request, f"已撤回审核，报告已退回{report.unit.name}修改。")
    return redirect(reverse("tasks:task", args=[report.task_id]) + f"#report-{report.pk}")


@reader_required
@require_POST
def task_due_date(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(Task, pk=task_id)
    permissions.require(permissions.can_edit_tasks(request.user), "只有督查室可以修改任务。")
    form = DueDateForm(request.POST)
    if form.is_valid():
        due_date = form.cleaned_data["due_date"]
        try:
            changed = services.task_due_date_set(user=request.user, task=task, due_date=due_date)
        except ValidationError as invalid:
            messages.error(request, "；".join(invalid.messages))
        else:
            if not changed:
                messages.info(request, "截止日期未改变。")
            else:
                messages.success(request, "截止日期已更新。" if due_date else "截止日期已清除。")
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect("tasks:task", task_id=task.pk)


@reader_required
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment = get_object_or_404(ReportAttachment.objects.select_related("report"), pk=attachment_id)
    report = attachment.report
    # A draft and its files are the unit's own until submitted.
    if report.review_state == ReviewState.DRAFT and not (
        permissions.can_review(request.user) or report.unit_id in permissions.user_unit_ids(request.user)
    ):
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _search(request: HttpRequest, clock: selectors.Clock) -> tuple[TaskFilter, QuerySet[Task]]:
    """The filter form and the matching tasks for a request's GET parameters."""
    filterset = TaskFilter(request.GET or None, queryset=selectors.task_search_base(clock=clock), clock=clock)
    if not filterset.is_bound:
        matches = filterset.queryset.filter(state=TaskState.ACTIVE)
    elif filterset.is_valid():
        matches = filterset.qs
    else:
        matches = filterset.queryset.none()
    return filterset, matches


@reader_required
def task_search(request: HttpRequest) -> HttpResponse:
    clock = selectors.Clock.now()

    def results() -> tuple[TaskFilter, Any]:
        filterset, matches = _search(request, clock)
        # A count and the page's ids (over tasks and plans only), then only the shown page's rows:
        # the status filters never meet the joins a table of results needs, and a search hitting
        # thousands of tasks fetches fifty ids, not thousands.
        page = Paginator(matches.values_list("pk", flat=True), PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = selectors.task_rows(ids=list(page.object_list), clock=clock)
        return filterset, page

    found = _lazy(results)
    return render(
        request,
        "tasks/task_search.html",
        {
            "filter": _lazy(lambda: found[0]),
            "page": _lazy(lambda: found[1]),
            "page_key": _page_key(clock, sorted(request.GET.lists())),
            "section": "search",
            "permalink": request.build_absolute_uri(),
            "breadcrumbs": _crumbs(("查找任务", None)),
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
def task_export_xlsx(request: HttpRequest) -> FileResponse:
    """Whatever list the user is looking at (its filters in the URL), as the Excel ledger."""
    clock = selectors.Clock.now()
    filterset, matches = _search(request, clock)
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
        rows=list(ledger_rows(ids=ids, clock=clock)),  # export_rows' rows, built in bulk
        title=title,
        filters=_filters_text(filterset),
        generated_at=timezone.localtime(),
        with_plan=plan is None,
    )
    return _download(stream, f"{title}-{clock.today:%Y%m%d}.xlsx", XLSX_MIME)


@reader_required
def plan_export_csv_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan as CSV in the documents' layout; it imports back into the identical plan."""
    plan = get_object_or_404(Plan, pk=plan_id)
    # A BOM so that Excel opens the Chinese text correctly; the importer skips it.
    response = HttpResponse(plan_export_csv(plan=plan).encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(plan.title)}.csv"
    return response
