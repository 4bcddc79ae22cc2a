"""tasks/filters.py: the search form's long lists, drawn once and shared, not copied."""

from __future__ import annotations

import copy
import re

import pytest

from tasks.filters import EMPTY_LABELS, ListSelect, OptionList, TaskFilter, search_choices
from tasks.models import Category, Leader, Plan, Task, Unit

ROWS: list[tuple[int | str, str]] = [("", "全部单位"), (7, "区<发改>委"), (12, "区财政局 & 税务"), (3, '"引号"办')]


def _plain(rows: list[tuple[int | str, str]], value: str | None) -> str:
    """ListSelect drawing a plain list, option by option: the reference."""
    widget = ListSelect()
    widget.choices = list(rows)
    return widget.render("unit", value)


@pytest.mark.parametrize("value", [None, "", "7", "3", "99"])
def test_an_option_list_draws_exactly_what_the_plain_drawing_does(value):
    widget = ListSelect()
    widget.choices = OptionList(ROWS)
    assert widget.render("unit", value) == _plain(ROWS, value)


def test_a_chosen_option_is_marked_once_and_labels_are_escaped():
    html = OptionList(ROWS).options_html({"12"})
    assert '<option value="12" selected>区财政局 &amp; 税务</option>' in html
    assert html.count(" selected") == 1
    assert '<option value="7">区&lt;发改&gt;委</option>' in html
    assert "&quot;引号&quot;办" in html


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


def test_a_list_behind_another_empty_choice_is_drawn_option_by_option():
    # A filter that keeps django-filter's own empty choice puts it before the list: both are drawn.
    from django_filters.fields import ChoiceField

    field = ChoiceField(choices=OptionList(ROWS[1:]), empty_label="不限", widget=ListSelect)
    html = field.widget.render("unit", "7")
    assert html.startswith('<select name="unit"><option value="">不限</option><option value="7" selected>')
    assert html == _plain([("", "不限"), *ROWS[1:]], "7")
