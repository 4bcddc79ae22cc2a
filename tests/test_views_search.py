"""tasks/views/search.py: the task search scans the tasks once per request."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


def test_a_two_character_term_scans_the_tasks_once(seed_plans, client_as, office_user):
    # No trigram index serves a 2-character term, so each statement filtering on it reads every task:
    # the count and the page come from one list of ids, not from two statements.
    client = client_as(office_user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("tasks:task_search"), {"q": "推进"})
    assert response.status_code == 200
    scans = [q["sql"] for q in captured.captured_queries if "LIKE" in q["sql"].upper() and "tasks_task" in q["sql"]]
    assert len(scans) == 1, scans
    shown = response.content.decode().count('data-task="')
    assert 0 < shown <= 50
