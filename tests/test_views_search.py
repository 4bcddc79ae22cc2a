"""tasks/views/search.py: the task search scans the tasks once per request."""

from __future__ import annotations

import pytest
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


def test_a_short_chinese_term_is_matched_without_upper_and_finds_what_the_case_blind_match_finds(
    seed_plans, client_as, office_user
):
    from django.db.models import Exists, OuterRef, Q

    from tasks.filters import text_lookup
    from tasks.models import Leader, Task, TaskUnit
    from tests.test_views import result_count

    client = client_as(office_user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("tasks:task_search"), {"q": "推进"})
    scan = next(q["sql"] for q in captured.captured_queries if "LIKE" in q["sql"].upper() and "tasks_task" in q["sql"])
    assert "UPPER(" not in scan.upper()
    # The tasks whose words hold the term, or whose unit is named with it (区一网通办推进办; no leader is).
    assert not Leader.objects.filter(name__icontains="推进")
    units = TaskUnit.objects.filter(task_id=OuterRef("pk"), unit__name__icontains="推进")
    words = Q(text__icontains="推进") | Q(title__icontains="推进") | Q(note__icontains="推进") | Q(Exists(units))
    assert result_count(response) == Task.objects.active().filter(words).count() > 50
    assert (text_lookup("推进"), text_lookup("5G"), text_lookup("ai"), text_lookup("数字化")) == (
        "contains",
        "icontains",  # letters: case-blind, as before
        "icontains",
        "icontains",  # 3+ characters: the trigram indexes over UPPER(...) can serve it
    )


def test_the_background_export_form_carries_the_lists_filters(seed_plans, client_as, office_user):
    import re

    from jobs.models import Job

    client = client_as(office_user)
    page = client.get(reverse("tasks:task_search"), {"q": "推进", "light": "grey"}).content.decode()
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*data-background-export>(.*?)</form>', page, re.S)
    assert form, "no background export form"
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(2)))
    response = client.post(form.group(1), {k: v.replace("&amp;", "&") for k, v in fields.items()})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.owner == office_user and job.params == {"query": "q=%E6%8E%A8%E8%BF%9B&light=grey"}


@pytest.mark.django_db(transaction=True)
def test_the_forms_lists_follow_every_change_to_units_and_plans_and_are_escaped(client_as, user_make):
    # The lists are cached under the shared data number (tasks.filters.search_choices), which the
    # triggers move once per committed transaction: here every write commits, as in production, and a
    # new or renamed unit, or a new plan, shows at once all the same.
    from tasks.models import Category, Plan, Role, Unit

    client = client_as(user_make("office-search", role=Role.OFFICE))
    search = reverse("tasks:task_search")
    assert "区新设" not in client.get(search).content.decode()
    unit = Unit.objects.create(name="区新设<测试>&办")
    page = client.get(search, {"q": "推进"}).content.decode()
    assert f'<option value="{unit.pk}">区新设&lt;测试&gt;&amp;办</option>' in page
    Unit.objects.filter(pk=unit.pk).update(name="区新设改名办")
    plan = Plan.objects.create(district="闵行区", title="2026年新计划", kind="annual", year_start=2026, year_end=2026)
    category = Category.objects.create(plan=plan, order=1, name="新类别")
    page = client.get(search, {"unit": unit.pk}).content.decode()
    assert f'<option value="{unit.pk}" selected>区新设改名办</option>' in page and "区新设&lt;测试" not in page
    assert f'<option value="{plan.pk}">2026年新计划（2026年）</option>' in page
    assert f'<option value="{category.pk}">2026年 {category}</option>' in page
