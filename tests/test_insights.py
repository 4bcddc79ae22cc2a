"""Plan intelligence: text similarity, target extraction, link suggestions and
decisions, year-over-year comparison, gaps, indicator status, pages."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from insights.similarity import TfidfModel, cosine, normalise, similarity
from insights.targets import AT_LEAST, AT_MOST, extract_targets

KEYS = Path(__file__).resolve().parent.parent / "fixtures" / "insights"

# -- similarity (pure) -------------------------------------------------------


def test_normalise_drops_punctuation_and_width():
    assert normalise("“三区联动”， ＡＢ１") == "三区联动ab1"


def test_similarity_identical_and_unrelated():
    assert similarity("推进国资国企改革", "推进国资国企改革") == pytest.approx(1.0)
    assert similarity("推进国资国企改革", "加强绿化市容管理") < 0.2


def test_common_words_weigh_less_than_topic_words():
    topics = ["交通网络建设", "垃圾分类", "教育改革", "医疗服务", "文化设施", "绿化管养", "国资改革", "人才引进"]
    corpus = [f"持续推进{topic}" for topic in topics] + ["养老床位建设", "社区养老服务"]
    model = TfidfModel(corpus)
    query = model.vector("持续推进社区养老")
    # Shares the rare topic word 养老 rather than the everywhere phrase 持续推进.
    assert cosine(query, model.vector("养老床位建设")) > cosine(query, model.vector("持续推进交通建设"))


# -- target extraction (pure): the issue's five examples exactly -------------


@pytest.mark.parametrize(
    ("text", "name", "value", "unit", "direction", "year"),
    [
        ("到2025年每万人口发明专利拥有量达到92件", "每万人口发明专利拥有量", "92", "件", AT_LEAST, 2025),
        ("全区公共交通站点500米覆盖率达到92%", "公共交通站点500米覆盖率", "92", "%", AT_LEAST, 2025),
        (
            "单位生产总值生产安全事故死亡人数控制在0.016人/亿元以内",
            "单位生产总值生产安全事故死亡人数",
            "0.016",
            "人/亿元",
            AT_MOST,
            2025,
        ),
        ("“十四五”时期新增就业岗位16万个", "新增就业岗位", "16", "万个", AT_LEAST, 2025),
        ("培育20家数字化智能工厂", "培育数字化智能工厂", "20", "家", AT_LEAST, 2025),
    ],
)
def test_issue_examples(text, name, value, unit, direction, year):
    (target,) = extract_targets(text, default_year=2025)
    assert (target.name, target.value, target.unit, target.direction, target.year) == (
        name,
        Decimal(value),
        unit,
        direction,
        year,
    )


def test_extraction_year_lists_and_non_targets():
    found = extract_targets("力争到2026年经济贡献超260亿元。", default_year=2025)
    assert [(t.value, t.unit, t.year) for t in found] == [(Decimal(260), "亿元", 2026)]
    listed = extract_targets("“十四五”时期新增全科医生126人、执业（助理）医师110人。", default_year=2025)
    assert [(t.value, t.unit, t.cumulative) for t in listed] == [(Decimal(126), "人", True), (Decimal(110), "人", True)]
    # Numbers that are not targets: line numbers, a radius, a version.
    text = "加快推进13号线西延伸、23号线建设。充电设施实现1.5公里服务半径全覆盖。"
    assert extract_targets(text, default_year=2025) == []
    assert extract_targets("发布闵行区优化营商环境8.0方案。", default_year=2025) == []
    (cap,) = extract_targets("药品抽检不合格率不超过2%", default_year=2025)
    assert cap.direction == AT_MOST


def test_answer_keys_cover_every_item():
    with (KEYS / "links_2025.csv").open(encoding="utf-8") as handle:
        links = list(csv.DictReader(handle))
    assert [int(r["annual_number"]) for r in links] == list(range(1, 191))
    assert {r["confidence"] for r in links} <= {"high", "medium", "low"}
    assert all(r["reason"] for r in links)
    for name, count in (("targets_fyp.csv", 52), ("targets_2025.csv", 5)):
        with (KEYS / name).open(encoding="utf-8") as handle:
            assert len(list(csv.DictReader(handle))) == count


# -- target extraction: the 2025 table and numbers in words -------------------------


@pytest.mark.parametrize(
    ("text", "name", "value", "unit"),
    [
        ("地区生产总值增长5%左右。", "地区生产总值增长", "5", "%"),
        ("区级一般公共预算收入增长3%。", "区级一般公共预算收入增长", "3", "%"),
        (
            "全社会研发经费支出相当于地区生产总值的比例保持在10%左右。",
            "全社会研发经费支出相当于地区生产总值的比例",
            "10",
            "%",
        ),
        (
            "依托“市区协同”产业发展机制，以打造生物医药、航空航天、先进能源装备及绿色低碳3个千亿级产业集群为目标，做强主导产业。",
            "打造千亿级产业集群",
            "3",
            "个",
        ),
        (
            "完成思政课程、主题教育优质课、精品课资源库建设，组建100位思政名师团，进一步推进德育。",
            "组建思政名师团",
            "100",
            "位",
        ),
        ("到2025年实现主导产业规模翻番。", "主导产业规模", "2", "倍"),
        ("辐射联动周边园区，形成产值规模达到千亿级的创新创业集聚区。", "产值规模", "1000", "亿元"),
    ],
)
def test_named_targets_of_the_2025_table_and_numbers_in_words(text, name, value, unit):
    (target,) = extract_targets(text, default_year=2025)
    assert (target.name, target.value, target.unit, target.direction, target.year) == (
        name,
        Decimal(value),
        unit,
        AT_LEAST,
        2025,
    )


def test_an_explained_formula_lists_its_parts_and_identifiers_are_not_targets():
    text = (
        "到2025年园区基本形成“1+2+10+X”（即1家医技门诊综合服务平台、2家综合医院、10家专科医院、X家特色诊所）形态布局。"
    )
    assert [(t.name, t.value, t.unit) for t in extract_targets(text, default_year=2025)] == [
        ("医技门诊综合服务平台", Decimal(1), "家"),
        ("综合医院", Decimal(2), "家"),
        ("专科医院", Decimal(10), "家"),
    ]
    for text in (
        "加紧轨交 25 号线、轨交 26 号线研究。",
        "推出“闵行大学生就业接力跑2.0版”。",
        "稳步推进公园 24 小时开放。",
        "承办2025年国家网络安全宣传周上海地区活动。",
        "办好第五届“海聚英才”全球创新创业大赛。",
    ):
        assert extract_targets(text, default_year=2025) == [], text


# -- the matcher (pure) ----------------------------------------------------------------


def _docs():
    from insights.matching import Doc

    tasks = [
        Doc(
            key="T1",
            text="推进国资国企改革，优化国资布局",
            heading="深入推进重点领域改革 推进国资国企改革",
            units=("区国资委",),
        ),
        Doc(key="T2", text="加快培育数字贸易，打造全球数字贸易港", heading="服务开放型经济新格局", units=("区经委",)),
        Doc(
            key="T3",
            text="推进垃圾分类，提升资源回收利用水平",
            heading="建设绿色生态的美丽城区",
            units=("区绿化市容局",),
        ),
    ]
    items = [
        Doc(key="I1", text="创新和规范国有资本投资、运营方式", heading="着力深化国资国企改革", units=("区国资委",)),
        Doc(key="I2", text="提升全球数字贸易港能级", heading="稳步扩大制度型开放", units=("区商务委",)),
        Doc(
            key="I3",
            text="持续深化细化四责协同机制建设，加大监督执纪力度",
            heading="持之以恒正风肃纪反腐",
            units=("区纪委监委机关",),
        ),
    ]
    return items, tasks


def test_matcher_ranks_and_abstains_on_a_weak_best_score():
    from insights.linkmodel import Linker, Params
    from insights.matching import Matcher, Synonyms

    items, tasks = _docs()
    matcher = Matcher(items, tasks, synonyms=Synonyms.load())
    weights = {"char": 1.0, "word": 1.0, "head": 1.0, "unit": 1.0}
    ranking = Linker(matcher, Params(weights=weights))
    assert ranking.rank(0)[0][0] == "T1"
    assert ranking.rank(1)[0][0] == "T2"
    tops = [max(ranking.scores(i)) for i in range(3)]
    assert tops[2] < min(tops[:2])  # the discipline item matches nothing well
    # P(no link) falls as the best score rises; cut between the weak item and the others.
    cut = (tops[2] + min(tops[:2])) / 2
    params = Params(weights=weights, abstain={"top": -50.0, "bias": 50.0 * cut}, threshold=0.5)
    linker = Linker(matcher, params)
    assert linker.suggest(0)[0][0] == "T1"
    assert linker.suggest(1)[0][0] == "T2"
    assert linker.suggest(2) == []  # nothing close enough: abstain
    assert all(0.0 <= p <= 1.0 for _, p in linker.rank(0)) and sum(p for _, p in linker.rank(0, top=3)) <= 1.0


def test_unit_synonyms_count_a_renamed_unit_as_the_same():
    from insights.matching import Matcher, Synonyms

    items, tasks = _docs()
    plain = Matcher(items, tasks, signals=("unit",))
    renamed = Matcher(items, tasks, synonyms=Synonyms.load(), signals=("unit",))
    # 区商务委 took over 区经委's trade work: the synonym list says so, as data.
    assert plain.columns["unit"][1][1] == 0.0
    assert renamed.columns["unit"][1][1] == 1.0


def test_shipped_parameters_and_synonyms_load():
    from insights.linkmodel import ABSTAIN_FEATURES, PAIR_FEATURES, Params
    from insights.matching import Synonyms

    params = Params.load()
    assert params.weights and set(params.weights) <= set(PAIR_FEATURES)
    assert set(params.abstain) <= {*ABSTAIN_FEATURES, "bias"} and 0 < params.threshold < 1
    # What ships is the cold-start rule: nothing learned from labels of the plan being suggested.
    assert not params.uses_priors
    synonyms = Synonyms.load()
    assert synonyms.rewrite("推进制造业“智改数转”") == "推进制造业“数字化智能化转型”"
