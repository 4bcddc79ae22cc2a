"""`ImportReport`: what an import found and did, for the command line and the browser."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from tasks.models import Plan, PlanKind

from ..check import CountLine
from ..columns import ColumnPlan
from ..diff import PlanDiff
from ..errors import ImportWarning
from ..models import ImportLayout, ImportRecord
from ..read import FORMAT_LABELS
from ..records import ParsedPlan
from ..shape import PlanMeta


@dataclass
class ImportReport:
    file_name: str
    sha256: str
    size: int
    format: str
    meta: PlanMeta
    counts: list[CountLine]
    warnings: list[ImportWarning]
    diff: PlanDiff
    parsed: ParsedPlan
    dry_run: bool
    applied: bool = False
    plan_id: int | None = None
    record_id: int | None = None
    same_file_as: ImportRecord | None = None
    notes: list[str] = field(default_factory=list)
    # Every column of each distinct header, with its role and where its values went.
    column_plans: list[ColumnPlan] = field(default_factory=list)
    # The saved layout the columns were read with (None: recognised, or the admin's mapping).
    layout: ImportLayout | None = None
    # How the file was read when it could be read more than one way (e.g. 正文段落), for the admin to confirm.
    reading: str = ""
    # Which plan the file goes to and why ("所属区：徐汇区（据标题）；将新建规划…"), and the plans of the same
    # kind and years (any district) the admin may choose to update instead.
    plan_note: str = ""
    plan_options: list[Plan] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return self.diff.is_empty

    def column_lines(self) -> list[str]:
        """Where every column's values went, one line per column."""
        lines: list[str] = []
        for index, plan in enumerate(self.column_plans):
            lines.append("列的去向：" if index == 0 else "列的去向（另一种表头）：")
            lines.extend(f"  {column.describe()}" for column in plan.columns)
        if self.reading:
            lines.append(f"读取方式：{self.reading}")
        return lines

    def render_text(self) -> str:
        """The command line's report: found vs stated, changes, warnings."""
        meta = self.meta
        lines = [
            f"文件：{self.file_name}（{FORMAT_LABELS.get(self.format, self.format)}，{self.size} 字节，"
            f"SHA-256 {self.sha256[:12]}…）",
            f"规划：{meta.title or '（无标题）'}｜{meta.year_start}—{meta.year_end}｜{_kind_label(meta.kind)}"
            + (f"｜{meta.doc_number}" if meta.doc_number else "")
            + (f"｜{meta.doc_date:%Y-%m-%d}" if meta.doc_date else ""),
            "数量核对（识别 / 文件所述）：",
        ]
        for line in self.counts:
            stated = "—" if line.stated is None else str(line.stated)
            mark = "" if line.matches else "  ✗ 不一致"
            lines.append(f"  {line.label}: {line.found} / {stated}{mark}")
        diff = self.diff
        if diff.plan_id is None:
            lines.append(f"变更：新建规划，新增 {len(diff.added)} 条任务")
        else:
            lines.append(
                f"变更：新增 {len(diff.added)}，修改 {len(diff.changed)}，撤销 {len(diff.withdrawn)}"
                + ("（与数据库一致，无变化）" if diff.is_empty else "")
            )
        for change in diff.changed:
            for field_change in change.changes:
                lines.append(
                    f"  修改 序号{change.number} {field_change.label}：{field_change.before} → {field_change.after}"
                )
        for number, title in diff.withdrawn:
            lines.append(f"  撤销 序号{number} {title}")
        if diff.new_units:
            lines.append(f"新单位（{len(diff.new_units)}）：" + "、".join(diff.new_units))
        if diff.new_leaders:
            lines.append(f"新领导（{len(diff.new_leaders)}）：" + "、".join(diff.new_leaders))
        district = meta.district or settings.DISTRICT_NAME
        if diff.matched_units:
            lines.append(f"已对应{district}已有的单位（{len(diff.matched_units)}）：" + "、".join(diff.matched_units))
        if diff.matched_leaders:
            lines.append(
                f"已对应{district}已有的领导（{len(diff.matched_leaders)}）：" + "、".join(diff.matched_leaders)
            )
        if diff.new_aliases:
            lines.append("新别名：" + "、".join(f"{a}→{c}" for a, c in diff.new_aliases.items()))
        lines.extend(self.column_lines())
        lines.extend(self.notes)
        lines.append(f"警告（{len(self.warnings)}）：" if self.warnings else "警告：无")
        lines.extend(f"  - {warning}" for warning in self.warnings)
        if self.dry_run:
            lines.append("（试运行：未写入数据库）")
        elif self.applied:
            lines.append("已导入。")
        return "\n".join(lines)


def _kind_label(kind: str) -> str:
    return PlanKind(kind).label if kind in PlanKind.values else "（未识别类型）"
