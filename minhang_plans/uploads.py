"""Upload handler that bounds the bytes of uploaded files while they stream in.

Listed first in FILE_UPLOAD_HANDLERS, it sees each chunk before the memory or temporary-file
handlers store it; past the limit it stops the upload, so at most one chunk beyond the limit
is ever held, and UploadGuardMiddleware answers 413 before any view runs.
"""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

from .middleware import upload_max_bytes


class UploadLimitHandler(FileUploadHandler):
    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = upload_max_bytes()
        self.received = 0  # across every file of the request

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            if self.request is not None:
                self.request.upload_too_large = True  # type: ignore[attr-defined]
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handlers build the file
