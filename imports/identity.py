"""Which plan a document is: whose government issued it (its district), and which of that district's plans of
the same kind and years it revises.

The district comes, in this order, from the admin's choice (所属区, `--district`), a place named in the title
("2025年徐汇区政府工作报告…", "闵行区2025年…"), the issuing body in the heading ("常州市人民政府办公室文件"),
or the 文号's first character when it names a government this installation already knows ("徐府办发〔2025〕5号"
and a 徐汇区 plan in the database). A 文号 that is neither this district's nor a known one's is a sign of
another government's document: it may create a plan, never update one without the admin's choice.

Among plans of the same district, kind and years, the one whose title is the document's (ignoring whitespace,
punctuation and revision words such as 修订稿/调整) is the one a document updates; a document with another title
is a new plan unless the admin chooses a plan to update.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

from tasks.models import Plan, PlanKind

from .errors import ImportRefused
from .shape import PlanMeta

# A place and its government's name: "徐汇区", "上海市闵行区", "常州市", "浦东新区", "江苏省".
_PLACE = r"(?:(?P<city>[\u4e00-\u9fff]{2,3}[省市]))?(?P<place>[\u4e00-\u9fff]{2,3}?[省市区县])"
# In a title, after an optional year: followed by its government, committee, a quote or a year.
_TITLE_PLACE = re.compile(
    r"^(?:20\d{2}\s*年度?)?(?:中共)?"
    + _PLACE
    + r"(?=人民政府|政府|[区县市省]?委|[“\"《]|\s*20\d{2}|国民经济|十[一二三四五六七八九]五)"
)
# A heading line that is the issuing body: "徐汇区人民政府办公室文件", "中共闵行区委办公室", "常州市人民政府办公室".
_ISSUER = re.compile(
    r"^(?:中共)?" + _PLACE + r"(?:人民政府|政府|[区县市省]?委(?:员会)?)(?:办公室|办公厅)?(?:文件|关于.*)?$"
)
# Words a document uses for the whole area it governs, never a place of its own.
_NOT_PLACES = {
    "全区",
    "全市",
    "全县",
    "全省",
    "本区",
    "本市",
    "本县",
    "我区",
    "我市",
    "我县",
    "各区",
    "市区",
    "城区",
    "郊区",
}

# Words that mark a revision of the same document, not another document.
_REVISION_WORDS = re.compile(
    r"关于印发|的通知|（?(?:20\d{2}年)?(?:修订|调整|修改)(?:稿|版|后)?）?|调整后的|征求意见稿|送审稿|草案|定稿|最终稿|最终版"
)
_PUNCTUATION = re.compile(r"[\s《》“”\"'‘’「」（）()【】\[\]、，,。.：:；;·—–-]+")


@dataclass
class PlanOrigin:
    """Where the document's district was found, and signs that it is another government's."""

    district: str = ""  # "" = this installation's (settings.DISTRICT_NAME)
    source: str = ""  # 所属区 / 标题 / 发文机关 / 文号 ("" when nothing named it)
    # A 文号 that is neither this district's nor a known district's ("常政办发〔2025〕3号").
    foreign_doc_number: str = ""
    # Places the heading names besides the one taken ("标题：徐汇区" when the issuer said 闵行区).
    other_places: list[str] = field(default_factory=list)


def _place(match: re.Match[str] | None) -> str:
    """The government a match names: the district or county, else the city ("江苏省常州市" → 常州市)."""
    if match is None or match["place"] in _NOT_PLACES:
        return ""
    return str(match["place"])


def _ours(place: str) -> bool:
    return place == settings.DISTRICT_NAME


def title_place(title: str) -> str:
    """The government a title names at its start (after the year): "2025年徐汇区政府工作报告…" → 徐汇区."""
    return _place(_TITLE_PLACE.match(re.sub(r"\s+", "", title)))


def issuer_place(lines: list[str]) -> str:
    """The government of the issuing body printed in the heading ("常州市人民政府办公室文件" → 常州市)."""
    for line in lines:
        if place := _place(_ISSUER.match(re.sub(r"\s+", "", line))):
            return place
    return ""


def doc_number_place(doc_number: str, *, known: Callable[[], set[str]]) -> tuple[str, bool]:
    """(district, foreign) from a 文号's first character: this district's ("闵委办发" → "", False), a known
    district's ("徐府办发" and 徐汇区 known → "徐汇区", True), or unknown (("", True)); ("", False) without one."""
    if not doc_number:
        return "", False
    first = doc_number[0]
    if first == settings.DISTRICT_NAME[0]:
        return "", False
    matches = sorted(d for d in known() if d and d[0] == first and not _ours(d))
    return (matches[0], True) if len(matches) == 1 else ("", True)


