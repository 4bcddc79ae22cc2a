"""Progress reports: the unit's form, the office's review, the queue, 撤回审核, attachments."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.audit import Action, audit_download

from .. import permissions, selectors, services
from ..decorators import reader_required
from ..forms import BatchReviewForm, ReopenForm, ReportForm, ReviewForm
from ..milestones import milestone_rows
from ..models import ProgressReport, ProgressStatus, ReportAttachment, ReviewState, Unit
from ..periods import period_label, plan_deadline
from ..selectors.reports import (
    REPORT_TEXT_FIELDS,
    report_changes,
    report_form_instructions,
    report_pending_changes,
    report_pending_list,
    report_previous,
)
from ..status.clock import Clock
from .caching import crumbs

PAGE_SIZE = 50


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
    clock = Clock.now()
    try:
        period, current = selectors.report_form_target(
            task=task, unit_id=unit.pk, asked=request.GET.get("period"), clock=clock
        )
    except ValidationError as closed:
        messages.error(request, "；".join(closed.messages))
        return redirect("tasks:task", task_id=task.pk)
    conflict: services.ReportConflict | None = None
    previous = report_previous(task=task, unit_id=unit.pk, period=period)
    instructions = report_form_instructions(task=task, unit_id=unit.pk, report=current)
    reason_hint = services.report_reason_required(task=task, status="", today=clock.today) or ""

    milestones = [
        (m.pk, f"{m.due_date:%Y-%m-%d} {m.target}" + ("（已确认完成）" if m.met else ""))
        for m in milestone_rows(task=task, today=clock.today)
    ]

    def report_form(*args: Any, **kwargs: Any) -> ReportForm:
        return ReportForm(
            *args,
            instructions=instructions,
            evidence_required=task.plan.evidence_required,
            reason_hint=reason_hint,
            milestones=milestones,
            **kwargs,
        )

    if request.method == "POST":
        form = report_form(request.POST, request.FILES)
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
                    attachments=form.cleaned_data["attachment"],
                    instruction_answers=form.instruction_answers(),
                    milestones_met=form.cleaned_data.get("milestones_met") if milestones else None,
                    clock=clock,
                )
            except services.ReportConflict as exc:
                conflict = exc
                # Keep what the user typed; let them save again over the version they have now seen.
                kept = {k: v for k, v in form.cleaned_data.items() if k != "attachment"}
                form = report_form(initial={**kept, "version": exc.current.version})
            except ValidationError as invalid:
                _form_errors(form, invalid)
            else:
                submitted = report.review_state == ReviewState.SUBMITTED
                state = "已提交，等待督查室审核" if submitted else "已保存草稿"
                label = period_label(reporting_period=task.plan.reporting_period, start=period)
                answered = sum(1 for text in form.instruction_answers().values() if text.strip())
                if submitted and answered:
                    state += f"，并报送了{answered}条批示的落实情况"
                elif answered:
                    state += "（落实情况随提交审核一并报送，草稿不保存落实情况）"
                messages.success(request, f"{unit.name}对第{task.number}项的{label}进展{state}。")
                return redirect("tasks:task", task_id=task.pk)
    else:
        initial: dict[str, object] = {
            "version": current.version if current else None,
            "status": ProgressStatus.IN_PROGRESS,
            "percent": 0,
        }
        # A new report starts from the unit's previous one: most of it still holds.
        source = current or previous
        if source:
            initial.update(
                status=source.status,
                percent=source.percent,
                progress_text=source.progress_text,
                problems=source.problems,
                next_steps=source.next_steps,
            )
        if current is not None:
            initial["milestones_met"] = list(current.milestones_met.values_list("pk", flat=True))
        form = report_form(initial=initial)
    changes = report_changes(
        previous_label=(
            period_label(reporting_period=task.plan.reporting_period, start=previous.period) if previous else ""
        ),
        before=(
            {name: getattr(previous, name) for name in ("status", "percent", *dict(REPORT_TEXT_FIELDS))}
            if previous
            else None
        ),
        after={name: form[name].value() for name in ("status", "percent", *dict(REPORT_TEXT_FIELDS))},
    )
    return render(
        request,
        "tasks/report_form.html",
        {
            "task": task,
            "unit": unit,
            "form": form,
            "current": current,
            "previous": previous,
            "prefilled": current is None and previous is not None,
            "changes": changes,
            "attachments": list(current.attachments.all()) if current else [],
            "conflict": conflict,
            "period_label": period_label(reporting_period=task.plan.reporting_period, start=period),
            "deadline": plan_deadline(plan=task.plan, start=period),
            "past_deadline": clock.today > plan_deadline(plan=task.plan, start=period),
            "breadcrumbs": crumbs((f"第{task.number}项", reverse("tasks:task", args=[task.pk])), ("填报进展", None)),
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
    pending = report_pending_list().prefetch_related("attachments")
    page = Paginator(pending, PAGE_SIZE).get_page(request.GET.get("page"))
    forms = {r.pk: ReviewForm(initial={"version": r.version}) for r in page}
    return render(
        request,
        "tasks/review_queue.html",
        {
            "page": page,
            "forms": forms,
            "changes": report_pending_changes(reports=page),
            "previewable": {a.pk for r in page for a in r.attachments.all() if attachment_previewable(a.original_name)},
            "section": "review",
            "breadcrumbs": crumbs(("待审核进展", None)),
        },
    )


@reader_required
@require_POST
def review_batch(request: HttpRequest) -> HttpResponse:
    """批量通过 / 批量退回: the ticked reports of the queue, all or none."""
    permissions.require(permissions.can_review_batch(request.user), "只有督查室可以审核进展报告。")
    form = BatchReviewForm(request.POST)
    target = reverse("tasks:review_queue")
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(target)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        done = services.report_review_batch(
            user=request.user, versions=form.versions(), approve=approve, comment=form.cleaned_data["comment"]
        )
    except ValidationError as invalid:
        messages.error(request, "；".join(invalid.messages))
    else:
        messages.success(request, f"已批量{'通过' if approve else '退回'}{len(done)}份报告。")
    return redirect(target)


@reader_required
@require_POST
def report_reopen(request: HttpRequest, report_id: int) -> HttpResponse:
    """撤回审核: the office sends an approved report back to the unit, with a reason."""
    permissions.require(permissions.can_review(request.user), "只有督查室可以撤回审核。")
    report = get_object_or_404(ProgressReport.objects.select_related("unit"), pk=report_id)
    form = ReopenForm(request.POST, prefix=f"reopen-{report.pk}")
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
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
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    attachment = get_object_or_404(ReportAttachment.objects.select_related("report"), pk=attachment_id)
    report = attachment.report
    # A draft and its files are the unit's own until submitted.
    if not permissions.can_read_attachment(
        request.user, unit_id=report.unit_id, draft=report.review_state == ReviewState.DRAFT
    ):
        raise Http404
    handle = attachment.file.open("rb")
    # ?preview=1 shows an image or a PDF in the browser, with its own type, when its first bytes
    # are what its name says; anything else (and a file whose content does not match) downloads.
    content_type = attachment_preview_type(name=attachment.original_name, head=handle.read(16))
    handle.seek(0)
    inline = request.GET.get("preview") == "1" and content_type is not None
    audit_download(
        request,
        action=Action.DOWNLOAD,
        object_repr=attachment.original_name,
        detail={"attachment": attachment.pk, **({"preview": True} if inline else {})},
    )
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=attachment.original_name,
        content_type=content_type if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    if inline:
        # Shown, never run: no script, no plugin but the browser's own PDF viewer, no framing elsewhere.
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


# Previewable types: the name's extension, the content type it is served with, and the first
# bytes such a file starts with (a file that does not is downloaded, never shown).
PREVIEW_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", (b"RIFF",)),
}


def attachment_preview_type(*, name: str, head: bytes) -> str | None:
    """The content type to show an attachment inline with, or None: download it."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = PREVIEW_TYPES.get(extension)
    if kind is None or not head.startswith(kind[1]):
        return None
    if extension == "webp" and head[8:12] != b"WEBP":
        return None
    return kind[0]


def attachment_previewable(name: str) -> bool:
    """Whether the page offers 预览 for this name (the view still checks the content)."""
    return (name.rsplit(".", 1)[-1].lower() if "." in name else "") in PREVIEW_TYPES
