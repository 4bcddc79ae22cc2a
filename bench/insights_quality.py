"""Plan intelligence measured against the complete answer keys in fixtures/insights/
(see its README for how they were made), on a fresh SQLite database with both
seed documents imported through the real pipeline.

Links (2025 items → 14th Five-Year Plan tasks), all 190 items, cross-validated:
the items are split into 10 folds (stratified by link / no link, seeded); for each
fold the model (insights.linkmodel.fit: ranking weights and their ridge penalty, the
penalty chosen by cross-validation within the nine training folds; abstention weights and
threshold) is fitted on the other nine folds only, then the held-out fold is scored.
Two scenarios, reported apart:
  A. cold start (what ships): features read the two documents only, as for a new
     annual plan nobody has annotated; the ablation table is for these features;
  B. after the office has decided the other items: the priors of insights.priors
     learned from the training folds' labels as well. Not the product.
Measures:
  precision@1   share of the 190 items whose first answer is right: a task in the key
                for a linked item, an abstention for a no-link item (a suggestion on a
                no-link item is wrong; an abstention on a linked item is wrong);
  recall@3      share of the key's links found among their item's three suggestions
                (an abstention finds none);
  abstention    share of the no-link items on which the method abstains.
95% intervals: Wilson for precision@1 and abstention, bootstrap over items (2,000
resamples) for recall@3 (links of one item are not independent).
Then the shipped parameters (insights/data/link_params.json: the cold-start model
fitted on all 190 items after the cross-validation, written with --write-params;
weights and threshold only, no labels), the product's own refresh end to end with
its timing, and target extraction on both tables against their keys.

    .venv/bin/python bench/insights_quality.py [--write-params]

Output: appended to bench/results/insights_quality.txt (each run starts with its command line).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import os
import random
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
KEYS = ROOT / "fixtures" / "insights"
RESULTS = ROOT / "bench" / "results" / "insights_quality.txt"
FOLDS = 10
SEED = 2025


# -- keys -------------------------------------------------------------------------


def load_link_key() -> dict[str, list[str]]:
    """annual number → five-year numbers (best first); [] = no link."""
    with (KEYS / "links_2025.csv").open(encoding="utf-8") as handle:
        return {
            row["annual_number"]: [x for x in row["five_year_numbers"].split(";") if x]
            for row in csv.DictReader(handle)
        }


def load_targets(name: str) -> list[dict]:
    with (KEYS / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# -- statistics ---------------------------------------------------------------------


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if not n:
        return (0.0, 0.0)
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def bootstrap_recall(per_item: list[tuple[int, int]], reps: int = 2000, seed: int = SEED) -> tuple[float, float]:
    """per_item: (links found, links in key) for each linked item."""
    rng = random.Random(seed)
    values = []
    for _ in range(reps):
        sample = [per_item[rng.randrange(len(per_item))] for _ in per_item]
        total = sum(n for _, n in sample)
        values.append(sum(f for f, _ in sample) / total if total else 0.0)
    values.sort()
    return values[int(0.025 * reps)], values[int(0.975 * reps) - 1]


# -- scoring ------------------------------------------------------------------------


def score(predictions: dict[str, list[str]], key: dict[str, list[str]]) -> dict:
    """predictions: annual number → suggested five-year numbers, best first; [] = abstained."""
    right = 0
    found_per_item = []
    no_link = abstained_right = linked = abstained_wrong = shown = shown_right = 0
    for item, gold in key.items():
        pred = predictions.get(item, [])
        if gold:
            linked += 1
            right += bool(pred) and pred[0] in gold
            found_per_item.append((len(set(gold) & set(pred[:3])), len(gold)))
            abstained_wrong += not pred
        else:
            no_link += 1
            right += not pred
            abstained_right += not pred
        if pred:
            shown += 1
            shown_right += bool(gold) and pred[0] in gold
    found = sum(f for f, _ in found_per_item)
    links = sum(n for _, n in found_per_item)
    return {
        "items": len(key),
        "p1_hits": right,
        "p1": right / len(key),
        "p1_ci": wilson(right, len(key)),
        "r3_hits": found,
        "links": links,
        "r3": found / links,
        "r3_ci": bootstrap_recall(found_per_item),
        "no_link": no_link,
        "abstain_hits": abstained_right,
        "abstain": abstained_right / no_link if no_link else 0.0,
        "abstain_ci": wilson(abstained_right, no_link),
        "linked": linked,
        "false_abstain": abstained_wrong,
        "shown": shown,
        "shown_right": shown_right,
    }


def fmt(m: dict) -> str:
    return (
        f"precision@1 {m['p1']:.1%} [{m['p1_ci'][0]:.1%}–{m['p1_ci'][1]:.1%}] ({m['p1_hits']}/{m['items']}); "
        f"recall@3 {m['r3']:.1%} [{m['r3_ci'][0]:.1%}–{m['r3_ci'][1]:.1%}] ({m['r3_hits']}/{m['links']}); "
        f"abstention on no-link items {m['abstain']:.1%} [{m['abstain_ci'][0]:.1%}–{m['abstain_ci'][1]:.1%}] "
        f"({m['abstain_hits']}/{m['no_link']}); abstained on {m['false_abstain']}/{m['linked']} linked items"
    )


# -- cross-validation ---------------------------------------------------------------


def folds(numbers: list[str], key: dict[str, list[str]], seed: int) -> list[list[int]]:
    rng = random.Random(seed)
    linked = [i for i, n in enumerate(numbers) if key[n]]
    unlinked = [i for i, n in enumerate(numbers) if not key[n]]
    rng.shuffle(linked)
    rng.shuffle(unlinked)
    out: list[list[int]] = [[] for _ in range(FOLDS)]
    for position, i in enumerate(linked + unlinked):
        out[position % FOLDS].append(i)
    return out


def cross_validate(
    matcher, key: dict[str, list[str]], config: dict, seed: int = SEED, penalties: list[float] | None = None
) -> tuple[dict[str, list[str]], list]:
    """Held-out suggestions for every item: each fold's model fitted on the other folds only.
    `penalties`: the ranking's ridge penalty per fold (fold_penalties), unless `config` fixes one."""
    from insights import linkmodel
    from insights.priors import Priors

    numbers = [d.number for d in matcher.items]
    labels = item_labels(matcher, key)
    task_number = {d.key: d.number for d in matcher.tasks}
    predictions: dict[str, list[str]] = {}
    fitted = []
    split = folds(numbers, key, seed)
    for f, held_out in enumerate(split):
        train = {i: labels[i] for fold in split if fold is not held_out for i in fold}
        penalty = {"rank_l2": penalties[f]} if penalties is not None and "rank_l2" not in config else {}
        params = linkmodel.fit(matcher, train, **config, **penalty)
        fitted.append(params)
        priors = Priors.learn(matcher.items, matcher.tasks, train) if params.uses_priors else None
        linker = linkmodel.Linker(matcher, params, priors)
        for i in held_out:
            predictions[numbers[i]] = [task_number[k] for k, _ in linker.suggest(i)]
    return predictions, fitted


