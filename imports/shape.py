"""Stage 2, shape: tables of cells → task rows with named fields.

Finds the header row by its column names (never by position; `columns.py`
gives every column its role), skips header rows repeated on every page, fills
what merged cells imply (a category or project cell spans many rows; a leader
cell may be shared by the rows below), takes heading rows as categories and
group headings as projects, numbers rows that have none, and reads the plan's
title, document number, date and stated totals from the text around the table.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from tasks.models import PlanKind
from tasks.numerals import parse_chinese_numeral

from .columns import (
    COLUMN_LABELS,
    COLUMN_NAMES,
    EXTRA,
    ColumnPlan,
    column_role,
    find_header,
    guess_header,
    plan_columns,
)
from .errors import ImportRefused, ImportWarning
from .read import Cell, Document, Table
from .text import CategoryHeading, clean_text, name_key, parse_category, parse_unnumbered_category

__all__ = ["COLUMN_LABELS", "COLUMN_NAMES", "column_role", "plan_meta_from_text", "shape_document"]

_HEADER_SCAN_ROWS = 30
# One row's cells by column role (None: the row is shorter than its header).
_RowCells = dict[str, Cell | None]
_FIELD_ROLES = ("leader", "unit", "support", "note", "deadline", "city", "state")


@dataclass
class ShapedRow:
    row: int  # as a person finds it in the source (line, sheet row, table row)
    table: str
    number: str
    category: CategoryHeading
    project: str | None
    task: str
    leader: str = ""
    unit: str = ""
    support: str = ""
    note: str = ""
    deadline: str = ""
    city: str = ""
    state: str = ""  # "已撤销" in our own CSV export (an undo snapshot)
    # Fields taken from a merged cell (or, in text formats, an empty cell) above.
    inherited: set[str] = field(default_factory=set)
    # Columns with no field of their own, in the document's order: (header, value).
    extras: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class PlanMeta:
    title: str = ""
    kind: str = ""
    year_start: int | None = None
    year_end: int | None = None
    doc_number: str = ""
    doc_date: dt.date | None = None
    stated_categories: int | None = None
    stated_projects: int | None = None
    stated_tasks: int | None = None
    stated_city_level: int | None = None
    # The district the document belongs to ("" = this installation's, settings.DISTRICT_NAME):
    # its unit aliases are the ones applied, and the aliases it teaches are kept under it.
    district: str = ""


@dataclass(frozen=True)
class PlanIdentity:
    """What identifies a plan besides its district: kind and years, all known."""

    kind: str
    year_start: int
    year_end: int


def plan_identity(meta: PlanMeta) -> PlanIdentity | None:
    """The plan's kind and years, or None while any of them is missing."""
    if not meta.kind or not meta.year_start or not meta.year_end:
        return None
    return PlanIdentity(kind=meta.kind, year_start=meta.year_start, year_end=meta.year_end)


@dataclass
class ShapedDocument:
    format: str
    meta: PlanMeta
    columns: list[str]  # roles present, in table order
    rows: list[ShapedRow]
    warnings: list[ImportWarning]
    # Each distinct header met (tables repeating a header share one): every column and where it went.
    column_plans: list[ColumnPlan] = field(default_factory=list)


