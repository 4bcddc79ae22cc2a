"""Which five-year task does an annual item carry out? The text and unit signals
for every (item, task) pair; insights.linkmodel combines them with what labelled
items teach and decides when to abstain.

Signals, each in [0, 1]:
  char  character 1–3-gram TF-IDF cosine of the two texts;
  word  word TF-IDF cosine, words cut by jieba (insights.segmenter) plus the domain
        words in the synonym list;
  head  the item's headings (category and project) against the task's category
        and headline: the two documents are organised by the same policy areas;
  unit  the share of the item's lead units that also lead the task, weighted by
        rarity (区经委 leads a quarter of the tasks, 区国资委 one);
  pool  word TF-IDF cosine of the item's whole project (the texts of every item under
        the same project heading, pooled) with the task's text: items of one project
        tend to carry out the same task, and the pool says more than one short item.
        Label-free: it reads only the annual plan's own structure;
and for each, `<signal>_rr`: 1 / the task's rank under that signal alone, so a
task that one signal puts first counts even where that signal's values are small;
and `<signal>_hub`: the value less the mean of the task's HUB_K best values over this
plan's items. Some tasks are hubs (a broad headline, a long text full of common
words) and come near the top for many items; subtracting what the task scores with
its best items anyway (as CSLS does in cross-lingual retrieval) lets an item's own
strong match stand out. Label-free: it reads the annual plan's items, not decisions.
Synonyms (insights/data/synonyms.csv) rewrite a variant to its canonical form in
texts and unit names before any of this. Pure Python; no database access here.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from .segmenter import words
from .similarity import TfidfModel, cosines_cross, hubs_corrected, ranks_reciprocal
from .tried import tried_columns

DATA = Path(__file__).resolve().parent / "data"
SIGNALS = ("char", "word", "head", "unit", "pool")
# How many of a task's best items set its hub level (`<signal>_hub`); fewer in a smaller plan.
HUB_K = 10
# Computed only when asked for (the bench's ablation): they did not raise the held-out figures.
# passage: char cosine with the task's best sentence; bm25: word BM25; votes: share of the
# item's project mates with the task in their top 3 by the summed reciprocal ranks; the rest
# in insights.tried: lead (the task's first-listed lead unit is the item's), unit_spec (how few
# tasks the most specific shared lead unit leads), category_pool (the item's category pooled
# against the task's), head_text (the item's headings against the task's headline and text),
# unit_text (unit × the char, word and pool cosines, summed), unit_ranks (the reciprocal ranks
# of char, word and pool among the tasks sharing a lead unit, summed), task_prf (the task's words
# pooled with those of the items that match it best), agree_top1 / agree_top3 (the share of the
# five signals ranking the task first / in their top 3), headline (char cosine with the task's headline).
TRIED_SIGNALS = (
    "passage", "bm25", "votes", "lead", "unit_spec", "category_pool", "head_text", "unit_text", "unit_ranks",
    "task_prf", "agree_top1", "agree_top3", "headline",
)  # fmt: skip

# What names a document: a task's pk in the app, any label in tests and benches.
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Doc(Generic[K]):
    """One task as the matcher sees it."""

    key: K
    text: str
    heading: str = ""  # category / project names (annual), category name + headline (five-year)
    units: tuple[str, ...] = ()
    # Names the learned priors are keyed by (a pk means nothing in another database).
    number: str = ""
    category: str = ""
    project: str = ""
    leaders: tuple[str, ...] = ()


# -- synonyms -------------------------------------------------------------------


@dataclass(frozen=True)
class Synonyms:
    """variant → canonical, for text and for unit names; longest variant first."""

    text: tuple[tuple[str, str], ...] = ()
    units: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> Synonyms:
        text, units = [], {}
        with (path or DATA / "synonyms.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                variant, canonical = row["variant"].strip(), row["canonical"].strip()
                if not variant or not canonical:
                    continue
                if row["kind"].strip() == "unit":
                    units[variant] = canonical
                else:
                    text.append((variant, canonical))
        text.sort(key=lambda pair: -len(pair[0]))
        return cls(text=tuple(text), units=units)

    def rewrite(self, text: str) -> str:
        for variant, canonical in self.text:
            if variant in text:
                text = text.replace(variant, canonical)
        return text

    def words(self) -> set[str]:
        return {w for pair in self.text for w in pair}


NO_SYNONYMS = Synonyms()


# -- the matcher --------------------------------------------------------------------


class Matcher(Generic[K]):
    """Signals for every (item, task) pair of two plans, computed once
    (`columns[signal][i][j]`); insights.linkmodel combines them under any Params,
    so cross-validation reuses one Matcher."""

    def __init__(
        self,
        items: Sequence[Doc[K]],
        tasks: Sequence[Doc[K]],
        *,
        synonyms: Synonyms = NO_SYNONYMS,
        signals: Sequence[str] = SIGNALS,
    ) -> None:
        self.items, self.tasks = list(items), list(tasks)
        self.signals = tuple(signals)
        rewrite = synonyms.rewrite
        item_texts = [rewrite(d.text) for d in self.items]
        task_texts = [rewrite(d.text) for d in self.tasks]
        self.columns: dict[str, list[list[float]]] = {}
        if "char" in self.signals:
            _, vectors = TfidfModel.fit_vectors(item_texts + task_texts)
            self.columns["char"] = cosines_cross(vectors[: len(item_texts)], vectors[len(item_texts) :])
        item_words: list[list[str]] = []
        task_words: list[list[str]] = []
        if {"word", "pool", "bm25", "category_pool", "task_prf"} & set(self.signals):
            extra = frozenset(w for w in synonyms.words() if len(w) >= 2)
            item_words = [words(t, extra) for t in item_texts]
            task_words = [words(t, extra) for t in task_texts]
        if "word" in self.signals:
            _, vectors = TfidfModel.fit_counted([Counter(w) for w in item_words + task_words])
            self.columns["word"] = cosines_cross(vectors[: len(item_words)], vectors[len(item_words) :])
        if "pool" in self.signals:
            self.columns["pool"] = self._pooled(item_words, task_words)
        if "head" in self.signals:
            item_heads = [rewrite(d.heading) for d in self.items]
            task_heads = [rewrite(d.heading) for d in self.tasks]
            _, vectors = TfidfModel.fit_vectors(item_heads + task_heads)
            self.columns["head"] = cosines_cross(vectors[: len(item_heads)], vectors[len(item_heads) :])
        if "unit" in self.signals:
            self.columns["unit"] = self._unit_overlaps(synonyms.units)
        if set(TRIED_SIGNALS) & set(self.signals):
            texts = (item_texts, task_texts, item_words, task_words)
            self.columns.update(tried_columns(self, texts=texts, synonyms=synonyms))
        self.unit_known = self._units_known(synonyms.units)
        # The documents' words as the word signals cut them (empty when no signal asked for words):
        # the bench's tried signals read them rather than cutting again by a copy of this rule.
        self.words = (item_words, task_words)

    def _unit_overlaps(self, canon: dict[str, str]) -> list[list[float]]:
        """Share of the item's lead units (weighted by rarity among the tasks' lead units) that also lead the task."""
        item_units = [frozenset(canon.get(u, u) for u in d.units) for d in self.items]
        task_units = [frozenset(canon.get(u, u) for u in d.units) for d in self.tasks]
        leads = Counter(u for units in task_units for u in units)
        size = len(self.tasks)
        idf = {u: math.log((1 + size) / (1 + n)) + 1 for u, n in leads.items()}
        matrix = []
        for mine in item_units:
            weight = {u: idf.get(u, 0.0) for u in mine}
            total = sum(weight.values())
            if not total:
                matrix.append([0.0] * size)
                continue
            matrix.append([sum(weight[u] for u in mine & theirs) / total for theirs in task_units])
        return matrix

    def _pooled(self, item_words: list[list[str]], task_words: list[list[str]]) -> list[list[float]]:
        """Word cosine of each item's project (its items' words pooled; an item without a
        project is its own pool) with each task."""
        pools: dict[str, Counter[str]] = {}
        names = [d.project or f"#{i}" for i, d in enumerate(self.items)]
        for name, cut in zip(names, item_words, strict=True):
            pools.setdefault(name, Counter()).update(cut)
        order = list(pools)
        _, vectors = TfidfModel.fit_counted([pools[name] for name in order] + [Counter(w) for w in task_words])
        rows = dict(zip(order, cosines_cross(vectors[: len(order)], vectors[len(order) :]), strict=True))
        return [rows[name] for name in names]

    def _units_known(self, canon: dict[str, str]) -> list[float]:
        """Per item, the share of its lead units that lead some task at all (0 without units):
        the 纪委, the 人大 or the propaganda office lead no five-year task."""
        leads = {canon.get(u, u) for d in self.tasks for u in d.units}
        known = []
        for d in self.items:
            mine = {canon.get(u, u) for u in d.units}
            known.append(len(mine & leads) / len(mine) if mine else 0.0)
        return known

    def column(self, name: str) -> list[list[float]]:
        """A signal's matrix, its reciprocal ranks for `<signal>_rr` or its hub-corrected
        values for `<signal>_hub` (derived columns computed when first asked)."""
        base, _, suffix = name.rpartition("_")
        if name not in self.columns and base in self.columns:
            if suffix == "rr":
                self.columns[name] = [ranks_reciprocal(row) for row in self.columns[base]]
            elif suffix == "hub":
                self.columns[name] = hubs_corrected(self.columns[base], k=HUB_K)
        return self.columns[name]
