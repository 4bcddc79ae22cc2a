"""Messages put together from several sentences."""

from __future__ import annotations

from collections.abc import Iterable

from django import template


def join_messages(messages: Iterable[str]) -> str:
    """Several messages in one line, separated by "；": each one's closing "。" goes (the line
    keeps the last one's), so a page never shows "。；"."""
    parts = [str(text).strip() for text in messages]
    parts = [text for text in parts if text]
    if not parts:
        return ""
    return "；".join(text.rstrip("。") for text in parts[:-1]) + ("；" if len(parts) > 1 else "") + parts[-1]


# A template builtin (settings.TEMPLATES): {{ field.errors|join_messages }}.
register = template.Library()
register.filter("join_messages", join_messages)
