"""The row every 我的待办 list shows (TodoTask) and the links from a list to the task search."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

SEARCH = "tasks:task_search"


# Which units a list is for: their ids, or a subquery of them (the header badge's, so that its
# count is one statement).
Units = list[int] | QuerySet[Any]


@dataclass(frozen=True)
class TodoTask:
    id: int
    number: str
    title: str
    plan_title: str
    due_date: datetime.date | None
    deadline: datetime.date | None = None  # the period's reporting deadline (未报送 lists)
    period: str = ""  # the period being reported, e.g. 2025年6月 (未报送 lists)
    light: str = ""

    @property
    def url(self) -> str:
        return reverse("tasks:task", args=[self.id])


def _search(**params: Any) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{reverse(SEARCH)}?{query}"
