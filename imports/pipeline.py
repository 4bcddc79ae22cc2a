"""The import pipeline, one entry point for the command line and the browser:

    read → shape → normalise → check → diff → apply (one transaction)

`plan_import` raises ImportRefused (nothing written) or returns an ImportReport.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from tasks.models import Plan, PlanKind

from .apply import plan_apply
from .check import CountLine, plan_check
from .columns import ColumnPlan, header_candidates
from .diff import PlanDiff, plan_diff
from .errors import ImportRefused, ImportWarning
from .export import plan_export_csv
from .models import ImportLayout, ImportOutcome, ImportRecord
from .normalise import normalise_document
from .read import FORMAT_LABELS, Document, read_document
from .records import ParsedPlan
from .selectors import import_layout_for, import_record_same_file, vocabulary_load
from .shape import PlanMeta, shape_document


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


def plan_import(
    *,
    data: bytes,
    file_name: str,
    user: User | None = None,
    dry_run: bool = False,
    overrides: dict[str, Any] | None = None,
    unit_mapping: dict[str, str] | None = None,
    leader_mapping: dict[str, str] | None = None,
    column_roles: dict[str, str] | None = None,
) -> ImportReport:
    """Import one document. Refusals raise ImportRefused and write nothing.

    `unit_mapping` maps a new unit name to an existing unit (recorded as an
    alias); `leader_mapping` maps a new leader name to an existing leader.
    Both are the choices an admin makes on the preview page, as is
    `column_roles` ({header: role}); without it a layout saved for the same
    header is used. `user` is who imports (None from the command line).
    """
    digest = hashlib.sha256(data).hexdigest()
    document = read_document(data, file_name)
    roles, source, layout = _column_roles(document, column_roles)
    try:
        shaped = shape_document(document, max_rows=settings.IMPORT_MAX_ROWS, column_roles=roles, roles_source=source)
    except ImportRefused as refused:
        # Tables with no task header, and numbered paragraphs around them: read the paragraphs (and say so).
        document = _paragraphs_instead(document, refused)
        shaped = shape_document(document, max_rows=settings.IMPORT_MAX_ROWS)
    _apply_overrides(shaped.meta, overrides or {})
    _require_identity(shaped.meta)
    vocabulary = vocabulary_load(district=document_district(shaped.meta)).with_mapping(unit_mapping or {})
    parsed = normalise_document(shaped, vocabulary)
    _apply_leader_mapping(parsed, leader_mapping or {})
    check = plan_check(parsed)
    warnings = parsed.warnings + check.warnings
    diff = plan_diff(parsed)
    report = ImportReport(
        file_name=file_name,
        sha256=digest,
        size=len(data),
        format=document.format,
        meta=shaped.meta,
        counts=check.counts,
        warnings=warnings,
        diff=diff,
        parsed=parsed,
        dry_run=dry_run,
        plan_id=diff.plan_id,
        column_plans=shaped.column_plans,
        layout=layout,
        reading=document.reading,
    )
    if layout is not None:
        report.notes.append(f"已按保存的表格版式“{layout.name}”识别各列。")
    if shaped.meta.district:
        report.notes.append(
            f"文件属于“{shaped.meta.district}”：{settings.DISTRICT_NAME}的单位别名不用于本文件，"
            f"本文件确认的单位对应记为{shaped.meta.district}的别名。"
        )
    _note_same_file(report)
    if dry_run or diff.is_empty:
        return report
    with transaction.atomic():
        before_csv = plan_export_csv(plan=Plan.objects.get(pk=diff.plan_id)) if diff.plan_id else ""
        plan = plan_apply(parsed, diff, source_file=file_name, user=user)
        if column_roles and shaped.column_plans:
            _layout_save(shaped.column_plans[0], user=user)
        record = _record_create(report, plan=plan, data=data, before_csv=before_csv, user=user)
    report.applied = True
    report.plan_id = plan.pk
    report.record_id = record.pk
    return report


def _note_same_file(report: ImportReport) -> None:
    previous = import_record_same_file(sha256=report.sha256)
    if previous is not None:
        report.same_file_as = previous
        # Local time (TIME_ZONE), as every page shows it; the database keeps UTC.
        report.notes.append(
            f"注意：该文件与 {timezone.localtime(previous.created_at):%Y-%m-%d %H:%M} "
            f"导入的“{previous.file_name}”完全相同。"
        )


def _record_create(
    report: ImportReport, *, plan: Plan, data: bytes, before_csv: str, user: User | None
) -> ImportRecord:
    return ImportRecord.objects.create(
        plan=plan,
        file_name=report.file_name[:255],
        file_format=report.format,
        sha256=report.sha256,
        size=len(data),
        content=data,
        outcome=ImportOutcome.APPLIED,
        counts={"lines": [line.as_dict() for line in report.counts]},
        changes=report.diff.summary(),
        warnings=[w.as_dict() for w in report.warnings],
        before_csv=before_csv,
        created_by=user,
    )


def _paragraphs_instead(document: Document, refused: ImportRefused) -> Document:
    """The document's paragraphs read as a prose notice, for a file whose tables
    have no task header; re-raises the table refusal when they hold no items."""
    from .read import prose_document

    alternative = None
    if document.format in ("docx", "doc", "pdf") and document.tables and not document.reading:
        wrapped = "pdf" if document.format == "pdf" else "word"
        alternative = prose_document(document.format, document.heading + document.notes, wrapped=wrapped)
    if alternative is None:
        raise refused
    alternative.reading = "正文段落（文件中的表格没有可识别的任务表头，已按编号段落逐条读取为任务，请核对）"
    return alternative


def _column_roles(
    document: Document, chosen: dict[str, str] | None
) -> tuple[dict[str, str] | None, str, ImportLayout | None]:
    """The roles to read the columns with: the admin's, else a layout saved for this header."""
    if chosen:
        return chosen, "mapping", None
    layout = import_layout_for(signatures=list(header_candidates(document)))
    if layout is None:
        return None, "name", None
    return dict(layout.roles), "layout", layout


