"""Signals the bench's ablation tried (insights.matching.TRIED_SIGNALS) and the product
leaves out, as they did not raise the held-out figures. Kept so that the ablation
table can be computed again; pure Python, label-free like every shipped signal.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .similarity import TfidfModel, bm25_cross, cosines_best_passage, cosines_cross, votes_shared

if TYPE_CHECKING:
    from .matching import Matcher, Synonyms

Matrix = list[list[float]]


def tried_columns(
    matcher: Matcher[Any],
    *,
    texts: tuple[list[str], list[str], list[list[str]], list[list[str]]],
    synonyms: Synonyms,
) -> dict[str, Matrix]:
    """The tried signals `matcher.signals` asks for, from the texts the matcher has prepared
    (item texts, task texts, both rewritten by the synonyms, and their words when cut)."""
    item_texts, task_texts, item_words, task_words = texts
    items, tasks, wanted = matcher.items, matcher.tasks, set(matcher.signals)
    rewrite, canon = synonyms.rewrite, synonyms.units
    columns: dict[str, Matrix] = {}
    if "passage" in wanted:
        columns["passage"] = cosines_best_passage(item_texts, task_texts)
    if "bm25" in wanted:
        columns["bm25"] = bm25_cross(item_words, task_words)
    if "category_pool" in wanted:
        counted = [Counter(w) for w in item_words], [Counter(w) for w in task_words]
        categories = [d.category for d in items], [d.category for d in tasks]
        columns["category_pool"] = pools_cross(counted[0], categories[0], counted[1], categories[1])
    if "head_text" in wanted:
        heads = [rewrite(d.heading) for d in items]
        whole = [rewrite(f"{d.heading} {d.text}") for d in tasks]
        _, vectors = TfidfModel.fit_vectors(heads + whole)
        columns["head_text"] = cosines_cross(vectors[: len(heads)], vectors[len(heads) :])
    if {"lead", "unit_spec"} & wanted:
        mine = [frozenset(canon.get(u, u) for u in d.units) for d in items]
        theirs = [frozenset(canon.get(u, u) for u in d.units) for d in tasks]
        columns["lead"] = leads_first(mine, [canon.get(d.units[0], d.units[0]) if d.units else "" for d in tasks])
        columns["unit_spec"] = units_specific(mine, theirs)
    if {"unit_text", "unit_ranks"} & wanted:
        unit = matcher.column("unit")
        texts_of = [matcher.column(name) for name in ("char", "word", "pool")]
        # One column per text signal, summed: unit × text (a text match counts where the units agree).
        columns["unit_text"] = [
            [u * sum(t[i][j] for t in texts_of) for j, u in enumerate(row)] for i, row in enumerate(unit)
        ]
        columns["unit_ranks"] = [
            [sum(ranks) for ranks in zip(*(ranks_among_shared(row, t[i]) for t in texts_of), strict=True)]
            for i, row in enumerate(unit)
        ]
    if "task_prf" in wanted:
        char, word = matcher.column("char"), matcher.column("word")
        summed = [[c + w for c, w in zip(cs, ws, strict=True)] for cs, ws in zip(char, word, strict=True)]
        columns["task_prf"] = tasks_expanded(summed, item_words, task_words)
    if {"agree_top1", "agree_top3"} & wanted:
        base = [matcher.column(name) for name in AGREEING]
        columns["agree_top1"] = [agreement(rows_of(base, i), top=1) for i in range(len(items))]
        columns["agree_top3"] = [agreement(rows_of(base, i), top=3) for i in range(len(items))]
    if "headline" in wanted:
        heads = [rewrite(headline(d.text)) for d in tasks]
        _, vectors = TfidfModel.fit_vectors(item_texts + heads)
        columns["headline"] = cosines_cross(vectors[: len(item_texts)], vectors[len(item_texts) :])
    if "votes" in wanted:
        ranks = [matcher.column(f"{s}_rr") for s in ("char", "word", "head", "unit")]
        summed = [[sum(values) for values in zip(*(r[i] for r in ranks), strict=True)] for i in range(len(items))]
        columns["votes"] = votes_shared(summed, groups=[d.project or f"#{i}" for i, d in enumerate(items)])
    return columns


# The signals whose rankings agree_top1 / agree_top3 count.
AGREEING = ("char", "word", "head", "unit", "pool")


def rows_of(matrices: Sequence[Matrix], i: int) -> list[list[float]]:
    return [matrix[i] for matrix in matrices]


def agreement(rows: Sequence[Sequence[float]], *, top: int) -> list[float]:
    """Per task, the share of the signals (one row each, over the tasks) that rank it within
    their `top`: its value is positive and fewer than `top` tasks score strictly higher (tied
    tasks share a rank, so a lead unit's tasks all rank first under the unit signal)."""
    counts = [0] * len(rows[0])
    for row in rows:
        ordered = sorted(row, reverse=True)
        cut = ordered[min(top, len(ordered)) - 1]  # a value ranks within `top` iff it reaches this
        for j, value in enumerate(row):
            counts[j] += value > 0 and value >= cut
    return [count / len(rows) for count in counts]


def headline(text: str) -> str:
    """A five-year task's headline: its text up to the first 。 (the whole text if none)."""
    return text.split("。", 1)[0]


# How many of a task's best-matching items lend it their words (task_prf).
PRF_ITEMS = 5


def tasks_expanded(matrix: Matrix, item_words: Sequence[Sequence[str]], task_words: Sequence[Sequence[str]]) -> Matrix:
    """Word cosine of each item with each task expanded by the words of the PRF_ITEMS items that
    match it best under `matrix` (pseudo-relevance feedback, task side), the item itself left out
    of its own expansion: the annual plan's wording for what the task names."""
    counted = [Counter(w) for w in item_words]
    model, vectors = TfidfModel.fit_counted([*counted, *(Counter(w) for w in task_words)])
    size = len(task_words)
    best = [sorted(range(len(matrix)), key=lambda i: -matrix[i][j])[: PRF_ITEMS + 1] for j in range(size)]
    expanded: dict[tuple[int, tuple[int, ...]], dict[str, float]] = {}
    rows = []
    for i, mine in enumerate(vectors[: len(counted)]):
        row = []
        for j in range(size):
            lenders = tuple(k for k in best[j] if k != i)[:PRF_ITEMS]
            if (j, lenders) not in expanded:
                pooled = Counter(task_words[j])
                for k in lenders:
                    pooled.update(counted[k])
                expanded[j, lenders] = model.weigh(pooled)
            theirs = expanded[j, lenders]
            row.append(sum(weight * theirs.get(term, 0.0) for term, weight in mine.items()))
        rows.append(row)
    return rows


def ranks_among_shared(unit_row: Sequence[float], values: Sequence[float]) -> list[float]:
    """1 / rank of each task's value among the tasks that share a lead unit with the item (0 for
    the others): which of its own unit's tasks the text picks."""
    shared = sorted((j for j, u in enumerate(unit_row) if u > 0), key=lambda j: (-values[j], j))
    ranks = [0.0] * len(values)
    for position, j in enumerate(shared, 1):
        ranks[j] = 1.0 / position
    return ranks


def leads_first(item_units: Sequence[frozenset[str]], task_firsts: Sequence[str]) -> list[list[float]]:
    """1 where the task's first-listed lead unit (the one in charge; the others support) is among
    the item's lead units."""
    return [[1.0 if first and first in mine else 0.0 for first in task_firsts] for mine in item_units]


def units_specific(item_units: Sequence[frozenset[str]], task_units: Sequence[frozenset[str]]) -> list[list[float]]:
    """How telling the most specific lead unit the item shares with the task is: log(tasks /
    tasks it leads) / log(tasks), 1 for a unit that leads one task, near 0 for one that leads
    most (区经委 leads 22 of 74, 区国资委 one), 0 when none is shared."""
    leads = Counter(u for units in task_units for u in units)
    size = len(task_units)
    scale = math.log(size) if size > 1 else 1.0
    return [
        [max((math.log(size / leads[u]) / scale for u in mine & theirs), default=0.0) for theirs in task_units]
        for mine in item_units
    ]


def pools_cross(
    item_terms: Sequence[Counter[str]],
    item_groups: Sequence[str],
    task_terms: Sequence[Counter[str]],
    task_groups: Sequence[str],
) -> list[list[float]]:
    """TF-IDF cosine of each item's group (its terms pooled with those of every item of the same
    group name) with each task's group (likewise): e.g. the annual category against the
    five-year category, both documents being organised by policy area."""

    def pooled(terms: Sequence[Counter[str]], groups: Sequence[str]) -> dict[str, Counter[str]]:
        pools: dict[str, Counter[str]] = {}
        for name, counted in zip(groups, terms, strict=True):
            pools.setdefault(name, Counter()).update(counted)
        return pools

    mine, theirs = pooled(item_terms, item_groups), pooled(task_terms, task_groups)
    _, vectors = TfidfModel.fit_counted([*mine.values(), *theirs.values()])
    matrix = cosines_cross(vectors[: len(mine)], vectors[len(mine) :])
    rows = dict(zip(mine, matrix, strict=True))
    column = {name: j for j, name in enumerate(theirs)}
    return [[rows[group][column[other]] for other in task_groups] for group in item_groups]
