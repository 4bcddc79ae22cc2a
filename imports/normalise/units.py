"""Unit cells into unit mentions: wraps rejoined, brackets as aliases, group references, names run together."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasks.models import UnitKind

from ..run_together import split_run_together
from ..text import clean_text
from .vocabulary import Vocabulary, _pieces, clean_text_keep_spaces

# -- units --------------------------------------------------------------------

# The endings of a complete unit name. A fragment without one ("区人力资源社会",
# "区粮食物资储备", "虹桥商务区应急") was broken by a line wrap.
_UNIT_ENDINGS = (
    "局",
    "委",
    "办",
    "部",
    "中心",
    "公司",
    "集团",
    "镇",
    "街道",
    "工会",
    "妇联",
    "残联",
    "团区委",
    "机关",
    "院",
    "园区",
    "开发区",
    "工业区",
    "试验区",
    "所",
    "站",
    "署",
    "处",
    "室",
    "厅",
    "馆",
    "队",
    "协",
    "联",
    "委员会",
    "管委会",
    "联合会",
    "商会",
    "协会",
    "街镇",
    "单位",
    "学校",
    "医院",
    "银行",
    "报社",
    "十字会",
)
_GROUP_PREFIXES = ("相关", "各", "有关", "其他", "全区", "涉及")
# Standard phrases that name a group of units and contain a separator themselves.
GROUP_PHRASES = (
    "各镇、街道、莘庄工业区",
    "各镇街道、莘庄工业区",
    "各街镇、莘庄工业区",
    "各镇、街道",
)
# Bare generic words that only continue a group ("各镇、街道").
_GROUP_CONTINUATIONS = {"街道", "镇", "街镇", "村", "居委", "居委会", "园区", "莘庄工业区"}
# Each group phrase, matched whatever spaces a wrap left inside it (built once, not per cell).
_GROUP_PATTERNS = [
    (re.compile(r"\s*".join(re.escape(char) for char in phrase)), "、" + phrase.replace("、", "\x01") + "、")
    for phrase in GROUP_PHRASES
]
_BRACKETED = re.compile(r"^(?P<name>.+?)\s*[（(](?P<alias>[^（）()]+)[）)]$")


@dataclass(frozen=True)
class UnitMention:
    name: str  # as printed, cleaned (an alias is not resolved here)
    printed: str  # the cell fragment it came from
    bracket_alias: str | None = None  # "区财政局（区金融办）" -> 区金融办
    is_group: bool = False
    run_together: bool = False  # one of two names printed without a separator ("市行政审批局市司法局")


def split_units(raw: str, vocabulary: Vocabulary) -> list[UnitMention]:
    """Split a 牵头单位 cell into units, in the document's order."""
    # "区委宣传部 (区文明办)": a bracketed second name belongs to the name before it.
    text = re.sub(r"\s+(?=[（(])", "", clean_text_keep_spaces(raw))
    mentions: list[UnitMention] = []
    # Group phrases first: they contain the separator "、" themselves.
    for pattern, replacement in _GROUP_PATTERNS:
        text = pattern.sub(replacement, text)
    fragments: list[str] = []
    for piece in _pieces(_protect_brackets(text)):
        piece = piece.replace("\x02", "、")
        if "\x01" in piece:
            fragments.append(piece.replace("\x01", "、"))
        else:
            fragments.extend(_join_wrapped_tokens(piece.split(), vocabulary))
    fragments = _join_group_continuations(fragments)
    for fragment in fragments:
        fragment_clean = _TRAILING_ETC.sub("", clean_text(fragment))
        match = _BRACKETED.match(fragment_clean)
        alias = None
        name = fragment_clean
        if match and _is_alias(match["name"], match["alias"]):
            name, alias = match["name"].strip(), clean_text(match["alias"])
        names = [name] if alias else _split_run_together(name, vocabulary)
        for part in names:
            mentions.append(
                UnitMention(
                    name=part,
                    printed=fragment.strip(),
                    bracket_alias=alias,
                    is_group=is_group_reference(part),
                    run_together=len(names) > 1,
                )
            )
    return mentions


