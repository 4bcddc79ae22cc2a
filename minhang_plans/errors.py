"""Error pages Django would otherwise answer in its own words."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

CSRF_EXPIRED = "页面已过期或在另一个窗口中已登录/退出，请返回上一页刷新后重试。"


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent from a page older than the session (signed in or out in
    another window, or left open past the timeout). The product's 403 page, in Chinese under
    DEBUG too, with a link back to the page the form came from when that is one of ours."""
    referer = request.META.get("HTTP_REFERER", "")
    back = (
        referer
        if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, require_https=request.is_secure())
        else ""
    )
    return render(request, "403.html", {"csrf_expired": CSRF_EXPIRED, "back_url": back}, status=403)
