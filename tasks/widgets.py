"""Widgets drawn in one pass, with exactly the markup of Django's own (tests/test_widgets.py
compares them): Django renders each widget through its template engine, and the task page draws
a hidden version field and a reason box for every report on its timeline (74 widgets on the
longest, about a fifth of that page's time); the report form, a fifth of the requests in the
reporting rush, spent about a third of its drawing on its ten widgets. The search form's long
selects (ListSelect) draw their options in one join, and a cached OptionList's come drawn already."""

from __future__ import annotations

from collections.abc import Iterator
from html import escape
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.forms.widgets import Input
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def attrs_html(attrs: dict[str, Any]) -> str:
    """As django/forms/widgets/attrs.html: in order; True as a bare name; False left out."""
    return "".join(
        f" {escape(str(name))}" if value is True else f' {escape(str(name))}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class _PlainInput(Input):
    """As django/forms/widgets/input.html."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        shown = self.format_value(value)
        value_html = f' value="{escape(str(shown))}"' if shown is not None else ""
        final = attrs_html(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<input type="{self.input_type}" name="{escape(name)}"{value_html}{final}>')


class PlainHiddenInput(_PlainInput, forms.HiddenInput):
    pass


class PlainNumberInput(_PlainInput, forms.NumberInput):
    pass


class PlainSelect(forms.Select):
    """As django/forms/widgets/select.html and select_option.html, for a flat list of choices (a
    list with groups is drawn by Django's templates)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        choices = list(self.choices)
        if any(isinstance(label, list | tuple) for _, label in choices):
            return super().render(name, value, attrs, renderer)
        chosen = set(self.format_value(value))
        final = attrs_html(self.build_attrs(self.attrs, attrs))
        options = []
        picked = False  # one option selected, the first that matches (Select.optgroups)
        for key, label in choices:
            shown = "" if key is None else str(key)
            selected = not picked and shown in chosen
            picked = picked or selected
            mark = " selected" if selected else ""
            options.append(f'\n  <option value="{escape(shown)}"{mark}>{escape(str(label))}</option>\n')
        return mark_safe(f'<select name="{escape(name)}"{final}>{"".join(options)}\n</select>')


class Textarea(forms.Textarea):
    """A textarea whose line breaks arrive as the browser counted them.

    A browser counts a line break as one character against `maxlength` but submits it as two
    (CRLF, as HTML requires), so a text the box accepted could be refused by the field's
    max_length: 4,999 characters over 100 lines arrived as 5,098. Every line break becomes LF
    before the field sees the value (what is stored is LF either way)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        value = super().value_from_datadict(data, files, name)
        return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class PlainTextarea(Textarea):
    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        shown = self.format_value(value)
        final = attrs_html(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<textarea name="{escape(name)}"{final}>\n{escape(str(shown)) if shown else ""}</textarea>')


def _escaped(texts: list[str]) -> list[str]:
    """Each text HTML-escaped, by one escape over them all joined (NUL cannot be in a PostgreSQL
    text, so it parts them): a call per text was most of drawing the city's 2,400 options."""
    joined = "\x00".join(texts)
    if joined.count("\x00") != max(len(texts) - 1, 0):  # a NUL inside a text (SQLite allows it)
        return [escape(text) for text in texts]
    return escape(joined).split("\x00") if texts else []


class OptionList(BaseChoiceIterator):
    """A long list of choices with its <option>s drawn once, when it is read (and then cached
    with it, search_choices): the unit, leader and category lists reach thousands of options at
    city scale, and drawing them, Django's normalising and every form's deep copy of its fields
    walked them all again on every search page. Immutable, so a copy is itself."""

    def __init__(self, rows: list[tuple[int | str, str]]) -> None:
        self.rows = rows
        self.html = "".join(
            f'<option value="{key if isinstance(key, int) else escape(key)}">{label}</option>'
            for (key, _), label in zip(rows, _escaped([str(label) for _, label in rows]), strict=True)
        )

    def __iter__(self) -> Iterator[tuple[int | str, str]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __deepcopy__(self, memo: dict[int, Any]) -> OptionList:
        return self

    def options_html(self, selected: set[str]) -> str:
        html = self.html
        for key in selected:  # one value, as these selects take one
            mark = f'<option value="{escape(key)}">'
            html = html.replace(mark, mark[:-1] + " selected>", 1)
        return html


class ListSelect(forms.Select):
    """A <select> drawn in one pass: Django's per-option template costs ~25 µs an option. An
    OptionList's options come drawn already."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        selected = {str(v) for v in self.format_value(value)}
        final = self.build_attrs(self.attrs, attrs)
        # django-filter wraps the list it was given in its own iterator, after any empty or null
        # choice of its own (none for these: the list carries its "all").
        listed = getattr(self.choices, "choices", self.choices)
        if isinstance(listed, OptionList) and next(iter(self.choices), None) == next(iter(listed), None):
            options = listed.options_html(selected)
        else:
            options = "".join(
                f'<option value="{escape(str(key))}"{" selected" if str(key) in selected else ""}>'
                f"{escape(str(label))}</option>"
                for key, label in self.choices
            )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final), mark_safe(options))
