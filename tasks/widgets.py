"""Widgets drawn in one pass, with exactly the markup of Django's own (tests/test_widgets.py
compares them): Django renders each widget through its template engine, and the task page draws
a hidden version field and a reason box for every report on its timeline (74 widgets on the
longest, about a fifth of that page's time). The same reason as filters.ListSelect."""

from __future__ import annotations

from html import escape
from typing import Any

from django import forms
from django.utils.safestring import SafeString, mark_safe


def attrs_html(attrs: dict[str, Any]) -> str:
    """As django/forms/widgets/attrs.html: in order; True as a bare name; False left out."""
    return "".join(
        f" {escape(str(name))}" if value is True else f' {escape(str(name))}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class PlainHiddenInput(forms.HiddenInput):
    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        shown = self.format_value(value)
        value_html = f' value="{escape(str(shown))}"' if shown is not None else ""
        final = attrs_html(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<input type="{self.input_type}" name="{escape(name)}"{value_html}{final}>')


class PlainTextarea(forms.Textarea):
    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        shown = self.format_value(value)
        final = attrs_html(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<textarea name="{escape(name)}"{final}>\n{escape(str(shown)) if shown else ""}</textarea>')
