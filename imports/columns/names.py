"""Column roles and the header texts that name them: a header's role by its name alone."""

from __future__ import annotations

import re

from ..text import name_key

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


_OCCURRENCE = re.compile(r"^(.*)#(\d+)$", re.S)


def occurrence_keys(headers: list[str]) -> list[str]:
    """Each column's key in the admin's {header: role} choices: the header as printed, and for a
    header that repeats (two 备注 columns), "备注#2", "备注#3" … for the later ones, so each
    column keeps its own role."""
    seen: dict[str, int] = {}
    keys = []
    for header in headers:
        n = seen[header_key(header)] = seen.get(header_key(header), 0) + 1
        keys.append(header if n == 1 else f"{header}#{n}")
    return keys


def occurrence_of(key: str) -> tuple[str, int]:
    """(header_key of the header, which occurrence) for a key made by occurrence_keys."""
    match = _OCCURRENCE.match(key)
    if match:
        return header_key(match.group(1)), int(match.group(2))
    return header_key(key), 1
