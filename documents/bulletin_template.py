"""The built-in Word template of the 督查通报 (a .docx with docxtpl placeholders).

The office downloads it, edits the masthead, the wording and the 抄送 list in Word or WPS,
and uploads it back (services.bulletin_template_upload). Placeholders are in Chinese so
that a clerk can read them; PLACEHOLDERS lists them for the templates page.

Layout (GB/T 9704-2012, see gbt9704.py): red masthead "督查通报", 第N期, the editing body
and the date above a red rule; the title; the body in four parts (总体情况, 主要进展,
存在问题, 下步要求); the annex list; three annexes on pages of their own (red tasks,
yellow tasks, units that have not reported), each table with a repeating header row and
rows that do not split; the 版记 (抄送, 印发) at the end.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache

from django.conf import settings
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_PARAGRAPH_ALIGNMENT
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from . import gbt9704 as gb

# (placeholder, meaning) — shown on the templates page.
PLACEHOLDERS: list[tuple[str, str]] = [
    ("{{ 期号 }}", "本年度第几期（系统按年度连续编号；预览稿为空）"),
    ("{{ 年度 }}", "期号所属年度，如 2025"),
    ("{{ 印发日期 }}", "如 2025年6月20日（版头、署名日期和版记）"),
    ("{{ 标题 }}", "通报标题"),
    ("{{ 范围 }}", "通报范围，如“2025年区委、区政府重点工作任务分解表”或“区科委牵头的任务”"),
    ("{{ 统计周期 }}", "如 2025年6月 或 2025年第二季度"),
    ("{{ 截至日期 }}", "数据统计截至日期"),
    ("{{ 任务总数 }}", "范围内的任务数"),
    ("{{ 状态分布 }}", "按进展状态的项数，如“已完成3项、推进中20项、未报送167项”"),
    ("{{ 预警分布 }}", "按三色预警的项数"),
    ("{{ 已完成数 }} {{ 完成率 }}", "已完成的项数与完成率"),
    ("{{ 红灯数 }} {{ 黄灯数 }} {{ 绿灯数 }} {{ 灰灯数 }}", "各预警等级的项数"),
    ("{{ 未报送任务数 }} {{ 未报送单位数 }}", "本期尚未报送进展的任务数、单位数"),
    ("{{ 未报送单位名单 }}", "未报送单位（前15家，超过时加“等N家”）"),
    ("{{ 红灯举例 }}", "前三项红灯任务的序号、简称、单位和状态"),
    ("{{ 回复期限 }}", "要求牵头单位书面反馈的期限"),
    ("{{ 分类名称 }}", "分类表第一列的名称（“类别”，跨规划时为“规划”）"),
    ("{%tr for 类 in 分类 %} … {{ 类.名称 }} {{ 类.任务数 }} {{ 类.已完成 }} {{ 类.红灯 }} …", "分类推进情况表的行"),
    (
        "{%p for 项 in 已完成任务 %} … {{ 项.规划 }} {{ 项.编号 }} {{ 项.简称 }}",
        "已完成的任务（前10项；跨规划时“规划”为规划简称）",
    ),
    ("{{ 已完成其余 }}", "已完成任务超过10项时的“另有N项”说明"),
    (
        "{%tr for 行 in 红灯任务 %} … {{ 行.序号 }} {{ 行.任务 }} {{ 行.牵头单位 }} {{ 行.截止日期 }} {{ 行.状态 }} "
        "{{ 行.存在问题 }}",
        "附件1、附件2（黄灯任务）表格的行",
    ),
    ("{%tr for 行 in 未报送单位 %} … {{ 行.序号 }} {{ 行.单位 }} {{ 行.任务数 }} {{ 行.涉及任务 }}", "附件3表格的行"),
    (
        "{%p if 考评排名 %} … {%tr for 行 in 考评排名 %} … {{ 行.类型 }} {{ 行.排名 }} {{ 行.单位 }} {{ 行.得分 }} "
        "{{ 行.较上期 }}",
        "附件4（规划的本期考评已定稿时）：各单位考评排名",
    ),
    (
        "{%p for 件 in 附件 %} … {{ 件.序号 }}.{{ 件.名称 }}",
        "附件说明：只列有内容的附件，按顺序编号",
    ),
    (
        "{{ 附件号.红灯 }} {{ 附件号.黄灯 }} {{ 附件号.未报送 }} {{ 附件号.考评 }}",
        "各附件的编号（该附件没有内容、不附时为空）",
    ),
]


def _editing_body() -> str:
    return f"{settings.DISTRICT_NAME}人民政府督查室"


def _p(
    document: Document,
    text: str = "",
    *,
    font: str = gb.FANGSONG,
    size: float = gb.BODY_PT,
    indent: bool = True,
    align: WD_PARAGRAPH_ALIGNMENT | None = None,
) -> Paragraph:
    """A body paragraph (first line indented two characters, unless not `indent`) with one run."""
    paragraph = document.add_paragraph()
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(gb.BODY_PT * 2)
    if align is not None:
        paragraph.alignment = align
    if text:
        gb.run_add(paragraph, text, font=font, size=size)
    return paragraph


def _tag(document: Document, tag: str) -> None:
    """A paragraph holding only a docxtpl paragraph tag ({%p … %}); it disappears when rendered."""
    _p(document, tag, indent=False)


def _heading(document: Document, text: str, level: int) -> None:
    font = {1: gb.HEITI, 2: gb.KAITI, 3: gb.FANGSONG}[level]
    paragraph = document.add_paragraph(style=f"Heading {level}")
    gb.run_add(paragraph, text, font=font, size=gb.BODY_PT)


def _loop_table(
    document: Document, widths: Sequence[float], header: Sequence[str], loop: str, cells: Sequence[str]
) -> None:
    """A table whose body rows repeat for each item: {%tr for %} row, the row, {%tr endfor %} row."""
    table = gb.table_add(document, widths, header=header, rows=3)
    first, body, last = table.rows[1], table.rows[2], table.rows[3]
    gb.run_add(first.cells[0].paragraphs[0], f"{{%tr for {loop} %}}", font=gb.FANGSONG, size=gb.TABLE_PT)
    for cell, text in zip(body.cells, cells, strict=True):
        paragraph = cell.paragraphs[0]
        if text.startswith("^"):  # centred short values
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            text = text[1:]
        gb.run_add(paragraph, text, font=gb.FANGSONG, size=gb.TABLE_PT)
    gb.run_add(last.cells[0].paragraphs[0], "{%tr endfor %}", font=gb.FANGSONG, size=gb.TABLE_PT)


def _annex(document: Document, label: str, title: str) -> None:
    paragraph = _p(document, label, font=gb.HEITI, indent=False)
    gb.page_break_before(paragraph)
    _p(document, indent=False)
    heading = document.add_paragraph(style="Title")
    gb.run_add(heading, title, font=gb.XIAOBIAOSONG, size=gb.TITLE_PT)
    _p(document, indent=False)


# mm, rebalanced to the text: 存在问题 quotes whole sentences, 截止日期 reads "2025年12月31日" on
# two lines, 状态 three characters; they add up to the text block's 156 mm.
TASK_TABLE_WIDTHS = [10, 45, 24, 21, 15, 41]
# "未报送任务数" (six characters of 小四黑体, 25.4 mm) on one line.
SILENT_TABLE_WIDTHS = [10, 42, 28, 76]
TASK_TABLE_HEADER = ["序号", "任务", "牵头单位", "截止日期", "状态", "存在问题"]
TASK_TABLE_CELLS = [
    "^{{ 行.序号 }}",
    "{{ 行.任务 }}",
    "{{ 行.牵头单位 }}",
    "^{{ 行.截止日期 }}",
    "^{{ 行.状态 }}",
    "{{ 行.存在问题 }}",
]


def default_template_build() -> bytes:
    """The default template as .docx bytes."""
    import docx

    document = docx.Document()
    gb.styles_setup(document)
    section = document.sections[0]
    gb.page_setup(section)
    gb.page_numbers(document, section)
    body = _editing_body()

    # 版头 (7.2, with the 简报's 编发 line): the red masthead (发文机关标志) whose top edge is 35 mm
    # below the text block's top; the issue number (in the place of the 发文字号) two lines below
    # it; the editing body (left) and date (right); the red rule under them; the title two lines
    # below the rule. 期号 and the 编发 line in 3号仿宋.
    masthead = _p(document, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    gb.spacing_exact(masthead.paragraph_format, gb.MASTHEAD_LINE_PT)
    masthead.paragraph_format.space_before = Pt(gb.MASTHEAD_BEFORE_PT)
    gb.run_add(masthead, "督查通报", font=gb.XIAOBIAOSONG, size=gb.MASTHEAD_PT, color=gb.RED)
    issue = _p(document, "第{{ 期号 }}期", indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    issue.paragraph_format.space_before = Pt(2 * gb.LINE_PITCH_TWIPS / 20)  # 空二行
    line = _p(document, f"{body}编", indent=False)
    gb.right_tab(line)
    gb.run_add(line, "\t{{ 印发日期 }}", font=gb.FANGSONG, size=gb.BODY_PT)
    gb.border_set(line, "bottom", eighths=18, color=gb.RED, space=gb.RED_RULE_SPACE_PT)
    _p(document, indent=False)

    title = document.add_paragraph(style="Title")
    # 7.3.1: two lines below the red rule (the empty line above and this one's space before).
    title.paragraph_format.space_before = Pt(gb.LINE_PITCH_TWIPS / 20)
    title.paragraph_format.keep_together = True
    # The title comes broken into lines at sensible points (bulletin.title_lines).
    gb.run_add(title, "{{ 标题 }}", font=gb.XIAOBIAOSONG, size=gb.TITLE_PT)
    _p(document, indent=False)
    _p(document, "各有关单位：", indent=False)

    _heading(document, "一、总体情况", 1)
    _p(
        document,
        "截至{{ 截至日期 }}，{{ 范围 }}共{{ 任务总数 }}项。按进展状态，{{ 状态分布 }}；按三色预警，{{ 预警分布 }}。"
        "{% if 未报送任务数 %}{{ 统计周期 }}尚有{{ 未报送任务数 }}项任务的牵头单位未报送进展，"
        "涉及{{ 未报送单位数 }}家单位。{% else %}{{ 统计周期 }}各牵头单位均已按时报送进展。{% endif %}",
    )

    _heading(document, "二、主要进展", 1)
    _heading(document, "（一）分类推进情况", 2)
    _tag(document, "{%p if 分类 %}")
    _p(document, "各{{ 分类名称 }}任务推进情况如下表（单位：项）。")
    _loop_table(
        document,
        [58, 18, 16, 16, 16, 16, 16],
        ["{{ 分类名称 }}", "任务数", "已完成", "红灯", "黄灯", "绿灯", "灰灯"],
        "类 in 分类",
        [
            "{{ 类.名称 }}",
            "^{{ 类.任务数 }}",
            "^{{ 类.已完成 }}",
            "^{{ 类.红灯 }}",
            "^{{ 类.黄灯 }}",
            "^{{ 类.绿灯 }}",
            "^{{ 类.灰灯 }}",
        ],
    )
    _tag(document, "{%p else %}")
    _p(document, "暂无任务。")
    _tag(document, "{%p endif %}")
    _heading(document, "（二）已完成的任务", 2)
    _tag(document, "{%p if 已完成任务 %}")
    _p(document, "已完成{{ 已完成数 }}项，完成率{{ 完成率 }}。")
    _tag(document, "{%p for 项 in 已完成任务 %}")
    _p(document, "{{ loop.index }}.{{ 项.规划 }}第{{ 项.编号 }}项：{{ 项.简称 }}")
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p if 已完成其余 %}")
    _p(document, "{{ 已完成其余 }}")
    _tag(document, "{%p endif %}")
    _tag(document, "{%p else %}")
    _p(document, "本期暂无已完成的任务。")
    _tag(document, "{%p endif %}")

    _heading(document, "三、存在问题", 1)
    _heading(document, "（一）红灯任务（逾期或滞后）", 2)
    _p(
        document,
        "{% if 红灯任务 %}共{{ 红灯数 }}项{% if 红灯举例 %}，如{{ 红灯举例 }}{% endif %}。"
        "详见附件{{ 附件号.红灯 }}。{% else %}本期无红灯任务。{% endif %}",
    )
    _heading(document, "（二）黄灯任务（临近截止或进度偏慢）", 2)
    _p(
        document,
        "{% if 黄灯任务 %}共{{ 黄灯数 }}项，详见附件{{ 附件号.黄灯 }}。{% else %}本期无黄灯任务。{% endif %}",
    )
    _heading(document, "（三）未按期报送进展的单位", 2)
    _p(
        document,
        "{% if 未报送单位 %}{{ 统计周期 }}有{{ 未报送单位数 }}家单位尚未报送进展：{{ 未报送单位名单 }}。"
        "详见附件{{ 附件号.未报送 }}。{% else %}{{ 统计周期 }}各单位均已按时报送进展。{% endif %}",
    )

    _heading(document, "四、下步要求", 1)
    _p(document, "1. 红灯任务的牵头单位要于{{ 回复期限 }}前，向区政府督查室书面报告滞后原因、整改措施和完成时限。")
    _p(document, "2. 黄灯任务的牵头单位要倒排时间、加快推进，确保按期完成。")
    _p(document, "3. 未报送单位要于{{ 回复期限 }}前补报本期进展，逾期未报的，将予以督办。")
    _p(document, "4. 区政府督查室将对红灯任务逐项跟踪督办，并在下期通报中反映整改情况。")

    # 附件说明 (7.3.4): "附件：1.红灯任务清单", the numbers under one another; only the annexes
    # that have rows, numbered in order (附件 in the context).
    _tag(document, "{%p if 附件 %}")
    _p(document, indent=False)
    _tag(document, "{%p for 件 in 附件 %}")
    item = _p(document, "{% if loop.first %}附件：{% else %}　　　{% endif %}{{ 件.序号 }}.{{ 件.名称 }}")
    item.paragraph_format.left_indent = Pt(gb.BODY_PT * 5)
    item.paragraph_format.first_line_indent = Pt(-gb.BODY_PT * 3)
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p endif %}")

    # 发文机关署名 and 成文日期 (7.3.5): one line below the body (or the annex list), each four
    # characters in from the right, the date in Arabic numerals.
    _p(document, indent=False)
    for text in (body, "{{ 印发日期 }}"):
        signed = _p(document, text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
        signed.paragraph_format.right_indent = Pt(gb.BODY_PT * 4)
        signed.paragraph_format.keep_with_next = True

    for key, loop in (("红灯", "红灯任务"), ("黄灯", "黄灯任务")):
        _tag(document, f"{{%p if {loop} %}}")
        _annex(document, f"附件{{{{ 附件号.{key} }}}}", f"{key}任务清单")
        _loop_table(document, TASK_TABLE_WIDTHS, TASK_TABLE_HEADER, f"行 in {loop}", TASK_TABLE_CELLS)
        _tag(document, "{%p endif %}")
    _tag(document, "{%p if 未报送单位 %}")
    _annex(document, "附件{{ 附件号.未报送 }}", "本期未报送进展的单位")
    _loop_table(
        document,
        SILENT_TABLE_WIDTHS,
        ["序号", "单位", "未报送任务数", "涉及任务（序号）"],
        "行 in 未报送单位",
        ["^{{ 行.序号 }}", "{{ 行.单位 }}", "^{{ 行.任务数 }}", "{{ 行.涉及任务 }}"],
    )
    _tag(document, "{%p endif %}")
    _tag(document, "{%p if 考评排名 %}")
    _annex(document, "附件{{ 附件号.考评 }}", "各单位考评排名")
    _loop_table(
        document,
        [30, 14, 62, 25, 25],
        ["单位类型", "同类排名", "单位", "得分", "较上期"],
        "行 in 考评排名",
        ["{{ 行.类型 }}", "^{{ 行.排名 }}", "{{ 行.单位 }}", "^{{ 行.得分 }}", "^{{ 行.较上期 }}"],
    )
    _tag(document, "{%p endif %}")

    # 版记 (7.4.1): 抄送 and 印发 between a 0.35 mm first and last rule and a 0.25 mm one between
    # them, at the foot of the last page (gbt9704.record_table; anchored to the paragraph after it).
    record = gb.record_table(document, rows=2)
    copy_to = record.rows[0].cells[0].paragraphs[0]
    gb.run_add(copy_to, "抄送：区委办公室，区人大常委会办公室，区政协办公室。", font=gb.FANGSONG, size=gb.RECORD_PT)
    # Wrapped lines line up after "抄送：".
    copy_to.paragraph_format.left_indent = Pt(gb.RECORD_PT * 4)
    copy_to.paragraph_format.first_line_indent = Pt(-gb.RECORD_PT * 3)
    issued = record.rows[1].cells[0].paragraphs[0]
    gb.right_tab(issued, at_mm=gb.TEXT_WIDTH_MM - 2 * gb.RECORD_PT * 25.4 / 72)
    gb.run_add(issued, f"{body}\t{{{{ 印发日期 }}}}印发", font=gb.FANGSONG, size=gb.RECORD_PT)
    _p(document, indent=False)

    properties = document.core_properties
    properties.title = "督查通报"
    properties.author = body
    properties.comments = "督查通报模板（占位符见系统“通报模板”页面）"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@lru_cache(maxsize=4)
def default_template(district: str) -> bytes:
    """Built once per process (per district name)."""
    return default_template_build()


def default_template_bytes() -> bytes:
    return default_template(settings.DISTRICT_NAME)
