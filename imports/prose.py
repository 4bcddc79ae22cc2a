"""The prose reader: a notice with no table at all, read into the same table
rows the table readers give (序号 / 任务 / 牵头单位 / 配合单位, with heading
rows for its categories), so every later stage is shared.

What notices print: numbered paragraphs ("1.", "1、", "（一）"), several
sometimes run together in one paragraph; units in a trailing bracket
("（牵头单位：…；配合单位：…）", "[牵头单位：…；责任单位：…]", "（…牵头，…按职责分工负责）"),
on lines of their own ("牵头单位：…"), or after a group of items
("上述项目由区商务委牵头负责。"); and items with no unit at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tasks.numerals import parse_chinese_numeral

from .normalise import looks_like_unit
from .read import Cell, Table
from .text import (
    CLAUSE_LABEL,
    CLAUSE_LABEL_PATTERN,
    EACH_LEADS,
    FIRST_LISTED_LEADS,
    LEAD_LABELS,
    RESPONSIBLE_LABELS,
    Clause,
    clause_label,
    clean_text,
    first_listed_leads,
    unit_clause,
)

HEADER = ["序号", "任务", "牵头单位", "配合单位"]
# Columns a notice adds only when one of its clauses names them ("牵头领导：…", "完成时限：…").
_OPTIONAL = {"leader": "牵头领导", "deadline": "完成时限"}
READING = "正文段落（文件中没有表格，已按编号段落逐条读取为任务，请核对）"

_CN = "一二三四五六七八九十"
# Where an item starts: at the start of a paragraph or right after a sentence ends.
_ITEM = re.compile(
    rf"(?:^|(?<=[。；;！？）)\]】]))\s*(?P<num>\d{{1,3}}\s*[.、．](?!\d)|[（(]\s*[{_CN}]{{1,3}}\s*[)）]|[（(]\s*\d{{1,3}}\s*[)）])"
)
_HEADING = re.compile(rf"^(?:第?[{_CN}]{{1,3}}\s*[、.．]|[（(]\s*[{_CN}]{{1,3}}\s*[)）]|\d{{1,2}}\s*[、.．](?!\d))")
_END = "。；;！？）)]】"
# A clause label at the start of a line ("牵头单位：…", "【责任单位】…", "责任领导：…").
_ROLE_LABEL = re.compile(rf"^\s*(?:{CLAUSE_LABEL_PATTERN})")
_GROUP = re.compile(
    r"(?:^|(?<=[。；;]))\s*(?:上述|以上)[^。；;]{0,12}?由(?P<lead>[^。；;]+?)(?:牵头负责|牵头|负责)"
    r"(?:\s*[，,]\s*(?P<support>[^。；;]+?)(?:按职责分工负责|配合|参与|负责))?[^。；;]{0,6}[。；;]?\s*$"
)
_FIELDS = ("leader", "lead", "support", "deadline")


@dataclass
class _Item:
    number: str
    text: str
    clause: Clause = field(default_factory=Clause)
    clause_text: str = ""  # the clause as printed


@dataclass
class _Row:
    """A heading (category or group) or an item with what its clauses said."""

    text: str
    number: str = ""
    line: int = 0
    heading: bool = False
    fields: dict[str, str] = field(default_factory=dict)  # leader / lead / support / deadline

    def add(self, clause: Clause) -> None:
        for name in _FIELDS:
            if value := getattr(clause, name):
                self.fields[name] = "、".join(t for t in (self.fields.get(name, ""), value) if t)

    @property
    def has_units(self) -> bool:
        return bool(self.fields.get("lead") or self.fields.get("support"))


@dataclass
class _Reading:
    heading: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows: list[_Row] = field(default_factory=list)
    group_start: int = 0  # index in rows where the current group (for "上述…由…牵头") began
    items: int = 0
    # The document says the first unit of a list leads ("列第一位为牵头或汇总单位").
    first_listed_leads: bool = False


def prose_table(paragraphs: list[str], *, wrapped: str = "text") -> tuple[Table, list[str], list[str]] | None:
    """(table, heading lines, notes) read from a notice's paragraphs; None when
    fewer than two numbered items are found (not a notice of tasks). `wrapped`:
    how lines relate to paragraphs: "word" (one paragraph each), "text" (a line
    not ending a sentence may continue on the next), "pdf" (lines broken at the
    page width, whatever they end with)."""
    reading = _Reading()
    reading.first_listed_leads = any(FIRST_LISTED_LEADS.search(p) for p in paragraphs)
    paragraphs_read = _paragraphs(paragraphs, wrapped=wrapped)
    start = _after_notice(paragraphs_read)
    reading.heading.extend(text for _, text in paragraphs_read[:start])
    for index in range(start, len(paragraphs_read)):
        line_no, paragraph = paragraphs_read[index]
        rest = [text for _, text in paragraphs_read[index + 1 :]]
        if _continues_item(reading, paragraph, rest):
            reading.rows[-1].text += paragraph
            continue
        _take_paragraph(reading, paragraph, line_no, rest[0] if rest else "")
    if reading.items < 2:
        return None
    return _table(reading.rows), reading.heading, reading.notes


_DATE_LINE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")


def _after_notice(paragraphs: list[tuple[int, str]]) -> int:
    """Where the list of tasks starts: after the notice that covers it, which
    ends with its date ("2024年1月5日") before the first unit clause. The
    notice's own numbered points ("（一）提高思想认识。…") are not tasks."""
    first_clause = next(
        (i for i, (_, text) in enumerate(paragraphs) if CLAUSE_LABEL.search(text) or _GROUP.search(text)),
        len(paragraphs),
    )
    dates = [i for i, (_, text) in enumerate(paragraphs[:first_clause]) if _DATE_LINE.match(text)]
    if not dates:
        return 0
    after = dates[-1] + 1
    items_after = sum(1 for _, text in paragraphs[after:] if _ITEM.search(text))
    return after if items_after >= 2 else 0


