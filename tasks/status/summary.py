"""Counts of a set of rows by light, completion and 本期未报送: one GROUP BY, read into a Summary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from django.db.models import Count, Q

from ..choices import Light, ProgressStatus


def light_counts(*, silent: Q | None = None) -> dict[str, Count]:
    """Aggregates counting rows (tasks, or link rows: one per task and unit or leader) by light,
    completion and 本期未报送, for `.values(...).annotate(**light_counts())`.

    `silent`: what "not reported this period" means for the counted rows (default: the task's
    `silent_now`; unit summaries pass `rule.silent_link()`, the unit's own silence)."""
    out: dict[str, Count] = {"total": Count("pk")}
    for light in Light:
        out[f"n_{light.value}"] = Count("pk", filter=Q(light=light.value))
    out["n_done"] = Count("pk", filter=Q(task_status=ProgressStatus.DONE))
    out["n_behind"] = Count("pk", filter=Q(task_status=ProgressStatus.BEHIND))
    out["n_silent"] = Count("pk", filter=Q(silent_now=True) if silent is None else silent)
    return out


@dataclass
class LightCount:
    light: str
    label: str
    count: int


@dataclass
class Summary:
    """Counts of a set of tasks by light and by completion."""

    total: int = 0
    n_red: int = 0
    n_yellow: int = 0
    n_green: int = 0
    n_grey: int = 0
    n_done: int = 0
    n_behind: int = 0
    n_silent: int = 0  # not reported this period, whatever the light

    @property
    def done_share(self) -> float:
        return self.n_done / self.total if self.total else 0.0

    @property
    def done_percent(self) -> int:
        return round(self.done_share * 100)

    def lights(self) -> list[LightCount]:
        return [LightCount(light.value, light.label, getattr(self, f"n_{light.value}")) for light in Light]

    def __add__(self, other: Summary) -> Summary:
        return Summary(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Summary:
        """From an aggregate row (a `values().annotate(**light_counts())` dict)."""
        return cls(**{f.name: row.get(f.name) or 0 for f in fields(cls)})
