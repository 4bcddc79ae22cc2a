"""Stage 3, normalise: the mess that extraction leaves in cell text.

- line-wrap spaces between Chinese characters go, spaces around Latin words
  and numbers stay ("承办 TR35 中国区", "轨交 25 号线");
- several leaders or units in one cell are split whatever the separator, and
  names that a wrap broke apart are joined again ("区人力资源社会 保障局",
  "赵 亮 可 晓 林 李 阳");
- a bracketed second name becomes an alias of its unit;
- group references ("相关街镇", "各镇、街道、莘庄工业区") stay groups.

Pure functions over strings plus a `Vocabulary` of names already known (from
the database and from the document itself); nothing here touches the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tasks.models import UnitKind

from .run_together import split_run_together
from .text import INVISIBLE, NEWLINES, SPACES, CategoryHeading, clean_text, name_key, parse_category, unit_clause

if TYPE_CHECKING:
    from .errors import ImportWarning
    from .records import ParsedCategory, ParsedPlan, ParsedTask, ParsedUnitRef
    from .shape import ShapedDocument, ShapedRow

__all__ = ["CategoryHeading", "clean_text", "name_key", "parse_category"]

# -- tasks --------------------------------------------------------------------

_CITY_MARK = re.compile(r"[*＊※]")


def split_city_marker(text: str) -> tuple[str, bool]:
    """The five-year table marks tasks from Shanghai's own plan with "*"."""
    if _CITY_MARK.search(text):
        return _CITY_MARK.sub("", text).strip(), True
    return text, False


def task_title(text: str, limit: int = 40) -> str:
    """The first sentence or clause: what a list shows for a task."""
    first = re.split(r"[。；;！？!?]", text, maxsplit=1)[0].strip() or text.strip()
    if len(first) <= limit:
        return first
    clause = re.split(r"[，,：:]", first, maxsplit=1)[0].strip()
    if 6 <= len(clause) <= limit:
        return clause
    return first[: limit - 1] + "…"


# -- names: shared splitting --------------------------------------------------

# Hard separators. A newline is soft: it separates names in Excel cells, but in
# text copied from Word it can be a wrap inside a name; the joiner decides.
_SEPARATORS = re.compile(r"[、，,;；/]+")


def _pieces(text: str) -> list[str]:
    return [piece for piece in (p.strip() for p in _SEPARATORS.split(text)) if piece]


@dataclass
class Vocabulary:
    """Names known before reading a cell: from the database and the document."""

    leaders: set[str] = field(default_factory=set)
    # unit name or alias (by name_key) -> canonical unit name
    units: dict[str, str] = field(default_factory=dict)
    # The admin's choices on the preview (new name -> existing unit), applied once through `units`
    # and kept so that normalising records each as an alias.
    mapped: dict[str, str] = field(default_factory=dict)

    def with_mapping(self, mapping: dict[str, str]) -> Vocabulary:
        units = dict(self.units)
        for new_name, existing in mapping.items():
            units[name_key(new_name)] = existing
        return Vocabulary(leaders=set(self.leaders), units=units, mapped=dict(mapping))

    def canonical_unit(self, name: str) -> str | None:
        return self.units.get(name_key(name))


# -- leaders ------------------------------------------------------------------


@dataclass(frozen=True)
class LeaderSplit:
    names: list[str]
    unknown: list[str]  # names that are not known leaders (reported)


def split_leaders(raw: str, vocabulary: Vocabulary) -> LeaderSplit:
    """Split a 牵头领导 cell into names.

    Space-separated tokens of two or more characters are names; runs of
    single characters are a name a wrap broke apart ("谭 滨") or several
    ("赵 亮 可 晓 林 李 阳"), segmented with the known names.
    """
    names: list[str] = []
    for piece in _pieces(clean_text_keep_spaces(raw)):
        tokens = piece.split()
        run: list[str] = []
        for token in [*tokens, ""]:
            if len(token) == 1:
                run.append(token)
                continue
            if run:
                names.extend(_segment("".join(run), vocabulary.leaders))
                run = []
            if token:
                names.extend(_segment(token, vocabulary.leaders) if token not in vocabulary.leaders else [token])
    unique = list(dict.fromkeys(names))
    return LeaderSplit(names=unique, unknown=[n for n in unique if n not in vocabulary.leaders])