def _starts_something(text: str) -> bool:
    return bool(_ITEM.match(text) or _HEADING.match(text) or _ROLE_LABEL.match(text) or _GROUP.match(text))


def _continues_item(reading: _Reading, text: str, rest: list[str]) -> bool:
    """An unnumbered paragraph between an item and the unit lines that close it
    ("1.加快重大项目建设。" / "全年实施重大项目100个。" / "牵头单位：…") is more of
    the item's text."""
    if not reading.rows or reading.rows[-1].heading or reading.rows[-1].fields or _starts_something(text):
        return False
    following = next((t for t in rest if _starts_something(t)), "")
    return bool(_ROLE_LABEL.match(following))


def _table(rows: list[_Row]) -> Table:
    """The rows as a table: 序号 / 任务 / (牵头领导) / 牵头单位 / 配合单位 / (完成时限),
    the optional columns only when some clause named them."""
    used = {name for row in rows for name in row.fields}
    fields = [f for f in ("leader", "lead", "support", "deadline") if f in used or f in ("lead", "support")]
    labels = {"lead": "牵头单位", "support": "配合单位", **_OPTIONAL}
    header = [Cell("序号"), Cell("任务"), *[Cell(labels[f]) for f in fields]]
    cells: list[list[Cell]] = [header]
    for row in rows:
        if row.heading:
            cells.append([Cell(row.text), *[Cell("", merged_left=True) for _ in header[1:]]])
        else:
            cells.append([Cell(row.number), Cell(row.text), *[Cell(row.fields.get(f, "")) for f in fields]])
    return Table(rows=cells, row_numbers=[0, *[row.line for row in rows]], has_merge_info=True, label="正文")


def _paragraphs(lines: list[str], *, wrapped: str) -> list[tuple[int, str]]:
    """Paragraphs with their first line number. With `wrapped`, a line that
    starts nothing (no item number, heading or unit label) continues the item
    above when that item's text has not ended."""
    out: list[tuple[int, str]] = []
    in_item = False
    for number, raw in enumerate(lines, start=1):
        text = clean_text(raw)
        if not text:
            continue
        starts = _starts_something(text)
        continues = wrapped == "pdf" or (wrapped == "text" and out and out[-1][1][-1] not in "。；;！？")
        if wrapped != "word" and out and in_item and not starts and continues:
            out[-1] = (out[-1][0], out[-1][1] + text)
            continue
        out.append((number, text))
        in_item = bool(_ITEM.match(text)) and not _is_heading(text)
    return out


