"""Whether an uploaded file's content is what its extension says (magic bytes).

A Windows program renamed 进展报告.pdf, a web page saved as .txt or a zip bomb named .docx
passes a check of the name alone; each allowed extension names the content it must have.
`content_problem` reads the file (from its start, and a zip's central directory) and returns
the reason it is refused, in Chinese, or None. Extensions not listed here are checked for
executable headers only."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from typing import IO

from django.conf import settings

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (doc, xls, ppt): Compound File Binary
PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff"
GIF = (b"GIF87a", b"GIF89a")
ZIP = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header, or an empty archive's end record
EXECUTABLES = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"#!")
# What a browser or a spreadsheet would take for a web page (lower case, after leading spaces).
MARKUP_STARTS = ("<!doctype html", "<html", "<script", "<svg", "<?xml")
_HEAD = 1024  # PDF readers find "%PDF-" anywhere in the first kilobyte
_TEXT_MAX = 50 * 1024 * 1024  # never decode more than this (the size limit is lower)

# The main part an Office Open XML file of each kind must have, beside [Content_Types].xml.
_OOXML_PARTS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
_NAMES = {
    "pdf": "PDF文件",
    "png": "PNG图片",
    "jpg": "JPEG图片",
    "jpeg": "JPEG图片",
    "gif": "GIF图片",
    "docx": "Word文档（.docx）",
    "xlsx": "Excel表格（.xlsx）",
    "pptx": "PowerPoint演示文稿（.pptx）",
    "doc": "Word 97-2003文档（.doc）",
    "xls": "Excel 97-2003表格（.xls）",
    "ppt": "PowerPoint 97-2003演示文稿（.ppt）",
    "zip": "ZIP压缩包",
    "txt": "纯文本文件",
    "csv": "CSV文本文件",
}


def _read_head(stream: IO[bytes]) -> bytes:
    stream.seek(0)
    head = stream.read(_HEAD)
    stream.seek(0)
    return head


def _zip_problem(stream: IO[bytes], name: str, *, member: str | None, label: str) -> str | None:
    """A zip whose central directory reads, declares at most the allowed uncompressed total and
    member count, and (Office files) holds [Content_Types].xml and its kind's main part."""
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return f"附件“{name}”不是有效的{label}（文件已损坏或内容与扩展名不符），未上传。"
    finally:
        stream.seek(0)
    limit = settings.ATTACHMENT_MAX_UNCOMPRESSED_BYTES
    declared = sum(item.file_size for item in members)
    if declared > limit or len(members) > settings.ATTACHMENT_MAX_ZIP_MEMBERS:
        return (
            f"附件“{name}”解压后过大（超过 {limit // (1024 * 1024)} MB 或多于 "
            f"{settings.ATTACHMENT_MAX_ZIP_MEMBERS} 个文件），可能是压缩炸弹，未上传。"
        )
    if member is not None:
        names = {item.filename for item in members}
        if "[Content_Types].xml" not in names or not any(n.startswith(member) for n in names):
            return f"附件“{name}”的内容不是{label}（扩展名与文件内容不符），未上传。"
    return None


def _text_problem(stream: IO[bytes], name: str, *, label: str) -> str | None:
    """Text in UTF-8 (a BOM allowed) or GB18030, with no NUL, that is not a web page or a program."""
    stream.seek(0)
    data = stream.read(_TEXT_MAX)
    stream.seek(0)
    refused = f"附件“{name}”不是{label}（含有二进制内容、网页代码或可执行程序），未上传。"
    if b"\x00" in data or data.startswith(EXECUTABLES):
        return refused
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if text.lstrip().lower().startswith(MARKUP_STARTS):
            return refused
        return None
    return f"附件“{name}”不是 UTF-8 或 GB18030 编码的{label}，未上传。请另存为 UTF-8 编码后重新上传。"


def _starts(*magics: bytes) -> Callable[[bytes], bool]:
    return lambda head: head.startswith(magics)


_MAGIC: dict[str, Callable[[bytes], bool]] = {
    "pdf": lambda head: b"%PDF-" in head,
    "png": _starts(PNG),
    "jpg": _starts(JPEG),
    "jpeg": _starts(JPEG),
    "gif": _starts(*GIF),
    "doc": _starts(OLE),
    "xls": _starts(OLE),
    "ppt": _starts(OLE),
}


def content_problem(*, stream: IO[bytes], name: str, extension: str) -> str | None:
    """Why the file's content does not match its (lower-case) extension, or None."""
    label = _NAMES.get(extension, f"“.{extension}”文件")
    mismatch = f"附件“{name}”的内容不是{label}（扩展名与文件内容不符），未上传。"
    head = _read_head(stream)
    if extension in _MAGIC:
        return None if _MAGIC[extension](head) else mismatch
    if extension in _OOXML_PARTS or extension == "zip":
        if not head.startswith(ZIP):
            return mismatch
        return _zip_problem(stream, name, member=_OOXML_PARTS.get(extension), label=label)
    if extension in ("txt", "csv"):
        return _text_problem(stream, name, label=label)
    if head.startswith(EXECUTABLES):
        return f"附件“{name}”是可执行程序，未上传。"
    return None
