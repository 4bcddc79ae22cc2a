"""Counts of a set of rows by light, completion and 本期未报送, read into Summary objects.

One GROUP BY per question: the rows are grouped by the caller's keys and by (light, status,
silent), and the counts are summed here. Each status expression then appears once in the SQL
rather than once per counted figure: compiling seven filtered counts, each a copy of the light's
CASE, was the largest single item under the profiler (Django's expression hashing), more than running the query.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from django.db.models import Case, Count, F, Q, QuerySet, Value, When

from minhang_plans.compiled import Ids, compiled_or_plain

from ..choices import Light, ProgressStatus


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

    def count(self, *, light: str, status: str, silent: bool, n: int) -> None:
        """Add `n` rows of this light, status and 本期未报送 flag."""
        self.total += n
        setattr(self, f"n_{light}", getattr(self, f"n_{light}") + n)
        if status == ProgressStatus.DONE:
            self.n_done += n
        elif status == ProgressStatus.BEHIND:
            self.n_behind += n
        if silent:
            self.n_silent += n

    def __add__(self, other: Summary) -> Summary:
        return Summary(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Summary:
        return cls(**{f.name: row.get(f.name) or 0 for f in fields(cls)})


def summaries(
    qs: QuerySet[Any] | Callable[..., QuerySet[Any]],
    *,
    keys: Sequence[str] = (),
    silent: Q | None = None,
    key: Hashable | None = None,
    ids: Mapping[str, Ids] | None = None,
) -> dict[tuple[Any, ...], Summary]:
    """A Summary per distinct value of `keys` over these rows (one query), in no particular order.

    `qs` carries the status aliases (`.with_status(clock)`). `silent`: what "not reported this
    period" means for the counted rows (default: the task's `silent_now`; unit figures pass
    `rule.silent_link()`, the unit's own silence).

    With `key` (a name for the caller and every input its rows depend on, the clock included,
    but the `ids`, which the builder takes as keyword arguments), `qs` is a function that builds
    the queryset, and the grouped query is compiled once per key (minhang_plans.compiled):
    building the status expressions costs more than running them."""
    rows = compiled_or_plain(
        qs, then=lambda found: _grouped(found, keys=keys, silent=silent), key=_key(key, keys), ids=ids
    )
    out: dict[tuple[Any, ...], Summary] = {}
    width = len(keys)
    for row in rows:
        group = tuple(row[:width])
        light, status, is_silent, n = row[width : width + 4]
        summary = out.get(group)
        if summary is None:
            summary = out[group] = Summary()
        summary.count(light=light, status=status, silent=bool(is_silent), n=n)
    return out


def _key(key: Hashable | None, keys: Sequence[str]) -> Hashable | None:
    return None if key is None else ("summaries", key, tuple(keys))


def _grouped(qs: QuerySet[Any], *, keys: Sequence[str], silent: Q | None) -> QuerySet[Any]:
    flag = Case(When(silent if silent is not None else Q(silent_now=True), then=Value(True)), default=Value(False))
    return (
        qs.annotate(s_light=F("light"), s_status=F("task_status"), s_silent=flag)
        .values(*keys, "s_light", "s_status", "s_silent")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list(*keys, "s_light", "s_status", "s_silent", "n")
    )


def summary_total(
    qs: QuerySet[Any] | Callable[..., QuerySet[Any]],
    *,
    silent: Q | None = None,
    key: Hashable | None = None,
    ids: Mapping[str, Ids] | None = None,
) -> Summary:
    """One Summary over all these rows (one query); `key` and `ids` as for `summaries`."""
    return summaries(qs, silent=silent, key=key, ids=ids).get((), Summary())


__all__ = ["LightCount", "Summary", "summaries", "summary_total"]
