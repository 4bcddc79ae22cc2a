"""The task search form: every filter is a GET parameter, so every result page is a permalink."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from .choices import CurrentStatus, Light
from .models import Category, Leader, Plan, ProgressStatus, TaskLeader, TaskState, TaskUnit, Unit, UnitAlias, UnitRole
from .querysets import current_work, plan_open
from .selectors.version import data_version
from .status.clock import Clock
from .status.rule import silent_link
from .widgets import ListSelect, OptionList, PlainSelect

# A stored status can be filtered on; 待审核 is only shown.
STATUS_CHOICES = [(value, label) for value, label in CurrentStatus.choices if value != CurrentStatus.PENDING]


STATE_CHOICES = [("all", "全部（含已撤销）"), (TaskState.WITHDRAWN, "仅已撤销")]
CITY_CHOICES = [("true", "仅市级任务"), ("false", "非市级任务")]
UNIT_ROLE_CHOICES = list(UnitRole.choices)
# One choice: the figures "本期未报送" link here; "reported" is its own dimension, apart from the light.
REPORTED_CHOICES = [("no", "本期未报送（未完成任务中有牵头单位未报送）")]


Choices = OptionList
# The lists' first choice, "all": part of the list (django-filter's empty_label is None for them),
# so that it is drawn, and cached, with the rest.
EMPTY_LABELS = {"plan": "全部规划", "category": "全部类别", "unit": "全部单位", "leader": "全部领导"}


def _choices_fetch() -> dict[str, Choices]:
    # Values, not instances: only what the labels read (building a plan and a category instance
    # per category was half the cost).
    categories = list(
        Category.objects.order_by("-plan__year_end", "plan__kind", "order").values_list(
            "pk", "order", "name", "plan_id", "plan__title", "plan__year_start", "plan__year_end"
        )
    )
    plans: dict[int, str] = {}
    category_rows: list[tuple[int, str]] = []
    years_of: dict[int, str] = {}  # per plan, and the numerals per order: a thousand categories repeat them
    numbered: dict[int, str] = {}
    for pk, order, name, plan_id, title, start, end in categories:
        years = years_of.get(plan_id)
        if years is None:
            years = years_of[plan_id] = Plan.years_label_of(start, end)
            plans[plan_id] = f"{title}（{years}）"
        if order not in numbered:
            numbered[order] = Category.order_label_of(order)
        # Category names repeat across plans; say which plan each belongs to.
        category_rows.append((pk, f"{years} {numbered[order]}{name}"))
    rows: dict[str, list[tuple[int, str]]] = {
        "plan": list(plans.items()),
        "category": category_rows,
        "unit": list(Unit.objects.order_by("name").values_list("pk", "name")),
        "leader": list(Leader.objects.order_by("name").values_list("pk", "name")),
    }
    return {name: OptionList([("", EMPTY_LABELS[name]), *listed]) for name, listed in rows.items()}


def search_choices(*, number: int | None = None) -> dict[str, Choices]:
    """The plan, category, unit and leader lists of the search form. Cached under the shared data
    number (selectors.version), which the database's triggers move on any write to plans,
    categories, units and leaders: a report (the reporting rush's write) leaves it, so a rebuilt
    search page no longer reads and builds some 2,000 choices each time (36 ms at city scale).
    `number`: the shared number when the caller has read it already (the search page's key has)."""
    # Inside a transaction the lists may hold writes not yet committed, under a number others will
    # only see later (as views.caching.page_key); without triggers nothing tells stale from fresh.
    if connection.in_atomic_block:
        number = 0
    elif number is None:
        number = data_version()
    if not number:
        return _choices_fetch()
    key = f"search-choices:{number}"
    choices: dict[str, Choices] | None = cache.get(key)
    if choices is None:
        choices = _choices_fetch()
        cache.set(key, choices, 86400)
    return choices


def text_lookup(term: str) -> str:
    """`icontains`, except for a term of under 3 characters with no letter case (两字 Chinese terms,
    digits): no trigram index (the UPPER(...) gin_trgm_ops ones) can serve so short a term, so it
    scans every task, and UPPER() over each text was two thirds of that scan (31 → 12 ms at city
    scale). Without letter case, `contains` matches exactly the same rows."""
    return "contains" if len(term) < 3 and term.upper() == term.lower() else "icontains"


class TaskFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="关键词",
        method="filter_q",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "任务内容、单位或领导"}),
    )
    # Choice filters filled in __init__ from three queries: a ModelChoiceFilter would query once to
    # render its options and once more to validate a chosen value, which breaks the page's query budget.
    plan = django_filters.ChoiceFilter(label="规划", empty_label=None, field_name="plan_id", widget=ListSelect)
    category = django_filters.ChoiceFilter(label="类别", empty_label=None, field_name="category_id", widget=ListSelect)
    unit = django_filters.ChoiceFilter(label="单位", method="filter_unit", empty_label=None, widget=ListSelect)
    unit_role = django_filters.ChoiceFilter(
        label="单位角色", choices=UNIT_ROLE_CHOICES, method="filter_noop", empty_label="牵头或配合", widget=PlainSelect
    )
    leader = django_filters.ChoiceFilter(label="牵头领导", method="filter_leader", empty_label=None, widget=ListSelect)
    status = django_filters.ChoiceFilter(
        label="进展状态", choices=STATUS_CHOICES, method="filter_status", empty_label="全部状态", widget=PlainSelect
    )
    light = django_filters.ChoiceFilter(
        label="灯号", choices=Light.choices, method="filter_light", empty_label="全部灯号", widget=PlainSelect
    )
    city_level = django_filters.ChoiceFilter(
        label="市级任务", choices=CITY_CHOICES, method="filter_city_level", empty_label="不限", widget=PlainSelect
    )
    reported = django_filters.ChoiceFilter(
        label="本期报送", choices=REPORTED_CHOICES, method="filter_reported", empty_label="不限", widget=PlainSelect
    )
    overdue = django_filters.BooleanFilter(label="仅看逾期未完成", method="filter_overdue", widget=forms.CheckboxInput)
    state = django_filters.ChoiceFilter(
        label="任务状态", choices=STATE_CHOICES, method="filter_state", empty_label="现行任务", widget=PlainSelect
    )

    def __init__(self, *args: Any, clock: Clock | None = None, shared_number: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clock = clock or Clock.now()
        # django-filter caches a filter's form field on first use, and the per-instance filters are
        # deep copies of the class's: a field built once anywhere (a form walk, a shell) would carry
        # its old choices into every later search, which then refused new plans as invalid.
        for name in ("plan", "category", "unit", "leader"):
            self.filters[name].__dict__.pop("_field", None)
        for name, choices in search_choices(number=shared_number).items():
            self.filters[name].extra["choices"] = choices

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        qs = super().filter_queryset(queryset)
        # The state filter's "empty" choice means active tasks only; a method filter is not called when empty.
        if not self.form.cleaned_data.get("state"):
            qs = qs.filter(state=TaskState.ACTIVE)
            # Of open plans (as Task.objects.active()), unless the plan is chosen: a closed plan's own
            # list (its ledger, linked from its 年终办结 page) is its active tasks, with final states.
            if not self.form.cleaned_data.get("plan"):
                qs = qs.filter(plan_open())
        return qs

    def matches(self, tasks: QuerySet) -> QuerySet:
        """These tasks as the search narrows them: no filters given, the current work; refused
        filters, none; else the filters applied (the form's own queryset is not read)."""
        if not self.is_bound:
            return tasks.filter(current_work())  # as .active()
        if not self.is_valid():
            return tasks.none()
        return self.filter_queryset(tasks)

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        lookup = text_lookup(value)
        # Exists instead of joins: no duplicate rows, no DISTINCT over the whole page. The units and
        # leaders whose names match are found first (a thousand rows), then their links by index:
        # matching the name on every link (27,779 at city scale) took 10 of a search's 40 ms.
        named_units = Unit.objects.filter(
            Q(**{f"name__{lookup}": value})
            | Q(Exists(UnitAlias.objects.filter(unit_id=OuterRef("pk"), **{f"name__{lookup}": value})))
        )
        # Uncorrelated `pk IN (…)`: PostgreSQL reads the named units' links by their unit index
        # and hashes those few; a correlated EXISTS became a hash over every link (7 of 50 ms).
        units = TaskUnit.objects.filter(unit_id__in=named_units.values("pk")).values("task_id")
        named_leaders = Leader.objects.filter(**{f"name__{lookup}": value})
        leaders = TaskLeader.objects.filter(leader_id__in=named_leaders.values("pk")).values("task_id")
        return queryset.filter(
            Q(**{f"text__{lookup}": value})
            | Q(**{f"title__{lookup}": value})
            | Q(number=value)
            | Q(**{f"note__{lookup}": value})
            | Q(pk__in=units)
            | Q(pk__in=leaders)
        )

    def filter_unit(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return queryset
        links = TaskUnit.objects.filter(task_id=OuterRef("pk"), unit_id=value)
        # The unit's role narrows the unit filter (it means nothing without a unit).
        role = self.form.cleaned_data.get("unit_role")
        if role:
            links = links.filter(role=role)
        return queryset.filter(Exists(links))

    def filter_noop(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset

    def filter_reported(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Open tasks not reported this period, whatever their light (the `silent_now` alias of
        the status rule). With a unit chosen: the tasks that unit leads and has not reported
        itself, as the unit's figures count them (status.rule.silent_link)."""
        if value != "no":
            return queryset
        unit = self.form.cleaned_data.get("unit")
        if not unit:
            return queryset.filter(silent_now=True)
        own_missing = TaskUnit.objects.filter(task_id=OuterRef("pk"), unit_id=unit).with_status(self.clock)
        return queryset.filter(Exists(own_missing.filter(silent_link())))

    def filter_leader(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(Exists(TaskLeader.objects.filter(task_id=OuterRef("pk"), leader_id=value)))

    # The status aliases come from Task.objects.with_status (selectors.task_search_base).
    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(task_status=value) if value else queryset

    def filter_light(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(light=value) if value else queryset

    def filter_city_level(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value in ("true", "false"):
            return queryset.filter(city_level=(value == "true"))
        return queryset

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(due_date__lt=self.clock.today).exclude(task_status=ProgressStatus.DONE)

    def filter_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == TaskState.WITHDRAWN:
            return queryset.filter(state=TaskState.WITHDRAWN)
        return queryset
