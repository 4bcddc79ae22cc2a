"""Helpers for comparing rendered pages in tests."""

from __future__ import annotations

import re

# Django masks the CSRF token afresh for every response: two renderings of one page differ there only.
_CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def csrf_removed(html: str) -> str:
    """`html` without its forms' CSRF token fields' name and value (the rest of each tag is kept)."""
    return _CSRF_VALUE.sub("", html)
