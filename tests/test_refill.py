"""minhang_plans/refill.py: a refused POST that redirects keeps its fields for the next page only
(never a password, a token or the hidden state), and a successful one keeps nothing.
The browser side (static/js/refill.js) is tested in tests/test_supervision_browser.py."""

import json
import re

import pytest
from django.urls import reverse

from tests.factories import world_build


@pytest.fixture
def task(pinned_clock):
    return world_build().tasks["零号湾"]


def _kept(html: str) -> dict | None:
    match = re.search(r'<script id="refused-input" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1)) if match else None


def test_a_refused_chase_comes_back_once_with_what_was_typed(task, client_as, office_user):
    client = client_as(office_user)
    action = reverse("supervision:task_chase", args=[task.pk])
    unit = task.unit_links.filter(role="lead").first().unit_id
    typed = {"unit": str(unit), "note": "请于本周报送。\n第二行", "reply_by": "2025-06-01", "slip": "on"}
    response = client.post(action, typed)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "答复期限不能早于今天。" in page
    assert _kept(page) == {"action": action, "fields": {k: [v] for k, v in typed.items()}}
    # Once: the next page carries nothing.
    assert _kept(client.get(response["Location"]).content.decode()) is None


def test_an_accepted_post_keeps_nothing_and_a_token_or_password_is_never_kept(task, client_as, office_user):
    client = client_as(office_user)
    action = reverse("supervision:task_chase", args=[task.pk])
    unit = task.unit_links.filter(role="lead").first().unit_id
    response = client.post(action, {"unit": str(unit), "note": "请报送。", "reply_by": "2025-06-30"})
    page = client.get(response["Location"]).content.decode()
    assert "已向" in page and _kept(page) is None
    response = client.post(
        action,
        {"unit": str(unit), "note": "x", "reply_by": "2025-06-01", "csrfmiddlewaretoken": "t", "old_password": "p"},
    )
    kept = _kept(client.get(response["Location"]).content.decode())
    assert kept is not None and set(kept["fields"]) == {"unit", "note", "reply_by"}
