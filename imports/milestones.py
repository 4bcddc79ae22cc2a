"""Quarterly columns (第一季度…第四季度, often under a group header such as 阶段性目标和工作任务量)
become each new task's 阶段目标 (tasks.models.Milestone), due at the end of that quarter of the
plan's year. Their values also stay in the task's extra columns (其他列), so the ledger keeps
them as printed and a revised document's change to them still shows in the diff."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from tasks.models import Milestone, Task

from .text import quarter_of

# Cells that hold no target.
_EMPTY = {"", "—", "-", "/", "／", "无", "——"}
TARGET_MAX = 300


def quarter_end(*, year: int, quarter: int) -> dt.date:
    month = quarter * 3
    following = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return following - dt.timedelta(days=1)


def quarterly_milestones(*, tasks: Iterable[Task], year: int) -> list[Milestone]:
    """The milestones a plan of one year gets from its tasks' quarterly extra columns."""
    out = []
    for task in tasks:
        for cell in task.extras or []:
            quarter = quarter_of(str(cell.get("header", "")))
            value = str(cell.get("value", "")).strip()
            if quarter is None or value in _EMPTY:
                continue
            out.append(
                Milestone(task=task, due_date=quarter_end(year=year, quarter=quarter), target=value[:TARGET_MAX])
            )
    return out
