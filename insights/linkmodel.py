"""The link rule: how an (annual item, five-year task) pair is scored and when an
item gets no suggestion. One home for the product (services) and the bench
(bench/insights_quality.py), which fits it with `fit` on training folds only.

What ships is a **cold-start** rule: it reads only what an annual plan nobody has
annotated yet offers, the two documents themselves.
Ranking: a conditional logit over the five-year tasks, score = w · features, where
the features are the matcher's signals (insights.matching), their reciprocal ranks and,
for headings and pool, their hub-corrected values; its ridge penalty is chosen by
cross-validation within the training items.
Abstention: a logistic model of "this item has no link" from label-free features of
the item's scores (the best score, its margin over the second, …) and of its lead
units (the share that lead any five-year task); abstain when its probability reaches
the threshold.

The fitted weights and threshold are data: insights/data/link_params.json, which
holds no labels, names or counts from any answer key.

The priors (insights.priors: category correspondence, project siblings, no-link
rates) need labelled items of the very plan being suggested. They are features of
the bench's second scenario only ("after the office has decided the other items");
a Params using them cannot be applied without Priors passed in explicitly.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic

from .fitting import choose_penalty, choose_threshold, dot, fit_choice, fit_logistic, sigmoid, softmax
from .matching import DATA, SIGNALS, K, Matcher
from .priors import Own, Priors, own_labels

# Label-free: computable for any pair of plans. The shipped rule uses only these.
# Left out, as they lowered held-out figures: the pool's reciprocal rank; hub correction of char/word/unit.
PAIR_FEATURES = (*SIGNALS, *(f"{s}_rr" for s in SIGNALS if s != "pool"), "head_hub", "pool_hub")
ABSTAIN_FEATURES = ("top", "margin")
# Every label-free abstention feature abstain_row can compute (the bench's ablation tries them).
COLD_ABSTAIN_FEATURES = (
    "top",
    "margin",
    "top_p",
    "strong",
    "units_known",
    "no_units",
    *(f"max_{s}" for s in SIGNALS),
)
# Read from labelled items of the plan itself (insights.priors): the bench's "decided" scenario only.
PRIOR_PAIR_FEATURES = ("category", "project")
PRIOR_ABSTAIN_FEATURES = ("category_no_link", "project_no_link", "units_no_link", "leaders_no_link")
# Ridge penalties: a few hundred labelled items, so weights are kept modest.
ABSTAIN_L2 = 0.3
# The ranking's penalty is chosen among these, strongest first, by cross-validation inside the
# training items (INNER_FOLDS folds; the scored fold never takes part): the cosines are small
# numbers (0.0–0.3), so one fixed penalty holds their weights down more than the reciprocal
# ranks', and how much that costs depends on the features.
RANK_L2_GRID = (1.0, 0.1, 0.01)
INNER_FOLDS = 3
# Fitted floats are stored rounded, so the file diffs cleanly.
DIGITS = 4
# A task scoring within this of the best (in log-odds) counts as a strong candidate.
STRONG_GAP = 1.0


@dataclass(frozen=True)
class Params:
    weights: dict[str, float] = field(default_factory=lambda: {"char": 1.0})
    abstain: dict[str, float] = field(default_factory=dict)  # abstention features and "bias"
    # Abstain when P(no link) is at least this; above 1 never abstains.
    threshold: float = 2.0
    synonyms: bool = True
    rank_l2: float = RANK_L2_GRID[0]  # the ranking's ridge penalty, as chosen by `fit` (a record)

    @property
    def uses_priors(self) -> bool:
        return bool(set(self.weights) & set(PRIOR_PAIR_FEATURES) or set(self.abstain) & set(PRIOR_ABSTAIN_FEATURES))

    @classmethod
    def load(cls, path: Path | None = None) -> Params:
        data = json.loads((path or DATA / "link_params.json").read_text(encoding="utf-8"))
        return cls(
            weights=data["weights"],
            abstain=data.get("abstain", {}),
            threshold=data["threshold"],
            synonyms=data.get("synonyms", True),
            rank_l2=data.get("rank_l2", RANK_L2_GRID[0]),
        )

    def rounded(self) -> Params:
        return Params(
            weights={k: round(v, DIGITS) for k, v in self.weights.items()},
            abstain={k: round(v, DIGITS) for k, v in self.abstain.items()},
            threshold=round(self.threshold, DIGITS),
            synonyms=self.synonyms,
            rank_l2=self.rank_l2,
        )

    def dump(self, path: Path, **extra: object) -> None:
        rounded = self.rounded()
        data = {
            "weights": rounded.weights,
            "abstain": rounded.abstain,
            "threshold": rounded.threshold,
            "synonyms": rounded.synonyms,
            "rank_l2": rounded.rank_l2,
        }
        path.write_text(json.dumps(data | extra, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def pair_rows(
    matcher: Matcher[K], priors: Priors | None, i: int, *, features: Sequence[str], own: Own | None = None
) -> list[list[float]]:
    """One feature row per task for item `i`."""
    item = matcher.items[i]
    columns = []
    for name in features:
        if name in PRIOR_PAIR_FEATURES:
            if priors is None:
                raise ValueError(f"feature {name!r} needs priors learned from decided items")
            if name == "category":
                columns.append(priors.category_row(item, matcher.tasks, own))
            else:
                columns.append(priors.project_row(item, matcher.tasks, own))
        else:
            columns.append(matcher.column(name)[i])
    return [list(values) for values in zip(*columns, strict=True)]


def abstain_row(
    matcher: Matcher[K],
    priors: Priors | None,
    i: int,
    scores: Sequence[float],
    *,
    features: Sequence[str],
    own: Own | None = None,
) -> list[float]:
    """Item `i`'s abstention features, then 1 for the intercept."""
    item = matcher.items[i]
    ordered = sorted(scores, reverse=True)
    first, second = (ordered[0], ordered[1]) if len(ordered) > 1 else (ordered[0], ordered[0])
    row = []
    for name in features:
        if name == "top":
            row.append(first)
        elif name == "margin":
            row.append(first - second)
        elif name == "top_p":
            row.append(1.0 / sum(math.exp(s - first) for s in scores))
        elif name == "strong":
            row.append(math.log(sum(1 for s in scores if s >= first - STRONG_GAP)))
        elif name == "units_known":
            row.append(matcher.unit_known[i])
        elif name == "no_units":
            row.append(0.0 if item.units else 1.0)
        elif name.startswith("max_"):
            row.append(max(matcher.column(name[4:])[i]))
        elif name in PRIOR_ABSTAIN_FEATURES:
            if priors is None:
                raise ValueError(f"feature {name!r} needs priors learned from decided items")
            kind = name.removesuffix("_no_link").removesuffix("s")
            row.append(priors.no_link_rate(item, kind, own))
        else:
            raise ValueError(f"unknown abstention feature {name!r}")
    return [*row, 1.0]


