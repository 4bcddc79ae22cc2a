"""Year-over-year comparison of two annual plans, and the plan lists the pages choose from."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from tasks.models import Plan, PlanKind, Task, TaskLeader, TaskUnit, UnitRole

from ..similarity import TfidfModel, cosine, normalise

# A reworded item keeps most of its wording; distinct items of one topic stay well below.
REWORDED_MIN_SCORE = 0.5
GROUPS = ("verbatim", "reworded", "new", "dropped")
GROUP_LABELS = {"verbatim": "原文延续", "reworded": "改写延续", "new": "新增", "dropped": "未再列入"}


# -- year over year ---------------------------------------------------------


@dataclass
class ComparedItem:
    """An item of a compared plan, with the lead units and leaders the breakdowns count."""

    pk: int
    number: str
    text: str
    position: int
    unit_names: list[str]
    leader_names: list[str]


def plan_tasks_with_people(*, plan: Plan) -> QuerySet[Task]:
    """The plan's tasks in document order, with their lead units and leaders prefetched."""
    return (
        Task.objects.filter(plan=plan)
        .prefetch_related(
            # Filtered: on these tasks (they stay here) `unit_links` holds the lead units only.
            Prefetch(
                "unit_links",
                queryset=TaskUnit.objects.filter(role=UnitRole.LEAD).select_related("unit").order_by("position"),
            ),
            Prefetch("leader_links", queryset=TaskLeader.objects.select_related("leader").order_by("position")),
        )
        .order_by("position")
    )


def _compared_items(plan: Plan) -> list[ComparedItem]:
    tasks = plan_tasks_with_people(plan=plan)
    return [
        ComparedItem(
            pk=task.pk,
            number=task.number,
            text=task.text,
            position=task.position,
            unit_names=[link.unit.name for link in task.unit_links.all()],
            leader_names=[link.leader.name for link in task.leader_links.all()],
        )
        for task in tasks
    ]


@dataclass
class Pair:
    group: str
    old: ComparedItem | None
    new: ComparedItem | None
    score: float | None = None

    @property
    def group_label(self) -> str:
        return GROUP_LABELS[self.group]

    @property
    def subject(self) -> ComparedItem:
        """The item whose units and leaders the pair counts under: the new one, or the dropped one."""
        subject = self.new if self.new is not None else self.old
        if subject is None:
            raise ValueError("a pair has an old item, a new one or both")
        return subject

    @property
    def unit_names(self) -> list[str]:
        return self.subject.unit_names

    @property
    def leader_names(self) -> list[str]:
        return self.subject.leader_names


@dataclass
class Comparison:
    old_plan: Plan
    new_plan: Plan
    pairs: list[Pair]
    counts: dict[str, int]
    by_unit: list[tuple[str, dict[str, int]]]
    by_leader: list[tuple[str, dict[str, int]]]

    @property
    def summary(self) -> list[tuple[str, str, int]]:
        return [(g, GROUP_LABELS[g], self.counts[g]) for g in GROUPS]

    def group(self, name: str) -> list[Pair]:
        return [p for p in self.pairs if p.group == name]


def _breakdown(pairs: Sequence[Pair], names_of: Callable[[Pair], list[str]]) -> list[tuple[str, dict[str, int]]]:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for pair in pairs:
        for name in dict.fromkeys(names_of(pair)):
            table[name][pair.group] += 1
    rows = [(name, {g: counts[g] for g in GROUPS} | {"total": sum(counts.values())}) for name, counts in table.items()]
    rows.sort(key=lambda row: (-row[1]["total"], row[0]))
    return rows


def year_over_year_compare(*, old_plan: Plan, new_plan: Plan) -> Comparison:
    """Match the items of two annual plans by their text, never by number
    (numbers change every year): verbatim (same text up to punctuation and
    spacing), reworded (best mutual text similarity ≥ REWORDED_MIN_SCORE), new, dropped."""
    old_items = _compared_items(old_plan)
    new_items = _compared_items(new_plan)
    pairs: list[Pair] = []
    by_text: dict[str, list[ComparedItem]] = defaultdict(list)
    for item in old_items:
        by_text[normalise(item.text)].append(item)
    old_left = {item.pk: item for item in old_items}
    new_left: list[ComparedItem] = []
    for item in new_items:
        same = by_text.get(normalise(item.text))
        if same:
            match = same.pop(0)
            del old_left[match.pk]
            pairs.append(Pair("verbatim", match, item, 1.0))
        else:
            new_left.append(item)
    if new_left and old_left:
        model = TfidfModel([t.text for t in old_items] + [t.text for t in new_items])
        old_vectors = {pk: model.vector(t.text) for pk, t in old_left.items()}
        scored: list[tuple[float, int, ComparedItem, int]] = []
        for item in new_left:
            vector = model.vector(item.text)
            for pk, old_vector in old_vectors.items():
                score = cosine(vector, old_vector)
                if score >= REWORDED_MIN_SCORE:
                    scored.append((score, item.position, item, pk))
        scored.sort(key=lambda row: (-row[0], row[1]))
        taken_new: set[int] = set()
        for score, _, item, pk in scored:
            if item.pk in taken_new or pk not in old_left:
                continue
            taken_new.add(item.pk)
            pairs.append(Pair("reworded", old_left.pop(pk), item, round(score, 3)))
        new_left = [item for item in new_left if item.pk not in taken_new]
    pairs.extend(Pair("new", None, item) for item in new_left)
    pairs.extend(Pair("dropped", item, None) for item in old_left.values())
    order = {name: i for i, name in enumerate(GROUPS)}
    pairs.sort(key=lambda p: (order[p.group], p.subject.position))
    counts = Counter(p.group for p in pairs)
    return Comparison(
        old_plan=old_plan,
        new_plan=new_plan,
        pairs=pairs,
        counts={g: counts[g] for g in GROUPS},
        by_unit=_breakdown(pairs, lambda p: p.unit_names),
        by_leader=_breakdown(pairs, lambda p: p.leader_names),
    )


def annual_plans() -> QuerySet[Plan]:
    return Plan.objects.filter(kind=PlanKind.ANNUAL).order_by("year_start", "pk")


def five_year_plans() -> QuerySet[Plan]:
    return Plan.objects.filter(kind=PlanKind.FIVE_YEAR).order_by("year_start", "pk")
