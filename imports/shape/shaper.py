"""`_Shaper`: one table after another into task rows (numbers, fields, merged cells, extra columns)."""

from __future__ import annotations

from collections import Counter

from ..columns import COLUMN_LABELS, EXTRA, ColumnPlan
from ..errors import ImportRefused, ImportWarning
from ..read import Cell, Table
from ..text import clean_text, half_width, name_key, parse_category
from .categories import _ShaperState
from .cells import (
    _FIELD_ROLES,
    _heading_text,
    _label_categories,
    _merged,
    _row_text,
    _RowCells,
    _skipped,
    _split_heading,
)
from .headings import _GROUP, _NUMBER_IN_TEXT, _PLAIN_NUMBER
from .results import ShapedRow


class _Shaper(_ShaperState):
    """Shapes one document's tables, table after table, into rows."""

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
        split = _split_heading(cells, mapping) if numbered else None
        if split is not None and self._take_heading(split, row_no, has_category_column="category" in texts):
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
        if row_no in table.hidden_rows:
            self.warnings.append(
                ImportWarning(
                    "hidden_row",
                    f"{table.label or '表格'}中此行被隐藏，已按普通任务导入，请核对是否应导入",
                    row=row_no,
                    raw=task[:40],
                    number=number,
                )
            )
        self.rows.append(shaped)
        self.last = shaped

    def _number_and_text(
        self, cells: list[Cell], values: _RowCells, texts: dict[str, str], row_no: int, numbered: bool
    ) -> tuple[str, str] | None:
        """The row's number and task text; None when the row only continues the
        one above (a page break) or is a group heading without a task."""
        number = half_width(clean_text(texts.get("number", ""))).rstrip(".、")
        task = texts.get("task", "").strip()
        if number and not _PLAIN_NUMBER.match(number) and (group := _GROUP.match(number)):
            # "（1）…" merged down over its tasks
            self.project, self.project_from_heading = clean_text(group["name"]).rstrip("。；;"), True
            number = ""
            if not task:
                return None
        if not number and (inside := _NUMBER_IN_TEXT.match(task)) and len(task) > inside.end():
            number, task = half_width(inside["a"] or inside["b"]), task[inside.end() :].strip()
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
