"""Quantified targets stated in task text → indicator candidates.

"到2025年每万人口发明专利拥有量达到92件" → 每万人口发明专利拥有量 ≥ 92 件 (2025).
Pure functions; the caller supplies the plan's end year for texts that give none.

Three sentence shapes cover the plans:
  A  <name><verb><number><unit>      每万人口发明专利拥有量达到92件
                                     地区生产总值增长5%左右 (a growth rate: 增长 stays in the name)
  B  <verb><number><unit><name>      培育20家数字化智能工厂
  C  <verb><name><number><unit>      新增就业岗位16万个
and lists continue one verb: 新增全科医生126人、执业（助理）医师110人; an
explained formula lists its parts: 形成“1+2+10+X”（即1家…、2家…、10家…）.
Numbers in words: 主导产业规模翻番 (2 倍), 产值规模达到千亿级 (1000 亿元).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

AT_LEAST = "at_least"
AT_MOST = "at_most"

# Longest first, so 人/亿元 wins over 人 and 万平方米 over 万.
_UNITS = sorted(
    [
        "%",
        "件",
        "项",
        "家",
        "亿元",
        "万元",
        "元",
        "人/亿元",
        "个",
        "人次",
        "位",
        "人",
        "公顷",
        "公里",
        "平方米",
        "亩",
        "张",
        "条",
        "套",
        "岁",
        "所",
        "座",
        "辆",
        "户",
        "台",
        "间",
        "千米",
        "吨",
    ],
    key=len,
    reverse=True,
)
_NUMBER_UNIT = re.compile(
    r"(?<![\d.A-Za-z])(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>(?:万|亿)?(?:" + "|".join(map(re.escape, _UNITS)) + r"))"
    r"(?P<suffix>以上|以内|以下|左右)?"
)
# Verbs that put the number right after them (shape A).
_LEVEL_VERBS = (
    "不少于",
    "不低于",
    "不超过",
    "不高于",
    "控制在",
    "稳定在",
    "保持在",
    "达到",
    "超过",
    "高于",
    "低于",
    "超",
    "达",
)
# Verbs that may have the counted thing between them and the number (shapes B and C).
_COUNT_VERBS = (
    "新增",
    "新建",
    "累计建成",
    "累计",
    "建成",
    "建设",
    "培育",
    "完成",
    "落实",
    "打造",
    "引进",
    "组建",
    "（即",  # 形成“1+2+10+X”（即1家…、2家…）: the parts of an explained formula
)
# A growth rate: the verb belongs to the indicator's name (地区生产总值增长 5%).
_GROWTH = "增长"
# Numbers in words: <name>翻番 is 2 倍 its base-year level; <name>达到千亿级 is 1000 亿元.
_WORD_TARGETS = (
    (re.compile(r"翻一?番"), Decimal(2), "倍"),
    (re.compile(r"达到千亿级"), Decimal(1000), "亿元"),
)
_AT_MOST_VERBS = ("不超过", "不高于", "控制在", "低于")
_CLAUSE = re.compile(r"[，,：:]")
_SENTENCE = re.compile(r"[。；;！!？?\n]")
_YEAR = re.compile(r"到(20\d\d)年")
_FIVE_YEAR_PERIOD = re.compile(r"[“\"]?十[一二三四五六七八九]五[”\"]?(?:时期|期间|期末)")
_LEAD_IN = re.compile(
    r"^(?:力争|确保|争取|努力)?(?:到20\d\d年(?:底|末)?)?(?:[“\"]?十[一二三四五六七八九]五[”\"]?(?:时期|期间|期末))?"
    r"(?:全区|本区|全年)?(?:可)?"
)
_FILLER = ("形成", "达到", "各类", "保障", "提供")
_SEPARATORS = "、和及与，, "


@dataclass(frozen=True)
class Target:
    name: str
    value: Decimal
    unit: str
    direction: str
    year: int
    source_text: str
    cumulative: bool  # counted from zero over the period (新增/累计/建成…)


def _nearest_verb(prefix: str, verbs: tuple[str, ...]) -> tuple[str, int] | None:
    """The verb in `prefix` closest to its end: (verb, start index)."""
    best: tuple[str, int] | None = None
    for verb in verbs:
        index = prefix.rfind(verb)
        if index >= 0 and (best is None or index > best[1] or (index == best[1] and len(verb) > len(best[0]))):
            best = (verb, index)
    return best


def _clean_name(name: str) -> str:
    name = name.strip(_SEPARATORS + "（(")
    name = _LEAD_IN.sub("", name)
    for word in _FILLER:
        if name.startswith(word):
            name = name[len(word) :]
    return name.strip(_SEPARATORS)[:120]


def _list_part(text: str) -> str:
    """One part of an explained list: up to the next 、 or closing bracket."""
    return _clean_name(re.split(r"[、）)]", text, maxsplit=1)[0])


def _year_of(sentence_head: str, default_year: int) -> int:
    years = _YEAR.findall(sentence_head)
    return int(years[-1]) if years else default_year


def _word_targets(sentence: str, default_year: int) -> list[Target]:
    found = []
    for pattern, value, unit in _WORD_TARGETS:
        for match in pattern.finditer(sentence):
            clause_start = max((m.end() for m in _CLAUSE.finditer(sentence, 0, match.start())), default=0)
            name = _clean_name(sentence[clause_start : match.start()])
            name = name.removeprefix("实现")
            if not name:
                continue
            found.append(
                Target(
                    name=name,
                    value=value,
                    unit=unit,
                    direction=AT_LEAST,
                    year=_year_of(sentence[: match.start()], default_year),
                    source_text=sentence.strip()[:500],
                    cumulative=False,
                )
            )
    return found


def extract_targets(text: str, *, default_year: int) -> list[Target]:
    """Every quantified target in `text`, in reading order."""
    found: list[Target] = []
    for sentence in _SENTENCE.split(text or ""):
        found.extend(_word_targets(sentence, default_year))
        previous: dict | None = None
        matches = list(_NUMBER_UNIT.finditer(sentence))
        for i, match in enumerate(matches):
            start, end = match.span()
            clause_start = max((m.end() for m in _CLAUSE.finditer(sentence, 0, start)), default=0)
            clause_prefix = sentence[clause_start:start]
            gap_start = max(clause_start, previous["end"] if previous else 0)
            gap = sentence[gap_start:start]
            next_start = matches[i + 1].start() if i + 1 < len(matches) else len(sentence)
            clause_end_match = _CLAUSE.search(sentence, end)
            after_end = min(next_start, clause_end_match.start() if clause_end_match else len(sentence))
            after = sentence[end:after_end]
            suffix = match.group("suffix") or ""

            level = None
            if clause_prefix.endswith(_LEVEL_VERBS):
                level = next(v for v in _LEVEL_VERBS if clause_prefix.endswith(v))
            elif clause_prefix.endswith(_GROWTH) and match.group("unit") == "%":
                level = _GROWTH
            count = _nearest_verb(gap, _COUNT_VERBS)
            if level == _GROWTH:
                verb, shape = level, "A"
                name = _clean_name(clause_prefix[: -len(level)]) + _GROWTH
            elif level:
                verb, shape = level, "A"
                name = _clean_name(clause_prefix[: -len(level)])
            elif count:
                verb, index = count
                between = _clean_name(gap[index + len(verb) :])
                if verb.startswith("（"):
                    shape, name, verb = "B", _list_part(after), ""
                elif between and after.strip(_SEPARATORS + "）)") and after[0] not in _SEPARATORS:
                    # 打造生物医药、航空航天…3个千亿级产业集群: the counted thing follows the number.
                    shape, name = "B", verb + _clean_name(after.removesuffix("为目标"))
                elif between:
                    shape, name = "C", verb + between
                else:
                    shape, name = "B", verb + _clean_name(after)
            elif previous and set(gap) & set("、和及与") and sentence[previous["end"] : start].find("，") < 0:
                verb, shape = previous["verb"], previous["shape"]
                in_list = shape == "B" and not verb  # the parts of an explained formula
                name = _list_part(after) if in_list else _clean_name(after) if shape == "B" else _clean_name(gap)
                name = verb + name if name and not name.startswith(verb) and shape != "A" else name
            else:
                previous = None
                continue
            if not name:
                continue
            direction = AT_MOST if (verb in _AT_MOST_VERBS or suffix in ("以内", "以下")) else AT_LEAST
            head = sentence[:start]
            year = _year_of(head, default_year)
            cumulative = shape in ("B", "C") or bool(_FIVE_YEAR_PERIOD.search(clause_prefix))
            found.append(
                Target(
                    name=name,
                    value=Decimal(match.group("value")),
                    unit=match.group("unit"),
                    direction=direction,
                    year=year,
                    source_text=sentence.strip()[:500],
                    cumulative=cumulative,
                )
            )
            previous = {"end": end, "verb": verb, "shape": shape}
    return found
