"""Request guards and response headers that apply to every page.

Order matters (see MIDDLEWARE in settings): RequestGuardMiddleware runs before anything reads
the session or the body; UploadGuardMiddleware runs after authentication but before CSRF,
which is the first to parse a request body.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control

# Multipart framing and the form's other fields, on top of the largest file allowed.
BODY_OVERHEAD_BYTES = 1024 * 1024
# Anonymous visitors can only post the login form.
ANONYMOUS_MAX_BODY_BYTES = 64 * 1024

# No page path contains a control character; PostgreSQL refuses NUL in any text parameter.
_CONTROL_IN_PATH = re.compile(r"[\x00-\x1f\x7f]")
# Query values may carry tabs and line breaks (pasted text), never other control characters.
_CONTROL_IN_VALUE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Handler = Callable[[HttpRequest], HttpResponse]


def upload_max_bytes() -> int:
    """The largest file any form accepts: an import or an attachment."""
    return max(settings.IMPORT_MAX_UPLOAD_BYTES, settings.ATTACHMENT_MAX_BYTES)


def request_max_bytes() -> int:
    return upload_max_bytes() + BODY_OVERHEAD_BYTES


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}" if size >= 1024 * 1024 else f"{size / (1024 * 1024):.2f}"


def _content_length(request: HttpRequest) -> int | None:
    """The declared body length; 0 when absent, None when malformed."""
    raw = request.META.get("CONTENT_LENGTH") or "0"
    try:
        length = int(raw)
    except ValueError:
        return None
    return length if length >= 0 else None


def too_large_response(request: HttpRequest) -> HttpResponse:
    context = {
        "import_mb": _megabytes(settings.IMPORT_MAX_UPLOAD_BYTES),
        "attachment_mb": _megabytes(settings.ATTACHMENT_MAX_BYTES),
    }
    return render(request, "413.html", context, status=413)


def bad_request_response(request: HttpRequest, message: str, *, status: int = 400) -> HttpResponse:
    return render(request, "400.html", {"message": message}, status=status)


class RequestGuardMiddleware:
    """Refuses, before the session or the body is read: control characters in the path or the
    query, oversized bodies (by Content-Length), and bodies without a length (chunked), which
    Django cannot bound. The proxy (deploy/nginx.conf) refuses most of these first."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _CONTROL_IN_PATH.search(request.path_info):
            return render(request, "404.html", status=404)
        for key, values in request.GET.lists():
            if _CONTROL_IN_VALUE.search(key) or any(_CONTROL_IN_VALUE.search(value) for value in values):
                return bad_request_response(request, "网址的查询参数中含有无效字符（如空字符），请检查后重试。")
        # A session or CSRF cookie with a NUL would reach the database as a lookup key.
        for name in [name for name, value in request.COOKIES.items() if _CONTROL_IN_VALUE.search(value)]:
            del request.COOKIES[name]
        length = _content_length(request)
        if length is None:
            return bad_request_response(request, "请求头 Content-Length 无效。")
        if not request.META.get("CONTENT_LENGTH") and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", ""):
            return bad_request_response(request, "请求必须注明内容长度（Content-Length），不接受分块传输。", status=411)
        if length > request_max_bytes():
            return too_large_response(request)
        return self.get_response(request)


def _login_paths() -> tuple[str, ...]:
    return (reverse("login"), reverse("admin:login"))


class UploadGuardMiddleware:
    """Anonymous visitors may not send files or large bodies: they are refused before the body is
    read (the login form is a small urlencoded form). For signed-in users the body is parsed here,
    before CSRF, so that an upload cut at the limit while streaming (minhang_plans.uploads) is
    answered with 413 before any view runs."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            large = (_content_length(request) or 0) > ANONYMOUS_MAX_BODY_BYTES
            # A file from a visitor who is not signed in; the login forms carry none (a client may
            # still encode them as multipart, within the small anonymous limit).
            upload = request.content_type == "multipart/form-data" and request.path_info not in _login_paths()
            if (large or upload) and not request.user.is_authenticated:
                if upload:
                    message = "登录已失效，文件未上传。请重新登录后再上传。"
                    return render(request, "403.html", {"exception": message}, status=403)
                return too_large_response(request)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if request.method == "POST" and request.content_type == "multipart/form-data":
            request.FILES  # noqa: B018 - parse now (the upload handler may cut it short)
            if getattr(request, "upload_too_large", False):
                return too_large_response(request)
        return None


def _is_download(response: HttpResponse) -> bool:
    disposition = response.get("Content-Disposition", "")
    return isinstance(response, FileResponse) or disposition.lower().startswith("attachment")


class CacheControlMiddleware:
    """Pages for signed-in users are private (no shared cache keeps them); downloads are never
    stored at all, not even by the browser."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _is_download(response):
            patch_cache_control(response, private=True, no_store=True)
        elif not response.has_header("Cache-Control"):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                response["Cache-Control"] = "private"
        return response


class DebugNotFoundMiddleware:
    """With DEBUG on, Django answers a 404 with its English technical page; show the Chinese
    404 page instead, as production does (a DEBUG 500 stays technical, for the developer)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # No view matched: Django built its technical 404 before any view ran.
        if settings.DEBUG and response.status_code == 404 and request.resolver_match is None:
            return render(request, "404.html", status=404)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exception, Http404):
            return render(request, "404.html", status=404)
        return None


class MethodNotAllowedPageMiddleware:
    """require_POST answers a GET (an address opened directly, a bookmark of a form's target) with
    an empty 405; show the Chinese page instead, keeping the Allow header."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and request.method in ("GET", "HEAD"):
            page = render(request, "405.html", status=405)
            if response.has_header("Allow"):
                page["Allow"] = response["Allow"]
            return page
        return response