def _segment(text: str, known: set[str]) -> list[str]:
    """Split text into known names if it can be done exactly; else keep it whole."""
    best: dict[int, list[str] | None] = {0: []}
    for end in range(1, len(text) + 1):
        best[end] = None
        for start in range(max(0, end - 4), end - 1):
            prefix = best.get(start)
            if prefix is not None and text[start:end] in known:
                best[end] = [*prefix, text[start:end]]
                break
    result = best.get(len(text))
    return result if result else [text]


def suggest_leader_split(name: str, vocabulary: Vocabulary, hint: set[str] | None = None) -> list[str]:
    """For an unknown name that looks like known names run together ("赵杨辛"
    = 赵[亮] + 杨辛), the known names it most likely stands for; [] if none.

    Each part must be a known name or the start of exactly one known name
    (preferring the leaders named by `hint`, e.g. the row's units' leaders).
    """
    known = vocabulary.leaders
    for cut in range(1, len(name)):
        left, right = name[:cut], name[cut:]
        left_match = _resolve_fragment(left, known, hint)
        right_match = _resolve_fragment(right, known, hint)
        if left_match and right_match and left_match != right_match and (left in known or right in known):
            return [left_match, right_match]
    return []


def _resolve_fragment(fragment: str, known: set[str], hint: set[str] | None) -> str | None:
    if fragment in known:
        return fragment
    candidates = sorted(n for n in known if n.startswith(fragment) and len(n) > len(fragment))
    if hint:
        hinted = [n for n in candidates if n in hint]
        if len(hinted) == 1:
            return hinted[0]
    return candidates[0] if len(candidates) == 1 else None


def clean_text_keep_spaces(text: str) -> str:
    """Like clean_text, but spaces (and newlines, as spaces) between names survive."""
    text = INVISIBLE.sub("", NEWLINES.sub("\n", text or "")).replace("\n", " ")
    return SPACES.sub(" ", text).strip()


# -- units --------------------------------------------------------------------

# The endings of a complete unit name. A fragment without one ("区人力资源社会",
# "区粮食物资储备", "虹桥商务区应急") was broken by a line wrap.
_UNIT_ENDINGS = (
    "局",
    "委",
    "办",
    "部",
    "中心",
    "公司",
    "集团",
    "镇",
    "街道",
    "工会",
    "妇联",
    "残联",
    "团区委",
    "机关",
    "院",
    "园区",
    "开发区",
    "工业区",
    "试验区",
    "所",
    "站",
    "署",
    "处",
    "室",
    "厅",
    "馆",
    "队",
    "协",
    "联",
    "委员会",
    "管委会",
    "联合会",
    "商会",
    "协会",
    "街镇",
    "单位",
    "学校",
    "医院",
    "银行",
    "报社",
    "十字会",
)
_GROUP_PREFIXES = ("相关", "各", "有关", "其他", "全区", "涉及")
# Standard phrases that name a group of units and contain a separator themselves.
GROUP_PHRASES = (
    "各镇、街道、莘庄工业区",
    "各镇街道、莘庄工业区",
    "各街镇、莘庄工业区",
    "各镇、街道",
)
# Bare generic words that only continue a group ("各镇、街道").
_GROUP_CONTINUATIONS = {"街道", "镇", "街镇", "村", "居委", "居委会", "园区", "莘庄工业区"}
# Each group phrase, matched whatever spaces a wrap left inside it (built once, not per cell).
_GROUP_PATTERNS = [
    (re.compile(r"\s*".join(re.escape(char) for char in phrase)), "、" + phrase.replace("、", "\x01") + "、")
    for phrase in GROUP_PHRASES
]
_BRACKETED = re.compile(r"^(?P<name>.+?)\s*[（(](?P<alias>[^（）()]+)[）)]$")


