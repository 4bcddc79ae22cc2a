"""The learned link rule (insights.linkmodel, .priors, .fitting): pure, no database."""

from __future__ import annotations

import csv
import json
import random
import re
from pathlib import Path

import pytest

from insights.fitting import choose_penalty, fit_choice, fit_logistic, solve
from insights.linkmodel import COLD_ABSTAIN_FEATURES, PAIR_FEATURES, RANK_L2_GRID, Linker, Params, fit
from insights.matching import DATA, SIGNALS, TRIED_SIGNALS, Doc, Matcher
from insights.priors import Priors, own_labels
from insights.similarity import hubs_corrected, passages_split, votes_shared
from insights.tried import agreement, headline, ranks_among_shared, tasks_expanded


def test_solve_small_system():
    x = solve([[2.0, 1.0], [1.0, 3.0]], [3.0, 5.0])
    assert x == pytest.approx([0.8, 1.4])


def test_choice_model_learns_the_informative_feature():
    rng = random.Random(1)
    groups, picks = [], []
    for _ in range(60):
        right = rng.randrange(5)
        # Feature 0 marks the right answer (with noise), feature 1 is noise.
        groups.append([[(1.0 if j == right else 0.0) + rng.gauss(0, 0.3), rng.random()] for j in range(5)])
        picks.append([right])
    w = fit_choice(groups, picks)
    assert w[0] > 1.0 and w[0] > 3 * abs(w[1])


def _noisy_choices(seed: int, n: int, noise: float) -> tuple[list, list]:
    rng = random.Random(seed)
    groups, picks = [], []
    for _ in range(n):
        right = rng.randrange(5)
        groups.append([[(0.1 if j == right else 0.0) + rng.gauss(0, noise), rng.random()] for j in range(5)])
        picks.append([right])
    return groups, picks


def test_choice_model_from_a_start_reaches_the_same_weights():
    groups, picks = _noisy_choices(3, 60, 0.05)
    cold = fit_choice(groups, picks, l2=0.1)
    warm = fit_choice(groups, picks, l2=0.1, start=fit_choice(groups, picks, l2=1.0))
    assert warm == pytest.approx(cold, abs=1e-4)


def test_penalty_is_chosen_on_held_out_folds():
    # A small-valued informative feature: the strongest penalty holds its weight down, and the
    # held-out folds prefer a weaker one; with too few groups the strongest is kept.
    groups, picks = _noisy_choices(4, 90, 0.03)
    assert choose_penalty(groups, picks, grid=(100.0, 0.01), folds=3) == 0.01
    assert choose_penalty(groups[:2], picks[:2], grid=(100.0, 0.01), folds=3) == 100.0


def test_fit_records_the_penalty_it_chose():
    items, tasks, labels = _plans()
    matcher = Matcher(items, tasks, signals=("char", "unit"))
    chosen = fit(matcher, labels, pair_features=("char", "unit"), abstain_features=())
    assert chosen.rank_l2 in RANK_L2_GRID
    fixed = fit(matcher, labels, pair_features=("char", "unit"), abstain_features=(), rank_l2=0.5)
    assert fixed.rank_l2 == 0.5


def test_logistic_learns_the_sign_and_keeps_the_intercept():
    rng = random.Random(2)
    rows, targets = [], []
    for _ in range(200):
        x = rng.random()
        rows.append([x, 1.0])
        targets.append(rng.random() < x)  # P(true) grows with x
    w = fit_logistic(rows, targets)
    assert w[0] > 1.0 and w[1] < 0


def _plans():
    tasks = [
        Doc(key="T1", text="推进国资国企改革", number="1", category="改革", units=("区国资委",)),
        Doc(key="T2", text="建设数字贸易港", number="2", category="开放", units=("区经委",)),
        Doc(key="T3", text="垃圾分类与资源回收", number="3", category="生态", units=("区绿化市容局",)),
    ]
    items = [
        Doc(key="I1", text="国企改革深化", category="甲", project="国资", units=("区国资委",), leaders=("张",)),
        Doc(key="I2", text="国资布局优化", category="甲", project="国资", units=("区国资委",), leaders=("张",)),
        Doc(key="I3", text="数字贸易", category="乙", project="贸易", units=("区经委",), leaders=("李",)),
        Doc(key="I4", text="加强纪律建设", category="丙", project="纪律", units=("区纪委",), leaders=("王",)),
        Doc(key="I5", text="正风肃纪", category="丙", project="纪律", units=("区纪委",), leaders=("王",)),
    ]
    labels = {0: [0], 1: [0], 2: [1], 3: [], 4: []}
    return items, tasks, labels


