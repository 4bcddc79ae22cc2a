"""Attachments of progress reports: the types and sizes accepted, the file and its row stored
together (or neither), an attachment added to a report afterwards."""

from __future__ import annotations

import contextlib
import errno
import logging
from typing import IO

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from minhang_plans.file_types import content_problem

from ..models import ProgressReport, ReportAttachment

logger = logging.getLogger(__name__)


# Files a browser would run as active content if one were ever served inline: refused even
# when ATTACHMENT_EXTENSIONS lists them.
ACTIVE_CONTENT_EXTENSIONS = frozenset(
    {"svg", "svgz", "html", "htm", "xhtml", "xht", "shtml", "mht", "mhtml", "xml", "xsl", "js", "mjs", "hta", "swf"}
)


def attachment_extensions() -> list[str]:
    """The extensions an attachment may have: the configured ones, less active content."""
    configured = (e.strip().lower().lstrip(".") for e in settings.ATTACHMENT_EXTENSIONS)
    return [e for e in dict.fromkeys(configured) if e and e not in ACTIVE_CONTENT_EXTENSIONS]


def file_size_text(size: int) -> str:
    mb = 1024 * 1024
    return f"{size / mb:.3g} MB" if size >= mb else f"{-(-size // 1024)} KB"


def attachment_check(*, name: str | None, size: int | None, stream: IO[bytes] | None = None) -> str:
    """The name to keep for an acceptable upload; ValidationError (Chinese) otherwise.

    Called by the form before anything is written, and again by the services that store. With
    the file (`stream`), its content must also be what the extension says (file_types)."""
    clean = (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].strip()[:200]
    extension = clean.rsplit(".", 1)[-1].lower() if "." in clean else ""
    allowed = attachment_extensions()
    if extension not in allowed:
        kind = f"“.{extension}”" if extension else "（没有扩展名）"
        raise ValidationError(f"不支持的附件类型{kind}。允许：{'、'.join(allowed)}。")
    if size is None or size > settings.ATTACHMENT_MAX_BYTES:
        shown = f"（该文件 {file_size_text(size)}）" if size else ""
        raise ValidationError(f"附件不能超过 {file_size_text(settings.ATTACHMENT_MAX_BYTES)}{shown}。")
    if stream is not None and (problem := content_problem(stream=stream, name=clean, extension=extension)):
        raise ValidationError(problem)
    return clean


def _files_discard(names: list[str]) -> None:
    storage: Storage = ReportAttachment._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # the original error matters more; an orphan file is only logged
            logger.exception("could not remove attachment file %s", name)


def _attachment_store(
    *, user: User, report: ProgressReport, upload: UploadedFile, name: str, written: list[str]
) -> ReportAttachment:
    """Write the file, then its row (inside the caller's transaction). A failed write leaves
    no partial file and becomes a form error, which rolls the caller's transaction back."""
    field = ReportAttachment._meta.get_field("file")
    attachment = ReportAttachment(report=report, original_name=name, size=upload.size or 0, uploaded_by=user)
    path = field.generate_filename(attachment, name)
    try:
        stored = field.storage.save(path, upload, max_length=field.max_length)
    except OSError as exc:
        # A write that failed midway (disk full) may have left part of the file behind.
        with contextlib.suppress(Exception):
            field.storage.delete(path)
        logger.warning("attachment write failed for report %s: %s", report.pk, exc)
        cause = "服务器存储空间不足" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else "服务器无法写入附件"
        raise ValidationError({"attachment": f"{cause}，本次填报和附件均未保存。请稍后重试或联系系统管理员。"}) from exc
    written.append(stored)
    attachment.file = stored
    attachment.save()
    return attachment


def attachment_add(*, user: User | AnonymousUser, report: ProgressReport, upload: UploadedFile) -> ReportAttachment:
    """Attach a file to a report the user may edit; size and type limited; the file and its
    row are stored together or not at all."""
    from ..permissions import can_report, require_user

    uploader = require_user(user, can_report(user, report.task, report.unit_id), "您不能为该报告上传附件。")
    name = attachment_check(name=upload.name, size=upload.size, stream=upload)
    written: list[str] = []
    try:
        with transaction.atomic():
            return _attachment_store(user=uploader, report=report, upload=upload, name=name, written=written)
    except BaseException:
        _files_discard(written)
        raise
