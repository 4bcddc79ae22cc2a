"""imports/prose/ alone: numbered paragraphs and their unit clauses into rows."""

import pytest

from imports.prose import HEADER, _clause, _split_items, _trailing_bracket, prose_table


@pytest.mark.parametrize(
    ("clause", "lead", "support"),
    [
        ("牵头单位：区政务服务办；配合单位：区发改委、区市场监管局", "区政务服务办", "区发改委、区市场监管局"),
        ("牵头单位:区卫健局;责任单位:各街办(新区)", "区卫健局", "各街办(新区)"),
        ("责任单位：市科技局", "市科技局", ""),
        ("区经委牵头，区科委按职责分工负责", "区经委", "区科委"),
        ("区环保局牵头,区水务局、区级相关部门配合", "区环保局", "区水务局、区级相关部门"),
        ("涉及水土保持项目", "", ""),
        ("区发改委、区财政局", "区发改委、区财政局", ""),
        ("不含6亩", "", ""),
    ],
)
def test_unit_clauses(clause, lead, support):
    found = _clause(clause)
    assert (found.lead, found.support) == (lead, support)


def test_a_trailing_bracket_may_hold_brackets():
    body = "巩固疫情防控成果。[牵头单位:区卫健局;责任单位:各街办(新区)]。"
    start, inner = _trailing_bracket(body)
    assert (body[:start], inner) == ("巩固疫情防控成果。", "牵头单位:区卫健局;责任单位:各街办(新区)")
    assert _trailing_bracket("只需提交水保批复(涉及水土保持项目)、选址意见。") is None


def test_items_run_together_after_a_preamble():
    leading, items = _split_items(
        "现提出以下意见。1.给予资助。责任单位：市科技局。2.增加指标。责任单位：市发改委、市财政局。"
    )
    assert leading == "现提出以下意见。"
    assert [(i.number, i.text, i.clause.lead) for i in items] == [
        ("1", "给予资助。", "市科技局"),
        ("2", "增加指标。", "市发改委、市财政局"),
    ]


def test_headings_items_and_unit_lines_become_rows():
    table, heading, _ = prose_table(
        [
            "通知",
            "一、经济发展",
            "(一)地区生产总值增长7%以上",
            "责任单位:区发展和改革局",
            "(二)投资增长10%以上",
            "责任单位:区发改局",
        ],
        wrapped="word",
    )
    assert heading == ["通知"]
    assert [[c.text for c in row] for row in table.rows] == [
        HEADER,
        ["一、经济发展", "", "", ""],
        ["1", "地区生产总值增长7%以上", "区发展和改革局", ""],
        ["2", "投资增长10%以上", "区发改局", ""],
    ]


def test_fewer_than_two_items_is_not_a_notice():
    assert prose_table(["一段说明文字。", "1.只有一条。"], wrapped="word") is None


def test_a_short_item_with_its_unit_clause_is_an_item_not_a_heading():
    table, _, _ = prose_table(
        ["一、城市建设", "1.推进老旧小区改造（牵头单位：区房管局）", "2.建设口袋公园（区绿化市容局牵头）"],
        wrapped="word",
    )
    assert [[c.text for c in row] for row in table.rows[2:]] == [
        ["1", "推进老旧小区改造", "区房管局", ""],
        ["2", "建设口袋公园", "区绿化市容局", ""],
    ]


@pytest.mark.parametrize(
    ("clause", "fields"),
    [
        (
            "牵头领导：张伟；牵头单位：区发改委；配合单位：区统计局",
            ("张伟", "区发改委", "区统计局", ""),
        ),
        ("牵头单位：区发改委；完成时限：2023年12月底", ("", "区发改委", "", "2023年12月底")),
        ("【牵头单位】区发改委【配合单位】区统计局", ("", "区发改委", "区统计局", "")),
        ("责任单位：区发改委，配合单位：区统计局", ("", "区发改委", "区统计局", "")),
        ("区发改委（牵头）、区统计局、区财政局", ("", "区发改委", "区统计局、区财政局", "")),
    ],
)
def test_clauses_name_leaders_deadlines_and_marked_leads(clause, fields):
    found = _clause(clause)
    assert (found.leader, found.lead, found.support, found.deadline) == fields


def test_leader_and_deadline_columns_appear_only_when_a_clause_names_them():
    table, _, _ = prose_table(
        [
            "一、稳增长",
            "（一）全年地区生产总值增长6%左右。",
            "责任领导：张伟",
            "牵头单位：区发改委",
            "完成时限：2023年12月底",
            "（二）固定资产投资增长10%。（牵头领导：李明；牵头单位：区住建局）",
        ],
        wrapped="word",
    )
    assert [[c.text for c in row] for row in table.rows] == [
        ["序号", "任务", "牵头领导", "牵头单位", "配合单位", "完成时限"],
        ["一、稳增长", "", "", "", "", ""],
        ["1", "全年地区生产总值增长6%左右。", "张伟", "区发改委", "", "2023年12月底"],
        ["2", "固定资产投资增长10%。", "李明", "区住建局", "", ""],
    ]


