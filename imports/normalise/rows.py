"""One shaped row into a task: its title, city marker, units, leaders and the aliases its brackets teach."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..text import clean_text, name_key
from .leaders import split_leaders, suggest_leader_split
from .units import split_units, unit_kind_guess
from .vocabulary import Vocabulary

if TYPE_CHECKING:
    from ..errors import ImportWarning
    from ..records import ParsedCategory, ParsedTask, ParsedUnitRef
    from ..shape import ShapedDocument, ShapedRow

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
    from ..records import ParsedCategory

    heading = row.category
    if heading.order not in categories:
        categories[heading.order] = ParsedCategory(heading.order, heading.name, heading.stated_count)
    elif heading.stated_count and not categories[heading.order].stated_count:
        categories[heading.order].stated_count = heading.stated_count
    if row.project and (heading.order, row.project) not in projects:
        projects.append((heading.order, row.project))


def _task_from_row(state: _Normalising, row: ShapedRow, position: int) -> ParsedTask:
    from ..errors import ImportRefused, ImportWarning
    from ..records import ParsedTask

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
    from ..errors import ImportWarning
    from ..records import ParsedUnitRef

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
    from ..errors import ImportWarning

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
    from ..errors import ImportWarning

    vocabulary = state.vocabulary
    leaders: list[str] = []
    split = split_leaders(row.leader, vocabulary)
    if split.titles:
        state.warnings.append(
            ImportWarning(
                "leader_title",
                f"牵头领导一栏中的职务“{'、'.join(split.titles)}”不是姓名，已去掉，"
                f"按{'、'.join(split.names) or '（无姓名）'}导入，请核对",
                row=row.row,
                column="牵头领导",
                raw=row.leader,
                number=row.number,
            )
        )
    for name in split.names:
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
