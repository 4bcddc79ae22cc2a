"""Unit clauses: who leads, who supports, which leader, by when ("牵头单位：…；配合单位：…",
"区发改委（牵头）、区统计局", "…牵头，…按职责分工负责")."""

from __future__ import annotations

import re
from dataclasses import dataclass

# -- unit clauses: who leads, who supports, which leader, by when ---------------------------
# Shared by the prose reader ("（牵头单位：…；配合单位：…）" after an item) and by
# normalise (a 责任单位 cell that marks its own lead: "区发改委（牵头）、区统计局").

LEAD_LABELS = ("牵头单位", "牵头部门", "主责单位", "主责部门", "牵头责任单位")
RESPONSIBLE_LABELS = ("责任单位", "责任部门")
SUPPORT_LABELS = (
    "配合单位",
    "配合部门",
    "协办单位",
    "协办部门",
    "协助单位",
    "协助部门",
    "参与单位",
    "参与部门",
    "协同单位",
    "协同部门",
    "协同责任单位",
    "配合责任单位",
)
LEADER_LABELS = (
    "牵头领导",
    "责任领导",
    "分管领导",
    "牵头区领导",
    "牵头县领导",
    "牵头市领导",
    "责任区领导",
    "责任县领导",
    "责任市领导",
    "联系领导",
    "包保领导",
    "责任人",
    # "分管省领导：林克庆" (Guangdong 2021): 分管/牵头/责任 + 省/市/区/县 + 领导.
    "分管省领导",
    "分管市领导",
    "分管区领导",
    "分管县领导",
    "牵头省领导",
    "责任省领导",
)
DEADLINE_LABELS = ("完成时限", "完成时间", "完成期限", "时间节点", "时限要求", "时间要求", "办结时限")
# Labels whose text is itself a free clause ("部门分工：省发展改革委牵头，各地、各部门配合。").
DIVISION_LABELS = ("部门分工", "责任分工", "职责分工", "任务分工", "单位分工")
_ALL_LABELS = (
    *LEAD_LABELS,
    *RESPONSIBLE_LABELS,
    *SUPPORT_LABELS,
    *LEADER_LABELS,
    *DEADLINE_LABELS,
    *DIVISION_LABELS,
)
_LABELS = "|".join(sorted(_ALL_LABELS, key=len, reverse=True))
# "牵头单位：…" or "【牵头单位】…" (the colon optional after the bracket).
CLAUSE_LABEL = re.compile(rf"【\s*(?P<boxed>{_LABELS})\s*】\s*[:：]?|(?P<label>{_LABELS})\s*[:：]")
# The same, without groups, to build other patterns with.
CLAUSE_LABEL_PATTERN = rf"【\s*(?:{_LABELS})\s*】\s*[:：]?|(?:{_LABELS})\s*[:：]"
_FREE_CLAUSE = re.compile(
    r"^(?P<lead>.+?)(?:牵头负责|牵头|负责)(?:\s*[，,、；;]\s*(?P<support>.+?)"
    r"(?:按职责分工负责|按职责分工落实|按职责负责|配合|参与|协同|协办|共同推进|负责))?\s*$"
)
# A document's own rule for unit lists ("（除标注“分别牵头”外，列第一位为牵头或汇总单位，下同）",
# "列第一位的责任单位为牵头单位"): the first unit listed leads.
FIRST_LISTED_LEADS = re.compile(r"列(?:在)?第一位的?(?:责任)?(?:单位|部门)?为牵头")
_RULE_NOTE = re.compile(r"\s*[（(][^（()）]*列(?:在)?第一位[^（()）]*[）)]")
# "A、B分别牵头": each of them leads.
EACH_LEADS = re.compile(r"\s*分别牵头(?:负责)?\s*$")
_MARK = re.compile(r"^(?P<name>.+?)\s*[（(]\s*(?P<mark>牵头|主责|牵头单位|配合|协办|参与|配合单位)\s*[）)]$")


@dataclass(frozen=True)
class Clause:
    """What a unit clause says; empty strings for what it does not say."""

    leader: str = ""
    lead: str = ""
    support: str = ""
    deadline: str = ""

    def __bool__(self) -> bool:
        return bool(self.leader or self.lead or self.support or self.deadline)


