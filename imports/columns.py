"""Which column of a table is what: by its header's name, by the other columns
beside it (context), by its content, or as the admin mapped it.

Every column ends up with a role: one of the task fields, "extra" (kept in
order on the task as an extra attribute) or "skip" (不导入, named in a warning).
Nothing is dropped without the report saying where it went.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise

from .read import Cell, Document, Table
from .text import clean_text, name_key, parse_category, quarter_of

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
        "目标任务",
        "目标任务和工作要求",
        "工作内容及要求",
        "重点工作内容",
        "任务名称",
        "指标名称",
        "工作措施",
        "主要措施",
        "具体措施",
        "工作要点",
        "考核项目",
        "考核内容",
        "考核项目及内容",
        "主要工作",
        "工作重点",
        "重点事项",
        "具体事项",
        "事项名称",
        "考核指标",
        "主要指标",
        "具体指标",
        "指标",
        # 民生实事 tables (大竹 2016): the works the government promises are the tasks.
        "民生实事",
        "民生实事项目",
        "实事项目",
        "为民办实事",
        "为民办实事项目",
    ),
    "leader": (
        "牵头领导",
        "责任领导",
        "分管领导",
        "领导",
        "牵头区领导",
        "责任区领导",
        "牵头县领导",
        "责任县领导",
        "牵头市领导",
        "分管区领导",
        "分管县领导",
        "联系领导",
        "牵头区级领导",
    ),
    "unit": (
        "牵头单位",
        "责任单位",
        "牵头部门",
        "责任部门",
        "主责单位",
        "主责部门",
        "主要责任单位",
        "主要责任部门",
        "牵头责任单位",
        "牵头责任部门",
        "承办单位",
        "实施单位",
        "责任单位或牵头单位",
        "负责单位",
        "负责部门",
        "主办单位",
        "责任主体",
    ),
    "support": (
        "配合单位",
        "协同单位",
        "参与单位",
        "协办单位",
        "配合部门",
        "协助单位",
        "协助部门",
        "协同部门",
        "协同责任单位",
        "配合责任单位",
        "参与部门",
        "协办部门",
    ),
    "note": ("备注", "说明", "备注说明"),
    "deadline": ("完成时限", "完成时间", "时间节点", "时限", "完成期限", "截止时间", "完成时间节点", "时间要求"),
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
EXTRA, SKIP = "extra", "skip"
# What an admin can choose for a column (the preview's select and `--columns`).
ROLE_CHOICES: list[tuple[str, str]] = [
    *COLUMN_LABELS.items(),
    (EXTRA, "其他列（保留为任务的附加信息）"),
    (SKIP, "不导入"),
]
ROLE_BY_LABEL = {label: role for role, label in COLUMN_LABELS.items()} | {
    "其他列": EXTRA,
    "附加信息": EXTRA,
    "不导入": SKIP,
    "责任单位": "unit",
    "领导": "leader",
}
# Where a column's values go, as the import report says it.
DESTINATIONS = {
    "number": "任务序号",
    "category": "类别",
    "project": "项目",
    "task": "任务内容",
    "leader": "牵头领导",
    "unit": "牵头单位",
    "support": "配合单位",
    "note": "备注",
    "deadline": "完成时限",
    "city": "市级任务标记",
    "state": "任务状态",
    EXTRA: "任务的附加信息（其他列，按原列名保存）",
    SKIP: "不导入",
}
# Headers of columns known to have no field of their own: they are kept as
# extras and never re-assigned from their content.
_KNOWN_EXTRAS = re.compile(r"季度|目标|指标要求|完成情况|进展|类型|标准|要求|计量|工作量|考核|年度|月份|半年|分值|权重")
_HEADER_SCAN_ROWS = 30
_SOURCE_LABELS = {
    "name": "按列名",
    "context": "按相邻列判断",
    "content": "按内容推断",
    "mapping": "按指定",
    "layout": "按保存的版式",
}


def header_key(text: str) -> str:
    """A header as compared: no spaces (任 务 名 称), no marks, no trailing bracket note."""
    key = name_key(text).strip("*＊:：")
    return re.sub(r"[（(][^（）()]*[）)]$", "", key) or key


# "内容与要求", "工作内容及要求", "任务及目标": the task and what it must reach, in one column.
_TASK_WITH_REQUIREMENT = re.compile(
    r"^(?:主要|具体|重点)?(?:工作|目标)?(?:任务|内容|工作|事项|措施)(?:内容)?[及与和、](?:工作)?(?:要求|目标|措施|标准)$"
)


_OF_IT = re.compile(r"^(?:要求|类型|标准|值|完成情况|进展)")


def column_role(header_text: str) -> str | None:
    key = header_key(header_text)
    if not key or len(key) > 12:
        return None
    for role, names in COLUMN_NAMES.items():
        if key in names:
            return role
    if _TASK_WITH_REQUIREMENT.match(key):
        return "task"
    # Obvious variants: "牵头单位（部门）", "主要任务及目标"; not a name followed by
    # what the column says of it ("指标要求", "项目类型": columns with no field).
    for role, names in COLUMN_NAMES.items():
        if any(len(name) >= 2 and key.startswith(name) and not _OF_IT.match(key[len(name) :]) for name in names):
            return role
    return _role_by_ending(key)


def _role_by_ending(key: str) -> str | None:
    """Headers that name their role in their last word: 牵头县领导, 目标类别, 考核实施单位."""
    if len(key) > 8:
        return None
    if key.endswith("领导"):
        return "leader"
    if key.endswith("类别"):
        return "category"
    if key.endswith(("单位", "部门", "科室", "处室", "股室", "机构")):
        if re.search(r"配合|协助|协同|协办|参与", key):
            return "support"
        if re.search(r"实施|责任|牵头|主责|承办|负责|考核", key):
            return "unit"
    return None


@dataclass
class Column:
    index: int
    header: str  # as printed (cleaned); "组/子" for a column under a merged group header
    role: str  # a COLUMN_LABELS key, EXTRA or SKIP
    source: str  # "name" | "context" | "content" | "mapping" | "layout"
    samples: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def key(self) -> str:
        return header_key(self.header)

    @property
    def role_label(self) -> str:
        return dict(ROLE_CHOICES).get(self.role, self.role)

    @property
    def destination(self) -> str:
        if self.role == EXTRA and quarter_of(self.header) is not None:
            return DESTINATIONS[EXTRA] + "，并作为新增任务的季度阶段目标（一年期规划）"
        return DESTINATIONS.get(self.role, self.role)

    @property
    def source_label(self) -> str:
        return _SOURCE_LABELS.get(self.source, self.source)

    def describe(self) -> str:
        """One line of the import report: where this column's values went."""
        shown = self.header or f"第{self.index + 1}列（无列名）"
        note = f"；{self.note}" if self.note else ""
        return f"“{shown}” → {self.destination}（{self.source_label}{note}）"


