"""A report's attachment, downloaded or previewed."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404

from accounts.audit import Action, audit_download

from .. import permissions
from ..decorators import reader_required
from ..models import ReportAttachment, ReviewState
from ..selectors.attachments import attachment_preview_type


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
