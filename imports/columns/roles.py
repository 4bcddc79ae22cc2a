"""Every column's role in one table: by name, then context, then content, the admin's mapping last;
and a header no name in which is known, guessed from those roles."""

from __future__ import annotations

from ..read import Table
from ..text import clean_text
from .content import _infer_by_content, _mean_length, _resolve_by_context, _samples, _values
from .header import header_texts
from .names import _HEADER_SCAN_ROWS, EXTRA, column_role, occurrence_of
from .plans import Column, ColumnPlan

# -- roles for a table -----------------------------------------------------------


def plan_columns(
    table: Table,
    header_index: int,
    *,
    overrides: dict[str, str] | None = None,
    override_source: str = "mapping",
) -> ColumnPlan:
    """Every column's role: by name, then context, then content; the admin's
    mapping (by header) last, over all of them."""
    texts, last_header = header_texts(table, header_index)
    body = table.rows[last_header + 1 :]
    columns = []
    for col, text in enumerate(texts):
        sub_role = column_role(text.rsplit("/", 1)[-1]) if "/" in text else None
        role = sub_role or column_role(text)
        samples = _samples(body, col)
        if text or samples:  # a column with neither a header nor a value is layout, not data
            columns.append(
                Column(index=col, header=text or f"第{col + 1}列", role=role or EXTRA, source="name", samples=samples)
            )
    plan = ColumnPlan(header_index=last_header, columns=columns, headers=texts)
    _resolve_by_context(plan, body)
    _infer_by_content(plan, body)
    if overrides:
        _apply_overrides(plan, overrides, override_source)
    return plan


def _apply_overrides(plan: ColumnPlan, overrides: dict[str, str], source: str) -> None:
    # By header and, for a header that repeats, by which of them (names.occurrence_keys).
    by_key = {occurrence_of(header): role for header, role in overrides.items()}
    seen: dict[str, int] = {}
    for column in plan.columns:
        seen[column.key] = seen.get(column.key, 0) + 1
        role = by_key.get((column.key, seen[column.key]))
        if role is not None and role != column.role:
            column.role, column.source, column.note = role, source, ""
        elif role is not None:
            column.source = source


def guess_header(table: Table, roles: dict[str, str] | None = None) -> int | None:
    """A header row no name in which is known: the first row of short labels
    whose columns' content shows a task column."""
    for index, cells in enumerate(table.rows[:_HEADER_SCAN_ROWS]):
        texts = [clean_text(c.text) for c in cells if c.text.strip() and not c.merged_left]
        if len(texts) < 2 or any(len(t) > 20 for t in texts) or index + 2 > len(table.rows):
            continue
        plan = plan_columns(table, index, overrides=roles)
        task = next((c for c in plan.columns if c.role == "task"), None)
        body = table.rows[plan.header_index + 1 :]
        # A column of task text, not a name that happens to start with 任务 over "无".
        return index if task is not None and _mean_length(_values(body, task.index)) >= 10 else None
    return None