@dataclass
class ColumnPlan:
    """The header of one table: where it is, and every column's role."""

    header_index: int  # the last header row (data starts after it)
    columns: list[Column]
    inferred: list[Column] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)  # every header cell's text, blank ones too

    @cached_property
    def mapping(self) -> dict[int, str]:
        """Field columns only (index → role), as the shaper reads rows."""
        return {c.index: c.role for c in self.columns if c.role not in (EXTRA, SKIP)}

    def extras(self) -> list[Column]:
        return [c for c in self.columns if c.role == EXTRA]

    def skipped(self) -> list[Column]:
        return [c for c in self.columns if c.role == SKIP]

    @property
    def signature(self) -> str:
        """The header as a digest: what a saved layout is keyed by."""
        return header_signature(self.headers)


def header_signature(headers: Sequence[str]) -> str:
    return hashlib.sha256("|".join(header_key(h) for h in headers).encode()).hexdigest()


# -- finding the header -----------------------------------------------------------


def _header_roles(cells: Sequence[Cell], chosen: dict[str, str] | None = None) -> dict[int, str]:
    found: dict[int, str] = {}
    for col, cell in enumerate(cells):
        if cell.merged_left:
            continue
        role = (chosen or {}).get(header_key(cell.text)) or column_role(cell.text)
        if role:
            found[col] = role
    return found


def _is_header(roles: dict[int, str]) -> bool:
    present = set(roles.values())
    return "task" in present and bool(present & {"number", "unit", "leader", "category", "support", "deadline"})


def find_header(table: Table, roles: dict[str, str] | None = None) -> int | None:
    """Index of the table's header row, found by names (or by the roles an admin
    gave the headers, {header: role}); None if there is none."""
    chosen = {header_key(h): r for h, r in roles.items()} if roles else None
    for index, cells in enumerate(table.rows[:_HEADER_SCAN_ROWS]):
        if _is_header(_header_roles(cells, chosen)):
            return index
    return None


