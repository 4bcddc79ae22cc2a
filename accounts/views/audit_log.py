"""The audit log (审计管理员): search and export to a spreadsheet."""

from __future__ import annotations

import io
import json
from urllib.parse import quote

from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .. import selectors
from ..audit import ACTION_LABELS, Action, audit_record
from ..forms import AuditFilterForm
from ..models import Outcome
from .roles import audit_admin_required

AUDIT_PAGE_SIZE = 50
AUDIT_EXPORT_MAX_ROWS = 100_000


def _audit_filters(request: HttpRequest) -> tuple[AuditFilterForm, selectors.AuditFilter | None]:
    form = AuditFilterForm(request.GET or None)
    if not request.GET:
        return form, selectors.AuditFilter()
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, selectors.AuditFilter(
        username=data["username"].strip(),
        action=data["action"],
        date_from=data["date_from"],
        date_to=data["date_to"],
    )


@audit_admin_required
def audit_page(request: HttpRequest) -> HttpResponse:
    form, filters = _audit_filters(request)
    page = None
    if filters is not None:
        paginator = Paginator(selectors.audit_search(filters=filters), AUDIT_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "labels": ACTION_LABELS,
        "outcomes": dict(Outcome.choices),
        "query": query.urlencode(),
        "section": "audit",
    }
    return render(request, "accounts/audit.html", context)


@audit_admin_required
def audit_export(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook

    from tasks.exports import local_time_text, spreadsheet_safe

    form, filters = _audit_filters(request)
    if filters is None:
        return render(request, "accounts/audit.html", {"form": form, "page": None, "section": "audit"}, status=400)
    events = list(selectors.audit_search(filters=filters)[:AUDIT_EXPORT_MAX_ROWS])
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("安全审计记录")
    sheet.append(["编号", "时间", "用户名", "客户端地址", "操作", "对象", "结果", "详情"])
    outcomes = dict(Outcome.choices)
    for event in events:
        row = [
            event.pk,
            local_time_text(event.at),
            event.username,
            event.ip_address,
            ACTION_LABELS.get(event.action, event.action),
            event.object_repr,
            outcomes.get(event.outcome, event.outcome),
            json.dumps(event.detail, ensure_ascii=False) if event.detail else "",
        ]
        sheet.append([spreadsheet_safe(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with transaction.atomic():
        audit_record(
            action=Action.AUDIT_EXPORT,
            user=request.user,
            request=request,
            object_repr=f"{len(events)} 条",
            detail={"filters": request.GET.dict()},
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'安全审计记录-{stamp}.xlsx')}"
    return response
