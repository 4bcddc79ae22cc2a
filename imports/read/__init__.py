"""Stage 1, read: bytes of any supported format → tables of cells plus the
free text around them. Format-specific; every later stage is shared.

The format is recognised from the content (zip signature and members, text
encodings), not trusted from the file name. Zip containers are checked for
their declared uncompressed size before any library expands them.
"""

from __future__ import annotations

from django.conf import settings

from ..errors import ImportRefused
from .document import FORMAT_LABELS, Cell, Document, Table, prose_document
from .text import _decode_text, _looks_like_csv, _read_csv, _read_text
from .text import _unguard as _unguard  # for the tests
from .xlsx import _xlsx_cells_within as _xlsx_cells_within  # for the tests
from .zip import read_zip_document

__all__ = ["FORMAT_LABELS", "Cell", "Document", "Table", "prose_document", "read_document", "read_zip_document"]


def read_document(data: bytes, file_name: str = "") -> Document:
    """Read any supported document; raise ImportRefused with a clear reason otherwise."""
    if not data or not data.strip():
        raise ImportRefused("文件为空。")
    if len(data) > settings.IMPORT_MAX_UPLOAD_BYTES:
        raise ImportRefused(f"文件大小 {len(data) // 1024} KB 超过上限 {settings.IMPORT_MAX_UPLOAD_BYTES // 1024} KB。")
    head = data[:8]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return read_zip_document(data)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        from ..legacy import read_ole_document

        return read_ole_document(data)
    if head.startswith(b"%PDF"):
        from ..pdf import read_pdf

        return read_pdf(data)
    text = _decode_text(data)
    if file_name.lower().endswith(".csv") or _looks_like_csv(text):
        return _read_csv(text)
    return _read_text(text)
