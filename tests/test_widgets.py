"""tasks/widgets.py: the one-pass widgets draw exactly what Django's own widgets draw."""

from __future__ import annotations

import pytest
from django import forms

from tasks.choices import ProgressStatus
from tasks.forms import ReopenForm, ReportForm, ReviewForm
from tasks.widgets import ListSelect, OptionList, PlainHiddenInput, PlainNumberInput, PlainSelect, PlainTextarea

CASES = [
    ("version", 3, None),
    ("reopen-12-version", "7", {"id": "id_reopen-12-version"}),
    ("v", None, {"id": "x", "data-a": "q\"<&>'"}),
    ("v", "", {"required": True, "disabled": False, "id": "id_v"}),
    ("v", 'a"<b>&c', {}),
]


@pytest.mark.parametrize(("name", "value", "attrs"), CASES)
def test_the_hidden_input_is_djangos(name, value, attrs):
    assert PlainHiddenInput().render(name, value, attrs) == forms.HiddenInput().render(name, value, attrs)


@pytest.mark.parametrize(("name", "value", "attrs"), [*CASES, ("reason", "第一行\n<第二行>&", {"id": "id_reason"})])
def test_the_textarea_is_djangos(name, value, attrs):
    mine = PlainTextarea(attrs={"rows": 2}).render(name, value, attrs)
    assert mine == forms.Textarea(attrs={"rows": 2}).render(name, value, attrs)
    assert "<第二行>" not in mine


def test_the_review_and_reopen_forms_render_as_with_djangos_widgets():
    reopen = ReopenForm(initial={"version": 4}, prefix="reopen-9")
    stock = ReopenForm(initial={"version": 4}, prefix="reopen-9")
    # The attributes the fields gave their widgets (maxlength) carried over to Django's own.
    stock.fields["version"].widget = forms.HiddenInput(attrs=dict(reopen.fields["version"].widget.attrs))
    stock.fields["reason"].widget = forms.Textarea(attrs=dict(reopen.fields["reason"].widget.attrs))
    assert (
        str(reopen["version"])
        == str(stock["version"])
        == ('<input type="hidden" name="reopen-9-version" value="4" id="id_reopen-9-version">')
    )
    assert str(reopen["reason"]) == str(stock["reason"])
    assert 'maxlength="2000" required' in str(reopen["reason"])
    review = ReviewForm(initial={"version": 2})
    assert str(review["version"]) == '<input type="hidden" name="version" value="2" id="id_version">'


@pytest.mark.parametrize(("name", "value", "attrs"), [*CASES, ("percent", 0, {"id": "id_percent", "min": 0})])
def test_the_number_input_is_djangos(name, value, attrs):
    assert PlainNumberInput().render(name, value, attrs) == forms.NumberInput().render(name, value, attrs)


SELECT_CHOICES = [("a", "甲<"), ("b", 'B"&'), ("", "空"), (3, "三"), ("b", "重复的 b")]


@pytest.mark.parametrize("value", [None, "", "a", "b", 3, "3", ["a", "b"], "无此项"])
@pytest.mark.parametrize("attrs", [None, {"id": "id_status", "required": True, "aria-describedby": "h"}])
def test_the_select_is_djangos(value, attrs):
    mine = PlainSelect(choices=SELECT_CHOICES).render("status", value, attrs)
    assert mine == forms.Select(choices=SELECT_CHOICES).render("status", value, attrs)
    assert mine.count(" selected") <= 1  # the first match only, as Django's


def test_a_select_with_groups_is_drawn_by_django():
    grouped = [("甲组", [("a", "A"), ("b", "B")]), ("c", "C")]
    assert PlainSelect(choices=grouped).render("g", "b") == forms.Select(choices=grouped).render("g", "b")


