"""Text helpers every stage shares: whitespace as the document means it, name
keys, and category headings. A leaf module (imports nothing of the pipeline),
so shape and normalise both use it without importing each other."""

from __future__ import annotations

from .categories import NUMERAL, CategoryHeading, parse_category, parse_unnumbered_category, quarter_of
from .clauses import (
    CLAUSE_LABEL,
    CLAUSE_LABEL_PATTERN,
    DEADLINE_LABELS,
    DIVISION_LABELS,
    EACH_LEADS,
    FIRST_LISTED_LEADS,
    LEAD_LABELS,
    LEADER_LABELS,
    RESPONSIBLE_LABELS,
    SUPPORT_LABELS,
    Clause,
    clause_label,
    first_listed_leads,
    free_clause,
    labelled_clause,
    marked_clause,
    unit_clause,
)
from .whitespace import CJK, CJK_CHAR, INVISIBLE, NEWLINES, SPACES, clean_text, half_width, name_key

__all__ = [
    "CJK",
    "CJK_CHAR",
    "CLAUSE_LABEL",
    "CLAUSE_LABEL_PATTERN",
    "DEADLINE_LABELS",
    "DIVISION_LABELS",
    "EACH_LEADS",
    "FIRST_LISTED_LEADS",
    "INVISIBLE",
    "LEADER_LABELS",
    "LEAD_LABELS",
    "NEWLINES",
    "NUMERAL",
    "RESPONSIBLE_LABELS",
    "SPACES",
    "SUPPORT_LABELS",
    "CategoryHeading",
    "Clause",
    "clause_label",
    "clean_text",
    "first_listed_leads",
    "free_clause",
    "half_width",
    "labelled_clause",
    "marked_clause",
    "name_key",
    "parse_category",
    "parse_unnumbered_category",
    "quarter_of",
    "unit_clause",
]