def shape_document(
    document: Document,
    *,
    max_rows: int,
    column_roles: dict[str, str] | None = None,
    roles_source: str = "mapping",
) -> ShapedDocument:
    """`column_roles` ({header: role}) is the admin's mapping or a saved layout."""
    shaper = _Shaper(max_rows=max_rows, notes=list(document.notes))
    heading = list(document.heading)
    first: ColumnPlan | None = None
    guessed = not any(find_header(table, column_roles) is not None for table in document.tables)
    for table in document.tables:
        header_index = find_header(table, column_roles)
        if header_index is None and guessed and first is None:
            header_index = guess_header(table, column_roles)
            if header_index is not None:
                shaper.warnings.append(
                    ImportWarning(
                        "header_guessed",
                        "表头中没有可识别的任务列，各列的用途按内容推断，请逐列核对"
                        "（可在预览中修改，或用 --columns 指定）",
                        row=table.row_numbers[header_index],
                    )
                )
        if header_index is not None:
            plan = plan_columns(table, header_index, overrides=column_roles, override_source=roles_source)
        elif first is not None and table.rows and len(table.rows[0]) == len(first.columns):
            # A table continued on the next page without its header.
            plan = ColumnPlan(header_index=-1, columns=first.columns)
        else:
            continue
        if first is None:
            first = plan
            heading.extend(_row_text(r) for r in table.rows[:header_index] if _row_text(r))
        shaper.take_table(table, plan, is_first=plan is first)
    if first is None:
        raise ImportRefused(_no_header_message(document))
    if not shaper.rows:
        raise ImportRefused("表头之后没有任何任务行。")
    _qualify_restarted_numbers(shaper.rows, shaper.warnings)
    return ShapedDocument(
        format=document.format,
        meta=plan_meta_from_text(heading, shaper.notes),
        columns=[c.role for c in first.columns if c.role in COLUMN_LABELS],
        rows=shaper.rows,
        warnings=shaper.warnings,
        column_plans=shaper.plans,
    )


def _merged(values: _RowCells, role: str) -> bool:
    """Is the row's cell for `role` covered by a merge from above ("same as above")?"""
    cell = values.get(role)
    return cell is not None and cell.merged_up


def _row_text(cells: list[Cell]) -> str:
    return " ".join(c.text.strip() for c in cells if c.text.strip())


def _no_header_message(document: Document) -> str:
    found: list[str] = []
    for table in document.tables:
        for cells in table.rows[:_HEADER_SCAN_ROWS]:
            texts = [clean_text(c.text) for c in cells if c.text.strip()]
            if len(texts) >= 2:
                found = texts
                break
        if found:
            break
    expected = (
        "序号、类别、项目、主要任务/具体任务/任务名称/工作内容…、牵头领导/责任领导、"
        "牵头单位/责任部门/主责部门…、配合单位、备注、完成时限"
    )
    if not document.tables or not any(t.rows for t in document.tables):
        return "文件中没有找到表格。"
    shown = "、".join(f"“{t[:20]}”" for t in found[:12]) if found else "（无）"
    return (
        "没有找到任务表的表头（需要“任务”列，以及序号、类别或牵头单位等列）。"
        f"找到的列：{shown}。可识别的列名：{expected}。"
        "也可用 --columns（浏览器中为列对应）指定各列的用途。"
    )


# -- headings and numbers ----------------------------------------------------------

_PLAIN_NUMBER = re.compile(r"^\d{1,5}$")
# "（1）优化营商环境" in the 序号 column: a group heading, merged down over its tasks.
_GROUP = re.compile(r"^[（(]\s*(?:\d{1,3}|[一二三四五六七八九十]{1,3})\s*[)）]\s*(?P<name>\S.{1,})$")
# "1、…", "2.按照…", "（3）…" at the start of a task's text.
_NUMBER_IN_TEXT = re.compile(r"^\s*(?:(?P<a>\d{1,3})\s*[、.．](?!\d)|[（(]\s*(?P<b>\d{1,3})\s*[)）])\s*")
_NOTE_START = ("注", "说明", "备注", "*", "＊", "※", "附")
_STYLES = (
    ("(一)", re.compile(r"^[（(]\s*[一二三四五六七八九十]+\s*[)）]")),
    ("一、", re.compile(r"^第?[一二三四五六七八九十百]+\s*[类、.．]")),
    ("(1)", re.compile(r"^[（(]\s*\d+\s*[)）]")),
    ("1.", re.compile(r"^\d+\s*[、.．](?!\d)")),
)


def heading_style(text: str) -> str:
    """How a heading is numbered ("一、", "(一)", "1.", "(1)"), "" if it is not."""
    for style, pattern in _STYLES:
        if pattern.match(text):
            return style
    return ""


def _strip_numbering(text: str) -> str:
    """A heading's name: without its numbering and the full stop some print after it."""
    for _, pattern in _STYLES:
        text = pattern.sub("", text, count=1)
    return text.strip().rstrip("。；;")


