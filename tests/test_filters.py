"""tasks/filters.py: the search form's long lists, read once per shared number and shared, not copied
(how they are drawn: tests/test_widgets.py)."""

from __future__ import annotations

import copy
import re

from tasks.filters import EMPTY_LABELS, TaskFilter, search_choices
from tasks.models import Category, Leader, Plan, Task, Unit


def test_a_forms_copy_shares_the_list_instead_of_copying_it(db, seed_plans):
    lists = search_choices(number=0)
    assert copy.deepcopy(lists["unit"]) is lists["unit"]
    filterset = TaskFilter({"unit": ""}, queryset=Task.objects.none())
    # The form deep-copies its fields; django-filter wraps the list in its own iterator per field,
    # and the rows underneath stay the one object the filter was given.
    for name in EMPTY_LABELS:
        assert filterset.form.fields[name].choices.choices is filterset.filters[name].extra["choices"]


def test_the_lists_labels_are_the_models_own(db, seed_plans):
    lists = search_choices(number=0)
    for name, label in EMPTY_LABELS.items():
        assert lists[name].rows[0] == ("", label)
    plans = dict(list(lists["plan"])[1:])
    for plan in Plan.objects.filter(categories__isnull=False).distinct():
        assert plans[plan.pk] == f"{plan.title}（{plan.years_label}）"
    categories = dict(list(lists["category"])[1:])
    assert len(categories) == Category.objects.count()
    for category in Category.objects.select_related("plan"):
        assert categories[category.pk] == f"{category.plan.years_label} {category}"
    assert list(lists["unit"])[1:] == list(Unit.objects.order_by("name").values_list("pk", "name"))
    assert list(lists["leader"])[1:] == list(Leader.objects.order_by("name").values_list("pk", "name"))


def test_the_search_page_offers_all_once_per_list_and_keeps_a_chosen_unit(client_as, office_user, seed_plans):
    from django.urls import reverse

    unit = Unit.objects.filter(task_links__isnull=False).order_by("name").first()
    page = client_as(office_user).get(reverse("tasks:task_search"), {"unit": unit.pk}).content.decode()
    for name, label in EMPTY_LABELS.items():
        select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
        assert select, name
        # Nothing chosen is the empty choice chosen, as Django's own Select draws it.
        assert select.group(1).startswith(f'<option value="" selected>{label}</option>') == (name != "unit")
        assert len(re.findall('<option value=""', select.group(1))) == 1
    assert f'<option value="{unit.pk}" selected>{unit.name}</option>' in page
