"""The browser import flow: upload → preview (dry run) → confirm; history, download, undo.
Admins only; every view checks on the server."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypedDict, TypeVar, cast
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.audit import Action, audit_download
from jobs.models import JobKind
from jobs.services import job_enqueue
from tasks.models import Leader, Unit, UnitKind
from tasks.permissions import can_import

from . import services
from .errors import ImportRefused
from .forms import ColumnRolesForm, MappingForm, PlanMetaForm, UploadForm
from .models import ImportRecord, PendingImport
from .pipeline import ImportReport
from .read import FORMAT_LABELS
from .selectors import import_record_list, import_undo_preview, name_suggestions

_View = TypeVar("_View", bound=Callable[..., HttpResponse])


def admin_required(view: _View) -> _View:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_import(request.user):
            raise PermissionDenied("只有系统管理员可以导入任务分解表。")
        return view(request, *args, **kwargs)

    return cast(_View, wrapped)


@admin_required
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    error = None
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            pending, _ = services.pending_import_create(
                user=request.user, file_name=upload_file.name, data=upload_file.read()
            )
        except ImportRefused as refused:
            error = str(refused)
        else:
            return redirect("imports:preview", token=pending.token)
    status = 400 if request.method == "POST" else 200
    return render(request, "imports/upload.html", {"form": form, "error": error}, status=status)


def _meta_initial(report: ImportReport) -> dict[str, object]:
    meta = report.meta
    return {
        "title": meta.title,
        "kind": meta.kind,
        "year_start": meta.year_start,
        "year_end": meta.year_end,
        "doc_number": meta.doc_number,
        "doc_date": meta.doc_date,
        "district": meta.district,
    }


def _pending_gone(request: HttpRequest, gone: services.PendingImportGone) -> HttpResponse:
    """An upload that can no longer be confirmed: say why, and where to go next."""
    if gone.confirmed and gone.record_id:
        messages.warning(request, gone.message)
        return redirect("imports:record", pk=gone.record_id)
    status = 200 if gone.confirmed else 404
    return render(request, "imports/pending_gone.html", {"gone": gone}, status=status)


@admin_required
def preview(request: HttpRequest, token: str) -> HttpResponse:
    try:
        pending = services.pending_import_get(user=request.user, token=str(token))
    except services.PendingImportGone as gone:
        return _pending_gone(request, gone)
    error = None
    if request.method == "POST" and request.POST.get("action") == "confirm_background":
        # A large file: confirmed on the worker, with its progress on the job page (jobs app).
        job = job_enqueue(kind=JobKind.IMPORT_CONFIRM, owner=request.user, params={"pending": pending.pk})
        return redirect("jobs:detail", job_id=job.pk)
    if request.method == "POST" and request.POST.get("action") == "confirm":
        try:
            report = services.pending_import_confirm(user=request.user, pending=pending)
        except services.PendingImportGone as gone:
            return _pending_gone(request, gone)
        except ImportRefused as refused:
            error = str(refused)
        else:
            if report.applied:
                messages.success(
                    request,
                    f"已导入“{report.meta.title}”：新增 {len(report.diff.added)} 条任务，"
                    f"修改 {len(report.diff.changed)} 条，撤销 {len(report.diff.withdrawn)} 条。",
                )
                return redirect("imports:record", pk=report.record_id)
            messages.info(request, "文件内容与数据库一致，没有需要导入的变化。")
            return redirect("imports:history")
    try:
        report = services.pending_import_preview(pending=pending)
    except ImportRefused as refused:
        return render(request, "imports/upload.html", {"form": UploadForm(), "error": str(refused)}, status=400)

    mapping_kwargs = _mapping_kwargs(pending, report)
    meta_form = PlanMetaForm(initial=_meta_initial(report))
    mapping_form = MappingForm(**mapping_kwargs)
    columns = report.column_plans[0].columns if report.column_plans else []
    columns_form = ColumnRolesForm(columns=columns)
    if request.method == "POST" and request.POST.get("action") == "update":
        meta_form = PlanMetaForm(request.POST)
        mapping_form = MappingForm(request.POST, **mapping_kwargs)
        columns_form = ColumnRolesForm(request.POST, columns=columns)
        if meta_form.is_valid() and mapping_form.is_valid() and columns_form.is_valid():
            units, leaders = mapping_form.mappings()
            # Only a changed role (or one changed before) makes a mapping to keep as a layout.
            changed = columns_form.changed() or bool(pending.column_roles)
            try:
                services.pending_import_update(
                    user=request.user,
                    pending=pending,
                    overrides=meta_form.cleaned_data,
                    unit_mapping=units,
                    leader_mapping=leaders,
                    column_roles=columns_form.roles() if changed else None,
                )
            except ValidationError as invalid:
                error = "；".join(invalid.messages)
            else:
                return redirect("imports:preview", token=pending.token)
    context = {
        "pending": pending,
        "report": report,
        "meta_form": meta_form,
        "mapping_form": mapping_form,
        "column_rows": columns_form.rows(),
        "column_plans": report.column_plans,
        "unit_rows": [
            (mapping_form[key], name, _unit_kind_label(report.diff.new_units.get(name)))
            for key, name in mapping_form.unit_fields
        ],
        "leader_rows": [(mapping_form[key], name) for key, name in mapping_form.leader_fields],
        "error": error,
    }
    return render(request, "imports/preview.html", context, status=400 if error else 200)


class _MappingChoices(TypedDict):
    """MappingForm's keyword arguments (checked against its signature where they are passed)."""

    units: dict[str, list[str]]
    leaders: dict[str, list[str]]
    initial_units: dict[str, str]
    initial_leaders: dict[str, str]


