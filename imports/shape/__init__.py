"""Stage 2, shape: tables of cells → task rows with named fields.

Finds the header row by its column names (never by position; `columns/`
gives every column its role), skips header rows repeated on every page, fills
what merged cells imply (a category or project cell spans many rows; a leader
cell may be shared by the rows below), takes heading rows as categories and
group headings as projects, numbers rows that have none, and reads the plan's
title, document number, date and stated totals from the text around the table.
"""

from __future__ import annotations

import re

from ..columns import COLUMN_LABELS, COLUMN_NAMES, ColumnPlan, column_role, find_header, guess_header, plan_columns
from ..errors import ImportRefused, ImportWarning
from ..read import Document
from ..text import clean_text
from .cells import _row_text, role_is_header
from .headings import heading_style
from .meta import document_title, plan_meta_from_text
from .results import PlanIdentity, PlanMeta, ShapedDocument, ShapedRow, plan_identity
from .shaper import _qualify_restarted_numbers, _Shaper

__all__ = [
    "COLUMN_LABELS",
    "COLUMN_NAMES",
    "PlanIdentity",
    "PlanMeta",
    "ShapedDocument",
    "ShapedRow",
    "column_role",
    "document_title",
    "heading_style",
    "plan_identity",
    "plan_meta_from_text",
    "role_is_header",
    "shape_document",
]

_HEADER_SCAN_ROWS = 30


def shape_document(
    document: Document,
    *,
    max_rows: int,
    column_roles: dict[str, str] | None = None,
    roles_source: str = "mapping",
) -> ShapedDocument:
    """`column_roles` ({header: role}) is the admin's mapping or a saved layout."""
    shaper = _Shaper(max_rows=max_rows, notes=list(document.notes))
    heading = list(document.heading)
    first: ColumnPlan | None = None
    guessed = not any(find_header(table, column_roles) is not None for table in document.tables)
    for table in document.tables:
        header_index = find_header(table, column_roles)
        if header_index is None and guessed and first is None:
            header_index = guess_header(table, column_roles)
            if header_index is not None:
                shaper.warnings.append(
                    ImportWarning(
                        "header_guessed",
                        "表头中没有可识别的任务列，各列的用途按内容推断，请逐列核对"
                        "（可在预览中修改，或用 --columns 指定）",
                        row=table.row_numbers[header_index],
                    )
                )
        if header_index is not None:
            plan = plan_columns(table, header_index, overrides=column_roles, override_source=roles_source)
        elif first is not None and table.rows and len(table.rows[0]) == len(first.columns):
            # A table continued on the next page without its header.
            plan = ColumnPlan(header_index=-1, columns=first.columns)
        else:
            continue
        if first is None:
            first = plan
            heading.extend(_row_text(r) for r in table.rows[:header_index] if _row_text(r))
        shaper.take_table(table, plan, is_first=plan is first)
    if first is None:
        raise ImportRefused(_no_header_message(document))
    if not shaper.rows:
        raise ImportRefused("表头之后没有任何任务行。")
    _qualify_restarted_numbers(shaper.rows, shaper.warnings)
    meta = plan_meta_from_text(heading, shaper.notes)
    meta.title = _without_sheet_name(meta.title, document)
    return ShapedDocument(
        format=document.format,
        meta=meta,
        columns=[c.role for c in first.columns if c.role in COLUMN_LABELS],
        rows=shaper.rows,
        warnings=shaper.warnings,
        column_plans=shaper.plans,
    )


def _without_sheet_name(title: str, document: Document) -> str:
    """A workbook of one sheet per category titles each sheet "…分解表（经济发展）": the plan's
    title is the part the sheets share, not the first sheet's name."""
    sheets = {found[1] for table in document.tables if (found := re.fullmatch(r"工作表“(.+)”", table.label))}
    found = re.fullmatch(r"(?P<title>.+?)\s*[（(](?P<sheet>[^（）()]+)[）)]", title)
    if len(sheets) > 1 and found and found["sheet"] in sheets:
        return found["title"]
    return title


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
    expected = (
        "序号、类别、项目、主要任务/具体任务/任务名称/工作内容…、牵头领导/责任领导、"
        "牵头单位/责任部门/主责部门…、配合单位、备注、完成时限"
    )
    if not document.tables or not any(t.rows for t in document.tables):
        return "文件中没有找到表格。"
    shown = "、".join(f"“{t[:20]}”" for t in found[:12]) if found else "（无）"
    return (
        "没有找到任务表的表头（需要“任务”列，以及序号、类别或牵头单位等列）。"
        f"找到的列：{shown}。可识别的列名：{expected}。"
        "也可用 --columns（浏览器中为列对应）指定各列的用途。"
    )
