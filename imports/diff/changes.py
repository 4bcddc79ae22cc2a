"""What the diff stage hands on: field changes, task changes and the plan's whole `PlanDiff`, with their
labels and the plain data the preview stores."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

from ..records import ParsedTask

FIELD_LABELS = {
    "category": "类别",
    "project": "项目",
    "text": "任务内容",
    "city_level": "市级任务",
    "note": "备注",
    "deadline_text": "完成时限",
    "leaders": "牵头领导",
    "units": "牵头单位",
    "state": "状态",
    "extras": "其他列",
}
META_LABELS = {
    "title": "标题",
    "doc_number": "文号",
    "doc_date": "印发日期",
    "stated_categories": "文件所述类别数",
    "stated_projects": "文件所述项目数",
    "stated_tasks": "文件所述任务数",
    "stated_city_level": "文件所述市级任务数",
}


# What an import record keeps of a diff (ImportRecord.changes, JSON): read back by the undo
# preview and the record page, so its keys are typed here, in one place.
class FieldChangeData(TypedDict):
    field: str
    label: str
    before: str
    after: str


class TaskChangeData(TypedDict):
    number: str
    title: str
    changes: list[FieldChangeData]


class DiffSummary(TypedDict):
    added: list[str]
    changed: list[TaskChangeData]
    withdrawn: list[str]
    meta: list[FieldChangeData]
    new_units: dict[str, str]
    new_leaders: list[str]
    new_aliases: dict[str, str]


@dataclass
class FieldChange:
    field: str
    before: str
    after: str

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field) or META_LABELS.get(self.field, self.field)

    def as_dict(self) -> FieldChangeData:
        return {"field": self.field, "label": self.label, "before": self.before, "after": self.after}


@dataclass
class TaskChange:
    number: str
    title: str
    changes: list[FieldChange]

    def as_dict(self) -> TaskChangeData:
        return {"number": self.number, "title": self.title, "changes": [c.as_dict() for c in self.changes]}


@dataclass
class PlanDiff:
    plan_id: int | None
    added: list[ParsedTask] = field(default_factory=list)
    changed: list[TaskChange] = field(default_factory=list)
    withdrawn: list[tuple[str, str]] = field(default_factory=list)  # (number, title)
    moved: list[str] = field(default_factory=list)  # numbers whose position alone changed
    meta_changes: list[FieldChange] = field(default_factory=list)
    category_changes: list[FieldChange] = field(default_factory=list)
    new_units: dict[str, str] = field(default_factory=dict)
    new_leaders: list[str] = field(default_factory=list)
    new_aliases: dict[str, str] = field(default_factory=dict)
    # Names found among the plan district's own units and leaders (the preview lists them).
    matched_units: list[str] = field(default_factory=list)
    matched_leaders: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.added
            or self.changed
            or self.withdrawn
            or self.moved
            or self.meta_changes
            or self.category_changes
            or self.new_units
            or self.new_leaders
            or self.new_aliases
            or self.plan_id is None
        )

    def summary(self) -> DiffSummary:
        return {
            "added": [t.number for t in self.added],
            "changed": [c.as_dict() for c in self.changed],
            "withdrawn": [number for number, _ in self.withdrawn],
            "meta": [c.as_dict() for c in self.meta_changes + self.category_changes],
            "new_units": self.new_units,
            "new_leaders": self.new_leaders,
            "new_aliases": self.new_aliases,
        }
