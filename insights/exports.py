"""The year-over-year comparison as an .xlsx workbook."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from tasks.exports import spreadsheet_safe

from .selectors import GROUP_LABELS, GROUPS, Comparison


def _put(sheet: Worksheet, row: Sequence[object]) -> None:
    # Text that looks like a formula stays text: never run in the reader's spreadsheet.
    sheet.append([spreadsheet_safe(value) for value in row])


def comparison_xlsx(comparison: Comparison) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = "汇总"
    _put(summary, ["上一年计划", comparison.old_plan.title])
    _put(summary, ["下一年计划", comparison.new_plan.title])
    _put(summary, ["分组", "条数"])
    for group in GROUPS:
        _put(summary, [GROUP_LABELS[group], comparison.counts[group]])

    detail = book.create_sheet("明细")
    _put(detail, ["分组", "上年序号", "上年任务", "本年序号", "本年任务", "相似度", "牵头单位", "牵头领导"])
    for pair in comparison.pairs:
        _put(
            detail,
            [
                pair.group_label,
                pair.old.number if pair.old else "",
                pair.old.text if pair.old else "",
                pair.new.number if pair.new else "",
                pair.new.text if pair.new else "",
                pair.score,
                "、".join(pair.unit_names),
                "、".join(pair.leader_names),
            ],
        )
    for title, rows in (("按单位", comparison.by_unit), ("按领导", comparison.by_leader)):
        sheet = book.create_sheet(title)
        _put(sheet, [title[1:], *(GROUP_LABELS[g] for g in GROUPS), "合计"])
        for name, counts in rows:
            _put(sheet, [name, *(counts[g] for g in GROUPS), counts["total"]])
    for sheet in book.worksheets:
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
