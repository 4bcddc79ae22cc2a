"""Chinese numerals as the documents print them (一 … 十九, 二十一 …)."""

from __future__ import annotations

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100}
_NAMES = "零一二三四五六七八九"


def parse_chinese_numeral(text: str) -> int | None:
    """Return the value of a numeral such as 十二 or 二十, or None if it is not one."""
    if not text:
        return None
    if text.isdecimal():  # not isdigit(): "¹" and "①" are digits int() refuses
        return int(text)
    total, current = 0, 0
    for char in text:
        if char in _DIGITS:
            current = _DIGITS[char]
        elif char in _UNITS:
            total += (current or 1) * _UNITS[char]
            current = 0
        else:
            return None
    return total + current


def to_chinese_numeral(value: int) -> str:
    if value < 0 or value >= 1000:
        return str(value)
    if value < 10:
        return _NAMES[value]
    hundreds, rest = divmod(value, 100)
    tens, ones = divmod(rest, 10)
    out = ""
    if hundreds:
        out += _NAMES[hundreds] + "百"
        if tens == 0 and ones:
            return out + "零" + _NAMES[ones]
    if tens:
        out += ("" if (tens == 1 and not hundreds) else _NAMES[tens]) + "十"
    if ones:
        out += _NAMES[ones]
    return out