@dataclass(frozen=True)
class UnitMention:
    name: str  # as printed, cleaned (an alias is not resolved here)
    printed: str  # the cell fragment it came from
    bracket_alias: str | None = None  # "区财政局（区金融办）" -> 区金融办
    is_group: bool = False
    run_together: bool = False  # one of two names printed without a separator ("市行政审批局市司法局")


def split_units(raw: str, vocabulary: Vocabulary) -> list[UnitMention]:
    """Split a 牵头单位 cell into units, in the document's order."""
    # "区委宣传部 (区文明办)": a bracketed second name belongs to the name before it.
    text = re.sub(r"\s+(?=[（(])", "", clean_text_keep_spaces(raw))
    mentions: list[UnitMention] = []
    # Group phrases first: they contain the separator "、" themselves.
    for pattern, replacement in _GROUP_PATTERNS:
        text = pattern.sub(replacement, text)
    fragments: list[str] = []
    for piece in _pieces(_protect_brackets(text)):
        piece = piece.replace("\x02", "、")
        if "\x01" in piece:
            fragments.append(piece.replace("\x01", "、"))
        else:
            fragments.extend(_join_wrapped_tokens(piece.split(), vocabulary))
    fragments = _join_group_continuations(fragments)
    for fragment in fragments:
        fragment_clean = _TRAILING_ETC.sub("", clean_text(fragment))
        match = _BRACKETED.match(fragment_clean)
        alias = None
        name = fragment_clean
        if match and _is_alias(match["name"], match["alias"]):
            name, alias = match["name"].strip(), clean_text(match["alias"])
        names = [name] if alias else _split_run_together(name, vocabulary)
        for part in names:
            mentions.append(
                UnitMention(
                    name=part,
                    printed=fragment.strip(),
                    bracket_alias=alias,
                    is_group=is_group_reference(part),
                    run_together=len(names) > 1,
                )
            )
    return mentions


def _split_run_together(name: str, vocabulary: Vocabulary) -> list[str]:
    return split_run_together(name, is_known=lambda n: vocabulary.canonical_unit(n) is not None)


# "区水务局等部门", "市卫生健康委等", "区司法局等有关部门": the unit, without the "and others".
_TRAILING_ETC = re.compile(r"(?<=..)等(?:有关|相关|其他)?(?:部门|单位)?$")


def _protect_brackets(text: str) -> str:
    """Separators inside brackets ("各县(市、区)政府") belong to the name: hidden from splitting."""
    out, depth = [], 0
    for char in text:
        if char in "（(":
            depth += 1
        elif char in "）)":
            depth = max(0, depth - 1)
        out.append("\x02" if depth and char in "、，,;；/" else char)
    return "".join(out)


def _is_alias(name: str, bracketed: str) -> bool:
    """ "区财政局（区金融办）": a second name of the unit; "各街办(新区)": part of the name."""
    bracketed = bracketed.strip()
    if bracketed.isdigit() or is_group_reference(name.strip()):
        return False
    return len(bracketed) >= 3 and _looks_complete(bracketed)


def _join_wrapped_tokens(tokens: list[str], vocabulary: Vocabulary) -> list[str]:
    """Join space-separated tokens that a line wrap split out of one name.

    Greedy left to right: keep extending the current name while it is not yet a
    complete name (unknown and without a unit ending), or while joining the next
    token makes a known name.
    """
    out: list[str] = []
    current = ""
    for token in tokens:
        if not current:
            current = token
            continue
        joined = current + token
        known_current = vocabulary.canonical_unit(current) is not None
        if vocabulary.canonical_unit(joined) is not None or (
            not known_current and (not _looks_complete(current) or len(token) == 1)
        ):
            current = joined
        else:
            out.append(current)
            current = token
    if current:
        out.append(current)
    return out