@dataclass
class _Shaper:
    """The state one document's rows are shaped with, table after table."""

    max_rows: int
    notes: list[str]
    rows: list[ShapedRow] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)
    plans: list[ColumnPlan] = field(default_factory=list)
    category: CategoryHeading | None = None
    category_style: str | None = None
    unnumbered_categories: bool = False
    project: str | None = None
    project_from_heading: bool = False  # set by a heading row or a group heading, kept over the rows below
    label_categories: bool = False  # the table's 类别 column holds names without numerals (经济发展, 社会民生)
    last: ShapedRow | None = None
    # Rows numbered under the merged number of the row above: "5.2" → its base "5".
    merged_under: dict[str, str] = field(default_factory=dict)

    # -- a table ---------------------------------------------------------------

    def take_table(self, table: Table, plan: ColumnPlan, *, is_first: bool) -> None:
        self._note_plan(plan)
        mapping = plan.mapping
        if "category" not in mapping.values() and table.caption:
            self._take_caption(table.caption[-1], table.label, numbered_only=is_first)
        numbered = "number" in mapping.values() and any(
            _PLAIN_NUMBER.match(clean_text(cells[c].text).rstrip("．.、"))
            for cells in table.rows[plan.header_index + 1 :]
            for c, role in mapping.items()
            if role == "number" and c < len(cells)
        )
        self.label_categories = _label_categories(table, plan)
        header_keys = (
            tuple(name_key(table.rows[plan.header_index][c].text) for c in sorted(mapping))
            if plan.header_index >= 0
            else ()
        )
        before = len(self.rows)
        for index in range(plan.header_index + 1, len(table.rows)):
            self._take_row(table, index, plan, header_keys, numbered)
        if "number" not in mapping.values() and len(self.rows) > before:
            self.warnings.append(
                ImportWarning(
                    "unnumbered_table",
                    f"{table.label or '表格'}没有“序号”列，{len(self.rows) - before}条任务已按文档顺序编号，请核对",
                )
            )

    def _note_plan(self, plan: ColumnPlan) -> None:
        if any(p.signature == plan.signature for p in self.plans):
            return
        self.plans.append(plan)
        for column in plan.columns:
            shown = column.header or f"第{column.index + 1}列"
            if column.source == "content":
                self.warnings.append(
                    ImportWarning(
                        "column_inferred",
                        f"列名未能识别，按内容判断为“{COLUMN_LABELS[column.role]}”（{column.note}），请核对",
                        column=shown,
                    )
                )
            elif column.source == "context":
                self.warnings.append(ImportWarning("column_by_context", column.note, column=shown))
            elif column.role == "skip":
                self.warnings.append(ImportWarning("column_skipped", "已设为不导入，该列内容未导入", column=shown))

    def _take_caption(self, text: str, label: str, *, numbered_only: bool) -> None:
        """The line above a table: its category when each category has its own table."""
        text = clean_text(text)
        if numbered_only and parse_category(text) is None:
            return
        self._take_heading(text, row_no=None, has_category_column=False)

    # -- one row ---------------------------------------------------------------

    def _take_row(
        self, table: Table, index: int, plan: ColumnPlan, header_keys: tuple[str, ...], numbered: bool
    ) -> None:
        cells = table.rows[index]
        row_no = table.row_numbers[index]
        mapping = plan.mapping
        values: _RowCells = {role: (cells[col] if col < len(cells) else None) for col, role in mapping.items()}
        texts = {role: (cell.text if cell else "") for role, cell in values.items()}
        if _skipped(cells, mapping, texts, header_keys):
            return
        if (heading := _heading_text(cells, mapping)) is not None:
            if not self._take_heading(heading, row_no, has_category_column="category" in texts):
                self.notes.append(heading)  # a note row spanning the table ("注：…")
            return
        if len(self.rows) >= self.max_rows:
            raise ImportRefused(
                f"任务行数超过上限 {self.max_rows} 条，已拒绝（可由管理员调整 IMPORT_MAX_ROWS）。", row=row_no
            )
        category_col = next((c for c, role in mapping.items() if role == "category"), -1)
        category, misplaced = self._take_category_cell(table, index, category_col, values, texts, row_no)
        self._take_project_cell(values, texts, misplaced, row_no)
        numbered_row = self._number_and_text(cells, values, texts, row_no, numbered)
        if numbered_row is None:
            return
        number, task = numbered_row
        shaped = ShapedRow(
            row=row_no, table=table.label, number=number, category=category, project=self.project, task=task
        )
        self._fill_fields(shaped, values, table)
        shaped.extras = self._extras(cells, plan)
        self.rows.append(shaped)
        self.last = shaped

    def _take_heading(self, text: str, row_no: int | None, *, has_category_column: bool) -> bool:
        """A row holding one text across the table: a category, a project
        (a heading of the level below), or, returning False, a note."""
        if text.startswith(_NOTE_START) or len(text) > 60:
            return False
        style = heading_style(text)
        if has_category_column or (self.category_style is not None and style != self.category_style):
            name = _strip_numbering(text)
            if not name or self.category is None:
                return False
            self.project, self.project_from_heading = name, True
            return True
        heading = parse_category(text) if style else None
        if heading is None:
            order = self.category.order + 1 if self.category else 1
            heading = parse_unnumbered_category(text, order)
            if heading is None:
                return False
        self.category_style = style
        self.unnumbered_categories = not style
        if self.category is None or (heading.order, heading.name) != (self.category.order, self.category.name):
            self.category, self.project, self.project_from_heading = heading, None, False
        return True

    def _take_category_cell(
        self, table: Table, index: int, col: int, values: _RowCells, texts: dict[str, str], row_no: int
    ) -> tuple[CategoryHeading, str | None]:
        """Category from its column: a heading ("一、…"), a label without a numeral
        that spans its tasks, or a project name that landed in this column. Returns the
        row's category (there always is one from here on) and a misplaced project name."""
        raw = texts.get("category", "")
        misplaced: str | None = None
        if raw.strip() and not _merged(values, "category"):
            heading = parse_category(raw)
            if (
                heading is None
                and (self.category is None or self.unnumbered_categories)
                and (self.unnumbered_categories or self.label_categories or _spans(table, index, col))
            ):
                same = self.category is not None and self.category.name == clean_text(raw)
                order = self.category.order + (0 if same else 1) if self.category else 1
                heading = parse_unnumbered_category(raw, order)
                self.unnumbered_categories = heading is not None
            if heading is not None:
                self._enter_category(heading, raw, row_no)
            elif self.category is not None:
                misplaced = clean_text(raw)
                self.warnings.append(
                    ImportWarning(
                        "project_in_category_column",
                        "“类别”列中出现的是项目名称，已按项目处理",
                        row=row_no,
                        column="类别",
                        raw=raw,
                    )
                )
            else:
                raise ImportRefused("无法识别类别（应为“一、…”或“（一）…”）。", row=row_no, column="类别", raw=raw)
        if self.category is None:
            if "category" in texts:
                raise ImportRefused("第一条任务之前没有类别。", row=row_no, column="类别", raw=raw)
            self.category = CategoryHeading(1, "未分类", None)
            self.warnings.append(
                ImportWarning("no_category_column", "表格没有“类别”列，所有任务归入“未分类”", row=row_no)
            )
        return self.category, misplaced

    def _enter_category(self, heading: CategoryHeading, raw: str, row_no: int) -> None:
        current = self.category
        if current is not None and (heading.order, heading.name) == (current.order, current.name):
            return
        if current is not None and heading.order == current.order:
            self.warnings.append(
                ImportWarning(
                    "category_renamed",
                    f"类别序号重复但名称不同，按同一类别处理：“{current.name}”",
                    row=row_no,
                    column="类别",
                    raw=raw,
                )
            )
            heading = CategoryHeading(current.order, current.name, current.stated_count or heading.stated_count)
        else:
            self.project, self.project_from_heading = None, False
        self.category = heading

    def _take_project_cell(self, values: _RowCells, texts: dict[str, str], misplaced: str | None, row_no: int) -> None:
        raw = texts.get("project", "").strip()
        if raw and not _merged(values, "project"):
            project = clean_text(raw)
            if misplaced and misplaced != project:
                self.warnings.append(
                    ImportWarning(
                        "project_conflict",
                        f"“类别”列与“项目”列的项目名称不一致，采用“项目”列：{project}",
                        row=row_no,
                        column="项目",
                        raw=raw,
                    )
                )
            self.project = project
        elif misplaced:
            self.project = misplaced
        elif "project" not in texts and not self.project_from_heading:
            self.project = None

    def _number_and_text(
        self, cells: list[Cell], values: _RowCells, texts: dict[str, str], row_no: int, numbered: bool
    ) -> tuple[str, str] | None:
        """The row's number and task text; None when the row only continues the
        one above (a page break) or is a group heading without a task."""
        number = clean_text(texts.get("number", "")).rstrip("．.、")
        task = texts.get("task", "").strip()
        if number and not _PLAIN_NUMBER.match(number) and (group := _GROUP.match(number)):
            # "（1）…" merged down over its tasks
            self.project, self.project_from_heading = clean_text(group["name"]).rstrip("。；;"), True
            number = ""
            if not task:
                return None
        if not number and (inside := _NUMBER_IN_TEXT.match(task)) and len(task) > inside.end():
            number, task = inside["a"] or inside["b"], task[inside.end() :].strip()
        if not number and "number" in texts:
            merged = _merged(values, "number")
            if numbered and not merged:
                self._continue_or_refuse(cells, texts, task, row_no)  # joined to the row above, or refused
                return None
            if numbered and self.last is not None and task:
                return self._under_merged_number(task, row_no), task
            number = str(len(self.rows) + 1)
            self.warnings.append(
                ImportWarning(
                    "unnumbered_row",
                    f"没有序号，已按文档顺序编为{number}，请核对",
                    row=row_no,
                    column="序号",
                    raw=task[:40],
                    number=number,
                )
            )
        if not number:
            number = str(len(self.rows) + 1)
        if not task:
            raise ImportRefused("任务内容为空。", row=row_no, column=COLUMN_LABELS["task"], raw=_row_text(cells))
        return number, task

    def _under_merged_number(self, task: str, row_no: int) -> str:
        """A row under the number of the row above, merged down over both (大竹 2016:
        "5" over 开工建设县老年养护楼 and 开工建设老年大学): a task of its own, numbered
        under that item ("5.2", "5.3"), and flagged."""
        assert self.last is not None
        base = self.merged_under.get(self.last.number, self.last.number)
        number = f"{base}.{sum(1 for b in self.merged_under.values() if b == base) + 2}"
        self.merged_under[number] = base
        self.warnings.append(
            ImportWarning(
                "unnumbered_row",
                f"与上一行共用序号{base}（合并单元格），已编为{number}，请核对",
                row=row_no,
                column="序号",
                raw=task[:40],
                number=number,
            )
        )
        return number

    def _continue_or_refuse(self, cells: list[Cell], texts: dict[str, str], task: str, row_no: int) -> None:
        if task and self.last is not None and not texts.get("unit", "").strip() and not texts.get("leader", "").strip():
            # A row split by a page break: its text continues the row above.
            self.last.task = f"{self.last.task}\n{task}"
            self.warnings.append(
                ImportWarning(
                    "continued_row",
                    f"没有序号，已并入上一条（序号{self.last.number}）",
                    row=row_no,
                    column="序号",
                    raw=task,
                )
            )
            return
        raise ImportRefused("缺少序号。", row=row_no, column="序号", raw=_row_text(cells))

    def _fill_fields(self, shaped: ShapedRow, values: _RowCells, table: Table) -> None:
        last = self.last
        for role in _FIELD_ROLES:
            if role not in values:
                continue
            cell = values[role]
            text = cell.text.strip() if cell else ""
            if text:
                setattr(shaped, role, text)
                continue
            same_group = last is not None and last.category == shaped.category and last.project == shaped.project
            merged = bool(cell and cell.merged_up)
            # Text formats lose merges: an empty leader/unit cell under a row of the
            # same project stands for the merged cell it was in.
            if (
                role in ("leader", "unit", "support")
                and last is not None
                and (merged or (not table.has_merge_info and same_group))
            ):
                setattr(shaped, role, getattr(last, role))
                if getattr(last, role):
                    shaped.inherited.add(role)
            elif merged and last is not None:
                setattr(shaped, role, getattr(last, role))

    def _extras(self, cells: list[Cell], plan: ColumnPlan) -> list[tuple[str, str]]:
        out = []
        inherited = dict(self.last.extras) if self.last else {}
        for column in plan.columns:
            if column.role != EXTRA or column.index >= len(cells):
                continue
            cell = cells[column.index]
            header = column.header or f"第{column.index + 1}列"
            value = clean_text(cell.text) if not cell.merged_up else inherited.get(header, "")
            if value:
                out.append((header, value))
        return out


