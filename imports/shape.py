"""Stage 2, shape: tables of cells → task rows with named fields.

Finds the header row by its column names (never by position), skips header
rows repeated on every page, fills what merged cells imply (a category or
project cell spans many rows; a leader cell may be shared by the rows below),
and reads the plan's title, document number, date and stated totals from the
text around the table.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field

from tasks.models import PlanKind
from tasks.numerals import parse_chinese_numeral

from .errors import ImportRefused, ImportWarning
from .normalise import CategoryHeading, clean_text, name_key, parse_category
from .read import Document, Table

# Column roles and the header texts that name them (compared without spaces).
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "number": ("序号", "编号", "序", "项次", "条目序号"),
    "category": ("类别", "类", "分类", "板块", "领域", "类别名称"),
    "project": ("项目", "工作项目", "重点项目", "项目名称", "专项"),
    "task": (
        "主要任务",
        "具体任务",
        "任务",
        "工作任务",
        "重点任务",
        "任务内容",
        "工作内容",
        "具体内容",
        "主要内容",
        "重点工作",
        "工作事项",
        "任务事项",
        "具体工作",
    ),
    "leader": ("牵头领导", "责任领导", "分管领导", "领导", "牵头区领导", "责任区领导"),
    "unit": (
        "牵头单位",
        "责任单位",
        "牵头部门",
        "责任部门",
        "主责单位",
        "主要责任单位",
        "牵头责任单位",
        "承办单位",
        "实施单位",
    ),
    "support": ("配合单位", "协同单位", "参与单位", "协办单位", "配合部门"),
    "note": ("备注", "说明", "备注说明"),
    "deadline": ("完成时限", "完成时间", "时间节点", "时限", "完成期限", "截止时间"),
    "city": ("市级任务", "是否市级", "市级"),
    "state": ("状态", "任务状态"),
}
COLUMN_LABELS = {
    "number": "序号",
    "category": "类别",
    "project": "项目",
    "task": "任务",
    "leader": "牵头领导",
    "unit": "牵头单位",
    "support": "配合单位",
    "note": "备注",
    "deadline": "完成时限",
    "city": "市级任务",
    "state": "状态",
}
_HEADER_SCAN_ROWS = 30


def column_role(header_text: str) -> str | None:
    key = name_key(header_text).strip("*＊:：")
    if not key or len(key) > 12:
        return None
    for role, names in COLUMN_NAMES.items():
        if key in names:
            return role
    # Obvious variants: "牵头单位（部门）", "主要任务及目标".
    for role, names in COLUMN_NAMES.items():
        if any(len(name) >= 2 and key.startswith(name) for name in names):
            return role
    return None


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


@dataclass
class ShapedDocument:
    format: str
    meta: PlanMeta
    columns: list[str]  # roles present, in table order
    rows: list[ShapedRow]
    warnings: list[ImportWarning]


def shape_document(document: Document, *, max_rows: int) -> ShapedDocument:
    warnings: list[ImportWarning] = []
    heading = list(document.heading)
    notes = list(document.notes)
    rows: list[ShapedRow] = []
    columns: dict[int, str] | None = None
    state = _FillState()
    found_any_header = False
    for table in document.tables:
        header_index, mapping = _find_header(table)
        if mapping is None:
            if columns is not None and table.rows and len(table.rows[0]) == max(columns) + 1:
                header_index, mapping = -1, columns  # a table continued on the next page without its header
            else:
                continue
        found_any_header = True
        if columns is None:
            columns = mapping
            heading.extend(_row_text(r) for r in table.rows[:header_index] if _row_text(r))
        _shape_rows(table, header_index, mapping, state, rows, warnings, notes, max_rows)
    if not found_any_header:
        raise ImportRefused(_no_header_message(document))
    assert columns is not None
    if not rows:
        raise ImportRefused("表头之后没有任何任务行。")
    meta = plan_meta_from_text(heading, notes)
    return ShapedDocument(
        format=document.format,
        meta=meta,
        columns=[columns[i] for i in sorted(columns)],
        rows=rows,
        warnings=warnings,
    )


def _row_text(cells: list) -> str:
    return " ".join(c.text.strip() for c in cells if c.text.strip())


def _find_header(table: Table) -> tuple[int, dict[int, str] | None]:
    for index, cells in enumerate(table.rows[:_HEADER_SCAN_ROWS]):
        mapping: dict[int, str] = {}
        for col, cell in enumerate(cells):
            role = column_role(cell.text) if not cell.merged_left else None
            if role and role not in mapping.values():
                mapping[col] = role
        roles = set(mapping.values())
        if "task" in roles and roles & {"number", "unit", "leader", "category"}:
            return index, mapping
    return -1, None


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
    expected = "序号、类别、项目、主要任务/具体任务、牵头领导、牵头单位、备注"
    if not document.tables or not any(t.rows for t in document.tables):
        return "文件中没有找到表格。"
    shown = "、".join(f"“{t[:20]}”" for t in found[:12]) if found else "（无）"
    return (
        "没有找到任务表的表头（需要“任务”列，以及序号、类别或牵头单位等列）。"
        f"找到的列：{shown}。可识别的列名：{expected}。"
    )


@dataclass
class _FillState:
    category: CategoryHeading | None = None
    project: str | None = None
    last: ShapedRow | None = None
    header_keys: tuple[str, ...] = ()


def _shape_rows(
    table: Table,
    header_index: int,
    mapping: dict[int, str],
    state: _FillState,
    out: list[ShapedRow],
    warnings: list[ImportWarning],
    notes: list[str],
    max_rows: int,
) -> None:
    header_keys = (
        tuple(name_key(table.rows[header_index][c].text) for c in sorted(mapping)) if header_index >= 0 else ()
    )
    has_category_column = "category" in mapping.values()
    has_project_column = "project" in mapping.values()
    for index in range(header_index + 1, len(table.rows)):
        cells = table.rows[index]
        row_no = table.row_numbers[index]
        values = {role: (cells[col] if col < len(cells) else None) for col, role in mapping.items()}
        texts = {role: (cell.text if cell else "") for role, cell in values.items()}
        if not any(t.strip() for t in texts.values()) and not any(c.text.strip() for c in cells):
            continue
        if (
            header_keys
            and tuple(name_key(cells[c].text) if c < len(cells) else "" for c in sorted(mapping)) == header_keys
        ):
            continue  # the header repeated on a new page
        if all(role_is_header(texts[role], role) for role in texts if texts[role].strip()):
            continue
        non_empty = {c.text.strip() for c in cells if c.text.strip()}
        if len(non_empty) == 1 and not texts.get("number", "").strip() and not texts.get("task", "").strip():
            notes.append(next(iter(non_empty)))  # a note row spanning the table ("注：…")
            continue
        if len(out) >= max_rows:
            raise ImportRefused(
                f"任务行数超过上限 {max_rows} 条，已拒绝（可由管理员调整 IMPORT_MAX_ROWS）。", row=row_no
            )

        # Category: a heading ("一、…", "（一）…"), or a project name that landed in this column.
        category_raw = texts.get("category", "")
        misplaced_project: str | None = None
        if category_raw.strip() and not (values.get("category") and values["category"].merged_up):
            heading = parse_category(category_raw)
            if heading is not None:
                if state.category is None or (heading.order, heading.name) != (
                    state.category.order,
                    state.category.name,
                ):
                    if state.category is not None and heading.order == state.category.order:
                        warnings.append(
                            ImportWarning(
                                "category_renamed",
                                f"类别序号重复但名称不同，按同一类别处理：“{state.category.name}”",
                                row=row_no,
                                column="类别",
                                raw=category_raw,
                            )
                        )
                        heading = CategoryHeading(
                            state.category.order,
                            state.category.name,
                            state.category.stated_count or heading.stated_count,
                        )
                    else:
                        state.project = None
                    state.category = heading
            elif state.category is not None:
                misplaced_project = clean_text(category_raw)
                warnings.append(
                    ImportWarning(
                        "project_in_category_column",
                        "“类别”列中出现的是项目名称，已按项目处理",
                        row=row_no,
                        column="类别",
                        raw=category_raw,
                    )
                )
            else:
                raise ImportRefused(
                    "无法识别类别（应为“一、…”或“（一）…”）。", row=row_no, column="类别", raw=category_raw
                )
        if state.category is None:
            if has_category_column:
                raise ImportRefused("第一条任务之前没有类别。", row=row_no, column="类别", raw=category_raw)
            state.category = CategoryHeading(1, "未分类", None)
            warnings.append(ImportWarning("no_category_column", "表格没有“类别”列，所有任务归入“未分类”", row=row_no))

        project_raw = texts.get("project", "").strip()
        if project_raw and not (values.get("project") and values["project"].merged_up):
            project = clean_text(project_raw)
            if misplaced_project and misplaced_project != project:
                warnings.append(
                    ImportWarning(
                        "project_conflict",
                        f"“类别”列与“项目”列的项目名称不一致，采用“项目”列：{project}",
                        row=row_no,
                        column="项目",
                        raw=project_raw,
                    )
                )
            state.project = project
        elif misplaced_project:
            state.project = misplaced_project
        elif not has_project_column:
            state.project = None

        number = clean_text(texts.get("number", "")).rstrip("．.、")
        task = texts.get("task", "").strip()
        if not number and "number" in mapping.values():
            if (
                task
                and state.last is not None
                and not texts.get("unit", "").strip()
                and not texts.get("leader", "").strip()
            ):
                # A row split by a page break: its text continues the row above.
                state.last.task = f"{state.last.task}\n{task}"
                warnings.append(
                    ImportWarning(
                        "continued_row",
                        f"没有序号，已并入上一条（序号{state.last.number}）",
                        row=row_no,
                        column="序号",
                        raw=task,
                    )
                )
                continue
            raise ImportRefused("缺少序号。", row=row_no, column="序号", raw=_row_text(cells))
        if not number:
            number = str(len(out) + 1)
        if not task:
            raise ImportRefused("任务内容为空。", row=row_no, column=COLUMN_LABELS["task"], raw=_row_text(cells))

        shaped = ShapedRow(
            row=row_no, table=table.label, number=number, category=state.category, project=state.project, task=task
        )
        for role in ("leader", "unit", "support", "note", "deadline", "city", "state"):
            if role not in values:
                continue
            cell = values[role]
            text = cell.text.strip() if cell else ""
            if text:
                setattr(shaped, role, text)
                continue
            same_group = (
                state.last is not None
                and state.last.category == shaped.category
                and state.last.project == shaped.project
            )
            merged = bool(cell and cell.merged_up)
            # Text formats lose merges: an empty leader/unit cell under a row of the
            # same project stands for the merged cell it was in.
            if (
                role in ("leader", "unit", "support")
                and state.last is not None
                and (merged or (not table.has_merge_info and same_group))
            ):
                setattr(shaped, role, getattr(state.last, role))
                if getattr(state.last, role):
                    shaped.inherited.add(role)
            elif merged and state.last is not None:
                setattr(shaped, role, getattr(state.last, role))
        out.append(shaped)
        state.last = shaped


def role_is_header(text: str, role: str) -> bool:
    return column_role(text) == role


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


def _count(text: str | None) -> int | None:
    if not text:
        return None
    return parse_chinese_numeral(text)


def plan_meta_from_text(heading: list[str], notes: list[str]) -> PlanMeta:
    meta = PlanMeta()
    lines = [clean_text(line) for line in heading if clean_text(line)]
    titles = [line for line in lines if "表" in line and re.search(r"任务|规划|计划|工作", line) and len(line) <= 80]
    if not titles:
        titles = [line for line in lines if re.search(r"任务|规划|计划|重点工作", line) and len(line) <= 80]
    if titles:
        meta.title = re.sub(r"^.*?印发《(.*)》的通知$", r"\1", titles[-1]).strip("《》 ")
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
    title = meta.title
    if meta.kind and meta.year_start:
        return meta
    if m := _FIVE_YEAR.search(title):
        ordinal = 10 + parse_chinese_numeral(m.group(1))  # 十四五 → 14th plan
        meta.kind = PlanKind.FIVE_YEAR
        meta.year_start = 1966 + (ordinal - 3) * 5  # the 3rd plan began in 1966
        meta.year_end = meta.year_start + 4
    elif m := _YEAR_RANGE.search(title):
        meta.year_start, meta.year_end = int(m.group(1)), int(m.group(2))
        meta.kind = PlanKind.FIVE_YEAR if meta.year_end - meta.year_start == 4 else PlanKind.ANNUAL
    elif m := _YEAR.search(title):
        meta.kind = PlanKind.ANNUAL
        meta.year_start = meta.year_end = int(m.group(1))
    return meta


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