def looks_like_unit(name: str) -> bool:
    """A whole unit name (区发改委, 各街镇), not a phrase that only mentions one."""
    bare = re.sub(r"[（(][^）)]*[）)]$", "", name)
    return 2 <= len(name) <= 30 and bare.endswith((*_UNIT_ENDINGS, "部门")) and not re.search(r"[，,。；;：:]", name)


def _looks_complete(name: str) -> bool:
    bare = re.sub(r"[（(][^）)]*[）)]$", "", name)
    return bare.endswith(_UNIT_ENDINGS) or (is_group_reference(bare) and bare not in _GROUP_PREFIXES)


def _join_group_continuations(fragments: list[str]) -> list[str]:
    out: list[str] = []
    for fragment in fragments:
        if out and fragment in _GROUP_CONTINUATIONS and is_group_reference(out[-1]):
            out[-1] = f"{out[-1]}、{fragment}"
        else:
            out.append(fragment)
    return out


def is_group_reference(name: str) -> bool:
    return name.startswith(_GROUP_PREFIXES)


def unit_kind_guess(name: str) -> UnitKind:
    if is_group_reference(name):
        return UnitKind.GROUP
    if name.endswith("街道"):
        return UnitKind.STREET
    if name.endswith("镇") or name.endswith("工业区"):
        return UnitKind.TOWN
    if name.endswith(("公司", "集团")):
        return UnitKind.COMPANY
    if name.startswith("区") or name.endswith(("局", "委", "办", "部", "中心", "机关")):
        return UnitKind.DEPARTMENT
    return UnitKind.OTHER


# -- the whole document ---------------------------------------------------------


def normalise_document(shaped: ShapedDocument, vocabulary: Vocabulary) -> ParsedPlan:
    """Shaped rows → a ParsedPlan with names split and resolved, warnings kept."""
    from .records import ParsedPlan

    state = _Normalising(
        shaped=shaped,
        vocabulary=Vocabulary(leaders=set(vocabulary.leaders), units=dict(vocabulary.units), mapped=vocabulary.mapped),
        warnings=list(shaped.warnings),
    )
    known = set(vocabulary.units)
    state.warnings.extend(split_marked_units(shaped))
    state.suspicious = _learn_leaders(shaped, state.vocabulary)
    _learn_units(shaped, state.vocabulary)
    state.warnings.extend(fold_dropped_prefixes(shaped, state.vocabulary, known=known))
    state.unit_leaders = _unit_leader_pairs(shaped, state.vocabulary)
    state.standalone_units = {
        state.vocabulary.canonical_unit(m.name) or m.name
        for row in shaped.rows
        for m in split_units(row.unit + "\n" + row.support, state.vocabulary)
    }
    categories: dict[int, ParsedCategory] = {}
    projects: list[tuple[int, str]] = []
    tasks = []
    for position, row in enumerate(shaped.rows, start=1):
        _note_category_and_project(row, categories, projects)
        tasks.append(_task_from_row(state, row, position))
    return ParsedPlan(
        format=shaped.format,
        meta=shaped.meta,
        columns=shaped.columns,
        categories=sorted(categories.values(), key=lambda c: c.order),
        projects=projects,
        tasks=tasks,
        new_unit_kinds=state.new_units,
        aliases=state.aliases,
        warnings=state.warnings,
    )


@dataclass
class _Normalising:
    """What normalising one document carries from row to row."""

    shaped: ShapedDocument
    vocabulary: Vocabulary
    warnings: list[ImportWarning]
    suspicious: set[str] = field(default_factory=set)
    unit_leaders: dict[str, set[str]] = field(default_factory=dict)
    standalone_units: set[str] = field(default_factory=set)
    new_units: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)


def _note_category_and_project(
    row: ShapedRow, categories: dict[int, ParsedCategory], projects: list[tuple[int, str]]
) -> None:
    from .records import ParsedCategory

    heading = row.category
    if heading.order not in categories:
        categories[heading.order] = ParsedCategory(heading.order, heading.name, heading.stated_count)
    elif heading.stated_count and not categories[heading.order].stated_count:
        categories[heading.order].stated_count = heading.stated_count
    if row.project and (heading.order, row.project) not in projects:
        projects.append((heading.order, row.project))


