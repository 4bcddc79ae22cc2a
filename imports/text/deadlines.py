"""完成时限 as a date: the due date a deadline cell states ("2025年6月底前", "三季度", "年内",
"2025年6月30日"), and a spreadsheet's date cell written the way the document shows it."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from tasks.numerals import parse_chinese_numeral

# One stated end. Alternatives are tried left to right, so a recurring "每季度" is taken before
# the quarter inside it, and a year range "2023—2025年" before its first year.
_DEADLINE = re.compile(
    r"""
    (?P<every>每\s*(?:年|季度?|个?月|周|半年|旬))
    |(?P<y1>20\d{2})\s*年?\s*[-—–~～至到]\s*(?P<y2>20\d{2})\s*年
    |(?:(?P<y>20\d{2})\s*(?P<ysep>年|[-./](?=\s*\d)))?\s*
     (?:(?P<q>(?:第\s*)?[一二三四1-4]\s*季度)
       |(?P<half>[上下]半年)
       |(?P<m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])\s*(?P<msep>月份?|[-./](?=\s*\d))
        (?:\s*(?P<d>[12]\d|3[01]|0?[1-9])\s*[日号]?|\s*(?P<part>上旬|中旬|下旬|初|中|底|末))?
       |(?P<end>年底|年末|年内|年终|全年|底|末|内|前)?
     )
    """,
    re.VERBOSE,
)
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PART_DAY = {"上旬": 10, "初": 10, "中旬": 20, "中": 20}


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return following - dt.timedelta(days=1)


def deadline_ends(*, text: str, year_start: int, year_end: int) -> list[dt.date]:
    """Every end a deadline text states, in its order. A month, quarter or 年底 without a year
    takes the year printed before it in the same text, or the plan's year when the plan has one;
    in a plan of several years it is not a date. Recurring wording (每季度, 每月25日前) and
    "长期坚持" / "持续推进" state no end."""
    text = unicodedata.normalize("NFKC", text or "")
    single_year = year_start if year_start == year_end else None
    last_year: int | None = None
    ends: list[dt.date] = []
    for match in _DEADLINE.finditer(text):
        if match["every"] or not match.group(0).strip():
            continue
        if match["y2"]:
            last_year = int(match["y2"])
            ends.append(dt.date(last_year, 12, 31))
            continue
        stated = int(match["y"]) if match["y"] else None
        if stated is not None and not 2000 <= stated <= 2100:
            continue
        if stated is not None and match["ysep"] != "年" and not match["m"]:
            continue  # "2025-" before something that is not a month
        year = stated or last_year or single_year
        if stated:
            last_year = stated
        if match["m"] and match["msep"] and not match["msep"].startswith("月") and stated is None:
            continue  # "6.5" without a year is a figure, not a date
        if year is None:
            continue
        if match["q"]:
            quarter = _QUARTERS[match["q"].replace("第", "").replace("季度", "").strip()]
            ends.append(_month_end(year, quarter * 3))
        elif match["half"]:
            ends.append(dt.date(year, 6, 30) if match["half"] == "上半年" else dt.date(year, 12, 31))
        elif match["m"]:
            month = int(match["m"]) if match["m"].isdigit() else parse_chinese_numeral(match["m"])
            if not month or not 1 <= month <= 12:
                continue
            if match["d"]:
                try:
                    ends.append(dt.date(year, month, int(match["d"])))
                except ValueError:
                    continue
            elif match["part"] in _PART_DAY:
                ends.append(dt.date(year, month, _PART_DAY[match["part"]]))
            else:
                ends.append(_month_end(year, month))
        elif match["end"] in ("底", "末", "内", "前") and stated is None:
            continue  # "底" alone is not a year's end
        else:  # 年底, 年内, 全年, "2024年", "2024年底前"
            ends.append(dt.date(year, 12, 31))
    return ends


def deadline_date(*, text: str, year_start: int, year_end: int) -> dt.date | None:
    """The earliest end a deadline text states ("6月底前完成方案，12月底前建成" → 6月30日), or None
    when it states none (长期坚持, 持续推进, 每季度)."""
    ends = deadline_ends(text=text, year_start=year_start, year_end=year_end)
    return min(ends) if ends else None


def due_date(*, five_year: bool, year_start: int, year_end: int, deadline: str, text: str) -> dt.date:
    """A new task's due date: the end its 完成时限 states; failing that, a five-year task's own
    year ("到2025年…"); failing that, the end of the plan."""
    stated = deadline_date(text=deadline, year_start=year_start, year_end=year_end)
    if stated is not None:
        return stated
    if five_year and (m := re.search(r"到\s*(20\d{2})\s*年", text)):
        year = int(m.group(1))
        if year <= year_end:
            return dt.date(year, 12, 31)
    return dt.date(year_end, 12, 31)


def date_text(value: dt.date | dt.datetime) -> str:
    """A spreadsheet's date cell as the document shows it: 2025年6月30日 (and the time when it has one)."""
    day = f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, dt.datetime) and value.time() != dt.time(0, 0):
        return f"{day} {value:%H:%M}"
    return day