def plan_origin(*, meta: PlanMeta, heading: list[str], chosen: str, known: Callable[[], set[str]]) -> PlanOrigin:
    """Whose document this is. `chosen` is the admin's 所属区 (may be ""); `known` gives the districts the
    database already holds plans, units or aliases of (asked only when the 文号 is all there is to go by)."""
    if chosen:
        return PlanOrigin(district="" if _ours(chosen) else chosen, source="所属区")
    found = [
        ("标题", title_place(meta.title) or meta.district),
        ("发文机关", issuer_place(heading)),
    ]
    origin = PlanOrigin()
    for source, place in found:
        if place and not origin.source:
            origin.district, origin.source = ("" if _ours(place) else place), source
        elif place and place != (origin.district or settings.DISTRICT_NAME):
            origin.other_places.append(f"{source}：{place}")
    if origin.source:
        return origin
    by_number, foreign = doc_number_place(meta.doc_number, known=known)
    if by_number:
        origin.district, origin.source = by_number, "文号"
    elif foreign:
        origin.foreign_doc_number = meta.doc_number
    return origin


def title_key(title: str) -> str:
    """A title without whitespace, punctuation and revision words: two titles with one key are one plan."""
    return _PUNCTUATION.sub("", _REVISION_WORDS.sub("", _PUNCTUATION.sub("", title)))


def same_plan_title(a: str, b: str) -> bool:
    return title_key(a) == title_key(b)


def default_title(meta: PlanMeta) -> str:
    """The title a document without one of its own is given."""
    if meta.year_start == meta.year_end:
        return f"{meta.year_start}年重点工作任务分解表"
    return f"{meta.year_start}—{meta.year_end}年规划任务分解表"


@dataclass
class PlanMatch:
    """The plan a document updates (None: a new plan), and why, for the preview."""

    plan: Plan | None
    # Plans of the same kind and years, any district: what the admin may choose to update instead.
    options: list[Plan] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _district_label(district: str) -> str:
    return district or settings.DISTRICT_NAME


def plan_label(plan: Plan) -> str:
    """闵行区“2025年区委、区政府重点工作任务分解表”（2025年年度重点工作）."""
    years = Plan.years_label_of(plan.year_start, plan.year_end)
    return f"{plan.district}“{plan.title}”（{years}{PlanKind(plan.kind).label}）"


def _same_issuer(plan: Plan, meta: PlanMeta) -> bool:
    """A 文号 on both sides that starts with another character is another government's document."""
    return not (plan.doc_number and meta.doc_number) or plan.doc_number[0] == meta.doc_number[0]


def plan_match(*, options: list[Plan], meta: PlanMeta, own_title: bool, origin: PlanOrigin, choice: str) -> PlanMatch:
    """Which plan the document updates. `options`: the plans of its kind and years (every district);
    `own_title`: the document (or the admin) gave a title, not the default one; `choice`: the admin's
    ("" = as recognised, "new", or a plan's id)."""
    match = PlanMatch(plan=None, options=options)
    if choice == "new":
        return match
    if choice:
        match.plan = next((p for p in options if str(p.pk) == choice), None)
        if match.plan is None:
            raise ImportRefused("所选的“导入到”规划不存在，或与本文件的类型、年份不一致，请重新选择。")
        return match
    district = _district_label(meta.district)
    candidates = [p for p in options if p.district == district]
    if origin.foreign_doc_number:
        if candidates:
            match.warnings.append(
                f"无法确定本文件属于哪个区：文号“{origin.foreign_doc_number}”不是{settings.DISTRICT_NAME}的文号，"
                f"标题和发文机关也未写明所属区。本文件不会更新{settings.DISTRICT_NAME}已有的规划"
                f"（{'、'.join(plan_label(p) for p in candidates)}），将新建规划；"
                "请在“所属区”中填写发文的区（市、县），或在“导入到”中明确选择要更新的规划。"
            )
        return match
    if own_title:
        same = [p for p in candidates if same_plan_title(p.title, meta.title) and _same_issuer(p, meta)]
    else:  # no title of its own: the only plan of its kind and years, as before
        same = candidates if len(candidates) == 1 and _same_issuer(candidates[0], meta) else []
    exact = [p for p in same if p.title == meta.title]
    if len(same) == 1 or len(exact) == 1:
        match.plan = (exact or same)[0]
        return match
    if candidates:
        match.warnings.append(
            f"{district}已有同类型、同年份的规划{'、'.join(plan_label(p) for p in candidates)}，"
            f"与本文件“{meta.title}”的标题或文号不同，本文件将新建规划，不会修改已有规划；"
            "如本文件是已有规划的修订稿，请在“导入到”中选择要更新的规划。"
        )
    return match


def title_taken(match: PlanMatch, meta: PlanMeta) -> Plan | None:
    """Another plan of the same district, kind and years that already has the title the import would write
    (the database keeps titles unique there)."""
    district = match.plan.district if match.plan is not None else _district_label(meta.district)
    return next(
        (p for p in match.options if p != match.plan and p.district == district and p.title == meta.title),
        None,
    )