def _task_from_row(state: _Normalising, row: ShapedRow, position: int) -> ParsedTask:
    from .errors import ImportRefused, ImportWarning
    from .records import ParsedTask

    text, city_level = split_city_marker(clean_text(row.task))
    if not text:
        # Only a city marker or invisible characters: no task text at all.
        raise ImportRefused("任务内容为空。", row=row.row, column="任务", raw=row.task)
    if row.city.strip() in {"是", "√", "✓", "*", "＊", "Y", "y", "1", "市级"}:
        city_level = True
    units = _task_units(state, row)
    leaders = _task_leaders(state, row, units) if "leader" in state.shaped.columns else []
    if "unit" in state.shaped.columns and not any(u.role == "lead" for u in units):
        state.warnings.append(
            ImportWarning(
                "missing_unit",
                "没有牵头单位，也不在上方合并单元格内",
                row=row.row,
                column="牵头单位",
                raw=row.unit,
                number=row.number,
            )
        )
    return ParsedTask(
        number=row.number,
        position=position,
        row=row.row,
        category_order=row.category.order,
        project=row.project,
        text=text,
        title=task_title(text),
        city_level=city_level,
        note=clean_text(row.note),
        deadline_text=clean_text(row.deadline),
        withdrawn=clean_text(row.state) == "已撤销",
        leaders=leaders,
        units=units,
        extras=[{"header": header, "value": value} for header, value in row.extras],
    )


def _task_units(state: _Normalising, row: ShapedRow) -> list[ParsedUnitRef]:
    """The row's units, lead then supporting, each resolved once through the
    vocabulary (aliases, the admin's mapping, the document's own names)."""
    from .errors import ImportWarning
    from .records import ParsedUnitRef

    vocabulary = state.vocabulary
    units: list[ParsedUnitRef] = []
    for role, raw in (("lead", row.unit), ("support", row.support)):
        for mention in split_units(raw, vocabulary):
            canonical = vocabulary.canonical_unit(mention.name) or mention.name
            if any(u.name == canonical for u in units):
                state.warnings.append(
                    ImportWarning(
                        "duplicate_unit",
                        f"同一任务中单位重复：{canonical}",
                        row=row.row,
                        column="牵头单位",
                        raw=raw,
                        number=row.number,
                    )
                )
                continue
            if mention.name in vocabulary.mapped and mention.name != canonical:
                state.aliases.setdefault(mention.name, canonical)  # the admin's mapping, kept as an alias
            # Whether it is new is the diff's call (it knows the database).
            state.new_units.setdefault(canonical, unit_kind_guess(canonical).value)
            vocabulary.units.setdefault(name_key(canonical), canonical)
            if mention.bracket_alias:
                _bracket_alias(state, row, raw, mention.bracket_alias, canonical)
            if mention.run_together and mention.printed.endswith(mention.name):
                state.warnings.append(
                    ImportWarning(
                        "run_together_units",
                        f"“{mention.printed}”中间没有分隔符，按两个单位读取，请核对",
                        row=row.row,
                        column="牵头单位" if role == "lead" else "配合单位",
                        raw=raw,
                        number=row.number,
                    )
                )
            units.append(ParsedUnitRef(name=canonical, printed=mention.printed, role=role))
    return units


def _bracket_alias(state: _Normalising, row: ShapedRow, raw: str, alias: str, canonical: str) -> None:
    from .errors import ImportWarning

    vocabulary = state.vocabulary
    if alias in state.standalone_units or (vocabulary.canonical_unit(alias) not in (None, canonical)):
        state.warnings.append(
            ImportWarning(
                "bracket_name_is_unit",
                f"括号中的“{alias}”是另一个独立单位，未作为“{canonical}”的别名",
                row=row.row,
                column="牵头单位",
                raw=raw,
                number=row.number,
            )
        )
    elif vocabulary.canonical_unit(alias) is None:
        state.aliases[alias] = canonical
        vocabulary.units[name_key(alias)] = canonical