def guess_header(table: Table, roles: dict[str, str] | None = None) -> int | None:
    """A header row no name in which is known: the first row of short labels
    whose columns' content shows a task column."""
    for index, cells in enumerate(table.rows[:_HEADER_SCAN_ROWS]):
        texts = [clean_text(c.text) for c in cells if c.text.strip() and not c.merged_left]
        if len(texts) < 2 or any(len(t) > 20 for t in texts) or index + 2 > len(table.rows):
            continue
        plan = plan_columns(table, index, overrides=roles)
        task = next((c for c in plan.columns if c.role == "task"), None)
        body = table.rows[plan.header_index + 1 :]
        # A column of task text, not a name that happens to start with 任务 over "无".
        return index if task is not None and _mean_length(_values(body, task.index)) >= 10 else None
    return None


def header_candidates(document: Document) -> dict[str, int]:
    """Signature of each row that could be the first table's header → its index:
    a saved layout is found by its header even when no name in it is known."""
    for table in document.tables:
        if table.rows:
            return {
                header_signature(header_texts(table, index)[0]): index
                for index in range(min(len(table.rows), _HEADER_SCAN_ROWS))
            }
    return {}


def header_texts(table: Table, index: int) -> tuple[list[str], int]:
    """Each column's header text, joining a second header row under a merged
    group header ("阶段性目标和工作任务量/第一季度"); and the last header row."""
    top = [clean_text(c.text) for c in table.rows[index]]
    # A merged group header covers the cells to its right.
    for col, cell in enumerate(table.rows[index]):
        if cell.merged_left and col > 0:
            top[col] = top[col - 1]
    if index + 1 >= len(table.rows):
        return top, index
    below = table.rows[index + 1]
    if not _is_sub_header(table.rows[index], below):
        return top, index
    texts = []
    group = ""
    for col, text in enumerate(top):
        sub = clean_text(below[col].text) if col < len(below) and not below[col].merged_up else ""
        if text and sub:
            group = text
        elif sub and not text:
            text = group  # text formats lose the merge: an empty cell continues the group to its left
        else:
            group = ""
        texts.append(f"{text}/{sub}" if text and sub and sub != text else (sub or text))
    return texts, index + 1


def _is_sub_header(header: Sequence[Cell], row: Sequence[Cell]) -> bool:
    """The row under a header with merged group cells: short labels under the
    group only, nothing under the task or number columns."""
    roles = _header_roles(header)
    texts = {col: clean_text(c.text) for col, c in enumerate(row) if c.text.strip() and not c.merged_up}
    if not texts or any(roles.get(col) in ("task", "number") for col in texts):
        return False
    if any(len(text) > 12 or re.fullmatch(r"\d+[.、．]?", text) for text in texts.values()):
        return False

    def under_group(col: int) -> bool:
        if col >= len(header):
            return False
        starts_group = col + 1 < len(header) and header[col + 1].merged_left
        return header[col].merged_left or starts_group or not header[col].text.strip()

    return any(under_group(col) for col in texts)


# -- roles for a table -----------------------------------------------------------


def plan_columns(
    table: Table,
    header_index: int,
    *,
    overrides: dict[str, str] | None = None,
    override_source: str = "mapping",
) -> ColumnPlan:
    """Every column's role: by name, then context, then content; the admin's
    mapping (by header) last, over all of them."""
    texts, last_header = header_texts(table, header_index)
    body = table.rows[last_header + 1 :]
    columns = []
    for col, text in enumerate(texts):
        sub_role = column_role(text.rsplit("/", 1)[-1]) if "/" in text else None
        role = sub_role or column_role(text)
        samples = _samples(body, col)
        if text or samples:  # a column with neither a header nor a value is layout, not data
            columns.append(
                Column(index=col, header=text or f"第{col + 1}列", role=role or EXTRA, source="name", samples=samples)
            )
    plan = ColumnPlan(header_index=last_header, columns=columns, headers=texts)
    _resolve_by_context(plan, body)
    _infer_by_content(plan, body)
    if overrides:
        _apply_overrides(plan, overrides, override_source)
    return plan


def _samples(body: Sequence[Sequence[Cell]], col: int, limit: int = 3) -> list[str]:
    out: list[str] = []
    for cells in body:
        if col < len(cells) and (text := clean_text(cells[col].text)) and text not in out:
            out.append(text if len(text) <= 40 else text[:39] + "…")
            if len(out) >= limit:
                break
    return out


