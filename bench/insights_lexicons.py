"""Do Chinese semantic lexicons help the link suggestions? A tried-and-left-out measurement.

The matcher's signals are lexical (characters, jieba words, headings, lead units). Its remaining
errors are mostly items and tasks that say the same thing in other words (颠覆性技术 against 前沿领域).
Two lexicons that ship inside a PyPI package (so no data is fetched at run time) map words to
meanings: 同义词词林 (扩展版, cilin.txt: synonym groups in a five-level code) and HowNet (hownet.txt: each
word's sememes). Both come in the `similarities` wheel (Apache-2.0), which this script reads as a zip
file; the product does not depend on it.

For each lexicon, a new signal is built, TF-IDF over the meanings of the words (each meaning of a
word counts 1), with or without the words themselves, and added to the shipped features.
It is scored exactly as bench/insights_quality.py scores (10 folds, the ranking penalty chosen
within the training folds, abstention fitted on them).

    .venv/bin/pip download --no-deps similarities==1.2.4 -d /tmp/similarities
    .venv/bin/python bench/insights_lexicons.py /tmp/similarities/similarities-1.2.4-py3-none-any.whl

With `--macropodus WHEEL` (Macropodus 0.0.7, MIT: `pip download --no-deps macropodus==0.0.7`), also
its character vectors (w2v_model_wiki_char.vec: 24,381 characters, 16 dimensions, from Chinese
Wikipedia) as three signals: the cosine of each text's IDF-weighted mean vector, the same after
subtracting the mean over all texts (averaged vectors otherwise all point one way), and a soft
character match (each of the item's characters scores its best cosine among the task's, IDF-weighted).

With `--jionlp WHEEL` (JioNLP 1.5.31, Apache-2.0: `pip download --no-deps jionlp==1.5.31`), also
its topic model (dictionary/topic_word_weight.zip: 96,365 words, each with its weights over 100
topics, from news text) as signals: the cosine of each text's topic mix (the sum of its words'
topic weights, each word weighted by its IDF over these texts), the same after subtracting the mean
mix, and TF-IDF over jieba words with JioNLP's general-corpus IDF (dictionary/idf.zip) in place of
the one these 264 texts give.

Output: printed and appended to bench/results/insights_lexicons.txt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import insights_quality as quality

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "insights_lexicons.txt"


def cilin_codes(text: str) -> dict[str, list[str]]:
    """word → its 词林 codes (`Aa01A01=`: level 1 A, 2 a, 3 01, 4 A, 5 01; `=` synonyms, `#` related, `@` alone)."""
    codes: dict[str, list[str]] = defaultdict(list)
    for line in text.splitlines():
        code, *words = line.split()
        for word in words:
            codes[word].append(code)
    return codes


def hownet_sememes(text: str) -> dict[str, set[str]]:
    """word → its HowNet sememes (the Chinese half of `english|中文`), over all its senses."""
    sememes: dict[str, set[str]] = defaultdict(set)
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) < 3:
            continue
        for sememe in parts[2].split(","):
            sememe = sememe.strip().strip("{}()[]")
            if sememe:
                sememes[parts[0].strip()].add(sememe.rpartition("|")[2])
    return sememes


def meaning_bags(cut: list[list[str]], meanings, *, keep_words: bool) -> list[Counter]:
    bags = []
    for words in cut:
        bag: Counter = Counter()
        for word in words:
            if keep_words:
                bag["w:" + word] += 1
            # Whole counts: the TF-IDF weighs a count n as 1 + log n, so a share (1/3) would weigh below 0.
            for m in meanings(word):
                bag["m:" + m] += 1
        bags.append(bag)
    return bags


CHAR_VECTOR_ROWS = {
    "cv_mean": "cosine of the IDF-weighted mean vectors",
    "cv_centred": "the same, centred",
    "cv_soft": "soft character match",
}


def _cross(values: list, pair, n_items: int) -> list[list[float]]:
    """pair(item, task) for every item (values[:n_items]) against every task (the rest)."""
    return [[pair(a, b) for b in values[n_items:]] for a in values[:n_items]]


def _cosine(a: list[float], b: list[float]) -> float:
    na, nb = math.sqrt(sum(x * x for x in a)), math.sqrt(sum(y * y for y in b))
    return sum(x * y for x, y in zip(a, b, strict=True)) / (na * nb) if na and nb else 0.0


def char_vector_signals(wheel_path: Path, texts: list[str], n_items: int) -> dict[str, list[list[float]]]:
    """The three character-vector signals (CHAR_VECTOR_ROWS), items (texts[:n_items]) against tasks."""
    with zipfile.ZipFile(wheel_path) as wheel:
        raw = wheel.read("macropodus/data/embedding/word2vec/w2v_model_wiki_char.vec").decode("utf-8")
    rows = [line.split() for line in raw.split("\n")[1:]]
    vectors = {r[0]: [float(x) for x in r[1:]] for r in rows if len(r) == 17}
    df = Counter(c for t in texts for c in set(t) if c in vectors)
    idf = {c: math.log(len(texts) / n) for c, n in df.items()}

    def mean(text: str) -> list[float]:
        total, weight = [0.0] * 16, 0.0
        for c in text:
            if c in idf:
                total = [t + idf[c] * x for t, x in zip(total, vectors[c], strict=True)]
                weight += idf[c]
        return [t / weight for t in total] if weight else total

    means = [mean(t) for t in texts]
    centre = [sum(column) / len(means) for column in zip(*means, strict=True)]
    centred = [[x - c for x, c in zip(m, centre, strict=True)] for m in means]
    unit = {c: [x / (math.sqrt(sum(y * y for y in vectors[c])) or 1.0) for x in vectors[c]] for c in idf}

    def soft(item: str, task: str) -> float:
        theirs = [unit[c] for c in set(task) if c in unit]
        scored = [
            (idf[c], max(sum(x * y for x, y in zip(unit[c], v, strict=True)) for v in theirs))
            for c in set(item)
            if c in unit and theirs
        ]
        weight = sum(w for w, _ in scored)
        return sum(w * max(best, 0.0) for w, best in scored) / weight if weight else 0.0

    return {
        "cv_mean": _cross(means, lambda a, b: max(0.0, _cosine(a, b)), n_items),
        "cv_centred": _cross(centred, lambda a, b: max(0.0, _cosine(a, b)), n_items),
        "cv_soft": _cross(texts, soft, n_items),
    }


TOPIC_ROWS = {
    "topic_mix": "JioNLP topic mix, cosine",
    "topic_centred": "JioNLP topic mix, centred",
    "words_general_idf": "jieba words, JioNLP's general IDF",
}


def _zip_text(wheel: zipfile.ZipFile, member: str) -> str:
    """The one file inside a zip that sits inside the wheel."""
    import io

    with zipfile.ZipFile(io.BytesIO(wheel.read(member))) as inner:
        return inner.read(inner.namelist()[0]).decode("utf-8")


def topic_signals(wheel_path: Path, cut: list[list[str]], n_items: int) -> dict[str, list[list[float]]]:
    """The TOPIC_ROWS signals, items (cut[:n_items]) against tasks."""
    import json

    with zipfile.ZipFile(wheel_path) as wheel:
        # Despite its name, this file maps each word to its topics.
        topics = json.loads(_zip_text(wheel, "jionlp/dictionary/topic_word_weight.zip"))
        general = {}
        for line in _zip_text(wheel, "jionlp/dictionary/idf.zip").splitlines():
            word, _, value = line.partition("\t")
            if value:
                general[word] = float(value)
    df = Counter(w for words in cut for w in set(words))
    idf = {w: math.log(len(cut) / n) for w, n in df.items()}

    def mix(words: list[str]) -> list[float]:
        total = [0.0] * 100
        for w in words:
            for topic, weight in topics.get(w, {}).items():
                total[int(topic)] += idf[w] * weight
        return total

    mixes = [mix(words) for words in cut]
    centre = [sum(column) / len(mixes) for column in zip(*mixes, strict=True)]
    centred = [[x - c for x, c in zip(m, centre, strict=True)] for m in mixes]
    top = max(general.values())

    def weighted(words: list[str]) -> dict[str, float]:
        counts = Counter(words)
        return {w: (1 + math.log(n)) * general.get(w, top) for w, n in counts.items()}

    bags = [weighted(words) for words in cut]

    def cos(a: dict[str, float], b: dict[str, float]) -> float:
        dot = sum(v * b.get(k, 0.0) for k, v in a.items())
        na, nb = math.sqrt(sum(v * v for v in a.values())), math.sqrt(sum(v * v for v in b.values()))
        return dot / (na * nb) if na and nb else 0.0

    return {
        "topic_mix": _cross(mixes, lambda a, b: max(0.0, _cosine(a, b)), n_items),
        "topic_centred": _cross(centred, lambda a, b: max(0.0, _cosine(a, b)), n_items),
        "words_general_idf": _cross(bags, cos, n_items),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("wheel", type=Path, nargs="?", help="the similarities wheel (read as a zip file)")
    parser.add_argument("--macropodus", type=Path, help="the Macropodus wheel: also its character vectors")
    parser.add_argument("--jionlp", type=Path, help="the JioNLP wheel: also its topic model and general IDF")
    args = parser.parse_args()
    cilin: dict[str, list[str]] = {}
    hownet: dict[str, set[str]] = {}
    if args.wheel:
        with zipfile.ZipFile(args.wheel) as wheel:
            cilin = cilin_codes(wheel.read("similarities/data/cilin.txt").decode("utf-8"))
            hownet = hownet_sememes(wheel.read("similarities/data/hownet.txt").decode("utf-8"))

    quality.django_setup()
    from insights import linkmodel, matching
    from insights.similarity import TfidfModel, cosines_cross, normalise

    items, tasks, key = quality.seeds_documents()
    matcher = matching.Matcher(items, tasks, synonyms=matching.Synonyms.load())
    cut = [*matcher.words[0], *matcher.words[1]]  # the word signal's own cut
    tokens = sum(len(words) for words in cut)
    named = [args.wheel.name] if args.wheel else []
    if args.macropodus:
        named.append(f"--macropodus {args.macropodus.name}")
    if args.jionlp:
        named.append(f"--jionlp {args.jionlp.name}")
    command = " ".join(named)
    lines = [
        f"$ .venv/bin/python bench/insights_lexicons.py {command}",
        f"{dt.datetime.now():%Y-%m-%d %H:%M} meaning resources against fixtures/insights/links_2025.csv (190 items), "
        "10 folds as bench/insights_quality.py"
        + (
            f"; 词林 knows {sum(w in cilin for ws in cut for w in ws) / tokens:.1%} "
            f"and HowNet {sum(w in hownet for ws in cut for w in ws) / tokens:.1%} of the {tokens} word tokens"
            if args.wheel
            else ""
        ),
        "",
        "| features | precision@1 | recall@3 | abstention right on no-link items | linked items abstained on |",
        "|---|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)

    def add(name: str, bags: list[Counter]) -> None:
        _, vectors = TfidfModel.fit_counted(bags)
        matcher.columns[name] = cosines_cross(vectors[: len(items)], vectors[len(items) :])

    rows = [("shipped", linkmodel.PAIR_FEATURES)]
    for level, label in ((7, "the synonym group (level 5)"), (5, "level 4"), (4, "level 3")) if args.wheel else ():
        for markers in ("=", "=#"):
            name = f"cilin_{level}_{len(markers)}"

            def meanings(word: str, level: int = level, markers: str = markers) -> set[str]:
                return {c[:level] for c in cilin.get(word, ()) if c[7] in markers}

            add(name, meaning_bags(cut, meanings, keep_words=False))
            kinds = "synonyms" if markers == "=" else "synonyms and related words"
            rows.append((f"+ 词林 codes to {label} ({kinds})", (*linkmodel.PAIR_FEATURES, name)))
            rows.append(("+ the same and its reciprocal rank", (*linkmodel.PAIR_FEATURES, name, f"{name}_rr")))
    for keep in (False, True) if args.wheel else ():
        name = f"hownet_{int(keep)}"
        add(name, meaning_bags(cut, lambda word: hownet.get(word, ()), keep_words=keep))
        rows.append((f"+ HowNet sememes{' and the words' if keep else ''}", (*linkmodel.PAIR_FEATURES, name)))
        rows.append(("+ the same and its reciprocal rank", (*linkmodel.PAIR_FEATURES, name, f"{name}_rr")))

    if args.macropodus:
        texts = [normalise(d.text) for d in (*items, *tasks)]
        for name, values in char_vector_signals(args.macropodus, texts, len(items)).items():
            matcher.columns[name] = values
            label = CHAR_VECTOR_ROWS[name]
            rows.append((f"+ Macropodus character vectors: {label}", (*linkmodel.PAIR_FEATURES, name)))
            rows.append(("+ the same and its reciprocal rank", (*linkmodel.PAIR_FEATURES, name, f"{name}_rr")))

    if args.jionlp:
        for name, values in topic_signals(args.jionlp, cut, len(items)).items():
            matcher.columns[name] = values
            rows.append((f"+ {TOPIC_ROWS[name]}", (*linkmodel.PAIR_FEATURES, name)))
            rows.append(("+ the same and its reciprocal rank", (*linkmodel.PAIR_FEATURES, name, f"{name}_rr")))
        both = ("topic_mix", "topic_centred", "words_general_idf")
        rows.append(("+ all three", (*linkmodel.PAIR_FEATURES, *both)))

    penalties = quality.fold_penalties(matcher, key, linkmodel.PAIR_FEATURES)
    for label, features in rows:
        config = {"pair_features": features, "abstain_features": linkmodel.ABSTAIN_FEATURES, "synonyms": True}
        predictions, _ = quality.cross_validate(matcher, key, config, penalties=penalties)
        m = quality.score(predictions, key)
        line = (
            f"| {label} | {m['p1']:.1%} ({m['p1_hits']}/{m['items']}) | {m['r3']:.1%} ({m['r3_hits']}/{m['links']}) "
            f"| {m['abstain']:.1%} ({m['abstain_hits']}/{m['no_link']}) | {m['false_abstain']}/{m['linked']} |"
        )
        print(line, flush=True)
        lines.append(line)
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n\n")


if __name__ == "__main__":
    sys.exit(main())
