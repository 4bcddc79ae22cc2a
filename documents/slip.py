"""The 督办单 (supervision slip, 一事一单): one A4 page in the GB/T 9704 page layout —
the issuing office in red, the slip's number, a table of what is supervised (the task, a
unit's overdue tasks or the unit's tasks a 催办 covered, the leader, the deadline, the
current state, the requirement and the reply-by date), then a 回执 (receipt) to cut off
and return.

Built with python-docx (no template): every value goes into a run as text, so nothing a
task says can become a field or a formula. Long texts are shortened so the slip stays on
one page; the full text is on the task page and in the ledger."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from docx.document import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_PARAGRAPH_ALIGNMENT
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from tasks.choices import CurrentStatus
from tasks.exports import date_text
from tasks.selectors.exports import ExportRow

from . import gbt9704 as gb
from .bulletin import cited, clean

SUBJECT_MAX_CHARS = 200  # a task's text beyond this is shortened (one page)
LISTED_TASKS = 5  # a unit slip lists this many overdue tasks, then says how many more
TITLE_MAX_CHARS = 30
# A form, not a 公文 of running text: the standard's A4 page with narrower top and bottom
# margins, so the slip and its receipt share one page.
SLIP_TOP_MM, SLIP_BOTTOM_MM = 25, 20
SLIP_PT = 12  # 小四: labels and values of the form
SMALL_PT = 12


@dataclass
class SlipData:
    number: str
    issuer: str  # 闵行区人民政府督查室
    unit_name: str
    rows: list[ExportRow]  # one for a task slip, the unit's tasks for a unit slip
    unit_slip: bool
    requirement: str
    reply_by: dt.date
    issued: dt.date
    today: dt.date
    # What a unit slip's tasks have in common, before their list: "已过完成时限尚未完成".
    listed_as: str = "已过完成时限尚未完成"
    # The slip goes to this one unit (a unit slip, a chase's slip): its receipt names it. A task
    # slip without one goes to each lead unit, and each writes its own name on the receipt.
    addressed: bool = False


def _shorten(text: str, limit: int) -> str:
    text = clean(text).strip()
    return text if len(text) <= limit else text[: limit - 2] + "……"


def _overdue_text(row: ExportRow, today: dt.date) -> str:
    if not row.due_date:
        return "未设定"
    days = (today - row.due_date).days
    late = f"（已逾期{days}天）" if days > 0 and row.status != CurrentStatus.DONE.label else ""
    return f"{date_text(row.due_date)}{late}"


def _cell_text(
    cell: _Cell,
    text: str,
    *,
    size: float = SLIP_PT,
    font: str = gb.FANGSONG,
    align: WD_PARAGRAPH_ALIGNMENT | None = None,
) -> None:
    """Text into a cell, one paragraph per line, each run with its fonts."""
    lines = text.split("\n") or [""]
    first = cell.paragraphs[0]
    for index, line in enumerate(lines):
        paragraph = first if index == 0 else cell.add_paragraph()
        paragraph.style = "Table Text"
        gb.spacing_exact(paragraph.paragraph_format, size + 4)
        if align is not None:
            paragraph.alignment = align
        gb.run_add(paragraph, line, font=font, size=size)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _form(document: Document, rows: Sequence[tuple[str, str, float]]) -> Table:
    """A two-column form: label | value (value size per row)."""
    table = gb.table_add(document, [30, 126], rows=len(rows))
    for row, (label, value, size) in zip(table.rows, rows, strict=True):
        _cell_text(row.cells[0], label, font=gb.HEITI, align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell_text(row.cells[1], value, size=size)
        row.height = Mm(7.5)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    return table


def slip_docx(data: SlipData) -> bytes:
    import docx

    document = docx.Document()
    gb.styles_setup(document)
    section = document.sections[0]
    gb.page_setup(section)
    section.top_margin, section.bottom_margin = Mm(SLIP_TOP_MM), Mm(SLIP_BOTTOM_MM)
    # One page, so no page number (a single-page document needs none).

    def line(
        text: str, *, font: str, size: float, align: WD_PARAGRAPH_ALIGNMENT, color: str | None = None, after: float = 0
    ) -> Paragraph:
        paragraph = document.add_paragraph()
        paragraph.alignment = align
        gb.spacing_exact(paragraph.paragraph_format, size * 1.3)
        paragraph.paragraph_format.space_after = Pt(after)
        gb.run_add(paragraph, text, font=font, size=size, color=color)
        return paragraph

    line(data.issuer, font=gb.XIAOBIAOSONG, size=gb.TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, color=gb.RED)
    line("督　办　单", font=gb.XIAOBIAOSONG, size=gb.TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, after=4)
    number = line(f"编号：{data.number}", font=gb.FANGSONG, size=SLIP_PT, align=WD_ALIGN_PARAGRAPH.LEFT, after=4)
    gb.right_tab(number)
    gb.run_add(number, f"\t{date_text(data.issued)}", font=gb.FANGSONG, size=SLIP_PT)
    gb.border_set(number, "bottom", eighths=12, color=gb.RED, space=4)

    rows = data.rows
    if data.unit_slip:
        listed = []
        # Numbers repeat across plans: over several plans each task is cited with its plan's short form.
        many_plans = len({row.plan for row in rows}) > 1
        for index, row in enumerate(rows[:LISTED_TASKS], start=1):
            title = _shorten(row.title or row.text, TITLE_MAX_CHARS)
            due = date_text(row.due_date) if row.due_date else "未设定"
            task = clean(cited(row, many_plans=many_plans))
            listed.append(f"{index}. {task}：{title}（截止{due}，{clean(row.status)}）")
        if len(rows) > LISTED_TASKS:
            listed.append(f"另有{len(rows) - LISTED_TASKS}项，详见任务台账。")
        plans = "、".join(dict.fromkeys(clean(row.plan) for row in rows))
        form = [
            ("承办单位", clean(data.unit_name), SLIP_PT),
            ("督办事项", f"牵头的{len(rows)}项任务{data.listed_as}：\n" + "\n".join(listed), SMALL_PT),
            ("所属规划", plans, SMALL_PT),
        ]
    else:
        row = rows[0]
        percent = f"，完成{row.percent}%" if row.percent is not None else ""
        form = [
            ("承办单位", clean(data.unit_name), SLIP_PT),
            ("督办事项", f"第{clean(row.number)}项：" + _shorten(row.text, SUBJECT_MAX_CHARS), SMALL_PT),
            ("所属规划", clean(row.plan), SMALL_PT),
            ("牵头领导", clean(row.leaders) or "—", SLIP_PT),
            ("完成时限", _overdue_text(row, data.today), SLIP_PT),
            ("当前进展", f"{clean(row.status)}{percent}；预警：{clean(row.light_label) or '—'}", SLIP_PT),
        ]
    form += [
        ("督办要求", _shorten(data.requirement, 200), SMALL_PT),
        ("反馈期限", f"{date_text(data.reply_by)}前（反馈至{clean(data.issuer)}）", SLIP_PT),
    ]
    _form(document, form)

    cut = document.add_paragraph()
    cut.alignment = WD_ALIGN_PARAGRAPH.CENTER
    gb.spacing_exact(cut.paragraph_format, 18)
    cut.paragraph_format.space_before = Pt(6)
    gb.run_add(cut, "（请沿此线剪下，填写后反馈）", font=gb.FANGSONG, size=10.5)
    gb.border_set(cut, "top", eighths=6)
    line("回　执", font=gb.XIAOBIAOSONG, size=18, align=WD_ALIGN_PARAGRAPH.CENTER, after=4)

    receipt = gb.table_add(document, [30, 50, 30, 46], rows=4)
    cells = receipt.rows[0].cells
    # A task slip goes to each of the task's lead units: each writes its own name on the receipt.
    receiver = clean(data.unit_name) if data.unit_slip or data.addressed else ""
    for cell, text, font in zip(
        cells,
        ("督办单号", data.number, "承办单位", receiver),
        (gb.HEITI, gb.FANGSONG, gb.HEITI, gb.FANGSONG),
        strict=True,
    ):
        _cell_text(cell, text, font=font)
    work = receipt.rows[1]
    _cell_text(work.cells[0], "办理情况", font=gb.HEITI, align=WD_ALIGN_PARAGRAPH.CENTER)
    work.cells[1].merge(work.cells[3])
    work.height, work.height_rule = Mm(26), WD_ROW_HEIGHT_RULE.EXACTLY
    sign = receipt.rows[2].cells
    _cell_text(sign[0], "单位负责人\n（签字）", font=gb.HEITI, align=WD_ALIGN_PARAGRAPH.CENTER)
    _cell_text(sign[2], "经办人\n及电话", font=gb.HEITI, align=WD_ALIGN_PARAGRAPH.CENTER)
    date_row = receipt.rows[3]
    _cell_text(date_row.cells[0], "反馈日期", font=gb.HEITI, align=WD_ALIGN_PARAGRAPH.CENTER)
    merged = date_row.cells[1].merge(date_row.cells[3])
    _cell_text(merged, "　　　　年　　月　　日（单位盖章）", align=WD_ALIGN_PARAGRAPH.RIGHT)
    for table_row in (receipt.rows[0], receipt.rows[2], receipt.rows[3]):
        table_row.height, table_row.height_rule = Mm(9), WD_ROW_HEIGHT_RULE.AT_LEAST

    # The body ends in a paragraph of its own, one point high: Word and LibreOffice add a full
    # empty line after a final table, which the PDF copy (.docx → .odt → .pdf) would print on a
    # second page when the receipt reaches the bottom.
    end = document.add_paragraph()
    gb.spacing_exact(end.paragraph_format, 1)
    gb.snap_off(end._p.get_or_add_pPr())

    properties = document.core_properties
    properties.title = f"督办单 {data.number}"
    properties.author = data.issuer
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
