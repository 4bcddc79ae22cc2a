"""Small pure-Python model fitting for the link matcher (no numpy in the project):
a conditional logit ("which of these tasks?") and a plain logistic regression
("no link?"), both by Newton's method. They have a handful of features, so the
dense d × d systems are tiny. Then the two choices made on the training items
only: the conditional logit's ridge penalty (inner cross-validation) and the
abstention threshold.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

Rows = Sequence[Sequence[float]]


def solve(matrix: list[list[float]], rhs: list[float]) -> list[float]:
    """x with matrix · x = rhs (Gauss–Jordan, partial pivoting); matrix is d × d, small."""
    size = len(rhs)
    work = [[*row, rhs[r]] for r, row in enumerate(matrix)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(work[r][col]))
        work[col], work[pivot] = work[pivot], work[col]
        lead = work[col][col] or 1e-12
        for r in range(size):
            if r != col and work[r][col]:
                factor = work[r][col] / lead
                for k in range(col, size + 1):
                    work[r][k] -= factor * work[col][k]
    return [work[r][size] / (work[r][r] or 1e-12) for r in range(size)]


def dot(weights: Sequence[float], row: Sequence[float]) -> float:
    return sum(w * x for w, x in zip(weights, row, strict=True))


def softmax(values: Sequence[float]) -> list[float]:
    top = max(values)
    exps = [math.exp(v - top) for v in values]
    total = sum(exps)
    return [e / total for e in exps]


def _choice_loglik(groups: Sequence[Rows], chosen: Sequence[Sequence[int]], w: list[float], l2: float) -> float:
    total = -0.5 * l2 * sum(x * x for x in w)
    for rows, picks in zip(groups, chosen, strict=True):
        scores = [dot(w, row) for row in rows]
        top = max(scores)
        log_z = top + math.log(sum(math.exp(s - top) for s in scores))
        total += sum(scores[j] - log_z for j in picks) / len(picks)
    return total


def fit_choice(
    groups: Sequence[Rows],
    chosen: Sequence[Sequence[int]],
    *,
    l2: float = 1.0,
    iterations: int = 20,
    start: Sequence[float] | None = None,
) -> list[float]:
    """Conditional logit: weights w maximising Σ log softmax(w · rows)[picked] (an item with several
    right answers shares its weight among them) minus l2/2 · |w|². Groups with no pick are skipped.
    `start`: initial weights (a neighbouring penalty's solution converges in a step or two)."""
    pairs = [(rows, picks) for rows, picks in zip(groups, chosen, strict=True) if picks]
    dim = len(pairs[0][0][0])
    w = list(start) if start is not None else [0.0] * dim
    current = _choice_loglik([g for g, _ in pairs], [p for _, p in pairs], w, l2)
    for _ in range(iterations):
        gradient = [-l2 * x for x in w]
        hessian = [[l2 if a == b else 0.0 for b in range(dim)] for a in range(dim)]  # minus the Hessian
        for rows, picks in pairs:
            probs = softmax([dot(w, row) for row in rows])
            mean = [sum(p * row[k] for p, row in zip(probs, rows, strict=True)) for k in range(dim)]
            for p, row in zip(probs, rows, strict=True):
                if p < 1e-9:
                    continue
                for a in range(dim):
                    pa = p * row[a]
                    if pa:  # the upper triangle only: the matrix is symmetric
                        line = hessian[a]
                        for b in range(a, dim):
                            line[b] += pa * row[b]
            for a in range(dim):
                line, ma = hessian[a], mean[a]
                for b in range(a, dim):
                    line[b] -= ma * mean[b]
            for j in picks:
                for k in range(dim):
                    gradient[k] += (rows[j][k] - mean[k]) / len(picks)
        for a in range(dim):
            for b in range(a):
                hessian[a][b] = hessian[b][a]
        step = solve(hessian, gradient)
        scale = 1.0
        while True:  # the step is damped until the likelihood does not fall
            trial = [x + scale * s for x, s in zip(w, step, strict=True)]
            value = _choice_loglik([g for g, _ in pairs], [p for _, p in pairs], trial, l2)
            if value >= current - 1e-12 or scale < 1e-4:
                break
            scale /= 2
        w, previous, current = trial, current, value
        if abs(current - previous) < 1e-7:
            break
    return w


def choose_penalty(
    groups: Sequence[Rows], chosen: Sequence[Sequence[int]], *, grid: Sequence[float], folds: int
) -> float:
    """The ridge penalty of `grid` (strongest first) under which fit_choice, fitted on all but one
    of `folds` folds of the groups, gives the fold left out the highest log-likelihood (a smooth
    criterion: counts of right answers on a few dozen groups tie or flip on one group); a tie
    goes to the stronger penalty. The folds interleave the groups in the order given (no
    randomness), so each holds every part of a document. Fewer groups than folds: grid[0]."""
    if len(groups) < folds:
        return grid[0]
    score = dict.fromkeys(grid, 0.0)
    for k in range(folds):
        held = set(range(k, len(groups), folds))
        kept = [g for g in range(len(groups)) if g not in held]
        weights = None
        for l2 in grid:  # each solution is the next penalty's start
            weights = fit_choice([groups[g] for g in kept], [chosen[g] for g in kept], l2=l2, start=weights)
            score[l2] += _choice_loglik([groups[g] for g in held], [chosen[g] for g in held], weights, 0.0)
    return max(grid, key=lambda l2: (round(score[l2], 9), l2))


def choose_threshold(
    probabilities: Mapping[int, float], scores: Mapping[int, Sequence[float]], labels: Mapping[int, Sequence[int]]
) -> float:
    """The P(no link) cut that maximises precision@1 + recall@3 on the labelled items."""
    rows = []
    for i, p in probabilities.items():
        gold = set(labels[i])
        order = sorted(range(len(scores[i])), key=lambda j: (-scores[i][j], j))[:3]
        rows.append((p, bool(gold) and order[0] in gold, not gold, len(gold & set(order))))
    rows.sort(key=lambda row: -row[0])
    links = sum(len(labels[i]) for i in probabilities) or 1
    # Cut between rows k-1 and k: rows[:k] abstain (the most likely no-link ones).
    right = sum(row[1] for row in rows)
    found = sum(row[3] for row in rows)
    best, cut = -1.0, 2.0
    for k in range(len(rows) + 1):
        objective = right / len(rows) + found / links
        if objective > best + 1e-12:
            best = objective
            cut = 2.0 if k == 0 else rows[k - 1][0] if k == len(rows) else (rows[k - 1][0] + rows[k][0]) / 2
        if k < len(rows):
            right += rows[k][2] - rows[k][1]
            found -= rows[k][3]
    return round(cut, 4)


def fit_logistic(rows: Rows, targets: Sequence[bool], *, l2: float = 1.0, iterations: int = 30) -> list[float]:
    """Logistic regression by Newton's method; the last column is the intercept (not penalised)."""
    dim = len(rows[0])
    w = [0.0] * dim
    for _ in range(iterations):
        gradient = [-l2 * x for x in w[:-1]] + [0.0]
        hessian = [[l2 if a == b and a < dim - 1 else 0.0 for b in range(dim)] for a in range(dim)]
        for row, target in zip(rows, targets, strict=True):
            p = sigmoid(dot(w, row))
            for k in range(dim):
                gradient[k] += (target - p) * row[k]
            v = p * (1 - p)
            for a in range(dim):
                for b in range(dim):
                    hessian[a][b] += v * row[a] * row[b]
        step = solve(hessian, gradient)
        w = [x + s for x, s in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return w


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
