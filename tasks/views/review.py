"""The office's review of progress reports: one report, the queue, 批量审核, 撤回审核."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .. import permissions, services
from ..decorators import reader_required
from ..forms import BatchReviewForm, ReopenForm, ReviewForm
from ..models import ProgressReport
from ..selectors.attachments import attachment_previewable
from ..selectors.reports import report_pending_changes, report_pending_list
from .caching import crumbs
from .feedback import form_errors_text, write_tell

PAGE_SIZE = 50


@reader_required
@require_POST
def report_review(request: HttpRequest, report_id: int) -> HttpResponse:
    permissions.require(permissions.can_review(request.user), "只有督查室可以审核进展报告。")
    report = get_object_or_404(ProgressReport.objects.select_related("task"), pk=report_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "审核请求无效，请刷新页面后重试。")
    else:
        approve = form.cleaned_data["decision"] == "approve"
        review = services.report_approve if approve else services.report_return
        write_tell(
            request,
            lambda: review(
                user=request.user,
                report=report,
                version=form.cleaned_data["version"],
                comment=form.cleaned_data["comment"],
            ),
            success=lambda _: "已审核通过。" if approve else "已退回。",
        )
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
    # No ids: one form per row, and its only drawn field is the hidden version (ids must be unique).
    forms = {r.pk: ReviewForm(initial={"version": r.version}, auto_id=False) for r in page}
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
        messages.error(request, form_errors_text(form))
        return redirect(target)
    approve = form.cleaned_data["decision"] == "approve"
    write_tell(
        request,
        lambda: services.report_review_batch(
            user=request.user, versions=form.versions(), approve=approve, comment=form.cleaned_data["comment"]
        ),
        success=lambda done: f"已批量{'通过' if approve else '退回'}{len(done)}份报告。",
    )
    return redirect(target)


@reader_required
@require_POST
def report_reopen(request: HttpRequest, report_id: int) -> HttpResponse:
    """撤回审核: the office sends an approved report back to the unit, with a reason."""
    permissions.require(permissions.can_review(request.user), "只有督查室可以撤回审核。")
    report = get_object_or_404(ProgressReport.objects.select_related("unit"), pk=report_id)
    form = ReopenForm(request.POST, prefix=f"reopen-{report.pk}")
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
    else:
        write_tell(
            request,
            lambda: services.report_reopen(
                user=request.user,
                report=report,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            ),
            success=lambda _: f"已撤回审核，报告已退回{report.unit.name}修改。",
        )
    return redirect(reverse("tasks:task", args=[report.task_id]) + f"#report-{report.pk}")
