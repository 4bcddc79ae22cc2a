"""站内消息 pages: each person reads and marks only their own messages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import selectors
from .models import Message
from .services import message_mark_read

PAGE_SIZE = 20


@login_required
def message_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    page = Paginator(selectors.message_list(user=request.user, unread_only=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/message_list.html",
        {"page": page, "unread_only": unread_only, "section": "messages"},
    )


@login_required
@require_POST
def message_read(request: HttpRequest, message_id: int) -> HttpResponse:
    """Mark one message read; with open=1, go on to where it leads. Another person's message is a 404."""
    message = get_object_or_404(Message, pk=message_id, recipient=request.user)
    message_mark_read(user=request.user, message_ids=[message.pk])
    if request.POST.get("open") and _local(message.link):
        return redirect(message.link)
    return redirect("notifications:list")


@login_required
@require_POST
def message_read_all(request: HttpRequest) -> HttpResponse:
    message_mark_read(user=request.user)
    return redirect("notifications:list")


def _local(link: str) -> bool:
    # Links are written by the product, but a redirect still only ever stays on this site.
    return bool(link) and link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts=None)
