"""What labelled items (an answer key, or decisions) teach the link matcher, kept as
counts keyed by names, not database ids, so the shipped file means the same in any
database:

  category   annual category → five-year category of its links: the two documents
             sort their work into corresponding policy areas;
  project    annual project (the heading an item sits under) → five-year task number
             of its links: items of one project tend to carry out the same task;
  no_link    per annual category, project, lead unit and leader: how many labelled
             items had no link, out of how many (Party building, the 人大, ideology…
             sit in their own categories and units).

Every lookup can leave one labelled item out (`own`), so features for a training
item are computed as they would be for an unseen one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .matching import Doc

K = TypeVar("K")
NO_LINK_KINDS = ("category", "project", "unit", "leader")
# Pseudo-counts at the base rate: a name seen on two items moves the rate only part-way.
NO_LINK_SMOOTHING = 2.0


def no_link_names(item: Doc[Any], kind: str) -> tuple[str, ...]:
    if kind == "category":
        return (item.category,) if item.category else ()
    if kind == "project":
        return (item.project,) if item.project else ()
    if kind == "unit":
        return item.units
    if kind == "leader":
        return item.leaders
    raise ValueError(kind)


@dataclass(frozen=True)
class Own:
    """A labelled item's own contribution, to leave out of the counts."""

    task_categories: tuple[str, ...]  # of its links (empty = no link)
    task_numbers: tuple[str, ...]


@dataclass(frozen=True)
class Priors:
    category: dict[str, dict[str, float]] = field(default_factory=dict)
    project: dict[str, dict[str, float]] = field(default_factory=dict)
    project_items: dict[str, int] = field(default_factory=dict)
    no_link: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # kind → name → [no link, items]
    items: int = 0
    no_link_items: int = 0

    @classmethod
    def learn(cls, items: Sequence[Doc[K]], tasks: Sequence[Doc[K]], labels: Mapping[int, Sequence[int]]) -> Priors:
        """labels: item index → indexes of its tasks in `tasks` ([] = no link)."""
        category: dict[str, dict[str, float]] = {}
        project: dict[str, dict[str, float]] = {}
        project_items: dict[str, int] = {}
        no_link: dict[str, dict[str, list[int]]] = {kind: {} for kind in NO_LINK_KINDS}
        for i, picks in labels.items():
            item = items[i]
            share = 1.0 / len(picks) if picks else 0.0  # an item with several links counts once
            if item.project:
                project_items[item.project] = project_items.get(item.project, 0) + 1
            for j in picks:
                row = category.setdefault(item.category, {})
                row[tasks[j].category] = row.get(tasks[j].category, 0.0) + share
                if item.project:
                    row = project.setdefault(item.project, {})
                    row[tasks[j].number] = row.get(tasks[j].number, 0.0) + share
            for kind in NO_LINK_KINDS:
                for name in no_link_names(item, kind):
                    counts = no_link[kind].setdefault(name, [0, 0])
                    counts[0] += not picks
                    counts[1] += 1
        return cls(
            category=category,
            project=project,
            project_items=project_items,
            no_link=no_link,
            items=len(labels),
            no_link_items=sum(1 for picks in labels.values() if not picks),
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Priors:
        return cls(**data) if data else cls()

    def category_row(self, item: Doc[Any], tasks: Sequence[Doc[Any]], own: Own | None = None) -> list[float]:
        """log P(five-year category | annual category), add-one smoothed over the tasks' categories."""
        counts = dict(self.category.get(item.category, {}))
        if own:
            for name in own.task_categories:
                counts[name] = counts.get(name, 0.0) - 1.0 / len(own.task_categories)
        kinds = len({t.category for t in tasks}) or 1
        total = sum(counts.values())
        return [math.log((counts.get(t.category, 0.0) + 1.0 / kinds) / (total + 1.0)) for t in tasks]

    def project_row(self, item: Doc[Any], tasks: Sequence[Doc[Any]], own: Own | None = None) -> list[float]:
        """Share of the item's labelled project siblings linked to each task (0 without siblings)."""
        counts = dict(self.project.get(item.project, {}))
        size = self.project_items.get(item.project, 0)
        if own:
            size -= 1
            for number in own.task_numbers:
                counts[number] = counts.get(number, 0.0) - 1.0 / len(own.task_numbers)
        return [counts.get(t.number, 0.0) / (size + 1) for t in tasks]

    def no_link_rate(self, item: Doc[Any], kind: str, own: Own | None = None) -> float:
        """Smoothed share of labelled items with no link among those sharing the item's `kind`
        (mean over its names; the base rate when none was labelled)."""
        base = (self.no_link_items - (own is not None and not own.task_numbers)) / max(
            self.items - (own is not None), 1
        )
        rates = []
        for name in no_link_names(item, kind):
            no_link, seen = self.no_link.get(kind, {}).get(name, (0, 0))
            if own:
                no_link, seen = no_link - (not own.task_numbers), seen - 1
            rates.append((no_link + NO_LINK_SMOOTHING * base) / (seen + NO_LINK_SMOOTHING))
        return sum(rates) / len(rates) if rates else base


def own_labels(tasks: Sequence[Doc[Any]], picks: Iterable[int]) -> Own:
    chosen = [tasks[j] for j in picks]
    return Own(
        task_categories=tuple(t.category for t in chosen),
        task_numbers=tuple(t.number for t in chosen),
    )
