"""The ranking of a run as an .xlsx file: one table per unit kind, printed landscape A4 one page
wide, every text through the formula guard."""

from __future__ import annotations

import tempfile
from typing import IO

import xlsxwriter
from django.utils import timezone

from tasks.exports import spreadsheet_safe

from .models import ScoreRun
from .selectors import ranking_groups

COLUMNS = (("同类排名", 9), ("单位", 30), ("得分", 10), ("扣分", 10), ("加分", 10), ("较上期", 10), ("名次变化", 10))


def ranking_xlsx(*, run: ScoreRun, label: str) -> IO[bytes]:
    out = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115 - the response streams and closes it
    workbook = xlsxwriter.Workbook(out, {"strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("考评排名")
    base = {"font_name": "宋体", "font_size": 11}
    title = workbook.add_format({**base, "font_size": 14, "bold": True, "align": "center"})
    head = workbook.add_format({**base, "bold": True, "border": 1, "bg_color": "#DDE3EA", "align": "center"})
    text = workbook.add_format({**base, "border": 1})
    number = workbook.add_format({**base, "border": 1, "num_format": "0.00"})
    signed = workbook.add_format({**base, "border": 1, "num_format": "+0.00;-0.00;0.00"})
    # Places gained or lost, as the page says them: 升5 / 降2 / 持平.
    places = workbook.add_format({**base, "border": 1, "num_format": '"升"0;"降"0;"持平"'})
    group_format = workbook.add_format({**base, "bold": True})
    for col, (_, width) in enumerate(COLUMNS):
        sheet.set_column(col, col, width)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0, 1)
    sheet.set_footer("&C第 &P 页，共 &N 页")
    state = run.get_state_display()
    heading = f"{run.plan.title} {label} 考评排名（{state}）"
    sheet.merge_range(0, 0, 0, len(COLUMNS) - 1, str(spreadsheet_safe(heading)), title)
    generated = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    sheet.merge_range(
        1, 0, 1, len(COLUMNS) - 1, f"生成时间：{generated}　得分 = 基础分 − 扣分 + 加分", workbook.add_format(base)
    )
    row = 3
    for group in ranking_groups(run=run):
        sheet.write_string(row, 0, group.label, group_format)
        row += 1
        for col, (name, _) in enumerate(COLUMNS):
            sheet.write_string(row, col, name, head)
        row += 1
        for line in group.rows:
            sheet.write_number(row, 0, line.rank, text)
            sheet.write_string(row, 1, str(spreadsheet_safe(line.unit_name)), text)
            sheet.write_number(row, 2, float(line.total), number)
            sheet.write_number(row, 3, float(line.deducted), number)
            sheet.write_number(row, 4, float(line.added), number)
            if line.change is None:
                sheet.write_string(row, 5, "—", text)
                sheet.write_string(row, 6, "—", text)
            else:
                sheet.write_number(row, 5, float(line.change), signed)
                sheet.write_number(row, 6, line.rank_change or 0, places)
            row += 1
        row += 1
    workbook.close()
    out.seek(0)
    return out