def _take_paragraph(reading: _Reading, text: str, line_no: int, following: str) -> None:
    if _ROLE_LABEL.match(text) and reading.items:
        _clause_line(reading, text)
        return
    if (group := _GROUP.search(text)) and reading.items and group.start() == 0:
        _group_units(reading, group)
        return
    # "(一)地区生产总值增长7%以上" with "责任单位:…" on the next line is an item, not a heading.
    heading = _is_heading(text) and not (_ROLE_LABEL.match(following) and _ITEM.match(text))
    if heading or _is_group_sentence(text, following):
        reading.rows.append(_Row(text=text, line=line_no, heading=True))
        reading.group_start = len(reading.rows)
        return
    leading, items = _split_items(text)
    if leading:
        (reading.notes if reading.items else reading.heading).append(leading)
    if not items:
        return
    for item in items:
        row = _Row(text=item.text, number=item.number, line=line_no)
        row.add(_ordered(reading, item.clause, item.clause_text))
        reading.rows.append(row)
        reading.items += 1
    if group := _GROUP.search(items[-1].text):
        # "……。上述项目由区商务委牵头负责。" at the end of the last item of a group.
        reading.rows[-1].text = items[-1].text[: group.start()].strip()
        _group_units(reading, group)


def _is_heading(text: str) -> bool:
    """A short numbered line that is not a sentence: a category (or a group)
    heading. "一、…" headings may hold a comma; the others may not."""
    if not _HEADING.match(text) or re.search(r"[。；;！？]", text):
        return False
    if CLAUSE_LABEL.search(text) or ((clause := _trailing_bracket(text)) and _clause(clause[1])):
        return False  # "1.推进老旧小区改造（牵头单位：区房管局）": an item with its units
    if re.match(rf"^第?[{_CN}]{{1,3}}\s*[、.．]", text):
        return len(text) <= 60
    return len(text) <= 40 and not re.search(r"[，,]", text)


def _is_group_sentence(text: str, following: str) -> bool:
    """ "（一）全力以赴拼经济稳增长促发展。" followed by "10.实施招商引资…": a
    group heading printed as one short sentence, over items of another
    numbering style."""
    if not text.endswith("。") or not (_is_heading(text[:-1]) or _is_short_group_sentence(text)):
        return False
    own, next_item = _ITEM.match(text), _ITEM.match(following)
    return bool(own and next_item and _style(own["num"]) != _style(next_item["num"]))


def _is_short_group_sentence(text: str) -> bool:
    """ "（一）规范精简审批，进一步提高行政效能。": one short sentence (a comma
    allowed) after a bracketed numeral, naming no unit."""
    if not re.match(rf"^[（(]\s*[{_CN}]{{1,3}}\s*[)）]", text) or len(text) > 40:
        return False
    if re.search(r"[。；;！？]", text[:-1]) or CLAUSE_LABEL.search(text):
        return False
    return not ((clause := _trailing_bracket(text)) and _clause(clause[1]))


def _ordered(reading: _Reading, clause: Clause, raw: str) -> Clause:
    """The document's rule that the first unit listed leads, for a list that
    names lead units only under 责任单位 (not 牵头单位, not "A、B分别牵头")."""
    if not reading.first_listed_leads or EACH_LEADS.search(raw.rstrip("。；; )）")):
        return clause
    labels = {clause_label(m) for m in CLAUSE_LABEL.finditer(raw)}
    if labels & set(LEAD_LABELS) or not labels & set(RESPONSIBLE_LABELS):
        return clause
    return first_listed_leads(clause)


def _split_items(text: str) -> tuple[str, list[_Item]]:
    """Leading text (a preamble run into the first item) and the items. Numbers
    of another style inside an item ("1.推进城市更新：（1）…；（2）…") are its
    sub-points, not items."""
    starts = list(_ITEM.finditer(text))
    if not starts:
        return text, []
    style = _style(starts[0]["num"])
    starts = [m for m in starts if _style(m["num"]) == style]
    leading = text[: starts[0].start()].strip()
    items = []
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        body = text[match.end() : end].strip()
        if body:
            items.append(_item(_number(match["num"]), body))
    return leading, items


