"""Small pure-Python model fitting for the link matcher (no numpy in the project):
a conditional logit ("which of these tasks?") and a plain logistic regression
("no link?"), both by Newton's method. They have a handful of features, so the
dense d × d systems are tiny.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

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
    groups: Sequence[Rows], chosen: Sequence[Sequence[int]], *, l2: float = 1.0, iterations: int = 20
) -> list[float]:
    """Conditional logit: weights w maximising Σ log softmax(w · rows)[picked] (an item with several
    right answers shares its weight among them) minus l2/2 · |w|². Groups with no pick are skipped."""
    pairs = [(rows, picks) for rows, picks in zip(groups, chosen, strict=True) if picks]
    dim = len(pairs[0][0][0])
    w = [0.0] * dim
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
                    if pa:
                        line = hessian[a]
                        for b in range(dim):
                            line[b] += pa * row[b]
            for a in range(dim):
                for b in range(dim):
                    hessian[a][b] -= mean[a] * mean[b]
            for j in picks:
                for k in range(dim):
                    gradient[k] += (rows[j][k] - mean[k]) / len(picks)
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