def _values(body: Sequence[Sequence[Cell]], col: int) -> list[str]:
    return [clean_text(cells[col].text) for cells in body if col < len(cells) and cells[col].text.strip()]


def _mean_length(values: list[str]) -> float:
    return sum(len(v) for v in values) / len(values) if values else 0.0


def _resolve_by_context(plan: ColumnPlan, body: Sequence[Sequence[Cell]]) -> None:
    """Two columns named for one role: decide from the pair, never drop one."""
    by_role: dict[str, list[Column]] = {}
    for column in plan.columns:
        by_role.setdefault(column.role, []).append(column)
    units = by_role.get("unit", [])
    if len(units) >= 2:
        # 牵头单位 + 责任单位: lead + responsible (supporting) units.
        lead = next((c for c in units if "牵头" in c.key or "主责" in c.key), units[0])
        for column in units:
            if column is not lead and "support" not in {c.role for c in plan.columns}:
                column.role, column.source = "support", "context"
                column.note = f"与“{lead.header}”同在一表，作为配合（责任）单位"
    tasks = by_role.get("task", [])
    if len(tasks) >= 2:
        # A "任务内容" header over category labels: the column of long text is the task.
        main = max(tasks, key=lambda c: _mean_length(_values(body, c.index)))
        for column in tasks:
            if column is main:
                continue
            values = _values(body, column.index)
            present = {c.role for c in plan.columns}
            if values and "category" not in present and _category_share(values) >= 0.5:
                column.role, column.note = "category", f"内容是类别标题，“{main.header}”列才是任务"
            elif "project" not in present and _mean_length(values) <= 40:
                column.role, column.note = "project", f"内容较短，“{main.header}”列才是任务"
            else:
                column.role, column.note = EXTRA, f"与“{main.header}”同为任务列，保留为其他列"
            column.source = "context"
    seen: set[str] = set()
    for column in plan.columns:
        if column.role in (EXTRA, SKIP):
            continue
        if column.role in seen:
            column.role, column.source = EXTRA, "context"
            column.note = f"另有一列同为“{COLUMN_LABELS.get(column.role, column.role)}”，此列保留为其他列"
        seen.add(column.role)


def _category_share(values: list[str]) -> float:
    return sum(1 for v in values if parse_category(v)) / len(values) if values else 0.0


# Content tests: the share of a column's values that look like each role.
_NUMBER = re.compile(r"^\d{1,4}[.、．]?$")
_DATE = re.compile(r"(20\d{2}\s*年|\d{1,2}\s*月|年底|年内|年末|季度|长期|持续|全年|上半年|下半年|\d{4}[-./]\d{1,2})")
_UNIT_END = re.compile(
    r"(局|委|办|部|中心|公司|集团|镇|街道|政府|院|园区|开发区|工业区|所|站|署|处|科|股|室|厅|馆|队|会|联)$"
)
_NAME = re.compile(r"^[\u4e00-\u9fff]{2,3}$")


def _looks_like(role: str, value: str) -> bool:
    if role == "number":
        return bool(_NUMBER.match(value))
    if role == "deadline":
        return len(value) <= 30 and bool(_DATE.search(value))
    pieces = [p for p in re.split(r"[、，,;；/\s]+", value) if p]
    if role == "unit":
        return (
            bool(pieces)
            and len(value) <= 80
            and all(_UNIT_END.search(p) or p.startswith(("相关", "各")) for p in pieces)
        )
    if role == "leader":
        return bool(pieces) and len(pieces) <= 6 and all(_NAME.match(p) and not _UNIT_END.search(p) for p in pieces)
    if role == "task":
        return len(value) >= 15 and bool(re.search(r"[，。；,]", value))
    return False


def _sequential(values: list[str]) -> bool:
    """Numbers that count rows (1, 2, 3 …), not figures (466, 846)."""
    numbers = [int(re.sub(r"\D", "", v)) for v in values if re.sub(r"\D", "", v)]
    return bool(numbers) and numbers[0] <= 2 and all(b > a for a, b in pairwise(numbers))


