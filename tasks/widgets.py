"""Widgets drawn in one pass, with exactly the markup of Django's own (tests/test_widgets.py
compares them): Django renders each widget through its template engine, and the task page draws
a hidden version field and a reason box for every report on its timeline (74 widgets on the
longest, about a fifth of that page's time); the report form, a fifth of the requests in the
reporting rush, spent about a third of its drawing on its ten widgets. The same reason as
filters.ListSelect."""

from __future__ import annotations

from html import escape
from typing import Any

from django import forms
from django.forms.widgets import Input
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


class PlainTextarea(forms.Textarea):
    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        shown = self.format_value(value)
        final = attrs_html(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<textarea name="{escape(name)}"{final}>\n{escape(str(shown)) if shown else ""}</textarea>')