def test_priors_count_categories_projects_and_no_link_rates():
    items, tasks, labels = _plans()
    priors = Priors.learn(items, tasks, labels)
    row = priors.category_row(items[0], tasks)
    assert row[0] > row[1] == row[2]  # 甲's items went to 改革
    assert priors.project_row(items[0], tasks) == pytest.approx([2 / 3, 0.0, 0.0])
    base = 2 / 5
    assert priors.no_link_rate(items[3], "category") > base > priors.no_link_rate(items[0], "unit")
    # Unseen names fall back to the base rate.
    assert priors.no_link_rate(Doc(key="X", text="", category="未见"), "category") == pytest.approx(base)


def test_priors_leave_an_items_own_label_out():
    items, tasks, labels = _plans()
    priors = Priors.learn(items, tasks, labels)
    own = own_labels(tasks, labels[2])
    # I3 is the only labelled item of 乙 and of 贸易: without it nothing is known.
    flat = priors.category_row(items[2], tasks, own)
    assert flat[0] == flat[1] == flat[2]
    assert priors.project_row(items[2], tasks, own) == [0.0, 0.0, 0.0]
    # Left out, a no-link item no longer raises its own category's rate.
    assert priors.no_link_rate(items[3], "category", own_labels(tasks, [])) < priors.no_link_rate(items[3], "category")


def test_tried_unit_signals_weigh_the_lead_and_rare_units():
    tasks = [
        Doc(key="T1", text="甲", units=("区经委", "区科委")),
        Doc(key="T2", text="乙", units=("区科委",)),
        Doc(key="T3", text="丙", units=("区经委",)),
    ]
    items = [Doc(key="I1", text="甲乙", units=("区科委",)), Doc(key="I2", text="丙", units=("区经委",))]
    matcher = Matcher(items, tasks, signals=("lead", "unit_spec"))
    # Only T2 has 区科委 first-listed; 区经委 is first for T1 and T3.
    assert matcher.column("lead") == [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]]
    # Both units lead two of three tasks: log(3/2) / log(3) wherever one is shared.
    spec = matcher.column("unit_spec")
    assert spec[0] == pytest.approx([0.369, 0.369, 0.0], abs=1e-3) and spec[1][1] == 0.0
    # Item 0 lends task 0 its word 童谣: item 1 (only 童谣, nothing of 文明) now meets task 0.
    prf = tasks_expanded([[0.9, 0.0], [0.0, 0.1]], [["文明", "童谣"], ["童谣"]], [["文明"], ["体育"]])
    assert prf[1][0] > 0 and prf[0][0] > 0
    # Text ranks among the tasks sharing a unit (the first and third): the third's text is closer.
    assert ranks_among_shared([1.0, 0.0, 0.5], [0.1, 0.9, 0.3]) == [0.5, 0.0, 1.0]


def test_reciprocal_rank_columns():
    items, tasks, _ = _plans()
    matcher = Matcher(items, tasks, signals=("char",))
    row = matcher.column("char")[0]
    ranks = matcher.column("char_rr")[0]
    best = max(range(3), key=lambda j: (row[j], -j))
    assert ranks[best] == 1.0 and sorted(ranks) == pytest.approx([1 / 3, 1 / 2, 1.0])


def test_hub_correction_subtracts_each_tasks_usual_best():
    # Task 0 scores high with every item (a hub); task 1 only with item 2.
    matrix = [[0.8, 0.1], [0.7, 0.0], [0.75, 0.6]]
    corrected = hubs_corrected(matrix, k=2)
    assert corrected[2][1] == pytest.approx(0.6 - 0.35)
    assert corrected[2][0] == pytest.approx(0.75 - 0.775)
    # Item 2's own strong match now outranks the hub.
    assert corrected[2][1] > corrected[2][0] and matrix[2][1] < matrix[2][0]
    items, tasks, _ = _plans()
    matcher = Matcher(items, tasks, signals=("head", "pool"))
    assert matcher.column("pool_hub") == hubs_corrected(matcher.column("pool"), k=10)
    assert "head_hub" in PAIR_FEATURES and "pool_hub" in PAIR_FEATURES


def test_tried_signals_are_computed_on_request_only():
    # 办好文化活动 is under 8 characters: the last one, it joins the sentence before.
    assert passages_split("强化保障。提升文化服务能级；推进设施建设。办好文化活动。", shortest=8) == [
        "强化保障提升文化服务能级",
        "推进设施建设办好文化活动",
    ]
    assert votes_shared([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]], groups=["a", "a", "b"], top=1) == [
        [1.0, 0.0],
        [1.0, 0.0],
        [0.0, 0.0],
    ]
    items, tasks, _ = _plans()
    assert not set(TRIED_SIGNALS) & set(Matcher(items, tasks).columns)
    matcher = Matcher(items, tasks, signals=(*SIGNALS, *TRIED_SIGNALS))  # some build on the shipped ones
    for name in TRIED_SIGNALS:
        assert len(matcher.column(name)) == len(items) and len(matcher.column(name)[0]) == len(tasks)
    # BM25 on one scale: 数字贸易 is wholly in T2's text.
    assert matcher.column("bm25")[2][1] == max(matcher.column("bm25")[2]) > 0


