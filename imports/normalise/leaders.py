"""牵头领导 cells into names: spaces, runs of single characters, names run together."""

from __future__ import annotations

from dataclasses import dataclass

from .vocabulary import Vocabulary, _pieces, clean_text_keep_spaces

# -- leaders ------------------------------------------------------------------


@dataclass(frozen=True)
class LeaderSplit:
    names: list[str]
    unknown: list[str]  # names that are not known leaders (reported)


def split_leaders(raw: str, vocabulary: Vocabulary) -> LeaderSplit:
    """Split a 牵头领导 cell into names.

    Space-separated tokens of two or more characters are names; runs of
    single characters are a name a wrap broke apart ("谭 滨") or several
    ("赵 亮 可 晓 林 李 阳"), segmented with the known names.
    """
    names: list[str] = []
    for piece in _pieces(clean_text_keep_spaces(raw)):
        tokens = piece.split()
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
    return LeaderSplit(names=unique, unknown=[n for n in unique if n not in vocabulary.leaders])


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