def _task_leaders(state: _Normalising, row: ShapedRow, units: list[ParsedUnitRef]) -> list[str]:
    from .errors import ImportWarning

    vocabulary = state.vocabulary
    leaders: list[str] = []
    for name in split_leaders(row.leader, vocabulary).names:
        suggestion = []
        if name in state.suspicious or name not in vocabulary.leaders:
            hint = {leader for unit in units for leader in state.unit_leaders.get(unit.name, ())}
            suggestion = suggest_leader_split(name, vocabulary, hint)
        if suggestion:
            state.warnings.append(
                ImportWarning(
                    "leader_run_together",
                    f"牵头领导“{name}”不是已知领导，疑为两位领导姓名连写，已按建议拆分，请核对",
                    row=row.row,
                    column="牵头领导",
                    raw=row.leader,
                    suggestion=suggestion,
                    number=row.number,
                )
            )
            leaders.extend(n for n in suggestion if n not in leaders)
            continue
        if not 2 <= len(name) <= 4:
            state.warnings.append(
                ImportWarning(
                    "leader_unusual",
                    f"牵头领导姓名“{name}”长度异常，请核对",
                    row=row.row,
                    column="牵头领导",
                    raw=row.leader,
                    number=row.number,
                )
            )
        if name not in leaders:
            leaders.append(name)
    if not leaders:
        state.warnings.append(
            ImportWarning(
                "missing_leader",
                "没有牵头领导，也不在上方合并单元格内",
                row=row.row,
                column="牵头领导",
                raw=row.leader,
                number=row.number,
            )
        )
    return leaders


# Prefixes a document prints on a unit's first mention and drops afterwards (市国土房管局 … 国土房管局).
_DROPPED_PREFIXES = ("市", "区", "县", "省")


def split_marked_units(shaped: ShapedDocument) -> list[ImportWarning]:
    """A 牵头单位/责任单位 cell that says itself who leads ("区发改委（牵头）、区统计局",
    "区住建局牵头，区发改委配合", "牵头单位：A；配合单位：B"): the lead units stay,
    the others join the supporting units. Each split is reported."""
    from .errors import ImportWarning

    warnings = []
    for row in shaped.rows:
        raw = row.unit
        clause = unit_clause(clean_text(raw)) if raw else None
        if not clause or not clause.lead or (clause.lead == clean_text(raw) and not clause.support):
            continue
        row.unit = clause.lead
        row.support = "、".join(t for t in (clause.support, row.support) if t)
        warnings.append(
            ImportWarning(
                "unit_roles_marked",
                "单元格中标明了牵头和配合单位，已按标注拆分："
                f"牵头单位“{clause.lead}”，配合单位“{clause.support or '无'}”",
                row=row.row,
                column="牵头单位",
                raw=raw,
                number=row.number,
            )
        )
    return warnings


def fold_dropped_prefixes(shaped: ShapedDocument, vocabulary: Vocabulary, *, known: set[str]) -> list:
    """A unit named without the prefix it carried elsewhere in the same document
    is that unit. Only names the database does not know (`known`: name keys) are
    folded, and each folding is reported."""
    from .errors import ImportWarning

    names: dict[str, tuple[int, str]] = {}  # name -> (row, raw cell) of its first mention
    after_prefix: dict[str, str] = {}  # bare name -> the prefix of a name before it in the same list
    for row in shaped.rows:
        for raw in (row.unit, row.support):
            prefix = ""
            for mention in split_units(raw, vocabulary):
                names.setdefault(mention.name, (row.row, raw))
                if mention.name.startswith(("市", "省")):
                    prefix = mention.name[0]
                elif prefix and _bare_department(mention.name):
                    after_prefix.setdefault(mention.name, prefix)
    style = _prefix_style(list(names))
    warnings = []
    for name, (row_no, raw) in names.items():
        if name_key(name) in known or is_group_reference(name):
            continue
        full = next((p + name for p in _DROPPED_PREFIXES if p + name in names), None)
        if full is None and _bare_department(name) and (style or name in after_prefix):
            # "市发改委、国土房管局": the prefix printed once stands for the whole list.
            full = (style or after_prefix[name]) + name
        if full is None:
            continue
        vocabulary.units[name_key(name)] = vocabulary.canonical_unit(full) or full
        warnings.append(
            ImportWarning(
                "unit_prefix_folded",
                f"“{name}”按本文件中的“{full}”处理（文件在首次出现后省略了前缀“{full[: len(full) - len(name)]}”）",
                row=row_no,
                raw=raw,
            )
        )
    return warnings