def _mapping_kwargs(pending: PendingImport, report: ImportReport) -> _MappingChoices:
    """The choices for each new unit and leader: similar existing names, and
    the ones already mapped (kept visible so a choice can be taken back)."""
    unit_suggestions = name_suggestions(
        names=list(report.diff.new_units), existing=list(Unit.objects.values_list("name", flat=True))
    )
    leader_suggestions = name_suggestions(
        names=report.diff.new_leaders, existing=list(Leader.objects.values_list("name", flat=True))
    )
    for name, target in pending.unit_mapping.items():
        unit_suggestions.setdefault(name, [target])
    for name, target in pending.leader_mapping.items():
        leader_suggestions.setdefault(name, [target])
    return {
        "units": unit_suggestions,
        "leaders": leader_suggestions,
        "initial_units": pending.unit_mapping,
        "initial_leaders": pending.leader_mapping,
    }


def _unit_kind_label(kind: str | None) -> str:
    return UnitKind(kind).label if kind in UnitKind.values else ""


@admin_required
def history(request: HttpRequest) -> HttpResponse:
    page = Paginator(import_record_list(), 30).get_page(request.GET.get("page"))
    return render(request, "imports/history.html", {"page": page})


@admin_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(import_record_list(), pk=pk)
    return render(
        request,
        "imports/record.html",
        {
            "record": record,
            "format_label": FORMAT_LABELS.get(record.file_format, record.file_format),
            "undo_blocker": services.import_undo_blocker(record=record),
        },
    )


@admin_required
def download(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(ImportRecord.objects.only("file_name", "content"), pk=pk)
    response = HttpResponse(bytes(record.content), content_type="application/octet-stream")
    # Always a download, never rendered inline (the bytes are whatever was uploaded).
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(record.file_name)}"
    response["X-Content-Type-Options"] = "nosniff"
    audit_download(request, action=Action.DOWNLOAD, object_repr=record.file_name, detail={"record": record.pk})
    return response


@admin_required
@require_http_methods(["GET", "POST"])
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what rolling this import back will remove and restore (or why it
    cannot); POST: do it."""
    record = get_object_or_404(import_record_list(), pk=pk)
    if request.method == "POST":
        try:
            services.import_undo(user=request.user, record=record)
        except (ValidationError, ImportRefused) as refused:
            reasons = "；".join(getattr(refused, "messages", [str(refused)]))
            messages.error(request, f"不能回退：{reasons}")
            return redirect("imports:undo", pk=pk)
        messages.success(request, f"已回退导入“{record.file_name}”，规划已恢复到导入之前的状态。")
        return redirect("imports:record", pk=pk)
    preview = import_undo_preview(record=record, blocker=services.import_undo_blocker(record=record))
    return render(request, "imports/undo.html", {"record": record, "preview": preview})