def _split_run_together(name: str, vocabulary: Vocabulary) -> list[str]:
    return split_run_together(name, is_known=lambda n: vocabulary.canonical_unit(n) is not None)


# "区水务局等部门", "市卫生健康委等", "区司法局等有关部门": the unit, without the "and others".
_TRAILING_ETC = re.compile(r"(?<=..)等(?:有关|相关|其他)?(?:部门|单位)?$")


def _protect_brackets(text: str) -> str:
    """Separators inside brackets ("各县(市、区)政府") belong to the name: hidden from splitting."""
    out, depth = [], 0
    for char in text:
        if char in "（(":
            depth += 1
        elif char in "）)":
            depth = max(0, depth - 1)
        out.append("\x02" if depth and char in "、，,;；/" else char)
    return "".join(out)


def _is_alias(name: str, bracketed: str) -> bool:
    """ "区财政局（区金融办）": a second name of the unit; "各街办(新区)": part of the name."""
    bracketed = bracketed.strip()
    if bracketed.isdigit() or is_group_reference(name.strip()):
        return False
    return len(bracketed) >= 3 and _looks_complete(bracketed)


def _join_wrapped_tokens(tokens: list[str], vocabulary: Vocabulary) -> list[str]:
    """Join space-separated tokens that a line wrap split out of one name.

    Greedy left to right: keep extending the current name while it is not yet a
    complete name (unknown and without a unit ending), or while joining the next
    token makes a known name.
    """
    out: list[str] = []
    current = ""
    for token in tokens:
        if not current:
            current = token
            continue
        joined = current + token
        known_current = vocabulary.canonical_unit(current) is not None
        if vocabulary.canonical_unit(joined) is not None or (
            not known_current and (not _looks_complete(current) or len(token) == 1)
        ):
            current = joined
        else:
            out.append(current)
            current = token
    if current:
        out.append(current)
    return out


def looks_like_unit(name: str) -> bool:
    """A whole unit name (区发改委, 各街镇), not a phrase that only mentions one."""
    bare = re.sub(r"[（(][^）)]*[）)]$", "", name)
    return 2 <= len(name) <= 30 and bare.endswith((*_UNIT_ENDINGS, "部门")) and not re.search(r"[，,。；;：:]", name)


def _looks_complete(name: str) -> bool:
    bare = re.sub(r"[（(][^）)]*[）)]$", "", name)
    return bare.endswith(_UNIT_ENDINGS) or (is_group_reference(bare) and bare not in _GROUP_PREFIXES)


# "各辖市、区政府", "各区、县人民政府", "各市、县": a group of several administrative levels, one phrase.
_GROUP_LEVELS = re.compile(r"^各\S*[市县区乡镇]$")
_LEVEL_CONTINUATION = re.compile(r"^[市县区乡镇](?:[（(][^）)]*[）)])?(?:人民)?(?:政府|党委|党委和政府|党委、政府)?$")


def _join_group_continuations(fragments: list[str]) -> list[str]:
    out: list[str] = []
    for fragment in fragments:
        levels = bool(out) and bool(_GROUP_LEVELS.match(out[-1]) and _LEVEL_CONTINUATION.match(fragment))
        if levels or (out and fragment in _GROUP_CONTINUATIONS and is_group_reference(out[-1])):
            out[-1] = f"{out[-1]}、{fragment}"
        else:
            out.append(fragment)
    return out


def is_group_reference(name: str) -> bool:
    return name.startswith(_GROUP_PREFIXES)


def unit_kind_guess(name: str) -> UnitKind:
    if is_group_reference(name):
        return UnitKind.GROUP
    if name.endswith("街道"):
        return UnitKind.STREET
    if name.endswith("镇") or name.endswith("工业区"):
        return UnitKind.TOWN
    if name.endswith(("公司", "集团")):
        return UnitKind.COMPANY
    if name.startswith("区") or name.endswith(("局", "委", "办", "部", "中心", "机关")):
        return UnitKind.DEPARTMENT
    return UnitKind.OTHER