def test_tried_agreement_counts_tied_ranks_and_never_a_zero():
    rows = [
        [0.3, 0.2, 0.1, 0.0],  # first: task 0; top 3: tasks 0–2
        [1.0, 1.0, 0.0, 0.0],  # a tie: tasks 0 and 1 both first; a zero value never counts
        [0.0, 0.5, 0.4, 0.4],  # tasks 2 and 3 tie for second
    ]
    assert agreement(rows, top=1) == pytest.approx([2 / 3, 2 / 3, 0.0, 0.0])
    assert agreement(rows, top=3) == pytest.approx([2 / 3, 1.0, 2 / 3, 1 / 3])
    assert headline("推进科创中心建设。聚焦南部区域，打造承载区。") == "推进科创中心建设"
    assert headline("没有句号的标题") == "没有句号的标题"


def test_fit_learns_from_labels_and_round_trips(tmp_path):
    items, tasks, labels = _plans()
    matcher = Matcher(items, tasks, signals=("char", "unit"))
    params = fit(
        matcher,
        labels,
        pair_features=("char", "unit", "category", "project"),
        abstain_features=("top", "category_no_link"),
    )
    # Parameters that read priors are never applied without priors passed in explicitly.
    assert params.uses_priors
    with pytest.raises(ValueError):
        Linker(matcher, params)
    priors = Priors.learn(items, tasks, labels)
    linker = Linker(matcher, params, priors)
    assert [linker.rank(i)[0][0] for i in range(3)] == ["T1", "T1", "T2"]
    assert params.abstain["category_no_link"] > 0  # no-link categories push towards abstaining
    assert linker.no_link_probability(3) > linker.no_link_probability(0)
    params.dump(tmp_path / "p.json")
    again = Params.load(tmp_path / "p.json")
    assert again == params.rounded()
    # The file holds weights only: the priors are not in it.
    assert "priors" not in json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    relinked = Linker(matcher, again, priors)
    assert [relinked.rank(i)[0][0] for i in range(5)] == [linker.rank(i)[0][0] for i in range(5)]


def test_cold_start_fit_reads_no_labels_at_serve_time(tmp_path):
    items, tasks, labels = _plans()
    matcher = Matcher(items, tasks, signals=("char", "unit"))
    params = fit(matcher, labels, pair_features=("char", "unit", "char_rr"), abstain_features=("top", "margin"))
    assert not params.uses_priors
    linker = Linker(matcher, params)  # no priors needed
    assert linker.rank(2)[0][0] == "T2"
    params.dump(tmp_path / "p.json")
    data = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    assert set(data) == {"weights", "abstain", "threshold", "synonyms", "rank_l2"}
    assert all(round(v, 4) == v for v in [*data["weights"].values(), *data["abstain"].values()])


def test_pooled_project_and_known_units_signals():
    items, tasks, _ = _plans()
    matcher = Matcher(items, tasks, signals=("pool",))
    pool = matcher.column("pool")
    # I1 and I2 share the project 国资: one pool, so one row.
    assert pool[0] == pool[1] and pool[0][0] > 0
    assert pool[2] != pool[0]
    # 区纪委 leads no five-year task; the others lead one.
    assert matcher.unit_known == [1.0, 1.0, 1.0, 0.0, 0.0]


def test_shipped_params_hold_no_answer_key():
    """link_params.json is fitted on the 2025 answer key, but must not contain it: no priors,
    no item, project or category names, nothing but feature names and numbers."""
    path = DATA / "link_params.json"
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert not data.get("priors")
    assert set(data) <= {"weights", "abstain", "threshold", "synonyms", "rank_l2", "fitted_on"}
    assert set(data["weights"]) <= set(PAIR_FEATURES)
    assert set(data["abstain"]) <= {*COLD_ABSTAIN_FEATURES, "bias"}
    assert all(isinstance(v, float | int) for v in [*data["weights"].values(), *data["abstain"].values()])
    # No Chinese text at all: every name of the 2025 table (items, projects, categories,
    # units, leaders) is Chinese, and so is every reason in the key.
    assert not re.search(r"[\u3400-\u9fff]", text)
    key = Path(__file__).resolve().parent.parent / "fixtures" / "insights" / "links_2025.csv"
    with key.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 190
    assert not any(row["reason"].strip() and row["reason"].strip() in text for row in rows)
    # A Params loaded from the file needs no priors.
    assert not Params.load(path).uses_priors
