"""The shaper's state, and how heading rows, caption lines, category and project cells move it."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..columns import ColumnPlan
from ..errors import ImportRefused, ImportWarning
from ..read import Table
from ..text import CategoryHeading, clean_text, parse_category, parse_unnumbered_category
from .cells import _merged, _RowCells, _spans
from .headings import _NOTE_START, _strip_numbering, heading_style
from .results import ShapedRow


@dataclass
class _ShaperState:
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
    # A heading row taken as the project, until a 项目 column names its own: (text, row) to report it.
    project_heading: tuple[str, int | None] | None = None
    # Rows numbered under the merged number of the row above: "5.2" → its base "5".
    merged_under: dict[str, str] = field(default_factory=dict)

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
            self.project_heading = (text, row_no)
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
            if self.project_heading is not None and self.project_from_heading:
                heading, heading_row = self.project_heading
                self.warnings.append(
                    ImportWarning(
                        "heading_not_kept",
                        f"小标题未导入：其下各任务的项目取自“项目”列（{project}），请核对",
                        row=heading_row,
                        raw=heading,
                    )
                )
                self.project_heading = None
            self.project = project
        elif misplaced:
            self.project = misplaced
        elif "project" not in texts and not self.project_from_heading:
            self.project = None
