"""Names known before a cell is read (`Vocabulary`), and the splitting every name list shares."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..text import INVISIBLE, NEWLINES, SPACES, name_key

# -- names: shared splitting --------------------------------------------------

# Hard separators. A newline is soft: it separates names in Excel cells, but in
# text copied from Word it can be a wrap inside a name; the joiner decides.
_SEPARATORS = re.compile(r"[、，,;；/]+")


def _pieces(text: str) -> list[str]:
    return [piece for piece in (p.strip() for p in _SEPARATORS.split(text)) if piece]


@dataclass
class Vocabulary:
    """Names known before reading a cell: from the database and the document."""

    leaders: set[str] = field(default_factory=set)
    # unit name or alias (by name_key) -> canonical unit name
    units: dict[str, str] = field(default_factory=dict)
    # The admin's choices on the preview (new name -> existing unit), applied once through `units`
    # and kept so that normalising records each as an alias.
    mapped: dict[str, str] = field(default_factory=dict)

    def with_mapping(self, mapping: dict[str, str]) -> Vocabulary:
        units = dict(self.units)
        for new_name, existing in mapping.items():
            units[name_key(new_name)] = existing
        return Vocabulary(leaders=set(self.leaders), units=units, mapped=dict(mapping))

    def canonical_unit(self, name: str) -> str | None:
        return self.units.get(name_key(name))


def clean_text_keep_spaces(text: str) -> str:
    """Like clean_text, but spaces (and newlines, as spaces) between names survive."""
    text = INVISIBLE.sub("", NEWLINES.sub("\n", text or "")).replace("\n", " ")
    return SPACES.sub(" ", text).strip()
