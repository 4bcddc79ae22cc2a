"""supervision.context_processors: the header's 我的待办 badge is kept per person for
TODO_BADGE_SECONDS, so other pages do not re-run every to-do list; the to-do page always counts
exactly and refreshes what the other pages show."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from supervision import services
from supervision.context_processors import TODO_BADGE_SECONDS
from tests.test_todo import badge_of, busy_world, todo_sum, world  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _get(client, url: str) -> tuple[str, bool]:
    """The page, and whether it ran the to-do lists (they read the chases; the messages page does not)."""
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    return html, any("supervision_chase" in q["sql"] for q in queries.captured_queries)


def test_the_badge_is_counted_once_then_kept(busy_world, client_as, liaison_user, office_user):  # noqa: F811
    liaison = client_as(liaison_user)
    first, counted = _get(liaison, reverse("notifications:list"))
    again, counted_again = _get(liaison, reverse("notifications:list"))
    assert badge_of(again) == badge_of(first) > 0
    assert counted and not counted_again  # the lists are not run again

    # Someone else adds to the liaison's lists: the to-do page shows it at once, exactly, and the
    # other pages follow from then on (without it they may be up to TODO_BADGE_SECONDS behind).
    w = busy_world
    services.instruction_create(user=office_user, task=w.tasks["研发"], text="批示二。", leader=w.leaders["谭"])
    todo = client_as(liaison_user).get(reverse("supervision:todo")).content.decode()
    assert badge_of(todo) == todo_sum(todo, "liaison") == badge_of(first) + 1
    assert badge_of(client_as(liaison_user).get(reverse("notifications:list")).content.decode()) == badge_of(todo)
    assert TODO_BADGE_SECONDS <= 60


def test_office_accounts_share_one_count_and_a_liaison_keeps_their_own(
    busy_world,  # noqa: F811
    client,
    client_as,
    liaison_user,
    office_user,
    user_make,
):
    """The office's lists are the district's: a second office account reads the first's count
    rather than running the city-wide lists again; a liaison's count is still their own."""
    from tasks.models import Role

    first, counted = _get(client_as(office_user), reverse("notifications:list"))
    assert counted and badge_of(first) > 0
    colleague = user_make("office-2", Role.OFFICE)
    client.logout()
    second, counted_again = _get(client_as(colleague), reverse("notifications:list"))
    assert badge_of(second) == badge_of(first) and not counted_again
    client.logout()
    own, liaison_counted = _get(client_as(liaison_user), reverse("notifications:list"))
    assert liaison_counted and badge_of(own) != badge_of(first)
