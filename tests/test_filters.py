"""tasks/filters.py: the search form's long lists, read once per shared number and shared, not copied
(how they are drawn: tests/test_widgets.py); what a keyword matches."""

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


def test_a_term_naming_a_unit_an_alias_or_a_leader_finds_their_tasks_as_a_correlated_match_does(seed_plans):
    # The unit and leader matches are uncorrelated `pk IN (…)` lists (read by the unit index);
    # the reference here is the correlated EXISTS they replaced, over every kind of term.
    from django.db.models import Exists, OuterRef, Q

    from tasks.filters import text_lookup
    from tasks.models import TaskLeader, TaskUnit, UnitAlias
    from tasks.selectors.tasks import task_search_base
    from tasks.status.clock import Clock

    clock = Clock.now()
    alias = UnitAlias.objects.select_related("unit").filter(unit__task_links__isnull=False).first()
    terms = ["推进", "区科委", "科委", "谭瑞琮", "谭", alias.name, "1", "不存在的词"]

    def reference(term: str) -> list[int]:
        lookup = text_lookup(term)
        named = Unit.objects.filter(
            Q(**{f"name__{lookup}": term})
            | Q(Exists(UnitAlias.objects.filter(unit_id=OuterRef("pk"), **{f"name__{lookup}": term})))
        )
        units = TaskUnit.objects.filter(task_id=OuterRef("pk"), unit_id__in=named.values("pk"))
        leaders = TaskLeader.objects.filter(
            task_id=OuterRef("pk"), leader_id__in=Leader.objects.filter(**{f"name__{lookup}": term}).values("pk")
        )
        words = Q(**{f"text__{lookup}": term}) | Q(**{f"title__{lookup}": term}) | Q(number=term)
        words |= Q(**{f"note__{lookup}": term}) | Q(Exists(units)) | Q(Exists(leaders))
        return list(
            Task.objects.active()
            .filter(words)
            .order_by("-plan__year_end", "plan__kind", "position")
            .values_list("pk", flat=True)
        )

    found = {}
    for term in terms:
        search = TaskFilter({"q": term}, queryset=task_search_base(clock=clock), clock=clock)
        found[term] = list(search.matches(task_search_base(clock=clock)).values_list("pk", flat=True))
        assert found[term] == reference(term), term
    assert found["谭瑞琮"] and found["区科委"] and found[alias.name] and not found["不存在的词"]
