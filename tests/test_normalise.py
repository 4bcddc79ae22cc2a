"""Stage 3: text cleanup and name splitting, on the quirks the seeds contain."""

import pytest

from imports.normalise import (
    Vocabulary,
    clean_text,
    name_key,
    normalise_document,
    parse_category,
    split_city_marker,
    split_leaders,
    split_marked_units,
    split_units,
    suggest_leader_split,
    task_title,
    unit_kind_guess,
)
from imports.shape import PlanMeta, ShapedDocument, ShapedRow
from imports.text import CategoryHeading

LEADERS = {"赵亮", "可晓林", "李阳", "杨辛", "谭瑞琮", "谭滨", "曹婕"}


def vocab(units=()):
    return Vocabulary(leaders=set(LEADERS), units={name_key(u): u for u in units})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("擦亮“宜居安 居”鲜明底色", "擦亮“宜居安居”鲜明底色"),
        ("六、聚力 谱写人民 城市建设 闵行新篇章", "六、聚力谱写人民城市建设闵行新篇章"),
        ("承办 TR35 中国区发布仪式", "承办 TR35 中国区发布仪式"),
        ("加紧轨交 25 号线、轨交 26 号线研究。", "加紧轨交 25 号线、轨交 26 号线研究。"),
        ("（一）实施\n创新\n驱动", "（一）实施创新驱动"),
        ("\u3000全角空格\u00a0与不间断空格 ", "全角空格与不间断空格"),
        ("零\u200b宽", "零宽"),
    ],
)
def test_clean_text_removes_wrap_spaces_between_chinese_only(raw, expected):
    assert clean_text(raw) == expected


def test_category_heading_across_lines_with_stated_count():
    heading = parse_category("（一）实施\n创新\n驱动\n核心\n战略\n（11项）")
    assert (heading.order, heading.name, heading.stated_count) == (1, "实施创新驱动核心战略", 11)


@pytest.mark.parametrize(
    ("raw", "order", "name"),
    [
        ("十、提高党的建设质量和水平", 10, "提高党的建设质量和水平"),
        ("（四）塑造\n现代化主城区新面貌\n（4项）", 4, "塑造现代化主城区新面貌"),
        ("八、奋力 打造习近 平文化思 想最佳实 践地先行 区", 8, "奋力打造习近平文化思想最佳实践地先行区"),
    ],
)
def test_category_headings(raw, order, name):
    heading = parse_category(raw)
    assert (heading.order, heading.name) == (order, name)


@pytest.mark.parametrize("raw", ["着力深化国资国企改革", "提高城市规划 建设管理水平", ""])
def test_project_names_are_not_category_headings(raw):
    assert parse_category(raw) is None


def test_city_marker_is_removed_and_flagged():
    assert split_city_marker("全力建设上海南部科创中心*。聚焦") == ("全力建设上海南部科创中心。聚焦", True)
    assert split_city_marker("普通任务。") == ("普通任务。", False)


def test_task_title_is_first_sentence_or_clause():
    assert task_title("全力建设上海南部科创中心。聚焦闵行南部区域") == "全力建设上海南部科创中心"
    assert task_title("地区生产总值增长5%左右。") == "地区生产总值增长5%左右"
    long = "把学习贯彻习近平总书记考察上海重要讲话精神作为一切工作的鲜明主题和突出主线，时刻对标对表。"
    assert len(task_title(long)) <= 40


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("赵 亮 可 晓 林 李 阳", ["赵亮", "可晓林", "李阳"]),
        ("谭 滨", ["谭滨"]),
        ("谭瑞琮 李 阳", ["谭瑞琮", "李阳"]),
        ("杨辛 可晓林", ["杨辛", "可晓林"]),
        ("赵亮、李阳", ["赵亮", "李阳"]),
        ("赵亮\n李阳", ["赵亮", "李阳"]),
        ("谭滨 曹婕", ["谭滨", "曹婕"]),
    ],
)
def test_leaders_split_whatever_the_separator(raw, names):
    result = split_leaders(raw, vocab())
    assert result.names == names
    assert result.unknown == []


def test_two_names_run_together_get_a_suggested_split():
    v = vocab()
    assert split_leaders("赵杨辛", v).unknown == ["赵杨辛"]
    assert suggest_leader_split("赵杨辛", v) == ["赵亮", "杨辛"]
    # A real three-character name is not split.
    assert suggest_leader_split("谭瑞琮", v) == []


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("区人力资源社会 保障局", ["区人力资源社会保障局"]),
        ("区人力资源社会\n保障局", ["区人力资源社会保障局"]),
        ("区农业农村委 区粮食物资储备 局", ["区农业农村委", "区粮食物资储备局"]),
        ("区应急局 虹桥商务区应急 响应中心 区交通委", ["区应急局", "虹桥商务区应急响应中心", "区交通委"]),
        ("区发展改革委 区经委 区商务委 区统计局", ["区发展改革委", "区经委", "区商务委", "区统计局"]),
        ("区科委、闵行经济技术开发区、南滨江公司", ["区科委", "闵行经济技术开发区", "南滨江公司"]),
        ("区总工会 团区委 区妇联", ["区总工会", "团区委", "区妇联"]),
        ("区科委\n区经委", ["区科委", "区经委"]),
    ],
)
def test_units_split_and_wrapped_names_rejoined(raw, names):
    assert [m.name for m in split_units(raw, vocab())] == names


