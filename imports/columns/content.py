"""Roles by context (two columns named for one role) and by content (what the values look like)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from ..read import Cell
from ..text import clean_text, parse_category
from .names import _KNOWN_EXTRAS, COLUMN_LABELS, EXTRA, SKIP
from .plans import Column, ColumnPlan


def _samples(body: Sequence[Sequence[Cell]], col: int, limit: int = 3) -> list[str]:
    out: list[str] = []
    for cells in body:
        if col < len(cells) and (text := clean_text(cells[col].text)) and text not in out:
            out.append(text if len(text) <= 40 else text[:39] + "…")
            if len(out) >= limit:
                break
    return out


def _values(body: Sequence[Sequence[Cell]], col: int) -> list[str]:
    return [clean_text(cells[col].text) for cells in body if col < len(cells) and cells[col].text.strip()]


def _mean_length(values: list[str]) -> float:
    return sum(len(v) for v in values) / len(values) if values else 0.0


def _resolve_by_context(plan: ColumnPlan, body: Sequence[Sequence[Cell]]) -> None:
    """Two columns named for one role: decide from the pair, never drop one."""
    by_role: dict[str, list[Column]] = {}
    for column in plan.columns:
        by_role.setdefault(column.role, []).append(column)
    units = by_role.get("unit", [])
    if len(units) >= 2:
        # 牵头单位 + 责任单位: lead + responsible (supporting) units.
        lead = next((c for c in units if "牵头" in c.key or "主责" in c.key), units[0])
        for column in units:
            if column is not lead and "support" not in {c.role for c in plan.columns}:
                column.role, column.source = "support", "context"
                column.note = f"与“{lead.header}”同在一表，作为配合（责任）单位"
    tasks = by_role.get("task", [])
    if len(tasks) >= 2:
        # A "任务内容" header over category labels: the column of long text is the task.
        main = max(tasks, key=lambda c: _mean_length(_values(body, c.index)))
        for column in tasks:
            if column is main:
                continue
            values = _values(body, column.index)
            present = {c.role for c in plan.columns}
            if values and "category" not in present and _category_share(values) >= 0.5:
                column.role, column.note = "category", f"内容是类别标题，“{main.header}”列才是任务"
            elif "project" not in present and _mean_length(values) <= 40:
                column.role, column.note = "project", f"内容较短，“{main.header}”列才是任务"
            else:
                column.role, column.note = EXTRA, f"与“{main.header}”同为任务列，保留为其他列"
            column.source = "context"
    seen: set[str] = set()
    for column in plan.columns:
        if column.role in (EXTRA, SKIP):
            continue
        if column.role in seen:
            # The label of the role it shares, read before the column becomes 其他列.
            column.note = f"另有一列同为“{COLUMN_LABELS.get(column.role, column.role)}”，此列保留为其他列"
            column.role, column.source = EXTRA, "context"
        seen.add(column.role)


def _category_share(values: list[str]) -> float:
    return sum(1 for v in values if parse_category(v)) / len(values) if values else 0.0


# Content tests: the share of a column's values that look like each role.
_NUMBER = re.compile(r"^\d{1,4}[.、．]?$")
_DATE = re.compile(r"(20\d{2}\s*年|\d{1,2}\s*月|年底|年内|年末|季度|长期|持续|全年|上半年|下半年|\d{4}[-./]\d{1,2})")
_UNIT_END = re.compile(
    r"(局|委|办|部|中心|公司|集团|镇|街道|政府|院|园区|开发区|工业区|所|站|署|处|科|股|室|厅|馆|队|会|联)$"
)
_NAME = re.compile(r"^[\u4e00-\u9fff]{2,3}$")


def _looks_like(role: str, value: str) -> bool:
    if role == "number":
        return bool(_NUMBER.match(value))
    if role == "deadline":
        return len(value) <= 30 and bool(_DATE.search(value))
    pieces = [p for p in re.split(r"[、，,;；/\s]+", value) if p]
    if role == "unit":
        return (
            bool(pieces)
            and len(value) <= 80
            and all(_UNIT_END.search(p) or p.startswith(("相关", "各")) for p in pieces)
        )
    if role == "leader":
        return bool(pieces) and len(pieces) <= 6 and all(_NAME.match(p) and not _UNIT_END.search(p) for p in pieces)
    if role == "task":
        return len(value) >= 15 and bool(re.search(r"[，。；,]", value))
    return False


def _sequential(values: list[str]) -> bool:
    """Numbers that count rows (1, 2, 3 …), not figures (466, 846)."""
    numbers = [int(re.sub(r"\D", "", v)) for v in values if re.sub(r"\D", "", v)]
    return bool(numbers) and numbers[0] <= 2 and all(b > a for a, b in pairwise(numbers))


def _task_header_over_labels(plan: ColumnPlan, body: Sequence[Sequence[Cell]]) -> None:
    """A 任务内容 header over short labels, with the tasks' text under a header
    no name knows: the labels are the categories, the long text the tasks."""
    task = next((c for c in plan.columns if c.role == "task"), None)
    if task is None or _mean_length(_values(body, task.index)) > 12:
        return
    longer = [
        c
        for c in plan.columns
        if c.role == EXTRA
        and c.source == "name"
        and not _KNOWN_EXTRAS.search(c.key)
        and _mean_length(_values(body, c.index)) >= 15
    ]
    if not longer:
        return
    text = max(longer, key=lambda c: _mean_length(_values(body, c.index)))
    text.role, text.source, text.note = "task", "content", "内容是任务的长文本"
    plan.inferred.append(text)
    has_category = any(c.role == "category" for c in plan.columns)
    task.role, task.source = (EXTRA if has_category else "category"), "context"
    task.note = f"内容是简短的类别名称，“{text.header}”列才是任务"


def _infer_by_content(plan: ColumnPlan, body: Sequence[Sequence[Cell]]) -> None:
    """Roles the names did not give, looked for among columns whose header is
    unknown (not a known extra such as 年度目标)."""
    _task_header_over_labels(plan, body)
    present = {c.role for c in plan.columns}
    candidates = [c for c in plan.columns if c.role == EXTRA and c.source == "name" and not _KNOWN_EXTRAS.search(c.key)]
    for role in ("task", "number", "unit", "leader", "deadline"):
        if role in present:
            continue
        best, best_share = None, 0.0
        for column in candidates:
            values = _values(body, column.index)
            if len(values) < 2:
                continue
            share = sum(_looks_like(role, v) for v in values) / len(values)
            if share > best_share:
                best, best_share = column, share
        if best is not None and best_share >= 0.8 and (role != "number" or _sequential(_values(body, best.index))):
            best.role, best.source = role, "content"
            best.note = f"{round(best_share * 100)}% 的内容像{COLUMN_LABELS[role]}"
            candidates.remove(best)
            plan.inferred.append(best)
            present.add(role)
    if "task" not in present:
        _task_among_known_extras(plan, body)


def _task_among_known_extras(plan: ColumnPlan, body: Sequence[Sequence[Cell]]) -> None:
    """No task column by name or content among unknown headers: the one column of
    long text under a header that usually names an extra (工作目标, 目标要求) holds
    the tasks. Never when two such columns compete (the admin decides)."""
    texts = [
        c
        for c in plan.columns
        if c.role == EXTRA
        and c.source == "name"
        and len(values := _values(body, c.index)) >= 2
        and sum(_looks_like("task", v) for v in values) / len(values) >= 0.8
    ]
    note = "表中只有此列是任务的长文本"
    if not texts:
        texts, note = _target_columns(plan, body), "表中没有任务列，此列（目标）按任务读取"
    if len(texts) != 1:
        return
    task = texts[0]
    task.role, task.source, task.note = "task", "content", note
    plan.inferred.append(task)


def _target_columns(plan: ColumnPlan, body: Sequence[Sequence[Cell]]) -> list[Column]:
    """Columns headed as targets ("2022年预期目标", "年度目标") whose values are
    short sentences of words, not figures: in a table with no task column, the
    targets are the tasks ("地区生产总值增长5.5%左右")."""
    out = []
    for column in plan.columns:
        if column.role != EXTRA or column.source != "name" or not column.key.endswith("目标"):
            continue
        values = _values(body, column.index)
        worded = [v for v in values if len(re.findall(r"[\u4e00-\u9fff]", v)) >= 4]
        if len(values) >= 2 and len(worded) / len(values) >= 0.8:
            out.append(column)
    return out
