"""Text similarity for Chinese task text: character n-gram TF-IDF, cosine.

Pure Python, no model, no network. Words like 推进/加强/持续 occur in most
tasks, so their inverse document frequency keeps them from dominating.
Then the matrix helpers insights.matching builds its signal columns with:
cosines of every item with every task, reciprocal ranks, hub correction.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

# Everything that is not a letter or a digit is noise for matching.
_NOISE = re.compile(r"[\W_]+", re.UNICODE)
NGRAM_RANGE = (1, 3)

Vector = dict[str, float]


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, punctuation and spaces removed."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _NOISE.sub("", text)


def ngrams(text: str, ngram_range: tuple[int, int] = NGRAM_RANGE) -> Counter[str]:
    clean = normalise(text)
    low, high = ngram_range
    grams: Counter[str] = Counter()
    for n in range(low, high + 1):
        grams.update(clean[i : i + n] for i in range(len(clean) - n + 1))
    return grams


class TfidfModel:
    """Fitted on a corpus of documents; turns any text into an L2-normalised vector."""

    def __init__(self, corpus: Iterable[str], ngram_range: tuple[int, int] = NGRAM_RANGE) -> None:
        self.ngram_range = ngram_range
        self._fit(ngrams(text, ngram_range) for text in corpus)

    def _fit(self, counted: Iterable[Counter[str]]) -> None:
        document_frequency: Counter[str] = Counter()
        size = 0
        for counts in counted:
            document_frequency.update(counts.keys())
            size += 1
        self.size = size
        # Smoothed IDF (as scikit-learn's default): unseen grams get the highest weight.
        self.idf = {gram: math.log((1 + size) / (1 + df)) + 1 for gram, df in document_frequency.items()}
        self.unseen_idf = math.log(1 + size) + 1

    @classmethod
    def fit_vectors(
        cls, texts: Sequence[str], ngram_range: tuple[int, int] = NGRAM_RANGE
    ) -> tuple[TfidfModel, list[Vector]]:
        """The model fitted on `texts` and their vectors, each text's n-grams counted once."""
        return cls.fit_counted([ngrams(text, ngram_range) for text in texts], ngram_range)

    @classmethod
    def fit_counted(
        cls, counted: Sequence[Counter[str]], ngram_range: tuple[int, int] = NGRAM_RANGE
    ) -> tuple[TfidfModel, list[Vector]]:
        """The same over terms already counted (e.g. words cut by jieba)."""
        model = cls((), ngram_range)
        model._fit(counted)
        return model, [model._weigh(counts) for counts in counted]

    def vector(self, text: str) -> Vector:
        return self._weigh(ngrams(text, self.ngram_range))

    def weigh(self, counts: Counter[str]) -> Vector:
        """The vector of terms already counted, under this model's IDF."""
        return self._weigh(counts)

    def _weigh(self, counts: Counter[str]) -> Vector:
        weights = {gram: (1 + math.log(count)) * self.idf.get(gram, self.unseen_idf) for gram, count in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        if not norm:
            return {}
        return {gram: w / norm for gram, w in weights.items()}


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(weight * b.get(gram, 0.0) for gram, weight in a.items())


def rank(query: Vector, candidates: Sequence[tuple[object, Vector]], top: int = 3) -> list[tuple[object, float]]:
    """The `top` candidates most similar to `query`, best first (ties keep candidate order)."""
    scored = [(key, cosine(query, vec)) for key, vec in candidates]
    scored.sort(key=lambda pair: -pair[1])
    return scored[:top]


def similarity(a: str, b: str, corpus: Iterable[str] | None = None) -> float:
    """Cosine of two texts under a model fitted on `corpus` (default: the two texts)."""
    model = TfidfModel(list(corpus) if corpus is not None else [a, b])
    return cosine(model.vector(a), model.vector(b))


def cosines_cross(item_vectors: Sequence[Vector], task_vectors: Sequence[Vector]) -> list[list[float]]:
    """Cosine of every item vector with every task vector, through an inverted index
    over the task vectors (each item touches only the tasks sharing a term with it)."""
    postings: dict[str, list[tuple[int, float]]] = {}
    for j, vector in enumerate(task_vectors):
        for term, weight in vector.items():
            postings.setdefault(term, []).append((j, weight))
    size = len(task_vectors)
    matrix = []
    for vector in item_vectors:
        row = [0.0] * size
        for term, weight in vector.items():
            for j, other in postings.get(term, ()):
                row[j] += weight * other
        matrix.append(row)
    return matrix


def ranks_reciprocal(row: list[float]) -> list[float]:
    """1 / rank of each value in `row`, best first (ties keep document order)."""
    ranks = [0.0] * len(row)
    for position, j in enumerate(sorted(range(len(row)), key=lambda j: (-row[j], j)), 1):
        ranks[j] = 1.0 / position
    return ranks


def hubs_corrected(matrix: list[list[float]], *, k: int) -> list[list[float]]:
    """Each value less the mean of the k best values in its column: a column (a task) that
    scores high with many rows (items) anyway is a hub, and what stands out is the excess
    over its usual best (CSLS in cross-lingual retrieval; insights.matching `<signal>_hub`)."""
    if not matrix:
        return []
    levels = []
    for column in zip(*matrix, strict=True):
        best = sorted(column, reverse=True)[:k]
        levels.append(sum(best) / len(best))
    return [[value - level for value, level in zip(row, levels, strict=True)] for row in matrix]


# -- signals the bench's ablation tried and the product leaves out ---------------------

_SENTENCE_END = re.compile(r"[。；;！？!?]")


def passages_split(text: str, *, shortest: int = 8) -> list[str]:
    """The sentences of `text`; one shorter than `shortest` characters (once cleaned) joins the
    next (the last one, the one before), so a bare phrase does not make a passage of its own."""
    passages, pending = [], ""
    for sentence in _SENTENCE_END.split(text):
        pending += sentence
        if len(normalise(pending)) >= shortest:
            passages.append(pending)
            pending = ""
    if pending and passages:
        passages[-1] += pending
    return passages or [text]


def cosines_best_passage(item_texts: Sequence[str], task_texts: Sequence[str]) -> list[list[float]]:
    """Character n-gram cosine of each item with each task's best-matching sentence: a long
    task speaks of several themes, and the whole-text cosine dilutes the one an item shares."""
    owners = [j for j, text in enumerate(task_texts) for _ in passages_split(text)]
    passages = [p for text in task_texts for p in passages_split(text)]
    _, vectors = TfidfModel.fit_vectors([*item_texts, *passages])
    matrix = []
    for row in cosines_cross(vectors[: len(item_texts)], vectors[len(item_texts) :]):
        best = [0.0] * len(task_texts)
        for j, value in zip(owners, row, strict=True):
            best[j] = max(best[j], value)
        matrix.append(best)
    return matrix


def bm25_cross(
    item_terms: Sequence[Sequence[str]], task_terms: Sequence[Sequence[str]], *, k1: float = 1.2, b: float = 0.75
) -> list[list[float]]:
    """Okapi BM25 of each item (the query) against each task, divided by the query's total IDF
    so that short and long items are on one scale."""
    documents = [Counter(terms) for terms in task_terms]
    size = len(documents) or 1
    mean_length = sum(len(terms) for terms in task_terms) / size or 1.0
    frequency = Counter(term for counts in documents for term in counts)
    idf = {term: math.log(1 + (size - n + 0.5) / (n + 0.5)) for term, n in frequency.items()}
    matrix = []
    for terms in item_terms:
        query = set(terms)
        scale = sum(idf.get(term, 0.0) for term in query) or 1.0
        row = []
        for counts, terms_of_task in zip(documents, task_terms, strict=True):
            norm = k1 * (1 - b + b * len(terms_of_task) / mean_length)
            hits = (idf[t] * counts[t] * (k1 + 1) / (counts[t] + norm) for t in query if t in counts)
            row.append(sum(hits) / scale)
        matrix.append(row)
    return matrix


def votes_shared(matrix: list[list[float]], *, groups: Sequence[str], top: int = 3) -> list[list[float]]:
    """Per row and column, the share of the row's group mates (same group name, itself left
    out) that have the column among their `top` best: items of one project vote."""
    size = len(matrix[0]) if matrix else 0
    tops = [set(sorted(range(size), key=lambda j: (-row[j], j))[:top]) for row in matrix]
    members: dict[str, list[int]] = {}
    for i, group in enumerate(groups):
        members.setdefault(group, []).append(i)
    votes = []
    for i, group in enumerate(groups):
        mates = [m for m in members[group] if m != i]
        votes.append([sum(j in tops[m] for m in mates) / len(mates) if mates else 0.0 for j in range(size)])
    return votes
