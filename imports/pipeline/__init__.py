"""The import pipeline, one entry point for the command line and the browser:

    read → shape → normalise → check → diff → apply (one transaction)

`plan_import` raises ImportRefused (nothing written) or returns an ImportReport.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from tasks.models import Plan

from ..apply import plan_apply
from ..check import plan_check
from ..diff import plan_diff
from ..errors import ImportRefused, ImportWarning
from ..export import plan_export_csv
from ..identity import default_title, title_taken
from ..normalise import normalise_document
from ..read import read_document
from ..selectors import vocabulary_load
from ..shape import shape_document
from .report import ImportReport
from .steps import (
    _apply_leader_mapping,
    _apply_overrides,
    _column_roles,
    _layout_save,
    _note_same_file,
    _paragraphs_instead,
    _plan_identify,
    _plan_note,
    _record_create,
    _require_identity,
    document_district,
)

__all__ = ["ImportReport", "document_district", "plan_import"]


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
    plan_choice: str = "",
) -> ImportReport:
    """Import one document. Refusals raise ImportRefused and write nothing.

    `unit_mapping` maps a new unit name to an existing unit (recorded as an
    alias); `leader_mapping` maps a new leader name to an existing leader.
    Both are the choices an admin makes on the preview page, as is
    `column_roles` ({header: role}); without it a layout saved for the same
    header is used. `user` is who imports (None from the command line).
    `plan_choice` is the admin's choice of the plan to update: "" as recognised
    (district and title, imports/identity.py), "new" for a new plan, or a plan's id.
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
    own_title = bool(shaped.meta.title)
    _require_identity(shaped.meta)
    own_title = own_title and shaped.meta.title != default_title(shaped.meta)
    origin, match = _plan_identify(
        shaped.meta,
        document,
        chosen=str((overrides or {}).get("district") or ""),
        own_title=own_title,
        choice=plan_choice,
    )
    vocabulary = vocabulary_load(district=document_district(shaped.meta)).with_mapping(unit_mapping or {})
    parsed = normalise_document(shaped, vocabulary)
    _apply_leader_mapping(parsed, leader_mapping or {})
    check = plan_check(parsed)
    warnings = [ImportWarning("plan_identity", text) for text in match.warnings] + parsed.warnings + check.warnings
    diff = plan_diff(parsed, plan=match.plan)
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
    report.plan_options = match.options
    report.plan_note = _plan_note(match, shaped.meta, origin)
    report.notes.append(report.plan_note)
    if shaped.meta.district:
        report.notes.append(
            f"文件属于“{shaped.meta.district}”：{settings.DISTRICT_NAME}的单位、领导和单位别名不用于本文件，"
            f"单位和领导只与{shaped.meta.district}已有的对应，本文件确认的单位对应记为{shaped.meta.district}的别名。"
        )
    _note_same_file(report)
    taken = title_taken(match, shaped.meta)
    if taken is not None:
        message = (
            f"{taken.district}已有标题相同的同类型、同年份规划“{taken.title}”，不能再建一个同名规划，"
            "也不能把另一规划改成这个标题：请在“导入到”中选择要更新的规划，或修改标题、所属区。"
        )
        if not dry_run:
            raise ImportRefused(message)
        report.warnings.insert(0, ImportWarning("plan_identity", message))
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