def test_boxed_labels_on_their_own_lines():
    table, _, _ = prose_table(
        ["1.全年地区生产总值增长6%左右。", "【牵头单位】区发改委", "【配合单位】区统计局", "2.固定资产投资增长10%。"],
        wrapped="text",
    )
    assert [[c.text for c in row] for row in table.rows[1:]] == [
        ["1", "全年地区生产总值增长6%左右。", "区发改委", "区统计局"],
        ["2", "固定资产投资增长10%。", "", ""],
    ]


def test_the_notices_own_numbered_points_before_its_date_are_not_tasks():
    table, heading, _ = prose_table(
        [
            "某某区人民政府办公室关于印发2024年重点工作任务分解方案的通知",
            "现将方案印发给你们，并就有关事项通知如下：",
            "（一）提高思想认识。各单位要高度重视，切实加强领导。",
            "（二）加强督查考核。区政府督查室要加强跟踪督办，定期通报。",
            "某某区人民政府办公室",
            "2024年1月5日",
            "2024年重点工作任务分解方案",
            "一、经济发展",
            "（一）地区生产总值增长6%左右。（牵头单位：区发改委）",
            "（二）固定资产投资增长8%。（牵头单位：区住建局）",
        ],
        wrapped="word",
    )
    assert heading[2:] == [
        "（一）提高思想认识。各单位要高度重视，切实加强领导。",
        "（二）加强督查考核。区政府督查室要加强跟踪督办，定期通报。",
        "某某区人民政府办公室",
        "2024年1月5日",
        "2024年重点工作任务分解方案",
    ]
    assert [[c.text for c in row] for row in table.rows[1:]] == [
        ["一、经济发展", "", "", ""],
        ["1", "地区生产总值增长6%左右。", "区发改委", ""],
        ["2", "固定资产投资增长8%。", "区住建局", ""],
    ]


def test_unnumbered_paragraphs_before_an_items_unit_lines_are_its_text():
    table, _, notes = prose_table(
        [
            "一、经济发展",
            "1.加快重大项目建设。",
            "全年实施重大项目100个，完成投资200亿元。",
            "牵头单位：区发改委",
            "2.优化营商环境。",
            "深化放管服改革，提升政务服务水平。",
            "牵头单位：区政务服务局",
            "以上工作请各单位按季度报送进展。",
        ],
        wrapped="word",
    )
    assert [[c.text for c in row] for row in table.rows[2:]] == [
        ["1", "加快重大项目建设。全年实施重大项目100个，完成投资200亿元。", "区发改委", ""],
        ["2", "优化营商环境。深化放管服改革，提升政务服务水平。", "区政务服务局", ""],
    ]
    assert notes == ["以上工作请各单位按季度报送进展。"]


def test_sub_points_of_another_numbering_style_stay_in_their_item():
    leading, items = _split_items(
        "1.推进城市更新。重点做好以下工作：（1）完成旧区改造；（2）新建保障房。（牵头单位：区住建局）"
    )
    assert leading == ""
    assert [(i.number, i.text, i.clause.lead) for i in items] == [
        ("1", "推进城市更新。重点做好以下工作：（1）完成旧区改造；（2）新建保障房。", "区住建局")
    ]


# -- Lishui 2023 (fixtures/import_corpus): the document's rule that the first unit
# listed leads, "分别牵头", and a group heading printed as one short sentence.

_LISHUI_LIKE = [
    "一、主要预期目标",
    "1.生产总值增长6%以上。",
    "责任单位:市发改委、市经信局、市科技局(除标注“分别牵头”外,列第一位为牵头或汇总单位,下同)",
    "2.城乡居民收入增速保持全省领先。",
    "责任单位:市人力社保局、市农业农村局分别牵头",
    "二、重点工作",
    "(一)全力以赴拼经济稳增长促发展。",
    "3.实施招商引资“百千”行动。",
    "责任单位:市双招双引办、市发改委,各县(市、区)政府",
]


def _rows(paragraphs):
    from imports.prose import prose_table

    table, _, _ = prose_table(paragraphs, wrapped="word")
    return [[c.text for c in row] for row in table.rows]


def test_document_rule_first_listed_unit_leads():
    rows = _rows(_LISHUI_LIKE)
    assert rows[2][1:] == ["生产总值增长6%以上。", "市发改委", "市经信局、市科技局"]


def test_each_leads_marks_every_unit_as_lead():
    rows = _rows(_LISHUI_LIKE)
    assert rows[3][2:] == ["市人力社保局、市农业农村局", ""]


def test_without_the_rule_a_responsible_list_stays_lead():
    rows = _rows([line.split("(除标注")[0] for line in _LISHUI_LIKE])
    assert rows[2][2:] == ["市发改委、市经信局、市科技局", ""]


def test_short_sentence_over_items_of_another_style_is_a_group_heading():
    rows = _rows(_LISHUI_LIKE)
    assert rows[5][0] == "(一)全力以赴拼经济稳增长促发展。" and rows[5][1] == ""
    assert rows[6][:3] == ["3", "实施招商引资“百千”行动。", "市双招双引办"]
    assert rows[6][3] == "市发改委、各县(市、区)政府"
