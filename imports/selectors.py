"""Reads the import pipeline needs from the database."""

from __future__ import annotations

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