def item_labels(matcher, key: dict[str, list[str]]) -> dict[int, list[int]]:
    """item index → the key's task indexes ([] = no link)."""
    index_of = {d.number: j for j, d in enumerate(matcher.tasks)}
    return {i: [index_of[n] for n in key[d.number]] for i, d in enumerate(matcher.items)}


def fold_penalties(matcher, key: dict[str, list[str]], features: tuple[str, ...], seed: int = SEED) -> list[float]:
    """Per fold, the ranking's ridge penalty linkmodel.fit chooses on the training folds alone
    (cross-validation within them) for the shipped features. Every row of a table reuses its
    fold's penalty: choosing it again for each row would take a minute a row."""
    from insights import linkmodel

    labels = item_labels(matcher, key)
    split = folds([d.number for d in matcher.items], key, seed)
    chosen = []
    for held_out in split:
        train = {i: labels[i] for fold in split if fold is not held_out for i in fold}
        rows = {i: linkmodel.pair_rows(matcher, None, i, features=features) for i in train}
        chosen.append(linkmodel.choose_rank_l2(rows, train))
    return chosen


# -- the documents ------------------------------------------------------------------


def django_setup() -> None:
    """Django on a fresh SQLite database in a temporary directory (nothing else is touched)."""
    workdir = tempfile.mkdtemp(prefix="bench-insights-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minhang_plans.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


def seeds_documents() -> tuple[list, list, dict[str, list[str]]]:
    """Both seeds imported through the real pipeline into the migrated database; the matcher's
    documents of the 2025 items and the five-year tasks, and the link key (checked to cover every item)."""
    from django.core.management import call_command

    from imports.pipeline import plan_import
    from insights import selectors
    from tasks.models import Plan, PlanKind

    call_command("migrate", verbosity=0)
    for name in ("000_a62ce10d14304788.txt", "004_81e3937e704ee9fc.txt"):
        path = ROOT / "fixtures" / name
        plan_import(data=path.read_bytes(), file_name=path.name)
    items = selectors.match_documents(plan=Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2025))
    tasks = selectors.match_documents(plan=Plan.objects.get(kind=PlanKind.FIVE_YEAR, year_start=2021))
    key = load_link_key()
    assert sorted(key, key=int) == sorted((d.number for d in items), key=int), "the key must cover every item"
    return items, tasks, key


