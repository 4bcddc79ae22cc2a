"""The browser import flow: upload → preview (dry run) → confirm; history, download, undo.
Admins only; every view checks on the server."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypedDict, TypeVar, cast
from urllib.parse import quote

from django.conf import settings
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
from .identity import plan_label
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


def _plan_options(report: ImportReport) -> list[tuple[str, str]]:
    return [(str(plan.pk), plan_label(plan)) for plan in report.plan_options]


def _pending_gone(request: HttpRequest, gone: services.PendingImportGone) -> HttpResponse:
    """An upload that can no longer be confirmed: say why, and where to go next."""
    if gone.confirmed and gone.record_id:
        messages.warning(request, gone.message)
        return redirect("imports:record", pk=gone.record_id)
    status = 200 if gone.confirmed else 404
    return render(request, "imports/pending_gone.html", {"gone": gone}, status=status)


@admin_required
def preview(request: HttpRequest, token: str) -> HttpResponse:
    """The dry run of an upload, with its corrections; one form, three buttons (its `action`):
    `update` saves the corrections and previews again, `confirm` imports now, `confirm_background`
    on the worker."""
    try:
        pending = services.pending_import_get(user=request.user, token=str(token))
    except services.PendingImportGone as gone:
        return _pending_gone(request, gone)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "confirm_background":
        # A large file: confirmed on the worker, with its progress on the job page (jobs app).
        job = job_enqueue(kind=JobKind.IMPORT_CONFIRM, owner=request.user, params={"pending": pending.pk})
        return redirect("jobs:detail", job_id=job.pk)
    error = None
    if action == "confirm":
        done, error = _confirm(request, pending)
        if done is not None:
            return done
    try:
        report = services.pending_import_preview(pending=pending)
    except ImportRefused as refused:
        return render(request, "imports/upload.html", {"form": UploadForm(), "error": str(refused)}, status=400)
    if action == "update":
        forms = _PreviewForms.bound(request, pending, report)
        done, error = _update(request, pending, forms)
        if done is not None:
            return done
    else:
        forms = _PreviewForms.unbound(pending, report)
    return render(request, "imports/preview.html", forms.context(pending, report, error), status=400 if error else 200)


def _confirm(request: HttpRequest, pending: PendingImport) -> tuple[HttpResponse | None, str | None]:
    """Import now: on to the new record (or the history, when nothing changed), or the refusal."""
    try:
        report = services.pending_import_confirm(user=request.user, pending=pending)
    except services.PendingImportGone as gone:
        return _pending_gone(request, gone), None
    except ImportRefused as refused:
        return None, str(refused)
    if report.applied:
        messages.success(
            request,
            f"已导入“{report.meta.title}”：新增 {len(report.diff.added)} 条任务，"
            f"修改 {len(report.diff.changed)} 条，撤销 {len(report.diff.withdrawn)} 条。",
        )
        return redirect("imports:record", pk=report.record_id), None
    messages.info(request, "文件内容与数据库一致，没有需要导入的变化。")
    return redirect("imports:history"), None


def _update(
    request: HttpRequest, pending: PendingImport, forms: _PreviewForms
) -> tuple[HttpResponse | None, str | None]:
    """Save the corrections (title and years, unit and leader names, column roles) and preview again."""
    if not forms.valid():
        return None, None
    units, leaders = forms.mapping.mappings()
    # Only a changed role (or one changed before) makes a mapping to keep as a layout.
    changed = forms.columns.changed() or bool(pending.column_roles)
    overrides = dict(forms.meta.cleaned_data)
    plan_choice = overrides.pop("plan_choice", "") or ""
    try:
        services.pending_import_update(
            user=request.user,
            pending=pending,
            overrides=overrides,
            unit_mapping=units,
            leader_mapping=leaders,
            column_roles=forms.columns.roles() if changed else None,
            plan_choice=plan_choice,
            district=forms.district,
        )
    except ValidationError as invalid:
        return None, "；".join(invalid.messages)
    return redirect("imports:preview", token=pending.token), None


@dataclass
class _PreviewForms:
    """The preview page's three forms: the plan's details, the name mapping, the column roles."""

    meta: PlanMetaForm
    mapping: MappingForm
    columns: ColumnRolesForm
    # The district the file was read as: the unit and leader names it maps to are that district's.
    district: str

    @classmethod
    def unbound(cls, pending: PendingImport, report: ImportReport) -> _PreviewForms:
        initial = _meta_initial(report) | {"plan_choice": pending.plan_choice}
        return cls(
            meta=PlanMetaForm(initial=initial, plans=_plan_options(report)),
            mapping=MappingForm(**_mapping_kwargs(pending, report)),
            columns=ColumnRolesForm(columns=_columns(report)),
            district=_district(report),
        )

    @classmethod
    def bound(cls, request: HttpRequest, pending: PendingImport, report: ImportReport) -> _PreviewForms:
        return cls(
            meta=PlanMetaForm(request.POST, plans=_plan_options(report)),
            mapping=MappingForm(request.POST, **_mapping_kwargs(pending, report)),
            columns=ColumnRolesForm(request.POST, columns=_columns(report)),
            district=_district(report),
        )

    def valid(self) -> bool:
        # Every form validated (no short circuit): each shows its own errors.
        return all([self.meta.is_valid(), self.mapping.is_valid(), self.columns.is_valid()])

    def context(self, pending: PendingImport, report: ImportReport, error: str | None) -> dict[str, object]:
        return {
            "pending": pending,
            "report": report,
            "meta_form": self.meta,
            "mapping_form": self.mapping,
            "column_rows": self.columns.rows(),
            "column_plans": report.column_plans,
            "unit_rows": [
                (self.mapping[key], name, _unit_kind_label(report.diff.new_units.get(name)))
                for key, name in self.mapping.unit_fields
            ],
            "leader_rows": [(self.mapping[key], name) for key, name in self.mapping.leader_fields],
            "plan_district": self.district,
            "error": error,
        }


def _district(report: ImportReport) -> str:
    return report.meta.district or settings.DISTRICT_NAME


def _columns(report: ImportReport) -> list[Any]:
    return report.column_plans[0].columns if report.column_plans else []


class _MappingChoices(TypedDict):
    """MappingForm's keyword arguments (checked against its signature where they are passed)."""

    units: dict[str, list[str]]
    leaders: dict[str, list[str]]
    initial_units: dict[str, str]
    initial_leaders: dict[str, str]


def _mapping_kwargs(pending: PendingImport, report: ImportReport) -> _MappingChoices:
    """The choices for each new unit and leader: similar existing names, and
    the ones already mapped (kept visible so a choice can be taken back)."""
    district = _district(report)  # only the file's own district's names: never another district's office
    unit_suggestions = name_suggestions(
        names=list(report.diff.new_units),
        existing=list(Unit.objects.filter(district=district).values_list("name", flat=True)),
    )
    leader_suggestions = name_suggestions(
        names=report.diff.new_leaders,
        existing=list(Leader.objects.filter(district=district).values_list("name", flat=True)),
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