def _skipped(cells: list[Cell], mapping: dict[int, str], texts: dict[str, str], header_keys: tuple[str, ...]) -> bool:
    if not any(t.strip() for t in texts.values()) and not any(c.text.strip() for c in cells):
        return True
    if header_keys and tuple(name_key(cells[c].text) if c < len(cells) else "" for c in sorted(mapping)) == header_keys:
        return True  # the header repeated on a new page
    return all(role_is_header(texts[role], role) for role in texts if texts[role].strip())


def _heading_text(cells: list[Cell], mapping: dict[int, str]) -> str | None:
    """The text of a row that holds one text only (merged across, or alone in
    its row), unless that text is a task's (a row continued from the page above)."""
    filled = [(col, clean_text(c.text)) for col, c in enumerate(cells) if c.text.strip() and not c.merged_up]
    distinct = {text for _, text in filled}
    if len(distinct) != 1:
        return None
    col, text = filled[0]
    spans = any(c.merged_left for c in cells)
    if mapping.get(col) == "task" and not spans:
        return None
    if mapping.get(col) == "number" and _PLAIN_NUMBER.match(text.rstrip("．.、")):
        return None
    if not spans and mapping.get(col) in ("category", "project", "unit", "leader", "support", "note", "deadline"):
        return None  # a lone field value, handled (or refused) as the row it is
    return text


