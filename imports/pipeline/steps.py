"""The pipeline's small steps: the same file seen before, the import record, paragraphs instead of a
table, column roles and saved layouts, the admin's overrides and the plan's identity."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from tasks.models import Plan

from ..columns import ColumnPlan, header_candidates
from ..errors import ImportRefused
from ..identity import PlanMatch, PlanOrigin, plan_label, plan_match, plan_origin
from ..models import ImportLayout, ImportOutcome, ImportRecord
from ..read import Document
from ..records import ParsedPlan
from ..selectors import import_layout_for, import_record_same_file, known_districts, plans_same_identity
from ..shape import PlanMeta
from .report import ImportReport


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
    from ..read import prose_document

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


def _plan_identify(
    meta: PlanMeta, document: Document, *, chosen: str, own_title: bool, choice: str
) -> tuple[PlanOrigin, PlanMatch]:
    """Whose document this is (sets `meta.district`) and which plan it updates (imports/identity.py)."""
    origin = plan_origin(meta=meta, heading=document.heading + document.notes, chosen=chosen, known=known_districts)
    meta.district = origin.district
    assert meta.kind and meta.year_start and meta.year_end  # _require_identity refused otherwise
    options = plans_same_identity(district=None, kind=meta.kind, year_start=meta.year_start, year_end=meta.year_end)
    match = plan_match(options=options, meta=meta, own_title=own_title, origin=origin, choice=choice)
    if match.plan is not None:  # the admin's choice of a plan is also the choice of its district
        meta.district = "" if match.plan.district == settings.DISTRICT_NAME else match.plan.district
    return origin, match


_SOURCES = {"所属区": "按“所属区”", "标题": "据标题", "发文机关": "据发文机关", "文号": "据文号"}


def _plan_note(match: PlanMatch, meta: PlanMeta, origin: PlanOrigin) -> str:
    """One line on which plan the file goes to, and why: the preview and the command line print it."""
    district = meta.district or settings.DISTRICT_NAME
    whose = f"所属区：{district}（{_SOURCES.get(origin.source, '文件未写明，按本区')}）"
    if match.plan is not None:
        return f"{whose}；将更新已有规划{plan_label(match.plan)}，按序号对应任务。"
    return f"{whose}；将新建规划“{meta.title}”。"
