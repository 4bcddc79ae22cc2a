"""Zip containers (.docx, .xlsx): checked for their real uncompressed size before any library expands them."""

from __future__ import annotations

import io
import zipfile
import zlib

from django.conf import settings

from ..errors import ImportRefused
from .document import Document
from .docx import _read_docx
from .xlsx import _read_xlsx

# -- zip containers -----------------------------------------------------------


def read_zip_document(data: bytes) -> Document:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ImportRefused("文件已损坏或不完整（无法作为 .docx/.xlsx 打开）。") from None
    if len(members) > 2000:
        raise ImportRefused(f"压缩包内文件过多（{len(members)} 个），不像正常的 Word/Excel 文件。")
    declared = sum(member.file_size for member in members)
    limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    if declared > limit:
        # Checked on the declared sizes before anything is expanded (zip bombs).
        raise ImportRefused(
            f"文件解压后大小 {declared // (1024 * 1024)} MB 超过上限 {limit // (1024 * 1024)} MB，已拒绝。"
        )
    _expand_within_budget(archive, members, limit)
    names = {member.filename for member in members}
    try:
        if "word/document.xml" in names:
            return _read_docx(data)
        if "xl/workbook.xml" in names:
            return _read_xlsx(data)
    except ImportRefused:
        raise
    except Exception as exc:  # a damaged container can fail anywhere inside the libraries (cause kept for logs)
        raise ImportRefused("文件已损坏或不完整，无法读取。") from exc
    raise ImportRefused("这是一个压缩文件，但不是 Word（.docx）或 Excel（.xlsx）文档。")


def _expand_within_budget(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], limit: int) -> None:
    """Decompress every member in small chunks, counting real bytes.

    Declared sizes can lie; python-docx and openpyxl read a member in one call,
    which a crafted archive turns into a huge allocation. Streaming it once
    first keeps memory at one chunk and stops at the budget (or at the CRC
    error a lying header produces)."""
    total = 0
    try:
        for member in members:
            with archive.open(member) as stream:
                while chunk := stream.read(1 << 20):
                    total += len(chunk)
                    if total > limit:
                        raise ImportRefused(f"文件解压后大小超过上限 {limit // (1024 * 1024)} MB，已拒绝。")
    except ImportRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError):
        raise ImportRefused("文件已损坏或不完整（压缩内容校验失败）。") from None