def _stock(form: forms.Form) -> forms.Form:
    """The same form with Django's own widgets (and the attributes the fields gave the plain ones)."""
    for field in form.fields.values():
        widget = field.widget
        for plain, stock in (
            (PlainSelect, forms.Select),
            (PlainNumberInput, forms.NumberInput),
            (PlainHiddenInput, forms.HiddenInput),
            (PlainTextarea, forms.Textarea),
        ):
            if isinstance(widget, plain):
                replaced = stock(attrs=dict(widget.attrs))
                if isinstance(widget, forms.Select):
                    replaced.choices = widget.choices
                field.widget = replaced
    return form


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"status": ProgressStatus.BEHIND, "percent": "101", "progress_text": "<b>推进</b>&", "version": "2"},
        {"status": "无此状态", "percent": "", "problems": "第一行\n第二行"},
    ],
)
def test_the_report_form_renders_as_with_djangos_widgets(data):
    import datetime as dt

    from tasks.selectors.report_form import FormInstruction

    at = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    instructions = [
        FormInstruction(pk=5, leader_name="谭瑞琮", text="抓紧<推进>", answer="已落实&", on_behalf=False, created_at=at)
    ]
    initial = {"status": ProgressStatus.IN_PROGRESS, "percent": 40, "version": 1}
    mine = ReportForm(data, initial=initial, instructions=instructions, reason_hint="已过截止日期")
    stock = _stock(ReportForm(data, initial=initial, instructions=instructions, reason_hint="已过截止日期"))
    assert [type(f.widget) for f in stock.fields.values()] != [type(f.widget) for f in mine.fields.values()]
    for name in mine.fields:
        assert str(mine[name]) == str(stock[name]), name
    if data:
        assert not mine.is_valid()
        assert str(mine) == str(stock) and "errorlist" in str(mine)


# The search form's long selects (filters.py gives them their lists).
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


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [("", "全部")],
        [(1, "区<a>委"), ("x&y", "名\x00中间有空字符 & 符号"), (2, "末尾")],  # a NUL in a label: escaped one by one
    ],
)
def test_labels_escaped_together_are_escaped_as_one_by_one(rows):
    widget = ListSelect()
    widget.choices = OptionList(rows)
    assert widget.render("unit", "2") == _plain(rows, "2")


def test_a_list_behind_another_empty_choice_is_drawn_option_by_option():
    # A filter that keeps django-filter's own empty choice puts it before the list: both are drawn.
    from django_filters.fields import ChoiceField

    field = ChoiceField(choices=OptionList(ROWS[1:]), empty_label="不限", widget=ListSelect)
    html = field.widget.render("unit", "7")
    assert html.startswith('<select name="unit"><option value="">不限</option><option value="7" selected>')
    assert html == _plain([("", "不限"), *ROWS[1:]], "7")


@pytest.mark.parametrize("data", [None, {"status": "behind", "light": "red", "city_level": "true", "state": "all"}])
def test_the_search_forms_short_selects_render_as_with_djangos(db, data):
    from tasks.filters import TaskFilter
    from tasks.models import Task

    mine = TaskFilter(data, queryset=Task.objects.none()).form
    stock = TaskFilter(data, queryset=Task.objects.none()).form
    shown = [name for name, field in mine.fields.items() if type(field.widget) is PlainSelect]
    assert set(shown) == {"unit_role", "status", "light", "city_level", "reported", "state"}
    for name in shown:
        field = stock.fields[name]
        replaced = forms.Select(attrs=dict(field.widget.attrs))
        replaced.choices = field.widget.choices
        field.widget = replaced
        assert str(mine[name]) == str(stock[name]), name
    if data:
        assert '<option value="red" selected>' in str(mine["light"])


def test_the_textarea_takes_line_breaks_as_the_browser_counted_them_and_says_the_limit_in_chinese():
    from tasks.widgets import Textarea

    class Form(forms.Form):
        text = forms.CharField(max_length=5, widget=Textarea)

    accepted = Form({"text": "一\r\n二\r三"})
    assert accepted.is_valid()
    assert accepted.cleaned_data["text"] == "一\n二\n三"
    refused = Form({"text": "一二三四五\r\n六"})
    assert refused.errors["text"] == ["不能超过 5 字（现有 7 字）。"]


def test_djangos_decimal_messages_end_in_a_chinese_full_stop():
    from decimal import Decimal

    class Form(forms.Form):
        points = forms.DecimalField(max_digits=5, decimal_places=2)

    assert Form({"points": "1.234"}).errors["points"] == ["小数不能超过 2 位。"]
    assert Form({"points": "12345.6"}).errors["points"] == ["数字总共不能超过 5 位。"]
    accepted = Form({"points": "1.5"})
    assert accepted.is_valid() and accepted.cleaned_data == {"points": Decimal("1.5")}
