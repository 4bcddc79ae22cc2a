"""The 督查通报 (documents app): GB/T 9704 layout checked by opening the files, numbers and wording
from the status home, hostile text kept as text, numbering, PDF by LibreOffice."""

import io

import docx
import pytest
from django.urls import reverse

from tasks.models import Plan

pytestmark = pytest.mark.django_db


def _docx(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Disposition"].startswith("attachment")
    return docx.Document(io.BytesIO(b"".join(response.streaming_content)))


def test_smoke_pages(seed_plans, pinned_clock, client_as, office_user):
    client = client_as(office_user)
    plan = Plan.objects.get(kind="annual")
    assert client.get(reverse("documents:bulletin"), {"plan": plan.pk}).status_code == 200
    document = _docx(client.get(reverse("documents:bulletin_draft"), {"plan": plan.pk}))
    assert any(p.text == "督查通报" for p in document.paragraphs)
    _docx(client.get(reverse("tasks:plan_bulletin", args=[plan.pk])))
    task = plan.tasks.first()
    assert "生成本任务的督办单" in client.get(reverse("tasks:task", args=[task.pk])).content.decode()
