"""Which column of a table is what: by its header's name, by the other columns
beside it (context), by its content, or as the admin mapped it.

Every column ends up with a role: one of the task fields, "extra" (kept in
order on the task as an extra attribute) or "skip" (不导入, named in a warning).
Nothing is dropped without the report saying where it went.
"""

from __future__ import annotations

import re

from .header import find_header, header_candidates, header_texts
from .names import (
    COLUMN_LABELS,
    COLUMN_NAMES,
    DESTINATIONS,
    EXTRA,
    ROLE_BY_LABEL,
    ROLE_CHOICES,
    SKIP,
    column_role,
    header_key,
)
from .plans import Column, ColumnPlan, header_signature
from .roles import guess_header, plan_columns

__all__ = [
    "COLUMN_LABELS",
    "COLUMN_NAMES",
    "DESTINATIONS",
    "EXTRA",
    "ROLE_BY_LABEL",
    "ROLE_CHOICES",
    "SKIP",
    "Column",
    "ColumnPlan",
    "column_role",
    "find_header",
    "guess_header",
    "header_candidates",
    "header_key",
    "header_signature",
    "header_texts",
    "parse_column_spec",
    "plan_columns",
]


def parse_column_spec(spec: str) -> dict[str, str]:
    """`--columns 任务=目标任务和工作要求,牵头单位=主责部门,不导入=备注` → {header: role}.

    Raises ValueError with a Chinese message naming the bad part."""
    out: dict[str, str] = {}
    for part in re.split(r"[,，]", spec or ""):
        if not part.strip():
            continue
        label, sep, header = part.partition("=")
        label, header = label.strip(), header.strip()
        role = ROLE_BY_LABEL.get(label) or (label if label in dict(ROLE_CHOICES) else None)
        if not sep or not header or role is None:
            known = "、".join([*COLUMN_LABELS.values(), "其他列", "不导入"])
            raise ValueError(f"无法理解列对应“{part.strip()}”：应为“用途=文件中的列名”，用途可为：{known}。")
        out[header] = role
    return out
