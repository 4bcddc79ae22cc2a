"""Pages and downloads of the documents app. Views parse the request, check the role, call
a selector or a service, and render or hand out the file."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.audit import Action, audit_download
from minhang_plans.params import ascii_int
from minhang_plans.workdays import reply_by_default
from tasks.decorators import reader_required
from tasks.exports import DOCX_MIME, PDF_MIME
from tasks.models import Task, Unit

from . import selectors, services
from .bulletin import TemplateRefused
from .bulletin_template import PLACEHOLDERS, default_template_bytes
from .forms import ReplyByForm, SlipForm, TemplateUploadForm
from .models import BulletinIssue, BulletinTemplate, SupervisionSlip
from .pdf import pdf_available

# URL names of stored files (an issued document, a slip, a template), audited as downloads.
STORED_DOWNLOADS = {"bulletin_file", "slip_file", "template_file", "template_default"}
Crumbs = list[tuple[str, str | None]]


def _crumbs(*items: tuple[str, str | None]) -> Crumbs:
    return [("首页", reverse("tasks:dashboard")), *items]


def _file(request: HttpRequest, content: bytes, filename: str, content_type: str) -> FileResponse:
    # Every document leaving the system is in the security audit (who took which file, with the
    # page's filters): drafts and plan bulletins are exports, issued documents and templates downloads.
    stored = request.resolver_match is not None and request.resolver_match.url_name in STORED_DOWNLOADS
    audit_download(request, object_repr=filename, action=Action.DOWNLOAD if stored else Action.EXPORT)
    # Always a download, never shown inline.
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=content_type)


def _scope(request: HttpRequest) -> selectors.Scope:
    params = request.POST if request.method == "POST" else request.GET
    return selectors.scope_find(plan=params.get("plan"), unit=params.get("unit"), leader=params.get("leader"))


def _bulletin_url(scope: selectors.Scope, period: selectors.Period | None = None) -> str:
    query = scope.query()
    if period is not None:
        query["period"] = period.start.isoformat()
    return f"{reverse('documents:bulletin')}?{urlencode(query)}"


# -- bulletins -----------------------------------------------------------------------------------


@reader_required
def bulletin_page(request: HttpRequest) -> HttpResponse:
    """A scope's bulletin: choose the period, download the draft (Word, PDF), and for the office
    issue it with the next 期号; the bulletins issued for this scope."""
    scope = _scope(request)
    today = selectors.today()
    period = selectors.period_find(scope=scope, today=today, value=request.GET.get("period"))
    form = ReplyByForm(initial={"reply_by": reply_by_default(today=today)})
    return _bulletin_render(request, scope=scope, period=period, form=form)


def _bulletin_render(
    request: HttpRequest, *, scope: selectors.Scope, period: selectors.Period, form: ReplyByForm, status: int = 200
) -> HttpResponse:
    today = selectors.today()
    return render(
        request,
        "documents/bulletin.html",
        {
            "scope": scope,
            "scope_query": urlencode(scope.query()),
            "period": period,
            "periods": selectors.period_choices(scope=scope, today=today),
            "issues": selectors.issue_list(scope=scope),
            "can_issue": services.can_issue(request.user),
            "pdf": pdf_available(),
            "form": form,
            "breadcrumbs": _crumbs(("督查通报", reverse("documents:bulletin_list")), (scope.short, None)),
        },
        status=status,
    )


@reader_required
def bulletin_draft(request: HttpRequest, fmt: str) -> FileResponse | HttpResponse:
    """The unnumbered draft (第　期) of a scope and period, as Word or PDF; nothing is stored."""
    scope = _scope(request)
    period = selectors.period_find(scope=scope, today=selectors.today(), value=request.GET.get("period"))
    try:
        content = services.bulletin_preview(scope=scope, period=period)
        name = f"督查通报（未编号）-{scope.short}-{period.label}"
        if fmt == "pdf":
            return _file(request, services.pdf_of(content), f"{name}.pdf", PDF_MIME)
        return _file(request, content, f"{name}.docx", DOCX_MIME)
    except services.DocumentError as error:
        messages.error(request, str(error))
        return redirect(_bulletin_url(scope, period))


@reader_required
@require_POST
def bulletin_issue(request: HttpRequest) -> HttpResponse:
    services.require_issuer(request.user)
    scope = _scope(request)
    period = selectors.period_find(scope=scope, today=selectors.today(), value=request.POST.get("period"))
    form = ReplyByForm(request.POST)
    if not form.is_valid():
        return _bulletin_render(request, scope=scope, period=period, form=form, status=400)
    try:
        issue = services.bulletin_issue(
            user=request.user, scope=scope, period=period, reply_by=form.cleaned_data["reply_by"]
        )
    except services.DocumentError as error:
        form.add_error(None, str(error))
        return _bulletin_render(request, scope=scope, period=period, form=form, status=400)
    messages.success(request, f"已印发{issue}。")
    return redirect(_bulletin_url(scope, period))


@reader_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "documents/bulletin_list.html",
        {
            "issues": selectors.issue_list(limit=200),
            "can_issue": services.can_issue(request.user),
            "pdf": pdf_available(),
            "breadcrumbs": _crumbs(("督查通报", None)),
        },
    )


@reader_required
def bulletin_download(request: HttpRequest, issue_id: int, fmt: str) -> FileResponse | HttpResponse:
    issue = get_object_or_404(BulletinIssue, pk=issue_id)
    name = f"督查通报{issue.year}年第{issue.number}期"
    if fmt == "pdf":
        try:
            return _file(request, services.document_pdf(document=issue), f"{name}.pdf", PDF_MIME)
        except services.DocumentError as error:
            messages.error(request, str(error))
            return redirect("documents:bulletin_list")
    return _file(request, bytes(issue.docx), f"{name}.docx", DOCX_MIME)


@reader_required
def plan_bulletin(request: HttpRequest, plan_id: int) -> FileResponse | HttpResponse:
    """The old address of a plan's bulletin (/plans/<id>/bulletin.docx[?unit=|?leader=]): the
    current period's draft."""
    scope = selectors.scope_find(plan=str(plan_id), unit=request.GET.get("unit"), leader=request.GET.get("leader"))
    period = selectors.period_find(scope=scope, today=selectors.today(), value=None)
    try:
        content = services.bulletin_preview(scope=scope, period=period)
    except services.DocumentError as error:
        messages.error(request, str(error))
        return redirect(_bulletin_url(scope, period))
    return _file(request, content, f"督查通报（未编号）-{scope.short}-{period.label}.docx", DOCX_MIME)


