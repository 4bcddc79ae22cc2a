"""How headings and row numbers are written: numbering styles, group headings, numbers in a task's text."""

from __future__ import annotations

import re

# -- headings and numbers ----------------------------------------------------------

_PLAIN_NUMBER = re.compile(r"^\d{1,5}$")
# "（1）优化营商环境" in the 序号 column: a group heading, merged down over its tasks.
_GROUP = re.compile(r"^[（(]\s*(?:\d{1,3}|[一二三四五六七八九十]{1,3})\s*[)）]\s*(?P<name>\S.{1,})$")
# "1、…", "2.按照…", "（3）…" at the start of a task's text.
_NUMBER_IN_TEXT = re.compile(r"^\s*(?:(?P<a>\d{1,3})\s*[、.．](?!\d)|[（(]\s*(?P<b>\d{1,3})\s*[)）])\s*")
_NOTE_START = ("注", "说明", "备注", "*", "＊", "※", "附")
_STYLES = (
    ("(一)", re.compile(r"^[（(]\s*[一二三四五六七八九十]+\s*[)）]")),
    ("一、", re.compile(r"^第?[一二三四五六七八九十百]+\s*[类、.．]")),
    ("(1)", re.compile(r"^[（(]\s*\d+\s*[)）]")),
    ("1.", re.compile(r"^\d+\s*[、.．](?!\d)")),
)


def heading_style(text: str) -> str:
    """How a heading is numbered ("一、", "(一)", "1.", "(1)"), "" if it is not."""
    for style, pattern in _STYLES:
        if pattern.match(text):
            return style
    return ""


def _strip_numbering(text: str) -> str:
    """A heading's name: without its numbering and the full stop some print after it."""
    for _, pattern in _STYLES:
        text = pattern.sub("", text, count=1)
    return text.strip().rstrip("。；;")
