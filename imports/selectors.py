"""Reads the import pipeline needs from the database."""

from __future__ import annotations

from difflib import SequenceMatcher

from django.db.models import QuerySet

from tasks.models import Leader, Unit, UnitAlias

from .models import ImportOutcome, ImportRecord
from .normalise import Vocabulary, name_key


def vocabulary_load() -> Vocabulary:
    """Every known leader, unit name and alias: two queries."""
    units = {name_key(name): name for name in Unit.objects.values_list("name", flat=True)}
    for alias, canonical in UnitAlias.objects.values_list("name", "unit__name"):
        units[name_key(alias)] = canonical
    return Vocabulary(leaders=set(Leader.objects.values_list("name", flat=True)), units=units)


def import_record_same_file(*, sha256: str) -> ImportRecord | None:
    return (
        ImportRecord.objects.filter(sha256=sha256, outcome=ImportOutcome.APPLIED)
        .select_related("plan", "created_by")
        .order_by("-created_at")
        .first()
    )


def name_suggestions(*, names: list[str], existing: list[str], limit: int = 3) -> dict[str, list[str]]:
    """For each new name, existing names it probably means.

    Chinese abbreviations keep the characters of the full name in order
    (区发改委 ⊂ 区发展改革委), and wraps or typos leave most characters shared;
    both are scored locally with no external service.
    """
    out: dict[str, list[str]] = {}
    for name in names:
        key = name_key(name)
        scored = []
        for candidate in existing:
            candidate_key = name_key(candidate)
            if candidate_key == key:
                score = 1.0
            elif _is_subsequence(key, candidate_key) or _is_subsequence(candidate_key, key):
                score = 0.9 * min(len(key), len(candidate_key)) / max(len(key), len(candidate_key)) + 0.3
            else:
                score = SequenceMatcher(None, key, candidate_key).ratio()
            if score >= 0.6:
                scored.append((score, candidate))
        out[name] = [candidate for _, candidate in sorted(scored, key=lambda item: (-item[0], item[1]))[:limit]]
    return out


def _is_subsequence(short: str, long: str) -> bool:
    if len(short) < 3 or len(short) >= len(long) or short[0] != long[0]:
        return False
    remaining = iter(long)
    return all(char in remaining for char in short)


def import_record_list() -> QuerySet[ImportRecord]:
    return ImportRecord.objects.select_related("plan", "created_by", "undone_by").defer("content", "before_csv")
