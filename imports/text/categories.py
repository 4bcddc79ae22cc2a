"""Category headings ("一、…", "（二）…（共5项）", a label without a numeral) and quarterly column headers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasks.numerals import parse_chinese_numeral

from .whitespace import clean_text

# -- categories ---------------------------------------------------------------

NUMERAL = "一二三四五六七八九十百零〇两"
_CATEGORY = re.compile(
    rf"^[（(]?(?:第)?(?P<num>[{NUMERAL}]+|\d+)(?:类)?[）)、.．]\s*(?P<name>.*?)\s*"
    r"(?:[（(]\s*(?:共)?\s*(?P<count>\d+)\s*(?:项|条)\s*[）)])?\s*$"
)
_UNNUMBERED = re.compile(r"^(?P<name>.*?)\s*(?:[（(]\s*(?:共)?\s*(?P<count>\d+)\s*(?:项|条)\s*[）)])?\s*$")


@dataclass(frozen=True)
class CategoryHeading:
    order: int
    name: str
    stated_count: int | None


def parse_category(raw: str) -> CategoryHeading | None:
    """ "（一）实施创新驱动核心战略（11项）" → (1, 实施创新驱动核心战略, 11); None if not a heading."""
    text = clean_text(raw)
    match = _CATEGORY.match(text)
    if not match:
        return None
    order = parse_chinese_numeral(match["num"])
    name = match["name"].strip()
    if not order or not name:
        return None
    count = int(match["count"]) if match["count"] else None
    return CategoryHeading(order=order, name=name, stated_count=count)


def parse_unnumbered_category(raw: str, order: int) -> CategoryHeading | None:
    """A category printed without a numeral ("高质量发展", "生 态 环 境"): short,
    not a sentence. `order` is its place in the document."""
    text = clean_text(raw)
    match = _UNNUMBERED.match(text)
    name = match["name"].strip() if match else ""
    if not name or len(name) > 30 or re.search(r"[。；;，,：:]", name) or name.startswith(("注", "*", "＊")):
        return None
    count = int(match["count"]) if match and match["count"] else None
    return CategoryHeading(order=order, name=name, stated_count=count)


# -- quarterly columns (第一季度…第四季度): imports/milestones.py ----------------------------------

_QUARTER = re.compile(r"(?:第\s*)?([一二三四1-4])\s*季\s*度|\bQ([1-4])\b", re.IGNORECASE)
_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def quarter_of(header: str) -> int | None:
    """1–4 when a column header names one quarter (第一季度, 一季度, Q3, 阶段性目标/第二季度), else None."""
    found = _QUARTER.search(header or "")
    if not found:
        return None
    return _NUMERALS[found.group(1) or found.group(2)]
