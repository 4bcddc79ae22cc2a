"""templates/base.html: what every page carries — the demo-mode notice and the unread-message badge."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from notifications.models import MessageKind
from notifications.services import message_send

PAGES = ("tasks:dashboard", "tasks:unit_index", "tasks:leader_index", "tasks:task_search", "notifications:list")


@pytest.mark.parametrize("demo", [True, False])
def test_every_page_says_demo_data_in_demo_mode_only(db, client_as, office_user, settings, demo):
    settings.DEMO_MODE = demo
    client = client_as(office_user)
    for name in PAGES:
        page = client.get(reverse(name)).content.decode()
        assert ("data-demo-banner" in page) is demo, name
        assert ("演示数据" in page) is demo, name


def test_the_unread_badge_counts_the_unread_list(db, client_as, office_user, liaison_user):
    for i in range(3):
        message_send(
            recipients=[office_user], kind=MessageKind.REVIEW, title=f"第{i}条", body="正文", event_key=f"t-{i}"
        )
    message_send(recipients=[liaison_user], kind=MessageKind.REVIEW, title="别人的", body="正文", event_key="other")
    client = client_as(office_user)
    page = client.get(reverse("tasks:dashboard")).content.decode()
    badge = re.search(r"data-unread-badge>(\d+)<", page)
    assert badge and int(badge.group(1)) == 3
    unread = client.get(reverse("notifications:list"), {"unread": "1"}).content.decode()
    assert all(f"第{i}条" in unread for i in range(3)) and "别人的" not in unread
