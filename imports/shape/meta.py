"""The plan's metadata from the text around its table: title, document number, date, stated totals,
kind and years, district."""

from __future__ import annotations

import contextlib
import datetime as dt
import re

from tasks.models import PlanKind
from tasks.numerals import parse_chinese_numeral

from ..text import clean_text
from .headings import heading_style
from .results import PlanMeta

# -- plan metadata from the text around the table ------------------------------

_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}\s*[〔\[【(（]\s*\d{4}\s*[〕\]】)）]\s*\d+\s*号")
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_TOTALS = re.compile(
    r"共\s*([\d一二三四五六七八九十百]+)\s*类\s*([\d一二三四五六七八九十百]+)\s*项\s*(?:([\d一二三四五六七八九十百]+)\s*条)?"
)
_CITY_TOTAL = re.compile(r"共\s*(\d+)\s*项")
_FIVE_YEAR = re.compile(r"[“\"]?十([一二三四五六七八九])五[”\"]?")
_YEAR_RANGE = re.compile(r"(20\d{2})\s*[-—–~至到]\s*(20\d{2})\s*年?")
_YEAR = re.compile(r"(20\d{2})\s*年")
_TITLE_WORDS = re.compile(
    r"任务|规划|计划|重点工作|工作事项|工作要点|责任分工|分工方案|目标责任|责任清单|责任单位|责任分解|意见|方案|框架体系"
    r"|措施|清单|细则|办法|体系|指标|考核"
)


def _title_like(text: str) -> bool:
    if not text or len(text) > 80 or re.search(r"[，,：:；;]", text) or heading_style(text):
        return False
    if re.match(r"^[（(][一二三四五六七八九十\d]+[)）]", text):
        return False
    return ("表" in text and bool(re.search(r"任务|规划|计划|工作", text))) or bool(_TITLE_WORDS.search(text))


def document_title(lines: list[str]) -> str:
    """The document's own title among the lines above its table or items: the
    last title-like line that names a year (else the last title-like line);
    "关于印发《X》的通知" gives X; a title printed over two lines is joined."""
    candidates: list[tuple[bool, int, str]] = []
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if (
            _YEAR.search(line)
            and _title_like(following)
            and not _YEAR.search(following)
            and not re.search(r"[。，,：:；;]", line)
            and len(line) + len(following) <= 60
        ):
            line += following  # "立山区政府2023年重点工作" / "任务分解和责任分工方案"
        text = re.split(r"。", line, maxsplit=1)[0].strip()
        text = re.sub(r"^.*?印发《(.*)》的通知$", r"\1", text)
        text = re.sub(r"^关于印发(.+?)的(?:通知)?$", r"\1", text).strip("《》 ")
        if _title_like(text):
            candidates.append((bool(_YEAR.search(text) or _FIVE_YEAR.search(text)), index, text))
    if not candidates:
        return ""
    title = max(candidates)[2]
    # "市政府 2020 年…": a PDF's text layer leaves a gap where the font changes to digits.
    title = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=\d)", "", title)
    return re.sub(r"(\d)\s+(?=[年月日])", r"\1", title)


def _count(text: str | None) -> int | None:
    if not text:
        return None
    return parse_chinese_numeral(text)


def plan_meta_from_text(heading: list[str], notes: list[str]) -> PlanMeta:
    meta = PlanMeta()
    lines = [clean_text(line) for line in heading if clean_text(line)]
    meta.title = document_title(lines)
    for line in lines:
        if not meta.doc_number and (m := _DOC_NUMBER.search(line)):
            meta.doc_number = re.sub(r"\s+", "", m.group(0))
        if (m := _TOTALS.search(line)) and meta.stated_categories is None:
            meta.stated_categories = _count(m.group(1))
            if m.group(3):  # "共10类41项190条": categories, projects, tasks
                meta.stated_projects, meta.stated_tasks = _count(m.group(2)), _count(m.group(3))
            else:  # "共3类12项": with no 条 the 项 are the tasks themselves
                meta.stated_tasks = _count(m.group(2))
        if (
            meta.doc_date is None
            and (m := _DATE.search(line))
            and re.sub(r"^(印发|发文)?日期[:：]", "", line) == m.group(0)
        ):
            with contextlib.suppress(ValueError):
                meta.doc_date = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    for line in notes + lines:
        text = clean_text(line)
        if text.startswith(("*", "＊")) and (m := _CITY_TOTAL.search(text)):
            meta.stated_city_level = int(m.group(1))
    _explicit_fields(lines, meta)
    if m := _DISTRICT.match(meta.title):
        meta.district = m["district"]
    if not (meta.kind and meta.year_start):
        _kind_and_years(meta)
    return meta


def _kind_and_years(meta: PlanMeta) -> None:
    title = meta.title
    five_year = _FIVE_YEAR.search(title)
    digit = parse_chinese_numeral(five_year.group(1)) if five_year else None  # a numeral 一…九 when it matched
    if digit is not None:
        ordinal = 10 + digit  # 十四五 → 14th plan
        start = 1966 + (ordinal - 3) * 5  # the 3rd plan began in 1966
        meta.kind = PlanKind.FIVE_YEAR
        meta.year_start, meta.year_end = start, start + 4
    elif m := _YEAR_RANGE.search(title):
        meta.year_start, meta.year_end = int(m.group(1)), int(m.group(2))
        meta.kind = PlanKind.FIVE_YEAR if meta.year_end - meta.year_start == 4 else PlanKind.ANNUAL
    elif m := _YEAR.search(title):
        meta.kind = PlanKind.ANNUAL
        meta.year_start = meta.year_end = int(m.group(1))


# "闵行区“十四五”…", "上海市青浦区2008年…": a district (区/县) named at the start of the title.
_DISTRICT = re.compile(
    r"^(?:中共)?(?:[\u4e00-\u9fff]{2,3}[省市])?(?P<district>[\u4e00-\u9fff]{1,4}?[区县])(?=[“\"《0-9２０人政委]|20)"
)
_EXPLICIT = re.compile(r"^(标题|规划类型|年份|文号)\s*[:：]\s*(.+)$")


def _explicit_fields(lines: list[str], meta: PlanMeta) -> None:
    """Key-value heading lines ("年份：2021—2025"), as our own CSV export writes them."""
    for line in lines:
        match = _EXPLICIT.match(line)
        if not match:
            continue
        key, value = match.group(1), match.group(2).strip()
        if key == "标题":
            meta.title = value
        elif key == "文号":
            meta.doc_number = value
        elif key == "规划类型":
            meta.kind = {label: kind for kind, label in PlanKind.choices}.get(value, meta.kind)
        elif key == "年份" and (years := re.findall(r"\d{4}", value)):
            meta.year_start, meta.year_end = int(years[0]), int(years[-1])