def _task_header_over_labels(plan: ColumnPlan, body: Sequence[Sequence[Cell]]) -> None:
    """A 任务内容 header over short labels, with the tasks' text under a header
    no name knows: the labels are the categories, the long text the tasks."""
    task = next((c for c in plan.columns if c.role == "task"), None)
    if task is None or _mean_length(_values(body, task.index)) > 12:
        return
    longer = [
        c
        for c in plan.columns
        if c.role == EXTRA
        and c.source == "name"
        and not _KNOWN_EXTRAS.search(c.key)
        and _mean_length(_values(body, c.index)) >= 15
    ]
    if not longer:
        return
    text = max(longer, key=lambda c: _mean_length(_values(body, c.index)))
    text.role, text.source, text.note = "task", "content", "内容是任务的长文本"
    plan.inferred.append(text)
    has_category = any(c.role == "category" for c in plan.columns)
    task.role, task.source = (EXTRA if has_category else "category"), "context"
    task.note = f"内容是简短的类别名称，“{text.header}”列才是任务"


def _infer_by_content(plan: ColumnPlan, body: Sequence[Sequence[Cell]]) -> None:
    """Roles the names did not give, looked for among columns whose header is
    unknown (not a known extra such as 年度目标)."""
    _task_header_over_labels(plan, body)
    present = {c.role for c in plan.columns}
    candidates = [c for c in plan.columns if c.role == EXTRA and c.source == "name" and not _KNOWN_EXTRAS.search(c.key)]
    for role in ("task", "number", "unit", "leader", "deadline"):
        if role in present:
            continue
        best, best_share = None, 0.0
        for column in candidates:
            values = _values(body, column.index)
            if len(values) < 2:
                continue
            share = sum(_looks_like(role, v) for v in values) / len(values)
            if share > best_share:
                best, best_share = column, share
        if best is not None and best_share >= 0.8 and (role != "number" or _sequential(_values(body, best.index))):
            best.role, best.source = role, "content"
            best.note = f"{round(best_share * 100)}% 的内容像{COLUMN_LABELS[role]}"
            candidates.remove(best)
            plan.inferred.append(best)
            present.add(role)
    if "task" not in present:
        _task_among_known_extras(plan, body)


def _task_among_known_extras(plan: ColumnPlan, body: Sequence[Sequence[Cell]]) -> None:
    """No task column by name or content among unknown headers: the one column of
    long text under a header that usually names an extra (工作目标, 目标要求) holds
    the tasks. Never when two such columns compete (the admin decides)."""
    texts = [
        c
        for c in plan.columns
        if c.role == EXTRA
        and c.source == "name"
        and len(values := _values(body, c.index)) >= 2
        and sum(_looks_like("task", v) for v in values) / len(values) >= 0.8
    ]
    note = "表中只有此列是任务的长文本"
    if not texts:
        texts, note = _target_columns(plan, body), "表中没有任务列，此列（目标）按任务读取"
    if len(texts) != 1:
        return
    task = texts[0]
    task.role, task.source, task.note = "task", "content", note
    plan.inferred.append(task)


def _target_columns(plan: ColumnPlan, body: Sequence[Sequence[Cell]]) -> list[Column]:
    """Columns headed as targets ("2022年预期目标", "年度目标") whose values are
    short sentences of words, not figures: in a table with no task column, the
    targets are the tasks ("地区生产总值增长5.5%左右")."""
    out = []
    for column in plan.columns:
        if column.role != EXTRA or column.source != "name" or not column.key.endswith("目标"):
            continue
        values = _values(body, column.index)
        worded = [v for v in values if len(re.findall(r"[\u4e00-\u9fff]", v)) >= 4]
        if len(values) >= 2 and len(worded) / len(values) >= 0.8:
            out.append(column)
    return out


def _apply_overrides(plan: ColumnPlan, overrides: dict[str, str], source: str) -> None:
    by_key = {header_key(header): role for header, role in overrides.items()}
    for column in plan.columns:
        role = by_key.get(column.key)
        if role is not None and role != column.role:
            column.role, column.source, column.note = role, source, ""
        elif role is not None:
            column.source = source


def parse_column_spec(spec: str) -> dict[str, str]:
    """`--columns 任务=目标任务和工作要求,牵头单位=主责部门,不导入=备注` → {header: role}.

    Raises ValueError with a Chinese message naming the bad part."""
    out: dict[str, str] = {}
    for part in re.split(r"[,，]", spec or ""):
        if not part.strip():
            continue
        label, sep, header = part.partition("=")
        label, header = label.strip(), header.strip()
        role = ROLE_BY_LABEL.get(label) or (label if label in dict(ROLE_CHOICES) else None)
        if not sep or not header or role is None:
            known = "、".join([*COLUMN_LABELS.values(), "其他列", "不导入"])
            raise ValueError(f"无法理解列对应“{part.strip()}”：应为“用途=文件中的列名”，用途可为：{known}。")
        out[header] = role
    return out