def _style(printed: str) -> str:
    """ "1." / "1、" → "1."; "（一）" → "(一)"; "（1）" → "(1)"."""
    bracketed = bool(re.match(r"[（(]", printed))
    chinese = bool(re.search(f"[{_CN}]", printed))
    return ("(" if bracketed else "") + ("一" if chinese else "1")


def _number(printed: str) -> str:
    digits = re.sub(r"[^\d" + _CN + "]", "", printed)
    value = parse_chinese_numeral(digits)
    return str(value) if value else digits


def _item(number: str, body: str) -> _Item:
    item = _Item(number=number, text=body)
    found = _trailing_bracket(body) or _trailing_sentence(body)
    if found is not None:
        start, inner = found
        if clause := _clause(inner):
            item.text = body[:start].rstrip("，,；; ")
            item.clause, item.clause_text = clause, inner
    return item


_OPEN, _CLOSE = "（([【〔", "）)]】〕"  # 〔…〕 as in "〔牵头单位：…，责任单位：…〕" (Gangcheng 2021)


def _trailing_bracket(body: str) -> tuple[int, str] | None:
    """The bracket closing the item ("…（牵头单位：…）。"), nested brackets
    inside allowed ("各街办(新区)"): (where it starts, what it holds)."""
    end = len(body.rstrip("。；; "))
    if end == 0 or body[end - 1] not in _CLOSE:
        return None
    depth = 0
    for index in range(end - 1, -1, -1):
        char = body[index]
        if char in _CLOSE:
            depth += 1
        elif char in _OPEN:
            depth -= 1
            if depth == 0:
                return index, body[index + 1 : end - 1]
    return None


_LABEL_SENTENCE = re.compile(rf"(?:^|(?<=[。；;]))\s*(?=(?:{CLAUSE_LABEL_PATTERN}))")


def _trailing_sentence(body: str) -> tuple[int, str] | None:
    """ "…。责任单位：市委组织部、市科技局。": the unit clause as the item's last sentence."""
    starts = list(_LABEL_SENTENCE.finditer(body))
    if not starts or starts[0].start() == 0:
        return None
    start = starts[0].start()
    return start, body[start:].strip().rstrip("。；; ")


def _clause(inner: str) -> Clause:
    """What a unit clause says ("牵头单位：A；配合单位：B", "A牵头，B按职责分工负责",
    "A（牵头）、B"); a bracket holding only unit names gives the lead units;
    empty if it names none ("（不含6亩）")."""
    if clause := unit_clause(inner):
        return clause
    pieces = [n for n in re.split(r"[、，,；;\s]+", inner.strip()) if n]
    if pieces and all(looks_like_unit(n) for n in pieces):
        return Clause(lead="、".join(pieces))  # "（区发改委、区财政局）": units only, the lead units
    return Clause()


def _clause_line(reading: _Reading, text: str) -> None:
    """ "牵头单位：…" / "责任单位：…" / "责任领导：…" on its own line: the item above."""
    row = reading.rows[-1]
    clause = _ordered(reading, _clause(text), text) if not row.fields.get("lead") else _clause(text)
    label = next(CLAUSE_LABEL.finditer(text))
    if clause.lead and row.fields.get("lead") and clause_label(label) in RESPONSIBLE_LABELS:
        # 牵头单位 on the line above: 责任单位 are the responsible (supporting) units.
        clause = Clause(leader=clause.leader, support=clause.lead, deadline=clause.deadline)
    row.add(clause)


def _group_units(reading: _Reading, group: re.Match[str]) -> None:
    """ "上述项目由…牵头负责": every item of the group without units of its own."""
    for row in reading.rows[reading.group_start :]:
        if not row.heading and not row.has_units:
            row.add(Clause(lead=group["lead"].strip(), support=(group["support"] or "").strip()))
    reading.group_start = len(reading.rows)