def _label_categories(table: Table, plan: ColumnPlan) -> bool:
    """A 类别 column of several names none of which is numbered: they are categories."""
    col = next((c for c, role in plan.mapping.items() if role == "category"), None)
    if col is None:
        return False
    values = {clean_text(cells[col].text) for cells in table.rows[plan.header_index + 1 :] if col < len(cells)}
    values.discard("")
    return len(values) >= 2 and all(parse_category(v) is None and parse_unnumbered_category(v, 1) for v in values)


def _spans(table: Table, index: int, col: int) -> bool:
    """Whether a category cell covers the rows below it (merged, or in text
    formats repeated or left empty under it)."""
    if col < 0 or index + 1 >= len(table.rows) or col >= len(table.rows[index]):
        return False
    cell = table.rows[index][col]
    below = table.rows[index + 1]
    if col >= len(below):
        return False
    if below[col].merged_up or clean_text(below[col].text) == clean_text(cell.text):
        return True
    return not table.has_merge_info and not below[col].text.strip()


def role_is_header(text: str, role: str) -> bool:
    return column_role(text) == role


def _qualify_restarted_numbers(rows: list[ShapedRow], warnings: list[ImportWarning]) -> None:
    """Numbering that starts again in each category (1, 2, … per table): the
    numbers become "类别序号.序号" so that each task keeps its own."""
    counts = Counter(row.number for row in rows)
    if all(n == 1 for n in counts.values()):
        return
    per_category = Counter((row.category.order, row.number) for row in rows)
    if any(n > 1 for n in per_category.values()):
        return  # a number repeated within one category: the check stage decides
    for row in rows:
        row.number = f"{row.category.order}.{row.number}"
    warnings.append(ImportWarning("numbers_per_category", "各类别分别从1编号，序号已加类别序号前缀（如“2.1”），请核对"))


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
            meta.stated_projects = _count(m.group(2))
            meta.stated_tasks = _count(m.group(3))
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
