"""Text similarity for Chinese task text: character n-gram TF-IDF, cosine.

Pure Python, no model, no network. Words like 推进/加强/持续 occur in most
tasks, so their inverse document frequency keeps them from dominating.
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
