"""Numbered items in a paragraph, and the unit clause (a trailing bracket or sentence) that ends one."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tasks.numerals import parse_chinese_numeral

from ..normalise import looks_like_unit
from ..text import CLAUSE_LABEL_PATTERN, Clause, unit_clause

_CN = "一二三四五六七八九十"
# Where an item starts: at the start of a paragraph or right after a sentence ends.
_ITEM = re.compile(
    rf"(?:^|(?<=[。；;！？）)\]】]))\s*(?P<num>\d{{1,3}}\s*[.、．](?!\d)|[（(]\s*[{_CN}]{{1,3}}\s*[)）]|[（(]\s*\d{{1,3}}\s*[)）])"
)
_HEADING = re.compile(rf"^(?:第?[{_CN}]{{1,3}}\s*[、.．]|[（(]\s*[{_CN}]{{1,3}}\s*[)）]|\d{{1,2}}\s*[、.．](?!\d))")
_END = "。；;！？）)]】"
# A clause label at the start of a line ("牵头单位：…", "【责任单位】…", "责任领导：…").
_ROLE_LABEL = re.compile(rf"^\s*(?:{CLAUSE_LABEL_PATTERN})")
_GROUP = re.compile(
    r"(?:^|(?<=[。；;]))\s*(?:上述|以上)[^。；;]{0,12}?由(?P<lead>[^。；;]+?)(?:牵头负责|牵头|负责)"
    r"(?:\s*[，,]\s*(?P<support>[^。；;]+?)(?:按职责分工负责|配合|参与|负责))?[^。；;]{0,6}[。；;]?\s*$"
)
_FIELDS = ("leader", "lead", "support", "deadline")


@dataclass
class _Item:
    number: str
    text: str
    clause: Clause = field(default_factory=Clause)
    clause_text: str = ""  # the clause as printed


def _split_items(text: str) -> tuple[str, list[_Item]]:
    """Leading text (a preamble run into the first item) and the items. Numbers
    of another style inside an item ("1.推进城市更新：（1）…；（2）…") are its
    sub-points, not items."""
    starts = list(_ITEM.finditer(text))
    if not starts:
        return text, []
    style = _style(starts[0]["num"])
    starts = [m for m in starts if _style(m["num"]) == style]
    leading = text[: starts[0].start()].strip()
    items = []
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        body = text[match.end() : end].strip()
        if body:
            items.append(_item(_number(match["num"]), body))
    return leading, items


def _style(printed: str) -> str:
    """ "1." / "1、" → "1."; "（一）" → "(一)"; "（1）" → "(1)"."""
    bracketed = bool(re.match(r"[（(]", printed))
    chinese = bool(re.search(f"[{_CN}]", printed))
    return ("(" if bracketed else "") + ("一" if chinese else "1")


def _number(printed: str) -> str:
    digits = re.sub(r"[^\d" + _CN + "]", "", printed)
    value = parse_chinese_numeral(digits)
    return str(value) if value else digits


def _item(number: str, body: str) -> _Item:
    item = _Item(number=number, text=body)
    found = _trailing_bracket(body) or _trailing_sentence(body)
    if found is not None:
        start, inner = found
        if clause := _clause(inner):
            item.text = body[:start].rstrip("，,；; ")
            item.clause, item.clause_text = clause, inner
    return item


_OPEN, _CLOSE = "（([【〔", "）)]】〕"  # 〔…〕 as in "〔牵头单位：…，责任单位：…〕" (Gangcheng 2021)


def _trailing_bracket(body: str) -> tuple[int, str] | None:
    """The bracket closing the item ("…（牵头单位：…）。"), nested brackets
    inside allowed ("各街办(新区)"): (where it starts, what it holds)."""
    end = len(body.rstrip("。；; "))
    if end == 0 or body[end - 1] not in _CLOSE:
        return None
    depth = 0
    for index in range(end - 1, -1, -1):
        char = body[index]
        if char in _CLOSE:
            depth += 1
        elif char in _OPEN:
            depth -= 1
            if depth == 0:
                return index, body[index + 1 : end - 1]
    return None


_LABEL_SENTENCE = re.compile(rf"(?:^|(?<=[。；;]))\s*(?=(?:{CLAUSE_LABEL_PATTERN}))")


def _trailing_sentence(body: str) -> tuple[int, str] | None:
    """ "…。责任单位：市委组织部、市科技局。": the unit clause as the item's last sentence."""
    starts = list(_LABEL_SENTENCE.finditer(body))
    if not starts or starts[0].start() == 0:
        return None
    start = starts[0].start()
    return start, body[start:].strip().rstrip("。；; ")


def _clause(inner: str) -> Clause:
    """What a unit clause says ("牵头单位：A；配合单位：B", "A牵头，B按职责分工负责",
    "A（牵头）、B"); a bracket holding only unit names gives the lead units;
    empty if it names none ("（不含6亩）")."""
    if clause := unit_clause(inner):
        return clause
    pieces = [n for n in re.split(r"[、，,；;\s]+", inner.strip()) if n]
    if pieces and all(looks_like_unit(n) for n in pieces):
        return Clause(lead="、".join(pieces))  # "（区发改委、区财政局）": units only, the lead units
    return Clause()
