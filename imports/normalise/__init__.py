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

from typing import TYPE_CHECKING

from ..text import CategoryHeading, clean_text, name_key, parse_category
from .document import _learn_leaders, _learn_units, _unit_leader_pairs, fold_dropped_prefixes, split_marked_units
from .leaders import LeaderSplit, split_leaders, suggest_leader_split
from .rows import _Normalising, _note_category_and_project, _task_from_row, split_city_marker, task_title
from .units import GROUP_PHRASES, UnitMention, is_group_reference, looks_like_unit, split_units, unit_kind_guess
from .vocabulary import Vocabulary, clean_text_keep_spaces

if TYPE_CHECKING:
    from ..records import ParsedCategory, ParsedPlan
    from ..shape import ShapedDocument

__all__ = [
    "GROUP_PHRASES",
    "CategoryHeading",
    "LeaderSplit",
    "UnitMention",
    "Vocabulary",
    "clean_text",
    "clean_text_keep_spaces",
    "fold_dropped_prefixes",
    "is_group_reference",
    "looks_like_unit",
    "name_key",
    "normalise_document",
    "parse_category",
    "split_city_marker",
    "split_leaders",
    "split_marked_units",
    "split_units",
    "suggest_leader_split",
    "task_title",
    "unit_kind_guess",
]

# -- the whole document ---------------------------------------------------------


def normalise_document(shaped: ShapedDocument, vocabulary: Vocabulary) -> ParsedPlan:
    """Shaped rows → a ParsedPlan with names split and resolved, warnings kept."""
    from ..records import ParsedPlan

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
    if "unit" not in shaped.columns:
        # Rows are checked one by one only against a unit column: without one, say it once.
        orphans = sum(1 for task in tasks if not any(u.role == "lead" for u in task.units))
        if orphans:
            from ..errors import ImportWarning

            state.warnings.append(
                ImportWarning(
                    "missing_unit_column",
                    f"文件中没有牵头单位列，{orphans}项任务没有牵头单位；如某列就是牵头单位，请在“各列的用途”中指定",
                    column="牵头单位",
                )
            )
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
