"""牵头领导 cells into names: spaces, runs of single characters, names run together."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..text import NEWLINES
from .vocabulary import Vocabulary, _pieces, clean_text_keep_spaces

# -- leaders ------------------------------------------------------------------


# Job titles printed in a 牵头领导 cell beside the name ("副区长 王华", "常务副区长李刚"): not people.
# Longest first, so 常务副区长 is taken whole rather than as 副区长.
LEADER_TITLES = tuple(
    sorted(
        {
            "区长",
            "副区长",
            "常务副区长",
            "区委书记",
            "区委副书记",
            "书记",
            "副书记",
            "区委常委",
            "常委",
            "主任",
            "副主任",
            "常务副主任",
            "部长",
            "副部长",
            "秘书长",
            "副秘书长",
            "县长",
            "副县长",
            "常务副县长",
            "市长",
            "副市长",
            "常务副市长",
            "镇长",
            "副镇长",
            "局长",
            "副局长",
            "主席",
            "副主席",
            "区人大常委会主任",
            "人大常委会主任",
            "人大常委会副主任",
            "区政协主席",
            "政协主席",
            "政协副主席",
            "区政府党组成员",
            "党组成员",
            "区长助理",
            "县长助理",
            "市长助理",
        },
        key=len,
        reverse=True,
    )
)
# Two-character surnames: "欧阳 明" printed letter-spaced is one person, not 欧阳 and a stray 明.
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "令狐",
        "司徒",
        "长孙",
        "宇文",
        "夏侯",
        "端木",
        "申屠",
        "南宫",
        "独孤",
        "钟离",
        "轩辕",
        "闻人",
    ]
)


@dataclass(frozen=True)
class LeaderSplit:
    names: list[str]
    unknown: list[str]  # names that are not known leaders (reported)
    titles: list[str] = field(default_factory=list)  # job titles taken out of the cell (reported)


def _lines(raw: str) -> list[str]:
    """A cell's lines, each a person ("顾  军⏎沈  洁"); a line of one character is the rest of
    the line above, which a narrow cell wrapped ("王小⏎明")."""
    lines: list[str] = []
    for line in NEWLINES.sub("\n", raw or "").split("\n"):
        line = clean_text_keep_spaces(line)
        if not line:
            continue
        if lines and len(line.replace(" ", "")) == 1:
            lines[-1] += line
        else:
            lines.append(line)
    return lines


def _without_title(token: str, titles: list[str]) -> str:
    """The token without a job title before or after the name ("常务副区长李" → "李",
    "王华（副区长）" → "王华")."""
    bracketed = re.match(r"^(?P<name>.+?)[（(](?P<title>[^（）()]+)[）)]$", token)
    if bracketed and bracketed["title"] in LEADER_TITLES:
        titles.append(bracketed["title"])
        token = bracketed["name"]
    for title in LEADER_TITLES:
        if token.startswith(title):
            titles.append(title)
            return token[len(title) :]
        if token.endswith(title) and len(token) > len(title):
            titles.append(title)
            return token[: -len(title)]
    return token


def split_leaders(raw: str, vocabulary: Vocabulary) -> LeaderSplit:
    """Split a 牵头领导 cell into names.

    Each line is a person or a list of them. Space-separated tokens of two or more
    characters are names; runs of single characters are a name a wrap broke apart
    ("谭 滨") or several ("赵 亮 可 晓 林 李 阳"), segmented with the known names; a
    two-character surname and one character are one name ("欧阳 明"). Job titles
    (LEADER_TITLES) are taken out and returned apart.
    """
    names: list[str] = []
    titles: list[str] = []
    for line in _lines(raw):
        for piece in _pieces(line):
            tokens = [t for t in (_without_title(token, titles) for token in piece.split()) if t]
            if len(tokens) == 2 and tokens[0] in COMPOUND_SURNAMES and len(tokens[1]) == 1:
                tokens = [tokens[0] + tokens[1]]
            run: list[str] = []
            for token in [*tokens, ""]:
                if len(token) == 1:
                    run.append(token)
                    continue
                if run:
                    names.extend(_segment("".join(run), vocabulary.leaders))
                    run = []
                if token:
                    names.extend(_segment(token, vocabulary.leaders) if token not in vocabulary.leaders else [token])
    unique = list(dict.fromkeys(names))
    return LeaderSplit(
        names=unique,
        unknown=[n for n in unique if n not in vocabulary.leaders],
        titles=list(dict.fromkeys(titles)),
    )


def _segment(text: str, known: set[str]) -> list[str]:
    """Split text into known names if it can be done exactly; else keep it whole."""
    best: dict[int, list[str] | None] = {0: []}
    for end in range(1, len(text) + 1):
        best[end] = None
        for start in range(max(0, end - 4), end - 1):
            prefix = best.get(start)
            if prefix is not None and text[start:end] in known:
                best[end] = [*prefix, text[start:end]]
                break
    result = best.get(len(text))
    return result if result else [text]


def suggest_leader_split(name: str, vocabulary: Vocabulary, hint: set[str] | None = None) -> list[str]:
    """For an unknown name that looks like known names run together ("赵杨辛"
    = 赵[亮] + 杨辛), the known names it most likely stands for; [] if none.

    Each part must be a known name or the start of exactly one known name
    (preferring the leaders named by `hint`, e.g. the row's units' leaders).
    """
    known = vocabulary.leaders
    for cut in range(1, len(name)):
        left, right = name[:cut], name[cut:]
        left_match = _resolve_fragment(left, known, hint)
        right_match = _resolve_fragment(right, known, hint)
        if left_match and right_match and left_match != right_match and (left in known or right in known):
            return [left_match, right_match]
    return []


def _resolve_fragment(fragment: str, known: set[str], hint: set[str] | None) -> str | None:
    if fragment in known:
        return fragment
    candidates = sorted(n for n in known if n.startswith(fragment) and len(n) > len(fragment))
    if hint:
        hinted = [n for n in candidates if n in hint]
        if len(hinted) == 1:
            return hinted[0]
    return candidates[0] if len(candidates) == 1 else None