def test_bracketed_second_name_becomes_an_alias():
    (mention,) = split_units("区委宣传部 (区文明办)", vocab())
    assert (mention.name, mention.bracket_alias) == ("区委宣传部", "区文明办")
    mentions = split_units("区科委、区财政局（区金融办）", vocab())
    assert [(m.name, m.bracket_alias) for m in mentions] == [("区科委", None), ("区财政局", "区金融办")]


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("各镇、街道、莘庄工业区", ["各镇、街道、莘庄工业区"]),
        ("区经委、相关镇、南虹桥集团", ["区经委", "相关镇", "南虹桥集团"]),
        ("区农业农村委、相关街镇", ["区农业农村委", "相关街镇"]),
        ("区经委、相关\n园区", ["区经委", "相关园区"]),
        ("各辖市、区政府", ["各辖市、区政府"]),  # one group of two levels, not 各辖市 and 区政府
        ("市发改委、各区、县人民政府", ["市发改委", "各区、县人民政府"]),
        ("各镇、区发改委", ["各镇", "区发改委"]),
    ],
)
def test_group_references_stay_groups(raw, names):
    mentions = split_units(raw, vocab())
    assert [m.name for m in mentions] == names
    assert [m.is_group for m in mentions] == [name.startswith(("各", "相关")) for name in names]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("相关街镇", "group"),
        ("浦江镇", "town"),
        ("南虹桥集团", "company"),
        ("区科委", "department"),
        ("古美路街道", "street"),
    ],
)
def test_unit_kind_guess(name, kind):
    assert unit_kind_guess(name) == kind


@pytest.mark.parametrize(
    ("unit", "support", "lead_after", "support_after"),
    [
        ("区发改委（牵头）、区统计局", "", "区发改委", "区统计局"),
        ("区住建局牵头，区发改委、区财政局配合", "区规划资源局", "区住建局", "区发改委、区财政局、区规划资源局"),
        ("牵头单位：区科委；配合单位：区财政局", "", "区科委", "区财政局"),
        ("区发改委、区统计局", "", "区发改委、区统计局", ""),
        ("各街镇", "", "各街镇", ""),
        ("区教育局（牵头）\n区财政局\n区人社局", "", "区教育局", "区财政局、区人社局"),  # one unit a line
        ("牵头单位：区科委\n配合单位：区财政局", "", "区科委", "区财政局"),
    ],
)
def test_a_unit_cell_that_marks_its_lead_is_split(unit, support, lead_after, support_after):
    shaped = ShapedDocument(
        format="docx",
        meta=PlanMeta(),
        columns=["unit", "support"],
        rows=[
            ShapedRow(
                row=3,
                table="表1",
                number="1",
                category=CategoryHeading(1, "未分类", None),
                project=None,
                task="任务",
                unit=unit,
                support=support,
            )
        ],
        warnings=[],
    )
    warnings = split_marked_units(shaped)
    assert (shaped.rows[0].unit, shaped.rows[0].support) == (lead_after, support_after)
    if lead_after != unit:
        assert [w.message for w in warnings] == [
            f"单元格中标明了牵头和配合单位，已按标注拆分：牵头单位“{lead_after}”，"
            f"配合单位“{support_after.removesuffix('、区规划资源局') or '无'}”"
        ]
    else:
        assert warnings == []


@pytest.mark.parametrize(
    ("raw", "names", "titles"),
    [
        ("顾  军\n沈  洁", ["顾军", "沈洁"], []),  # one person a line, each letter-spaced
        ("欧阳  明\n赵  刚", ["欧阳明", "赵刚"], []),  # a two-character surname
        ("欧阳 明", ["欧阳明"], []),
        ("谭\n滨", ["谭滨"], []),  # a line of one character is the wrapped rest of the name
        ("副区长 王  华", ["王华"], ["副区长"]),
        ("常务副区长李  刚", ["李刚"], ["常务副区长"]),
        ("区委常委、副区长\n王华", ["王华"], ["区委常委", "副区长"]),
        ("赵亮（副区长）", ["赵亮"], ["副区长"]),
        ("赵亮（分管）", ["赵亮（分管）"], []),  # not a title: left to the unusual-name warning
        ("赵 亮 可 晓 林 李 阳", ["赵亮", "可晓林", "李阳"], []),
    ],
)
def test_leader_lines_are_people_and_titles_are_not_names(raw, names, titles):
    result = split_leaders(raw, vocab())
    assert (result.names, result.titles) == (names, titles)


def test_a_leaders_title_is_taken_out_with_a_note():
    shaped = ShapedDocument(
        format="xlsx",
        meta=PlanMeta(),
        columns=["leader", "unit"],
        rows=[
            ShapedRow(
                row=4,
                table="表1",
                number="1",
                category=CategoryHeading(1, "未分类", None),
                project=None,
                task="任务",
                leader="常务副区长李  刚",
                unit="区科委",
            )
        ],
        warnings=[],
    )
    parsed = normalise_document(shaped, vocab(units=["区科委"]))
    assert parsed.tasks[0].leaders == ["李刚"]
    assert [str(w) for w in parsed.warnings if w.code == "leader_title"] == [
        "第4行（序号1）“牵头领导”列：牵头领导一栏中的职务“常务副区长”不是姓名，已去掉，按李刚导入，请核对"
        "（原文：“常务副区长李  刚”）"
    ]
