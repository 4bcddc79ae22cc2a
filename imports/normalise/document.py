"""What the whole document teaches before its rows are read: marked lead units, dropped prefixes,
its own leader and unit names, which leaders lead which units."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..text import CLAUSE_LABEL, NEWLINES, clean_text, name_key, unit_clause
from .leaders import split_leaders, suggest_leader_split
from .units import _looks_complete, _split_run_together, is_group_reference, split_units
from .vocabulary import Vocabulary, _pieces, clean_text_keep_spaces

if TYPE_CHECKING:
    from ..errors import ImportWarning
    from ..shape import ShapedDocument

# Prefixes a document prints on a unit's first mention and drops afterwards (市国土房管局 … 国土房管局).
_DROPPED_PREFIXES = ("市", "区", "县", "省")


def split_marked_units(shaped: ShapedDocument) -> list[ImportWarning]:
    """A 牵头单位/责任单位 cell that says itself who leads ("区发改委（牵头）、区统计局",
    "区住建局牵头，区发改委配合", "牵头单位：A；配合单位：B"): the lead units stay,
    the others join the supporting units. Each split is reported."""
    from ..errors import ImportWarning

    warnings = []
    for row in shaped.rows:
        raw = row.unit
        text = _lines_listed(raw) if raw else ""
        clause = unit_clause(text) if text else None
        if not clause or not clause.lead or (clause.lead == text and not clause.support):
            continue
        row.unit = clause.lead
        row.support = "、".join(t for t in (clause.support, row.support) if t)
        warnings.append(
            ImportWarning(
                "unit_roles_marked",
                "单元格中标明了牵头和配合单位，已按标注拆分："
                f"牵头单位“{clause.lead}”，配合单位“{clause.support or '无'}”",
                row=row.row,
                column="牵头单位",
                raw=raw,
                number=row.number,
            )
        )
    return warnings


def _lines_listed(raw: str) -> str:
    """A unit cell as one line: a break after a whole unit name separates names ("区教育局（牵头）⏎区财政局"
    → "区教育局（牵头）、区财政局"), a break inside a name is a wrap ("区人力资源社会⏎保障局")."""
    out = ""
    for line in (clean_text(line) for line in NEWLINES.sub("\n", raw).split("\n")):
        if not line:
            continue
        if out and not out.endswith(("、", "，", ",", "；", ";")):
            if CLAUSE_LABEL.match(line):
                out += "；"  # "牵头单位：A⏎配合单位：B"
            elif _looks_complete(_pieces(out)[-1]):
                out += "、"
        out += line
    return out


def fold_dropped_prefixes(shaped: ShapedDocument, vocabulary: Vocabulary, *, known: set[str]) -> list:
    """A unit named without the prefix it carried elsewhere in the same document
    is that unit. Only names the database does not know (`known`: name keys) are
    folded, and each folding is reported."""
    from ..errors import ImportWarning

    names: dict[str, tuple[int, str]] = {}  # name -> (row, raw cell) of its first mention
    after_prefix: dict[str, str] = {}  # bare name -> the prefix of a name before it in the same list
    for row in shaped.rows:
        for raw in (row.unit, row.support):
            prefix = ""
            for mention in split_units(raw, vocabulary):
                names.setdefault(mention.name, (row.row, raw))
                if mention.name.startswith(("市", "省")):
                    prefix = mention.name[0]
                elif prefix and _bare_department(mention.name):
                    after_prefix.setdefault(mention.name, prefix)
    style = _prefix_style(list(names))
    warnings = []
    for name, (row_no, raw) in names.items():
        if name_key(name) in known or is_group_reference(name):
            continue
        full = next((p + name for p in _DROPPED_PREFIXES if p + name in names), None)
        if full is None and _bare_department(name) and (style or name in after_prefix):
            # "市发改委、国土房管局": the prefix printed once stands for the whole list.
            full = (style or after_prefix[name]) + name
        if full is None:
            continue
        vocabulary.units[name_key(name)] = vocabulary.canonical_unit(full) or full
        warnings.append(
            ImportWarning(
                "unit_prefix_folded",
                f"“{name}”按本文件中的“{full}”处理（文件在首次出现后省略了前缀“{full[: len(full) - len(name)]}”）",
                row=row_no,
                raw=raw,
            )
        )
    return warnings


def _bare_department(name: str) -> bool:
    """A department named without its level ("国土房管局"), not a place's own body ("黄埔区政府")."""
    return (
        not name.startswith(_DROPPED_PREFIXES)
        and not re.search(r"[区县镇乡街]", name)
        and name.endswith(("局", "委", "办", "厅", "署"))
    )


def _prefix_style(names: list[str]) -> str:
    """The prefix a document gives its departments, when most carry one (a city's
    document: 市发改委, 市财政局 …); "" when most are bare (区-level documents
    often print 经委, 发改委, which stay as printed)."""
    departments = [n for n in names if n.endswith(("局", "委", "办", "厅", "署")) and not is_group_reference(n)]
    if len(departments) < 3:
        return ""
    for prefix in ("市", "省"):
        if sum(n.startswith(prefix) for n in departments) >= 0.6 * len(departments):
            return prefix
    return ""


def _leader_tokens(shaped: ShapedDocument) -> list[str]:
    tokens: list[str] = []
    for row in shaped.rows:
        if "leader" in row.inherited:
            continue
        for piece in _pieces(clean_text_keep_spaces(row.leader)):
            tokens.extend(t for t in piece.split() if len(t) >= 2)
    return tokens


def _learn_leaders(shaped: ShapedDocument, vocabulary: Vocabulary) -> set[str]:
    """Add the document's own leader names to the vocabulary. A name seen once
    that is two known names run together is held back as suspicious."""
    from collections import Counter

    counts = Counter(_leader_tokens(shaped))
    vocabulary.leaders.update(name for name, n in counts.items() if n >= 2 and 2 <= len(name) <= 4)
    suspicious: set[str] = set()
    for name, n in counts.items():
        if n == 1 and name not in vocabulary.leaders:
            if suggest_leader_split(name, vocabulary):
                suspicious.add(name)
            elif 2 <= len(name) <= 4:
                vocabulary.leaders.add(name)
    return suspicious


def _learn_units(shaped: ShapedDocument, vocabulary: Vocabulary) -> None:
    """Names that stand whole in some cell help rejoin the same name a wrap broke elsewhere."""
    for row in shaped.rows:
        for piece in _pieces(clean_text_keep_spaces(row.unit)):
            for token in piece.split():
                bare = re.sub(r"[（(][^）)]*[）)]$", "", token)
                for name in _split_run_together(bare, vocabulary) if bare == token else [bare]:
                    if len(name) >= 3 and _looks_complete(name) and vocabulary.canonical_unit(name) is None:
                        vocabulary.units[name_key(name)] = name


def _unit_leader_pairs(shaped: ShapedDocument, vocabulary: Vocabulary) -> dict[str, set[str]]:
    """Which leaders lead each unit elsewhere in the document (a hint for splits)."""
    pairs: dict[str, set[str]] = {}
    for row in shaped.rows:
        names = [n for n in split_leaders(row.leader, vocabulary).names if n in vocabulary.leaders]
        for mention in split_units(row.unit, vocabulary):
            canonical = vocabulary.canonical_unit(mention.name) or mention.name
            pairs.setdefault(canonical, set()).update(names)
    return pairs