def clause_label(match: re.Match[str]) -> str:
    return match["boxed"] or match["label"]


def labelled_clause(inner: str) -> Clause:
    """ "牵头单位：A；配合单位：B", "【责任单位】A", "牵头领导：张三；完成时限：6月底":
    each label's text. 责任单位 is the lead when no 牵头单位 is named, the
    responsible (supporting) units beside one."""
    found = list(CLAUSE_LABEL.finditer(inner))
    if not found:
        return Clause()
    has_lead = any(clause_label(m) in LEAD_LABELS for m in found)
    parts: dict[str, list[str]] = {"leader": [], "lead": [], "support": [], "deadline": []}
    for index, match in enumerate(found):
        end = found[index + 1].start() if index + 1 < len(found) else len(inner)
        text = _RULE_NOTE.sub("", inner[match.end() : end]).strip(" ；;，,。")
        text = EACH_LEADS.sub("", text)
        label = clause_label(match)
        if label in DIVISION_LABELS:
            _add_division(parts, text)
            continue
        if label in LEADER_LABELS:
            key = "leader"
        elif label in DEADLINE_LABELS:
            key = "deadline"
        elif label in LEAD_LABELS or (label in RESPONSIBLE_LABELS and not has_lead):
            key = "lead"
        else:
            key = "support"
        if text:
            parts[key].append(text)
    return Clause(**{key: "、".join(texts) for key, texts in parts.items()})


def _add_division(parts: dict[str, list[str]], text: str) -> None:
    """ "部门分工：X牵头，Y、Z配合。": the free clause after the label; a plain
    list of units ("部门分工：X、Y") leads."""
    text = text.strip(" 。；;，,")
    clause = free_clause(text) or marked_clause(text) or Clause(lead=text)
    for key in ("lead", "support"):
        if value := getattr(clause, key):
            parts[key].append(value)


def free_clause(inner: str) -> Clause:
    """ "区经委牵头，区科委按职责分工负责", "区科技局负责": lead and supporting units."""
    found = _FREE_CLAUSE.match(inner.strip())
    if not found or re.search(r"[。：:]", inner):
        return Clause()
    return Clause(lead=found["lead"].strip(" ，,、"), support=(found["support"] or "").strip(" ，,、"))


def marked_clause(inner: str) -> Clause:
    """ "区发改委（牵头）、区统计局、区财政局": the unit marked 牵头 leads, the
    others support (a unit marked 配合 supports). Empty when nothing is marked."""
    pieces = _top_level_pieces(inner)
    marks = [_MARK.match(piece) for piece in pieces]
    if not any(m and m["mark"] in ("牵头", "主责", "牵头单位") for m in marks):
        return Clause()
    lead, support = [], []
    for piece, mark in zip(pieces, marks, strict=True):
        if mark and mark["mark"] in ("牵头", "主责", "牵头单位"):
            lead.append(mark["name"].strip())
        else:
            support.append(mark["name"].strip() if mark else piece)
    return Clause(lead="、".join(lead), support="、".join(support))


def first_listed_leads(clause: Clause) -> Clause:
    """Under a document's rule that the first unit listed leads: a list of
    lead units only ("责任单位：A、B、C") becomes A leading, B and C supporting."""
    if not clause.lead or clause.support:
        return clause
    pieces = _top_level_pieces(clause.lead)
    return Clause(leader=clause.leader, lead=pieces[0], support="、".join(pieces[1:]), deadline=clause.deadline)


def _top_level_pieces(text: str) -> list[str]:
    """Split at 、，,；; and spaces outside brackets ("各县(市、区)政府" stays whole)."""
    pieces, current, depth = [], "", 0
    for char in text:
        if char in "（(":
            depth += 1
        elif char in "）)":
            depth = max(0, depth - 1)
        if depth == 0 and char in "、，,；; \u3000":
            if current.strip():
                pieces.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        pieces.append(current.strip())
    return pieces


def unit_clause(inner: str) -> Clause:
    """Whichever form the clause has: labelled, free ("A牵头，B配合") or marked ("A（牵头）、B")."""
    return labelled_clause(inner) or free_clause(inner) or marked_clause(inner)