# -- templates -------------------------------------------------------------------------------------


@reader_required
def template_page(request: HttpRequest) -> HttpResponse:
    services.require_issuer(request.user)
    form = TemplateUploadForm()
    status = 200
    if request.method == "POST":
        form = TemplateUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                template = services.bulletin_template_upload(
                    user=request.user, name=upload.name, content=upload.read(), note=form.cleaned_data["note"]
                )
            except TemplateRefused as error:
                form.add_error("file", str(error))
            else:
                messages.success(request, f"模板“{template.name}”已启用，下一期通报将使用它。")
                return redirect("documents:templates")
        status = 400
    return render(
        request,
        "documents/templates.html",
        {
            "form": form,
            "templates": selectors.template_list(),
            "active": selectors.template_active(),
            "placeholders": PLACEHOLDERS,
            "breadcrumbs": _crumbs(("督查通报", reverse("documents:bulletin_list")), ("通报模板", None)),
        },
        status=status,
    )


@reader_required
def template_download(request: HttpRequest, template_id: int | None = None) -> FileResponse:
    services.require_issuer(request.user)
    if template_id is None:
        return _file(request, default_template_bytes(), "督查通报默认模板.docx", DOCX_MIME)
    template = get_object_or_404(BulletinTemplate, pk=template_id)
    return _file(request, bytes(template.content), template.name, DOCX_MIME)


@reader_required
@require_POST
def template_activate(request: HttpRequest) -> HttpResponse:
    services.require_issuer(request.user)
    raw = request.POST.get("template", "")
    if raw and ascii_int(raw) is None:
        raise Http404("所选模板不存在。")
    try:
        chosen = services.bulletin_template_activate(user=request.user, template_id=ascii_int(raw) if raw else None)
    except services.DocumentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"已改用模板“{chosen.name}”。" if chosen else "已改用默认模板。")
    return redirect("documents:templates")


# -- supervision slips -------------------------------------------------------------------------------


def _slip(request: HttpRequest, *, task: Task | None, unit: Unit | None, back: str) -> HttpResponse:
    services.require_issuer(request.user)
    form = SlipForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))  # ErrorList yields the messages as text
        return redirect(back)
    try:
        slip = services.slip_create(
            user=request.user,
            task=task,
            unit=unit,
            requirement=form.cleaned_data["requirement"],
            reply_by=form.cleaned_data["reply_by"],
        )
    except services.DocumentError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(request, f"已生成督办单 {slip.number}。")
    return redirect(f"{back}#slips")


@reader_required
@require_POST
def slip_for_task(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(Task, pk=task_id)
    return _slip(request, task=task, unit=None, back=reverse("tasks:task", args=[task.pk]))


@reader_required
@require_POST
def slip_for_unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=unit_id)
    return _slip(request, task=None, unit=unit, back=reverse("tasks:unit", args=[unit.pk]))


@reader_required
def slip_download(request: HttpRequest, slip_id: int, fmt: str) -> FileResponse | HttpResponse:
    services.require_issuer(request.user)
    slip = get_object_or_404(SupervisionSlip, pk=slip_id)
    name = f"督办单{slip.number}"
    if fmt == "pdf":
        try:
            return _file(request, services.document_pdf(document=slip), f"{name}.pdf", PDF_MIME)
        except services.DocumentError as error:
            messages.error(request, str(error))
            back = reverse("tasks:task", args=[slip.task_id]) if slip.task_id else reverse("tasks:dashboard")
            return redirect(back)
    return _file(request, bytes(slip.docx), f"{name}.docx", DOCX_MIME)
