"""Whole numbers from request parameters, ASCII digits only.

`str.isdigit()` is true for "²", "①" and other digits `int()` refuses (a 500), and `int()` itself
takes "١٢", " 12 " and "1_000"; an id or a year in an address is none of those."""

from __future__ import annotations

import re

_ASCII_DIGITS = re.compile(r"[0-9]+")


def is_ascii_digits(value: object) -> bool:
    """Whether the value is a non-empty run of the digits 0-9 and nothing else."""
    return isinstance(value, str) and _ASCII_DIGITS.fullmatch(value) is not None


def ascii_int(value: object, *, max_digits: int = 18) -> int | None:
    """The value as a non-negative int, or None unless it is 1 to `max_digits` ASCII digits
    (so the number also fits a database id)."""
    if not is_ascii_digits(value) or len(str(value)) > max_digits:
        return None
    return int(str(value))
