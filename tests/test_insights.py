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