# -- extraction ---------------------------------------------------------------------


def extraction_quality(found: list[tuple[str, Decimal, str, str, int]], gold: list[dict], number_field: str) -> dict:
    """found: (task number, value, unit, direction, year); matched as multisets on (task, value, unit)."""
    want = Counter((row[number_field], Decimal(row["value"]).normalize(), row["unit"]) for row in gold)
    got = Counter((number, value.normalize(), unit) for number, value, unit, _, _ in found)
    matched = sum((want & got).values())
    attributes = {(row[number_field], Decimal(row["value"]).normalize(), row["unit"]): row for row in gold}
    same = sum(
        1
        for number, value, unit, direction, year in found
        if (row := attributes.get((number, value.normalize(), unit)))
        and row["direction"] == direction
        and int(row["year"]) == year
    )
    return {
        "gold": sum(want.values()),
        "extracted": sum(got.values()),
        "matched": matched,
        "precision": matched / max(sum(got.values()), 1),
        "recall": matched / max(sum(want.values()), 1),
        "attributes_right": same,
        "missed": sorted((want - got).elements()),
        "extra": sorted((got - want).elements()),
    }


def city_timing(call_command) -> None:
    """Suggestions for every annual plan of the synthetic city (16 districts × 5 years)."""
    from insights import segmenter, services
    from insights.models import LinkAbstention, TaskLink
    from tasks.models import Plan, PlanKind

    started = time.perf_counter()
    call_command("generate_city_data", "--scale", "1.0", verbosity=0)
    generated = time.perf_counter() - started
    plans = list(Plan.objects.filter(kind=PlanKind.ANNUAL).order_by("district", "year_start"))
    segmenter._tokenizer()  # loaded once per process; timed separately below
    started = time.perf_counter()
    slowest = 0.0
    for plan in plans:
        one = time.perf_counter()
        services.link_suggestions_refresh(annual_plan=plan)
        slowest = max(slowest, time.perf_counter() - one)
    total = time.perf_counter() - started
    line = (
        f"$ .venv/bin/python bench/insights_quality.py --city\n"
        f"{dt.datetime.now():%Y-%m-%d %H:%M} city scale (generate_city_data --scale 1.0, SQLite, generated in "
        f"{generated:.0f} s): suggestions for all {len(plans)} annual plans in {total:.1f} s "
        f"(slowest plan {slowest:.2f} s); {TaskLink.objects.count()} suggestions, "
        f"{LinkAbstention.objects.count()} abstentions"
    )
    print(line)
    (RESULTS.parent / "insights_city.txt").write_text(line + "\n", encoding="utf-8")


