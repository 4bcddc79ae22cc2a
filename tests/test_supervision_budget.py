"""Issue 16's pages keep the query budget at ten times the seed data: 我的待办 for every reading
role, 站内消息, and the task page's 批示与催办 panel (as a fragment and as a page), each with the
header's two badges; the queries are counted from the database, and are as many as at the seeds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

BUDGET = 12  # queries per page (as tests/test_views.py)


def _queries(client, url: str) -> int:
    from django.core.cache import cache

    # The session's last-seen write happens at most once a minute, on the first request after a
    # pause: a cheap request takes it, so the page's own queries are what is counted.
    client.get(reverse("notifications:list"))
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    if "fragment" not in url:  # a whole page: both header badges are counted too
        html = response.content.decode()
        assert "data-unread-badge" in html and "data-todo-badge" in html, url
    return len(ctx.captured_queries)


def test_new_pages_keep_the_budget_at_ten_times_the_seeds(
    pinned_clock, shipped_aliases, seed_plans, client_as, user_make
):
    from notifications.models import MessageKind
    from notifications.services import message_send
    from supervision import services
    from tasks.models import Plan, Role, Unit
    from tests.factories import TODAY, plans_multiply, reports_sprinkle

    people = {
        "admin": user_make("a", Role.ADMIN),
        "office": user_make("o", Role.OFFICE),
        "liaison": user_make("l", Role.LIAISON, units=["区科委", "区发展改革委"]),
        "leader": user_make("d", Role.LEADER, leader="谭瑞琮"),
    }
    annual = Plan.objects.get(kind="annual")
    task = annual.tasks.get(number="4")  # 区科委 leads it, 谭瑞琮 is its leader
    keji = Unit.objects.get(name="区科委")

    def supervise(tag: str) -> None:
        """Something in every list and panel section, and unread messages for everyone."""
        services.chase_unit(user=people["office"], unit=keji, note=f"请报送（{tag}）。", reply_by=TODAY, slip=True)
        services.instruction_create(user=people["leader"], task=task, text=f"批示（{tag}）。")
        for person in people.values():
            for i in range(3):
                message_send(
                    recipients=[person],
                    kind=MessageKind.DIGEST,
                    title=f"汇总{i}",
                    body="",
                    event_key=f"budget:{tag}:{i}",
                )

    reports_sprinkle(every=3)
    supervise("seed")
    services.extension_request(
        user=people["liaison"], task=task, unit=keji, requested_date=dt.date(2026, 3, 31), reason="推迟。"
    )
    urls = [
        reverse("supervision:todo"),
        reverse("notifications:list"),
        reverse("supervision:task_panel", args=[task.pk]),
        reverse("supervision:task_panel", args=[task.pk]) + "?fragment=1",
    ]

    def measure() -> dict[tuple[str, str], int]:
        return {(who, url): _queries(client_as(person), url) for who, person in people.items() for url in urls}

    seed = measure()
    plans_multiply(times=10)
    reports_sprinkle(every=2)
    supervise("ten")
    ten = measure()
    print("\nqueries per page (seed → 10× seed):")
    for (who, url), n in ten.items():
        print(f"  {seed[(who, url)]:>2} → {n:>2}  {who:<8} {url}")
    over = {key: n for key, n in ten.items() if n > BUDGET}
    assert not over, over
    assert ten == seed