class Linker(Generic[K]):
    """A Matcher's pairs under one Params: ranked tasks and the abstention for each item.
    `priors` only for Params that use them (the bench's decided scenario)."""

    def __init__(self, matcher: Matcher[K], params: Params, priors: Priors | None = None) -> None:
        if params.uses_priors and priors is None:
            raise ValueError("these parameters read priors learned from decided items; pass them")
        self.matcher, self.params, self.priors = matcher, params, priors
        self.pair_features = tuple(params.weights)
        self.abstain_features = tuple(name for name in params.abstain if name != "bias")
        self._scores: dict[int, list[float]] = {}

    def scores(self, i: int) -> list[float]:
        if i not in self._scores:
            weights = [self.params.weights[name] for name in self.pair_features]
            rows = pair_rows(self.matcher, self.priors, i, features=self.pair_features)
            self._scores[i] = [dot(weights, row) for row in rows]
        return self._scores[i]

    def rank(self, i: int, top: int = 3) -> list[tuple[K, float]]:
        """The `top` best tasks for item `i`, best first (ties keep document order), each with
        its probability among all tasks (in [0, 1], what the pages show)."""
        probabilities = softmax(self.scores(i))
        order = sorted(range(len(probabilities)), key=lambda j: (-probabilities[j], j))[:top]
        return [(self.matcher.tasks[j].key, probabilities[j]) for j in order]

    def no_link_probability(self, i: int) -> float:
        if not self.params.abstain:
            return 0.0
        weights = [self.params.abstain[name] for name in (*self.abstain_features, "bias")]
        row = abstain_row(self.matcher, self.priors, i, self.scores(i), features=self.abstain_features)
        return sigmoid(dot(weights, row))

    def abstains(self, i: int) -> bool:
        return self.no_link_probability(i) >= self.params.threshold

    def suggest(self, i: int, top: int = 3) -> list[tuple[K, float]]:
        """Like `rank`, but nothing when the item looks like it has no link (abstain)."""
        return [] if self.abstains(i) else self.rank(i, top=top)


