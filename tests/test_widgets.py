"""tasks/widgets.py: the one-pass widgets draw exactly what Django's own widgets draw."""

from __future__ import annotations

import pytest
from django import forms

from tasks.forms import ReopenForm, ReviewForm
from tasks.widgets import PlainHiddenInput, PlainTextarea

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
