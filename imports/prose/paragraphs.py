"""A notice's paragraphs one by one: where its tasks start, headings, items, unit lines, group sentences."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..text import (
    CLAUSE_LABEL,
    EACH_LEADS,
    LEAD_LABELS,
    RESPONSIBLE_LABELS,
    Clause,
    clause_label,
    clean_text,
    first_listed_leads,
)
from .items import _CN, _FIELDS, _GROUP, _HEADING, _ITEM, _ROLE_LABEL, _clause, _split_items, _style, _trailing_bracket


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


def _continues_item(reading: _Reading, text: str, rest: Iterable[str]) -> bool:
    """An unnumbered paragraph between an item and the unit lines that close it
    ("1.加快重大项目建设。" / "全年实施重大项目100个。" / "牵头单位：…") is more of
    the item's text."""
    if not reading.rows or reading.rows[-1].heading or reading.rows[-1].fields or _starts_something(text):
        return False
    following = next((t for t in rest if _starts_something(t)), "")
    return bool(_ROLE_LABEL.match(following))


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