def fit(
    matcher: Matcher[K],
    labels: Mapping[int, Sequence[int]],
    *,
    pair_features: Sequence[str] = PAIR_FEATURES,
    abstain_features: Sequence[str] = ABSTAIN_FEATURES,
    synonyms: bool = True,
    rank_l2: float | None = None,
) -> Params:
    """Params fitted on the labelled items only (labels: item index → task indexes, [] = no link).
    `rank_l2`: the ranking's ridge penalty; None chooses it from RANK_L2_GRID by cross-validation
    within these items (fitting.choose_penalty).
    With prior features, the priors are learned from these labels, each item's own label left
    out of the priors its features read; they are not part of the result (Priors.learn them
    again, from the same labels, to apply it)."""
    uses_priors = bool(
        set(pair_features) & set(PRIOR_PAIR_FEATURES) or set(abstain_features) & set(PRIOR_ABSTAIN_FEATURES)
    )
    priors = Priors.learn(matcher.items, matcher.tasks, labels) if uses_priors else None
    train = sorted(labels)
    owns = {i: own_labels(matcher.tasks, labels[i]) if uses_priors else None for i in train}
    rows = {i: pair_rows(matcher, priors, i, features=pair_features, own=owns[i]) for i in train}
    if rank_l2 is None:
        rank_l2 = choose_rank_l2(rows, labels)
    weights = fit_choice([rows[i] for i in train], [labels[i] for i in train], l2=rank_l2)
    scores = {i: [dot(weights, row) for row in rows[i]] for i in train}
    threshold, abstain = 2.0, {}
    if abstain_features:
        features = [abstain_row(matcher, priors, i, scores[i], features=abstain_features, own=owns[i]) for i in train]
        coefficients = fit_logistic(features, [not labels[i] for i in train], l2=ABSTAIN_L2)
        abstain = dict(zip((*abstain_features, "bias"), coefficients, strict=True))
        probabilities = {i: sigmoid(dot(coefficients, row)) for i, row in zip(train, features, strict=True)}
        threshold = choose_threshold(probabilities, scores, labels)
    return Params(
        weights=dict(zip(pair_features, weights, strict=True)),
        abstain=abstain,
        threshold=threshold,
        synonyms=synonyms,
        rank_l2=rank_l2,
    )


def choose_rank_l2(rows: Mapping[int, Sequence[Sequence[float]]], labels: Mapping[int, Sequence[int]]) -> float:
    """The ranking's ridge penalty for these items (index → one feature row per task), chosen from
    RANK_L2_GRID by cross-validation among the linked ones (fitting.choose_penalty)."""
    linked = [i for i in sorted(rows) if labels[i]]
    return choose_penalty([rows[i] for i in linked], [labels[i] for i in linked], grid=RANK_L2_GRID, folds=INNER_FOLDS)