def _layout_save(plan: ColumnPlan, *, user: User | None) -> ImportLayout:
    """Keep the confirmed mapping for the next document with this header."""
    layout, _ = ImportLayout.objects.update_or_create(
        signature=plan.signature,
        defaults={
            "headers": [c.header for c in plan.columns],
            "roles": {c.header: c.role for c in plan.columns if c.header},
            "created_by": user,
        },
    )
    return layout


def document_district(meta: PlanMeta) -> str:
    return meta.district or settings.DISTRICT_NAME


def _kind_label(kind: str) -> str:
    return PlanKind(kind).label if kind in PlanKind.values else "（未识别类型）"


def _apply_leader_mapping(parsed: ParsedPlan, leader_mapping: dict[str, str]) -> None:
    if leader_mapping:
        for task in parsed.tasks:
            task.leaders = list(dict.fromkeys(leader_mapping.get(name, name) for name in task.leaders))


_OVERRIDABLE = {f.name for f in fields(PlanMeta)}


def _apply_overrides(meta: PlanMeta, overrides: dict[str, Any]) -> None:
    for name, value in overrides.items():
        if name not in _OVERRIDABLE:
            raise ValueError(f"unknown plan field: {name}")
        if value not in (None, ""):
            setattr(meta, name, value)
    if meta.year_start and not meta.year_end:
        meta.year_end = meta.year_start


def _require_identity(meta: PlanMeta) -> None:
    if not meta.kind or not meta.year_start or not meta.year_end:
        raise ImportRefused(
            "无法从文件标题判断规划类型和年份（标题应如“2026年区委、区政府重点工作任务分解表”"
            "或“闵行区“十五五”规划重点任务责任分解表”），请在导入时指定类型和年份。"
        )
    if meta.district == settings.DISTRICT_NAME:
        meta.district = ""
    if meta.year_end < meta.year_start or not (2000 <= meta.year_start <= 2100):
        raise ImportRefused(f"年份不合理：{meta.year_start}—{meta.year_end}。")
    if not meta.title:
        meta.title = (
            f"{meta.year_start}年重点工作任务分解表"
            if meta.year_start == meta.year_end
            else (f"{meta.year_start}—{meta.year_end}年规划任务分解表")
        )