# -- main ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write-params", action="store_true", help="write the parameters tuned on all items")
    parser.add_argument(
        "--city", action="store_true", help="only time the refresh of every annual plan of generate_city_data"
    )
    args = parser.parse_args()
    django_setup()
    from django.core.management import call_command

    from insights import linkmodel, matching, segmenter, services
    from insights.models import Indicator, TaskLink
    from tasks.models import Plan, PlanKind, Task

    if args.city:
        call_command("migrate", verbosity=0)
        city_timing(call_command)
        return
    items, tasks, key = seeds_documents()
    five_year = Plan.objects.get(kind=PlanKind.FIVE_YEAR, year_start=2021)
    annual = Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2025)
    number_of = dict(Task.objects.values_list("pk", "number"))
    numbers = [d.number for d in items]
    task_numbers = [d.number for d in tasks]

    lines = [
        "$ .venv/bin/python bench/insights_quality.py" + (" --write-params" if args.write_params else ""),
        f"{dt.datetime.now():%Y-%m-%d %H:%M} plan intelligence against fixtures/insights/ "
        f"(SQLite, seeds via the import pipeline); {len(key)} items, {sum(1 for g in key.values() if g)} linked "
        f"({sum(len(g) for g in key.values())} links), {sum(1 for g in key.values() if not g)} no link",
        "",
    ]

    def emit(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    for text in lines[:]:
        print(text)

    # The earlier method: character n-grams only, a fixed floor of 0.05, never abstaining in practice.
    plain = matching.Matcher(items, tasks, signals=("char",))
    before = {}
    for i in range(len(items)):
        row = plain.columns["char"][i]
        order = sorted(range(len(row)), key=lambda j: (-row[j], j))[:3]
        before[numbers[i]] = [task_numbers[j] for j in order if row[j] >= 0.05]
    emit("Before (character n-grams only, no abstention), all 190 items, nothing tuned:")
    emit("  " + fmt(score(before, key)))
    emit()

    started = time.perf_counter()
    with_syn = matching.Matcher(items, tasks, synonyms=matching.Synonyms.load())
    no_syn = matching.Matcher(items, tasks)
    # The same with the signals tried and left out of the product (insights.matching.TRIED_SIGNALS).
    tried = matching.Matcher(
        items, tasks, synonyms=matching.Synonyms.load(), signals=(*matching.SIGNALS, *matching.TRIED_SIGNALS)
    )
    emit(f"(signals for 3 × {len(items)} × {len(tasks)} pairs computed in {time.perf_counter() - started:.1f} s)")
    four = ("char", "word", "head", "unit")
    ranks = tuple(f"{s}_rr" for s in four)
    shipped_pair, shipped_abstain = linkmodel.PAIR_FEATURES, linkmodel.ABSTAIN_FEATURES
    priors_pair, priors_abstain = linkmodel.PRIOR_PAIR_FEATURES, linkmodel.PRIOR_ABSTAIN_FEATURES

    def without(features: tuple[str, ...], *drop: str) -> tuple[str, ...]:
        return tuple(f for f in features if f not in drop)

    hubs = ("head_hub", "pool_hub")
    fixed = {"rank_l2": 1.0}
    started = time.perf_counter()
    penalties = fold_penalties(with_syn, key, shipped_pair)
    emit(
        f"(ranking ridge penalty per fold, chosen by {linkmodel.INNER_FOLDS}-fold cross-validation within the "
        f"training folds among {'/'.join(map(str, linkmodel.RANK_L2_GRID))} for the shipped features, every row "
        f"reusing its fold's: {', '.join(map(str, penalties))}; {time.perf_counter() - started:.0f} s)"
    )
    shipped_label = "  + hub correction of headings and pool (shipped)"
    cold = [
        ("char n-grams", no_syn, ("char",), shipped_abstain),
        ("words (jieba)", no_syn, ("word",), shipped_abstain),
        ("char + words", no_syn, ("char", "word"), shipped_abstain),
        ("char + words + headings", no_syn, ("char", "word", "head"), shipped_abstain),
        ("char + words + headings + units", no_syn, four, shipped_abstain),
        ("  + synonyms", with_syn, four, shipped_abstain),
        ("  + reciprocal ranks", with_syn, four + ranks, shipped_abstain),
        ("  + pooled project words", with_syn, without(shipped_pair, *hubs), shipped_abstain),
        (shipped_label, with_syn, shipped_pair, shipped_abstain),
        ("  without char n-grams", with_syn, without(shipped_pair, "char", "char_rr"), shipped_abstain),
        ("  without words", with_syn, without(shipped_pair, "word", "word_rr"), shipped_abstain),
        ("  without headings", with_syn, without(shipped_pair, "head", "head_rr"), shipped_abstain),
        ("  without units", with_syn, without(shipped_pair, "unit", "unit_rr"), shipped_abstain),
        ("  without reciprocal ranks", with_syn, without(shipped_pair, *ranks), shipped_abstain),
        ("  without synonyms", no_syn, shipped_pair, shipped_abstain),
        ("  with the pool's reciprocal rank", with_syn, (*shipped_pair, "pool_rr"), shipped_abstain),
        (
            "  with hub correction of every signal",
            with_syn,
            (*shipped_pair, "char_hub", "word_hub", "unit_hub"),
            shipped_abstain,
        ),
        ("  with the task's best sentence (char n-grams)", tried, (*shipped_pair, "passage"), shipped_abstain),
        ("  with BM25 over words", tried, (*shipped_pair, "bm25"), shipped_abstain),
        ("  with project mates' votes (top 3)", tried, (*shipped_pair, "votes"), shipped_abstain),
        ("  with the task's first-listed lead unit", tried, (*shipped_pair, "lead"), shipped_abstain),
        ("  with the shared lead unit's specificity", tried, (*shipped_pair, "unit_spec"), shipped_abstain),
        ("  with category against category (pooled words)", tried, (*shipped_pair, "category_pool"), shipped_abstain),
        ("  with the item's headings against the task's text", tried, (*shipped_pair, "head_text"), shipped_abstain),
        ("  with unit × text (char, word, pool)", tried, (*shipped_pair, "unit_text"), shipped_abstain),
        ("  with text ranks among the unit's tasks", tried, (*shipped_pair, "unit_ranks"), shipped_abstain),
        ("  with the tasks expanded by their best items' words", tried, (*shipped_pair, "task_prf"), shipped_abstain),
        (
            "  with rank agreement (share of the five signals ranking the task first, in their top 3)",
            tried,
            (*shipped_pair, "agree_top1", "agree_top3"),
            shipped_abstain,
        ),
        ("  with the item against the task's headline", tried, (*shipped_pair, "headline"), shipped_abstain),
        ("  ranking penalty fixed at 1.0 (the rule shipped before)", with_syn, shipped_pair, shipped_abstain, fixed),
        ("  abstention from the best score only", with_syn, shipped_pair, without(shipped_abstain, "margin")),
        ("  abstention + share of lead units known", with_syn, shipped_pair, (*shipped_abstain, "units_known")),
        (
            "  abstention + best probability, strong candidates",
            with_syn,
            shipped_pair,
            (*shipped_abstain, "top_p", "strong"),
        ),
        ("  abstention + every label-free feature", with_syn, shipped_pair, linkmodel.COLD_ABSTAIN_FEATURES),
    ]
    decided = [
        ("shipped + category and project priors", with_syn, (*shipped_pair, *priors_pair), shipped_abstain),
        (
            "  + no-link rates (category, project, units, leaders)",
            with_syn,
            (*shipped_pair, *priors_pair),
            (*shipped_abstain, *priors_abstain),
        ),
    ]
    header = (
        "| features | precision@1 [95% CI] | recall@3 [95% CI] | abstention right on no-link items "
        "| linked items abstained on |"
    )
    results = {}

    def table(configs: list) -> None:
        emit(header)
        emit("|---|---|---|---|---|")
        for label, matcher, pair, abstain, *extra in configs:
            config = {"pair_features": pair, "abstain_features": abstain, "synonyms": matcher is not no_syn}
            predictions, fitted = cross_validate(
                matcher, key, config | (extra[0] if extra else {}), penalties=penalties
            )
            m = score(predictions, key)
            results[label] = (m, fitted)
            emit(
                f"| {label.strip()}{' (no synonyms)' if matcher is no_syn and 'synonyms' not in label else ''} "
                f"| {m['p1']:.1%} [{m['p1_ci'][0]:.1%}–{m['p1_ci'][1]:.1%}] "
                f"| {m['r3']:.1%} [{m['r3_ci'][0]:.1%}–{m['r3_ci'][1]:.1%}] "
                f"| {m['abstain']:.1%} ({m['abstain_hits']}/{m['no_link']}) | {m['false_abstain']}/{m['linked']} |"
            )
        emit()

    emit(
        f"A. COLD START, what ships: a new annual plan nobody has annotated. Cross-validated ({FOLDS} folds, "
        f"stratified, seed {SEED}); ranking weights and penalty, abstention model and threshold fitted on the training "
        "folds only; features read the two documents only, no label of any item:"
    )
    emit()
    table(cold)
    m, fitted = results[shipped_label]
    shipped_config = {"pair_features": shipped_pair, "abstain_features": shipped_abstain, "synonyms": True}
    emit("SHIPPED (cold start), held out: " + fmt(m))
    emit(
        "  per-fold ranking weights ("
        + "/".join(shipped_pair)
        + "): "
        + "; ".join("/".join(f"{p.weights[f]:.2f}" for f in shipped_pair) for p in fitted)
    )
    emit("  per-fold abstention thresholds (P(no link)): " + ", ".join(f"{p.threshold:.2f}" for p in fitted))
    emit("  per-fold ranking ridge penalties: " + ", ".join(f"{p.rank_l2:g}" for p in fitted))
    spread = []
    for seed in range(SEED, SEED + 5):
        chosen = penalties if seed == SEED else fold_penalties(with_syn, key, shipped_pair, seed)
        predictions, _ = cross_validate(with_syn, key, shipped_config, seed=seed, penalties=chosen)
        s = score(predictions, key)
        spread.append((s["p1"], s["r3"], s["abstain"]))
    emit(
        "  over 5 different fold splits: precision@1 "
        + f"{min(p for p, _, _ in spread):.1%}–{max(p for p, _, _ in spread):.1%}, recall@3 "
        + f"{min(r for _, r, _ in spread):.1%}–{max(r for _, r, _ in spread):.1%}, abstention "
        + f"{min(a for _, _, a in spread):.1%}–{max(a for _, _, a in spread):.1%}"
    )
    emit()
    emit(
        "B. A DIFFERENT SCENARIO, not the product: after the office has decided the other items of the same "
        "plan. Priors (insights.priors) learned from the training folds' labels, i.e. 90% of this plan's items "
        "already annotated; the held-out fold is scored. The product does not do this (it ships no priors "
        "and learns none from decisions):"
    )
    emit()
    table(decided)

    index_of = {d.number: j for j, d in enumerate(tasks)}
    everything = {i: [index_of[n] for n in key[number]] for i, number in enumerate(numbers)}
    params = linkmodel.fit(with_syn, everything, **shipped_config)
    if args.write_params:
        params.dump(
            matching.DATA / "link_params.json",
            fitted_on="fixtures/insights/links_2025.csv, all 190 items, cold-start features only "
            "(bench/insights_quality.py --write-params)",
        )
        emit(
            f"Wrote insights/data/link_params.json (fitted on all 190 items after the cross-validation): weights "
            f"{ {k: round(v, 2) for k, v in params.weights.items()} }, "
            f"abstention { {k: round(v, 2) for k, v in params.abstain.items()} }, threshold {params.threshold}, "
            f"ranking penalty {params.rank_l2:g} (chosen by cross-validation within the 190 items)"
        )
    shipped = linkmodel.Params.load()
    assert not shipped.uses_priors, "the shipped parameters must be cold-start"
    emit(
        f"Shipped parameters (insights/data/link_params.json): weights "
        f"{ {k: round(v, 2) for k, v in shipped.weights.items()} }, threshold {shipped.threshold}"
    )

    # The product's own refresh, end to end (database reads and writes included).
    # A process's first use, as far as one process can show it (the tokenizer dropped; jieba's import,
    # 0.14-0.16 s, is not repeated): first with no word table kept (built, then written), then with
    # the table found (insights.segmenter); then warm.
    from django.test import override_settings

    with tempfile.TemporaryDirectory() as empty, override_settings(WORDS_CACHE_DIR=empty):
        segmenter._tokenizer.cache_clear()
        started = time.perf_counter()
        services.link_suggestions_refresh(annual_plan=annual)
        built = time.perf_counter() - started
        segmenter._tokenizer.cache_clear()
        started = time.perf_counter()
        services.link_suggestions_refresh(annual_plan=annual)
        cold = time.perf_counter() - started
    started = time.perf_counter()
    services.link_suggestions_refresh(annual_plan=annual)
    warm = time.perf_counter() - started
    suggested: dict[str, list[str]] = {n: [] for n in numbers}
    for link in TaskLink.objects.filter(annual_task__plan=annual).order_by("annual_task__position", "rank"):
        suggested[number_of[link.annual_task_id]].append(number_of[link.five_year_task_id])
    emit(
        f"Refresh of the 2025 plan against the five-year plan (services.link_suggestions_refresh): "
        f"{cold:.2f} s at a process's first use (the tokenizer dropped, jieba already imported; its word table "
        f"read from WORDS_CACHE_DIR; {built:.2f} s where none was kept yet: built from jieba's dictionary, then "
        f"written), {warm:.2f} s after"
    )
    emit(
        "  in-sample (the shipped weights were fitted on these same items, no label is read at serve time; "
        "the held-out figures under A are the honest ones): " + fmt(score(suggested, key))
    )
    emit()

    emit("Quantitative targets (found = same task, value and unit as the key):")
    for plan, key_file, field in (
        (five_year, "targets_fyp.csv", "five_year_number"),
        (annual, "targets_2025.csv", "annual_number"),
    ):
        services.indicators_extract(plan=plan)
        found = [
            (number_of[i.task_id], i.target_value, i.unit, i.direction, i.target_year)
            for i in Indicator.objects.filter(task__plan=plan)
        ]
        q = extraction_quality(found, load_targets(key_file), field)
        emit(
            f"  {plan.title}: precision {q['precision']:.1%} ({q['matched']}/{q['extracted']} extracted), "
            f"recall {q['recall']:.1%} ({q['matched']}/{q['gold']} in the key); "
            f"direction and year right for {q['attributes_right']}/{q['matched']} found"
        )
        if q["missed"]:
            emit(f"    missed: {q['missed']}")
        if q["extra"]:
            emit(f"    not in the key: {q['extra']}")
    emit("  (in-sample: the extraction rules were written while reading both tables)")

    RESULTS.parent.mkdir(exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as handle:  # appended: earlier runs stay as history
        handle.write("\n".join(lines) + "\n\n")


if __name__ == "__main__":
    main()