def _bare_department(name: str) -> bool:
    """A department named without its level ("国土房管局"), not a place's own body ("黄埔区政府")."""
    return (
        not name.startswith(_DROPPED_PREFIXES)
        and not re.search(r"[区县镇乡街]", name)
        and name.endswith(("局", "委", "办", "厅", "署"))
    )


def _prefix_style(names: list[str]) -> str:
    """The prefix a document gives its departments, when most carry one (a city's
    document: 市发改委, 市财政局 …); "" when most are bare (区-level documents
    often print 经委, 发改委, which stay as printed)."""
    departments = [n for n in names if n.endswith(("局", "委", "办", "厅", "署")) and not is_group_reference(n)]
    if len(departments) < 3:
        return ""
    for prefix in ("市", "省"):
        if sum(n.startswith(prefix) for n in departments) >= 0.6 * len(departments):
            return prefix
    return ""


def _leader_tokens(shaped: ShapedDocument) -> list[str]:
    tokens: list[str] = []
    for row in shaped.rows:
        if "leader" in row.inherited:
            continue
        for piece in _pieces(clean_text_keep_spaces(row.leader)):
            tokens.extend(t for t in piece.split() if len(t) >= 2)
    return tokens


def _learn_leaders(shaped: ShapedDocument, vocabulary: Vocabulary) -> set[str]:
    """Add the document's own leader names to the vocabulary. A name seen once
    that is two known names run together is held back as suspicious."""
    from collections import Counter

    counts = Counter(_leader_tokens(shaped))
    vocabulary.leaders.update(name for name, n in counts.items() if n >= 2 and 2 <= len(name) <= 4)
    suspicious: set[str] = set()
    for name, n in counts.items():
        if n == 1 and name not in vocabulary.leaders:
            if suggest_leader_split(name, vocabulary):
                suspicious.add(name)
            elif 2 <= len(name) <= 4:
                vocabulary.leaders.add(name)
    return suspicious


def _learn_units(shaped: ShapedDocument, vocabulary: Vocabulary) -> None:
    """Names that stand whole in some cell help rejoin the same name a wrap broke elsewhere."""
    for row in shaped.rows:
        for piece in _pieces(clean_text_keep_spaces(row.unit)):
            for token in piece.split():
                bare = re.sub(r"[（(][^）)]*[）)]$", "", token)
                for name in _split_run_together(bare, vocabulary) if bare == token else [bare]:
                    if len(name) >= 3 and _looks_complete(name) and vocabulary.canonical_unit(name) is None:
                        vocabulary.units[name_key(name)] = name


def _unit_leader_pairs(shaped: ShapedDocument, vocabulary: Vocabulary) -> dict[str, set[str]]:
    """Which leaders lead each unit elsewhere in the document (a hint for splits)."""
    pairs: dict[str, set[str]] = {}
    for row in shaped.rows:
        names = [n for n in split_leaders(row.leader, vocabulary).names if n in vocabulary.leaders]
        for mention in split_units(row.unit, vocabulary):
            canonical = vocabulary.canonical_unit(mention.name) or mention.name
            pairs.setdefault(canonical, set()).update(names)
    return pairs
