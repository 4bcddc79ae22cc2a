"""Helpers for comparing rendered pages in tests."""

from __future__ import annotations

import re

# Django masks the CSRF token afresh for every response: two renderings of one page differ there only.
_CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
# base.html's print-only line says when the page was made, to the minute: the minute may turn between two renderings.
_MADE_AT = re.compile(r"页面生成于\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}")


def csrf_removed(html: str) -> str:
    """`html` without its forms' CSRF token fields' name and value (the rest of each tag is kept),
    nor the time in the print-only line (页面生成于…): the parts two renderings of a page may differ in."""
    return _MADE_AT.sub("页面生成于", _CSRF_VALUE.sub("", html))
