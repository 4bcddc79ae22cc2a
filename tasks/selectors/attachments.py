"""Which report attachments are shown in the browser (预览) rather than downloaded."""

from __future__ import annotations

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
