"""The 督查通报 (documents app): the GB/T 9704 layout checked by opening the files (python-docx,
and LibreOffice for the page count), numbers and wording from the status home, hostile text
kept as text, 期号 per year, scopes and periods."""

import datetime as dt
import io
import math
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import docx
import pytest
from django.db.models import Count
from django.urls import reverse
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt

from documents import gbt9704
from documents.models import BulletinIssue
from documents.pdf import docx_to_pdf, pdf_available
from tasks import selectors
from tasks.choices import CurrentStatus
from tasks.models import Plan, ProgressReport, Task, Unit
from tests.factories import CLOCK
from tests.html import csrf_removed

pytestmark = pytest.mark.django_db
GB_FONTS = {"仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体"}
ASCII_WORD = re.compile(r"[A-Za-z_]{3,}")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx(response) -> docx.document.Document:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Disposition"].startswith("attachment")
    return docx.Document(io.BytesIO(b"".join(response.streaming_content)))


def _draft(client, **scope) -> docx.document.Document:
    return _docx(client.get(reverse("documents:bulletin_draft"), scope))


def _texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def _titles(document) -> list[str]:
    """Title-style paragraphs as one line each (a long title is broken into lines)."""
    return [p.text.replace("\n", "") for p in document.paragraphs if p.style.name == "Title"]


def _all_text(document) -> str:
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(_texts(document) + cells)


# -- the page, the fonts, the headings (GB/T 9704) ---------------------------------------------------


def test_page_size_margins_and_the_22_by_28_grid(progressed, client_as, office_user):
    document = _draft(client_as(office_user), plan=progressed.pk)
    section = document.sections[0]
    assert (round(section.page_width.mm, 1), round(section.page_height.mm, 1)) == (210.0, 297.0)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.mm, 1) for m in margins] == [37.0, 35.0, 28.0, 26.0]
    text_width = Emu(section.page_width - section.left_margin - section.right_margin)
    text_height = Emu(section.page_height - section.top_margin - section.bottom_margin)
    assert (round(text_width.mm, 1), round(text_height.mm, 1)) == (156.0, 225.0)
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(16)
    # 22 lines: an exact line pitch of 28.95 pt, also the section's line grid.
    spacing = normal.paragraph_format.line_spacing
    assert math.floor(text_height.pt / spacing.pt) == 22 and spacing == Pt(28.95)
    grid = section._sectPr.find(qn("w:docGrid"))
    assert (grid.get(qn("w:type")), grid.get(qn("w:linePitch"))) == ("lines", "579")
    # 28 characters: 16-point characters set 0.25 pt closer.
    condensed = normal.element.rPr.find(qn("w:spacing")).get(qn("w:val"))
    assert math.floor(text_width.pt / (16 + int(condensed) / 20)) == 28


def _style_font(style) -> str:
    return style.element.rPr.rFonts.get(qn("w:eastAsia"))


def test_fonts_declared_on_every_run_and_the_heading_levels(progressed, client_as, office_user):
    document = _draft(client_as(office_user), plan=progressed.pk)
    styles = document.styles
    assert (_style_font(styles["Normal"]), styles["Normal"].font.size) == ("仿宋_GB2312", Pt(16))
    assert (_style_font(styles["Title"]), styles["Title"].font.size) == ("方正小标宋简体", Pt(22))
    assert [_style_font(styles[f"Heading {n}"]) for n in (1, 2, 3)] == ["黑体", "楷体_GB2312", "仿宋_GB2312"]
    parts = [document.element.body]
    parts += [footer._element for section in document.sections for footer in (section.footer, section.even_page_footer)]
    runs = [run for part in parts for run in part.iter(f"{W}r") if run.find(f"{W}t") is not None]
    assert len(runs) > 300
    for run in runs:
        fonts = run.find(f"{W}rPr/{W}rFonts")
        assert fonts is not None, run.xml[:200]
        east_asian = fonts.get(qn("w:eastAsia"))
        assert east_asian in GB_FONTS and fonts.get(qn("w:ascii")) == east_asian, run.xml[:300]
    title = next(p for p in document.paragraphs if p.style.name == "Title")
    assert title.text.replace("\n", "") == f"关于{progressed.title}推进情况的通报"
    assert styles["Title"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.runs[0].font.size == Pt(22)
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert [text for style, text in headings if style == "Heading 1"] == [
        "一、总体情况",
        "二、主要进展",
        "三、存在问题",
        "四、下步要求",
    ]
    assert [text for style, text in headings if style == "Heading 2"][:2] == [
        "（一）分类推进情况",
        "（二）已完成的任务",
    ]
    for style, text in headings:
        run = next(p for p in document.paragraphs if p.text == text).runs[0]
        expected = {"Heading 1": "黑体", "Heading 2": "楷体_GB2312"}[style]
        assert run._r.rPr.rFonts.get(qn("w:eastAsia")) == expected


def test_masthead_issue_number_and_the_record_at_the_end(progressed, client_as, office_user):
    client = client_as(office_user)
    response = client.post(
        reverse("documents:bulletin_issue"), {"plan": progressed.pk, "period": "2025-06-01", "reply_by": "2025-06-25"}
    )
    assert response.status_code == 302
    issue = BulletinIssue.objects.get()
    assert (issue.year, issue.number, issue.period_label) == (2025, 1, "2025年6月")
    document = _docx(client.get(reverse("documents:bulletin_file", args=[issue.pk, "docx"])))
    paragraphs = document.paragraphs
    masthead = paragraphs[0]
    assert masthead.text == "督查通报" and str(masthead.runs[0].font.color.rgb) == "FF0000"
    assert masthead.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert paragraphs[1].text == "第1期"
    editing = paragraphs[2]
    assert editing.text == "闵行区人民政府督查室编\t2025年6月15日"
    rule = editing._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"
    texts = _texts(document)
    assert any("于2025年6月25日前" in text for text in texts)  # the reply-by date chosen
    # The 版记: the document's last table, at the foot of the last page.
    record = document.tables[-1]
    copy_to, issued = (row.cells[0].paragraphs[0] for row in record.rows)
    assert copy_to.text.startswith("抄送：") and issued.text == "闵行区人民政府督查室\t2025年6月15日印发"
    borders = record._tbl.tblPr.find(qn("w:tblBorders"))
    assert all(borders.find(qn(f"w:{side}")).get(qn("w:val")) == "single" for side in ("top", "insideH", "bottom"))
    assert copy_to.style.name == "Record" and copy_to.style.font.size == Pt(14)
    # The annexes are listed after the body and each starts on a page of its own.
    assert "附件：1.红灯任务清单" in texts
    annex_heads = [p for p in paragraphs if re.fullmatch(r"附件\d", p.text)]
    assert [p.text for p in annex_heads] == ["附件1", "附件2", "附件3"]
    assert all(p.paragraph_format.page_break_before for p in annex_heads)


def test_page_numbers_odd_right_even_left_one_character_in(progressed, client_as, office_user):
    document = _draft(client_as(office_user), plan=progressed.pk)
    assert document.settings.odd_and_even_pages_header_footer is True
    section = document.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and odd.paragraph_format.right_indent == Pt(14)
    assert even.alignment == WD_ALIGN_PARAGRAPH.LEFT and even.paragraph_format.left_indent == Pt(14)
    for paragraph in (odd, even):
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert "PAGE" in "".join(node.text or "" for node in paragraph._p.iter(f"{W}instrText"))
        assert {run.font.size for run in paragraph.runs} == {Pt(14)}
        assert {run._r.rPr.rFonts.get(qn("w:eastAsia")) for run in paragraph.runs} == {"宋体"}


def _widths(table) -> list[int]:
    return [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]


def test_tables_have_widths_for_their_content_repeating_headers_and_rows_that_do_not_split(
    progressed, client_as, office_user
):
    document = _draft(client_as(office_user), plan=progressed.pk)
    clock = CLOCK
    red = selectors.task_search_base(clock=clock).filter(plan=progressed, state="active", light="red").count()
    assert len(document.tables) == 5  # categories, red, yellow, silent units; the 版记
    for table in document.tables[:4]:
        widths = _widths(table)
        assert len(set(widths)) > 1, widths  # not all equal
        assert abs(sum(widths) - gbt9704.mm_twips(156)) <= len(widths), widths  # the text block's width
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        header, *body = table.rows
        assert header._tr.trPr.find(qn("w:tblHeader")) is not None
        assert body and all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in body)
    red_table = document.tables[1]
    assert [cell.text for cell in red_table.rows[0].cells] == [
        "序号",
        "任务",
        "牵头单位",
        "截止日期",
        "状态",
        "存在问题",
    ]
    assert len(red_table.rows) - 1 == red
    number, task = _widths(red_table)[:2]
    assert number < Mm(15).twips < task
    assert red_table.rows[1].cells[1].text.startswith("第1项：")


def test_numbers_and_words_come_from_the_status_home(progressed, client_as, office_user):
    document = _draft(client_as(office_user), plan=progressed.pk)
    clock = CLOCK
    tasks = Task.objects.filter(plan=progressed, state="active")
    summary = selectors.task_set_summary(tasks=tasks, clock=clock)
    texts = _texts(document)
    overall = next(text for text in texts if text.startswith("截至2025年6月15日"))
    assert f"共{summary.total}项" in overall and summary.total == 190
    for c in summary.lights():
        name = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "grey": "灰灯"}[c.light]
        assert f"{name}（{c.label}）{c.count}项" in overall
    assert f"尚有{summary.n_silent}项任务的牵头单位未报送进展" in overall
    by_status = tasks.values("current__status").annotate(n=Count("pk"))
    for row in by_status:
        label = CurrentStatus(row["current__status"] or CurrentStatus.NOT_REPORTED).label
        assert f"{label}{row['n']}项" in overall
    silent_units = selectors.units_silent_list(clock=clock, plan_ids=[progressed.pk])
    assert f"有{len(silent_units)}家单位尚未报送进展" in "".join(texts)
    assert len(document.tables[3].rows) - 1 == len(silent_units)
    everything = _all_text(document)
    assert not ASCII_WORD.search(everything), ASCII_WORD.findall(everything)[:5]
    assert "None" not in everything and "not_reported" not in everything


def test_scopes_unit_leader_district_and_the_old_address(progressed, client_as, office_user, liaison_user):
    client = client_as(liaison_user)  # every reader may download a draft
    keji = Unit.objects.get(name="区科委")
    unit_doc = _draft(client, unit=keji.pk, plan=progressed.pk)
    # Within one plan the title names the plan (its short form); over every plan it does not.
    assert "关于区科委牵头的2025年重点工作任务推进情况的通报" in _titles(unit_doc)
    assert "关于区科委牵头任务推进情况的通报" in _titles(_draft(client, unit=keji.pk))
    led = Task.objects.filter(plan=progressed, unit_links__unit=keji, unit_links__role="lead").count()
    assert f"区科委牵头的{progressed.title}任务共{led}项" in "".join(_texts(unit_doc))
    for table in unit_doc.tables[1:3]:
        assert all("区科委" in row.cells[2].text for row in table.rows[1:])
    leader_doc = _draft(client, leader=Task.objects.get(plan=progressed, number="4").leaders.first().pk)
    assert "关于谭瑞琮同志牵头任务推进情况的通报" in _titles(leader_doc)
    district = _draft(client)
    assert "关于闵行区重点任务推进情况的通报" in _titles(district)
    first_column = [row.cells[0].text for row in district.tables[0].rows]
    assert first_column[0] == "规划" and set(first_column[1:]) == set(Plan.objects.values_list("title", flat=True))
    old = _docx(client.get(reverse("tasks:plan_bulletin", args=[progressed.pk]), {"unit": keji.pk}))
    assert "关于区科委牵头的2025年重点工作任务推进情况的通报" in _titles(old)
    assert client.get(reverse("tasks:plan_bulletin", args=[progressed.pk]), {"unit": "x"}).status_code == 404
    assert client.get(reverse("documents:bulletin_draft"), {"unit": 999999}).status_code == 404


def test_a_chosen_period(progressed, client_as, office_user):
    client = client_as(office_user)
    page = client.get(reverse("documents:bulletin"), {"plan": progressed.pk}).content.decode()
    assert '<option value="2025-05-01">2025年5月</option>' in page
    may = _draft(client, plan=progressed.pk, period="2025-05-01")
    overall = next(text for text in _texts(may) if text.startswith("截至"))
    assert overall.startswith("截至2025年5月31日") and "2025年5月尚有" in overall
    assert (
        client.get(reverse("documents:bulletin_draft"), {"plan": progressed.pk, "period": "2025-07-01"}).status_code
        == 404
    )


def test_hostile_text_stays_text(progressed, client_as, office_user):
    hostile = "{{ 期号 }}{% for 行 in 红灯任务 %}循环{% endfor %}<w:p>&amp;\x0c\x07=cmd|' /C calc'!A0 {{ 7*7 }}"
    task = Task.objects.get(plan=progressed, number="1")  # overdue: in the red annex
    Task.objects.filter(pk=task.pk).update(text=hostile, title=hostile)
    ProgressReport.objects.filter(task=task).update(problems="{{ 7*7 }}{%p endif %}")
    document = _draft(client_as(office_user), plan=progressed.pk)
    row = document.tables[1].rows[1]
    expected = "{{ 期号 }}{% for 行 in 红灯任务 %}循环{% endfor %}<w:p>&amp;=cmd|' /C calc'!A0 {{ 7*7 }}"
    assert row.cells[1].text == f"第1项：{expected}"  # page break and bell removed, the rest as written
    assert "{{ 7*7 }}{%p endif %}" in row.cells[5].text and "49" not in row.cells[5].text
    body = document.element.body.xml
    assert "instrText" not in body and "fldSimple" not in body and "fldChar" not in body  # no fields in the body
    assert 'w:type="page"' not in body.split("附件1")[0].replace("pageBreakBefore", "")


def test_issuing_is_for_the_office_and_numbers_run_per_year(progressed, client_as, liaison_user, office_user):
    data = {"plan": progressed.pk, "period": "2025-06-01", "reply_by": "2025-06-25"}
    liaison = client_as(liaison_user)
    assert liaison.post(reverse("documents:bulletin_issue"), data).status_code == 403
    assert "编号印发" not in liaison.get(reverse("documents:bulletin"), {"plan": progressed.pk}).content.decode()
    assert BulletinIssue.objects.count() == 0
    office = client_as(office_user)
    refused = office.post(reverse("documents:bulletin_issue"), {**data, "reply_by": "2025-06-01"})
    assert refused.status_code == 400 and "反馈期限不能早于今天。" in refused.content.decode()
    assert BulletinIssue.objects.count() == 0
    for _ in range(2):
        assert office.post(reverse("documents:bulletin_issue"), data).status_code == 302
    assert list(BulletinIssue.objects.order_by("number").values_list("year", "number")) == [(2025, 1), (2025, 2)]
    page = office.get(reverse("documents:bulletin"), {"plan": progressed.pk}).content.decode()
    assert "2025年第1期" in page and "2025年第2期" in page
    second = BulletinIssue.objects.get(number=2)
    document = _docx(liaison.get(reverse("documents:bulletin_file", args=[second.pk, "docx"])))
    assert document.paragraphs[1].text == "第2期"


# -- LibreOffice: the pages as printed -------------------------------------------------------------


def soffice_required() -> None:
    """LibreOffice and poppler: skipped on a development machine without them, never in CI
    (.ci/run installs libreoffice-writer-nogui and poppler-utils)."""
    missing = [name for name, ok in (("soffice", pdf_available()), ("pdftotext", shutil.which("pdftotext"))) if not ok]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must have {', '.join(missing)} (apt-get install libreoffice-writer-nogui poppler-utils)")
        pytest.skip(f"{', '.join(missing)} not installed")


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page, by pdftotext one page at a time."""
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "document.pdf"
        path.write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        count = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        return [
            subprocess.run(
                ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            for n in range(1, count + 1)
        ]


def test_the_190_task_bulletin_prints_a_short_body_and_no_blank_page(progressed, client_as, office_user):
    soffice_required()
    content = b"".join(
        client_as(office_user).get(reverse("documents:bulletin_draft"), {"plan": progressed.pk}).streaming_content
    )
    pages = pdf_pages(docx_to_pdf(content))
    # The first line of each page, spaces removed (pdftotext spaces out "附件 1").
    starts = [re.sub(r"\s+", "", page.strip().splitlines()[0]) if page.strip() else "" for page in pages]
    first_annex = starts.index("附件1")
    assert 2 <= first_annex <= 6, (first_annex, starts)  # the body: 2–6 pages for 190 tasks
    assert pages[0].strip().startswith("督查通报")
    for number, page in enumerate(pages, start=1):
        words = [line for line in page.splitlines() if line.strip() and not re.fullmatch(r"\s*—\s*\d+\s*—\s*", line)]
        assert words, f"page {number} is blank"
        assert re.search(rf"—\s*{number}\s*—", page), f"page {number} has no page number"
    assert {"附件2", "附件3"} <= set(starts)
    record = re.sub(r"\s+", "", pages[-1])
    assert "抄送：" in record and "印发" in record  # the 版记 is not split from its last page


def test_a_unit_with_no_silent_or_red_tasks_still_renders(seed_plans, pinned_clock, client_as, office_user):
    """Empty annexes say so instead of leaving an empty table."""
    unit = Unit.objects.create(name="新设单位")  # leads nothing yet
    document = _draft(client_as(office_user), unit=unit.pk)
    texts = _texts(document)
    assert "本期无红灯任务。" in texts and "本期无黄灯任务。" in texts and "2025年6月各单位均已按时报送进展。" in texts
    assert len(document.tables) == 1  # no empty annex; only the 版记
    assert not any(text.startswith("附件") for text in texts)


def test_pdf_is_offered_beside_word_only_where_libreoffice_is_installed(
    progressed, client_as, office_user, monkeypatch
):
    client = client_as(office_user)
    client.post(
        reverse("documents:bulletin_issue"), {"plan": progressed.pk, "period": "2025-06-01", "reply_by": "2025-06-25"}
    )
    issue = BulletinIssue.objects.get()
    task = Task.objects.get(plan=progressed, number="4")
    client.post(reverse("documents:slip_task", args=[task.pk]), {"reply_by": "2025-06-25"})
    monkeypatch.setenv("PATH", "/nonexistent")  # a server without LibreOffice
    for url in (
        reverse("documents:bulletin") + f"?plan={progressed.pk}",
        reverse("documents:bulletin_list"),
        reverse("tasks:plan", args=[progressed.pk]),
        reverse("tasks:task", args=[task.pk]),
    ):
        # Without the forms' CSRF tokens, which are random and can hold the letters "PDF".
        page = csrf_removed(client.get(url).content.decode())
        assert "PDF" not in page and "pdf" not in page, url
    response = client.get(reverse("documents:bulletin_file", args=[issue.pk, "pdf"]), follow=True)
    assert "服务器未安装 LibreOffice，无法生成 PDF。" in response.content.decode()
    monkeypatch.undo()
    soffice_required()
    page = client.get(reverse("documents:bulletin"), {"plan": progressed.pk}).content.decode()
    assert reverse("documents:bulletin_file", args=[issue.pk, "pdf"]) in page and "draft.pdf" in page
    response = client.get(reverse("documents:bulletin_file", args=[issue.pk, "pdf"]))
    assert response["Content-Type"] == "application/pdf" and response["Content-Disposition"].startswith("attachment")
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF")
    issue.refresh_from_db()
    assert bytes(issue.pdf) == pdf  # converted once, kept beside the .docx


def test_a_frozen_ranking_is_annex_4_and_a_draft_is_not(progressed, client_as, office_user):
    from assessment.services import score_run_compute, score_run_freeze

    client = client_as(office_user)
    may = dt.date(2025, 5, 1)
    run = score_run_compute(plan=progressed, scope="period", start=may, user=office_user)
    draft = _draft(client, plan=progressed.pk, period="2025-05-01")
    assert "各单位考评排名" not in _all_text(draft) and len(draft.tables) == 5  # four and the 版记
    score_run_freeze(user=office_user, run=run)
    frozen = _draft(client, plan=progressed.pk, period="2025-05-01")
    texts = _texts(frozen)
    assert "\u3000\u3000\u30004.各单位考评排名" in texts and "附件4" in texts
    table = frozen.tables[-2]
    assert [cell.text for cell in table.rows[0].cells] == ["单位类型", "同类排名", "单位", "得分", "较上期"]
    shown = {row.cells[2].text: row.cells[3].text for row in table.rows[1:]}
    sheets = run.sheets.exclude(unit_kind="group")
    assert shown == {s.unit.name: f"{s.total:.2f}" for s in sheets}
    assert table.rows[0]._tr.trPr is not None  # the header row repeats (as every annex table's)


def test_a_closed_period_reads_its_snapshot_not_todays_reports(progressed, client_as, office_user):
    """A May bulletin written in June counts May as it closed (the status snapshot the dashboard's
    近12期 reads), and quotes no report filed for June."""
    from trends.models import StatusSnapshot
    from trends.services import snapshot_reconstruct

    may_start = dt.date(2025, 5, 1)
    snapshot_reconstruct(plan=progressed, period=may_start)
    today = selectors.task_set_summary(tasks=Task.objects.filter(plan=progressed, state="active"), clock=CLOCK)
    assert today.n_done > 0  # June's reports finish some tasks
    marked = ProgressReport.objects.filter(task__plan=progressed, review_state="approved").first()
    ProgressReport.objects.filter(pk=marked.pk).update(progress_text="六月才报送的进展文字")
    client = client_as(office_user)
    may = _draft(client, plan=progressed.pk, period="2025-05-01")
    overall = next(text for text in _texts(may) if text.startswith("截至2025年5月31日"))
    taken = StatusSnapshot.objects.filter(plan=progressed, period=may_start)
    assert taken.count() == 190
    for row in taken.values("status").annotate(n=Count("pk")):
        assert f"{CurrentStatus(row['status']).label}{row['n']}项" in overall
    assert "已完成" not in overall or f"已完成{taken.filter(done=True).count()}项" in overall
    for light, name in {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "grey": "灰灯"}.items():
        n = taken.filter(light=light).count()
        assert re.search(f"{name}（[^）]+）{n}项", overall), (name, n, overall)
    # 本期未报送 as the snapshot counted it (its 报送率), not from each unit's latest report.
    silent = taken.filter(owed=True, reported=False).count()
    assert silent > 0 and f"2025年5月尚有{silent}项任务的牵头单位未报送进展" in overall
    # The texts are cut at the period as well (the annexes quote 存在问题 from them).
    [june_row] = selectors.export_rows(ids=[marked.task_id], clock=CLOCK)
    [may_row] = selectors.export_rows(ids=[marked.task_id], clock=CLOCK, through=may_start)
    assert "六月才报送的进展文字" in june_row.progress_text and "六月才报送的进展文字" not in may_row.progress_text
    assert "六月才报送的进展文字" not in _all_text(may)


def test_the_district_annex_names_the_plan_of_each_silent_task_number(progressed, client_as, office_user):
    """Numbers repeat across plans (第54项 of each): the district bulletin's silent-unit annex names them by plan."""
    district = _draft(client_as(office_user))
    titles = set(Plan.objects.values_list("title", flat=True))
    cells = [row.cells[-1].text for row in district.tables[3].rows[1:]]
    assert cells and all(part.split("：")[0] in titles for cell in cells for part in cell.split("；"))
    assert any("；" in cell for cell in cells)  # a unit silent in both plans


def test_a_past_period_without_a_snapshot_reads_as_it_closed_and_writes_nothing(progressed, client_as, office_user):
    """A plan imported after May closed has no May snapshot: its May bulletin is rebuilt from the
    reports up to May, as the backfill would (not today's statuses), and the download writes nothing."""
    from collections import Counter

    from trends.models import StatusSnapshot
    from trends.services.backfill import snapshot_values_as_of

    may_start = dt.date(2025, 5, 1)
    assert not StatusSnapshot.objects.filter(plan=progressed, period=may_start).exists()
    may = _draft(client_as(office_user), plan=progressed.pk, period="2025-05-01")
    assert not StatusSnapshot.objects.exists()
    values = snapshot_values_as_of(plan=progressed, period=may_start)
    overall = next(text for text in _texts(may) if text.startswith("截至2025年5月31日"))
    statuses = Counter(status for _, _, status, *_ in values)
    today = selectors.task_set_summary(tasks=Task.objects.filter(plan=progressed, state="active"), clock=CLOCK)
    assert statuses[CurrentStatus.DONE] != today.n_done  # June's reports finish tasks May had open
    for status, n in statuses.items():
        assert f"{CurrentStatus(status).label}{n}项" in overall
    lights = Counter(light for _, light, *_ in values)
    for light, name in {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "grey": "灰灯"}.items():
        assert re.search(f"{name}（[^）]+）{lights[light]}项", overall), (name, lights[light], overall)
    silent = sum(1 for *_, reported, _, _, owed in values if owed and not reported)
    assert silent > 0 and f"2025年5月尚有{silent}项任务的牵头单位未报送进展" in overall


def test_no_period_is_offered_before_the_plan_began(progressed, client_as, office_user):
    """The 2025 plan's bulletin offers 2025年1月 at the earliest: before it, the plan did not exist."""
    client = client_as(office_user)
    page = client.get(reverse("documents:bulletin"), {"plan": progressed.pk}).content.decode()
    assert '<option value="2025-01-01">2025年1月</option>' in page
    assert '<option value="2024-12-01">' not in page
    draft = reverse("documents:bulletin_draft")
    assert client.get(draft, {"plan": progressed.pk, "period": "2024-12-01"}).status_code == 404


# -- GB/T 9704 as printed: measured in LibreOffice's PDF -----------------------------------------

MM = 25.4 / 72  # PDF points to mm
BLOCK_TOP, BLOCK_BOTTOM, BLOCK_LEFT, BLOCK_RIGHT = 37.0, 262.0, 28.0, 184.0
_PDFS: dict[int, bytes] = {}


def _draft_bytes(client, **scope) -> bytes:
    response = client.get(reverse("documents:bulletin_draft"), scope)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _pdf(content: bytes) -> bytes:
    """The PDF of a .docx, converted once per content in this test run (the seeds are the same for each test)."""
    key = hash(content)
    if key not in _PDFS:
        _PDFS[key] = docx_to_pdf(content)
    return _PDFS[key]


def _ink_rows(page, *, top_mm: float, bottom_mm: float, red: bool = False) -> list[tuple[float, float]]:
    """Rows of ink between two heights of a page rendered at 300 dpi: (y in mm, inked width in mm);
    red ink only, or dark ink only."""
    image = page.to_image(resolution=300).original.convert("RGB")
    px = 25.4 / 300
    rows = []
    for y in range(int(top_mm / px), min(int(bottom_mm / px), image.height)):
        inked = 0
        for x in range(0, image.width, 2):
            r, g, b = image.getpixel((x, y))
            if (r > 180 and g < 90 and b < 90) if red else (r < 110 and g < 110 and b < 110):
                inked += 1
        if inked:
            rows.append((y * px, inked * 2 * px))
    return rows


def test_the_record_sits_on_the_last_pages_bottom_edge_with_full_width_rules(
    progressed, client_as, office_user, liaison_user
):
    """7.4.1: the 版记's rules as wide as the text block (156 mm), the first and last 0.35 mm and the
    one between 0.25 mm, the last one on the text block's bottom edge of the last page — for a long
    bulletin and a short one."""
    import pdfplumber

    soffice_required()
    client = client_as(office_user)
    keji = Unit.objects.get(name="区科委")
    for content in (_draft_bytes(client, plan=progressed.pk), _draft_bytes(client, unit=keji.pk)):
        record = docx.Document(io.BytesIO(content)).tables[-1]
        position = record._tbl.tblPr.find(qn("w:tblpPr"))
        assert (position.get(qn("w:vertAnchor")), position.get(qn("w:tblpYSpec"))) == ("margin", "bottom")
        with pdfplumber.open(io.BytesIO(_pdf(content))) as pdf:
            last = pdf.pages[-1]
            rules = sorted(
                (line for line in last.lines if (line["x1"] - line["x0"]) * MM > 100 and line["top"] * MM > 150),
                key=lambda line: line["top"],
            )[-3:]
            assert len(rules) == 3, rules
            for line in rules:
                assert abs(line["x0"] * MM - BLOCK_LEFT) < 0.5 and abs(line["x1"] * MM - BLOCK_RIGHT) < 0.5, line
            thickness = [round(line["linewidth"] * MM, 2) for line in rules]
            assert thickness[0] == thickness[2] == pytest.approx(0.35, abs=0.02), thickness
            assert thickness[1] == pytest.approx(0.26, abs=0.02), thickness
            assert BLOCK_BOTTOM - 0.6 <= rules[-1]["top"] * MM <= BLOCK_BOTTOM + 0.3, rules[-1]["top"] * MM
            words = last.extract_words()
            issued = [w for w in words if "印发" in w["text"]]
            assert issued and rules[1]["top"] < issued[0]["top"] < rules[2]["top"]


def test_the_page_numbers_dash_is_7_mm_below_the_text_block(progressed, client_as, office_user):
    """7.5: the 一字线 of "— 1 —" 7 mm below the text block's bottom edge (odd and even pages)."""
    import pdfplumber

    soffice_required()
    content = _draft_bytes(client_as(office_user), plan=progressed.pk)
    with pdfplumber.open(io.BytesIO(_pdf(content))) as pdf:
        for page in pdf.pages[:2]:
            rows = _ink_rows(page, top_mm=BLOCK_BOTTOM + 1, bottom_mm=290)
            dash = [y for y, width in rows if width > 5]  # the dashes' rows: ink wider than the digits
            assert dash, rows[:5]
            assert dash[0] - BLOCK_BOTTOM == pytest.approx(7.0, abs=0.5), dash[0]


def test_the_masthead_35_mm_down_the_issue_number_two_lines_below_and_the_title_two_lines_below_the_rule(
    progressed, client_as, office_user
):
    """7.2.4: the masthead's top edge 35 mm below the text block's top; 7.2.5: 期号 two lines below it,
    in 仿宋 as the 编发 line; 7.3.1: the title two lines below the red rule, broken before
    推进情况的通报 rather than inside a word."""
    import pdfplumber

    soffice_required()
    content = _draft_bytes(client_as(office_user), plan=progressed.pk)
    document = docx.Document(io.BytesIO(content))
    issue, editing = document.paragraphs[1], document.paragraphs[2]
    assert issue.paragraph_format.space_before == Pt(2 * gbt9704.LINE_PITCH_TWIPS / 20)
    for paragraph in (issue, editing):
        assert {run._r.rPr.rFonts.get(qn("w:eastAsia")) for run in paragraph.runs} == {"仿宋_GB2312"}
    title = next(p for p in document.paragraphs if p.style.name == "Title")
    assert title.text == "关于2025年区委、区政府重点工作任务分解表\n推进情况的通报"
    pitch = gbt9704.LINE_PITCH_TWIPS / 20 * MM
    with pdfplumber.open(io.BytesIO(_pdf(content))) as pdf:
        first = pdf.pages[0]
        red = _ink_rows(first, top_mm=BLOCK_TOP, bottom_mm=170, red=True)
        rule = [y for y, width in red if width > 150]
        masthead = [y for y, _ in red if y < rule[0]]
        assert masthead[0] - BLOCK_TOP == pytest.approx(35, abs=1), masthead[0]
        dark = [y for y, _ in _ink_rows(first, top_mm=BLOCK_TOP, bottom_mm=200)]
        issue_ink = next(y for y in dark if masthead[-1] < y < rule[0])
        assert issue_ink - masthead[-1] > 2 * pitch - 3, (masthead[-1], issue_ink)  # two empty lines
        title_ink = next(y for y in dark if y > rule[-1])
        assert title_ink - rule[-1] > 2 * pitch - 1, (rule[-1], title_ink)  # was one line (11.9 mm)
        lines = [line["text"].replace(" ", "") for line in first.extract_text_lines()]
        assert "推进情况的通报" in lines, lines[:8]


def test_the_faces_differ_in_the_pdf_as_in_word(progressed, client_as, office_user):
    """7: headings in 黑体 and 楷体, the title in 小标宋, the body in 仿宋 — in Word by the font table
    (each GB font with an altName and charset 86, no theme font over it), and in the PDF copy by
    documents/fonts.conf (楷体 → AR PL UKai when installed, 小标宋 → Noto Serif CJK Bold)."""
    import zipfile

    import pdfplumber

    content = _draft_bytes(client_as(office_user), plan=progressed.pk)
    table = zipfile.ZipFile(io.BytesIO(content)).read("word/fontTable.xml").decode()
    for name, alt in (
        ("仿宋_GB2312", "仿宋"),
        ("楷体_GB2312", "楷体"),
        ("方正小标宋简体", "宋体"),
        ("黑体", ""),
        ("宋体", ""),
    ):
        declared = re.search(rf'<w:font w:name="{name}">(.*?)</w:font>', table)
        assert declared, name
        assert '<w:charset w:val="86"/>' in declared.group(1) and "<w:panose1" in declared.group(1)
        assert f'<w:altName w:val="{alt}' in declared.group(1)
    styles = zipfile.ZipFile(io.BytesIO(content)).read("word/styles.xml").decode()
    assert "asciiTheme" not in styles and "eastAsiaTheme" not in styles
    soffice_required()
    with pdfplumber.open(io.BytesIO(_pdf(content))) as pdf:
        faces: dict[str, set[str]] = {}
        for page in pdf.pages[:3]:
            for line in page.extract_text_lines(return_chars=True):
                text = line["text"].replace(" ", "")
                for key in ("督查通报", "一、总体情况", "（一）分类推进情况", "各有关单位："):
                    if text == key:
                        faces[key] = {char["fontname"].split("+")[-1] for char in line["chars"]}
    body, heading, masthead = faces["各有关单位："], faces["一、总体情况"], faces["督查通报"]
    assert len({frozenset(body), frozenset(heading), frozenset(masthead)}) == 3, faces
    assert any("Bold" in face for face in masthead) and any("Sans" in face for face in heading)
    if subprocess.run(["fc-list", "AR PL UKai CN"], capture_output=True, text=True).stdout.strip():
        assert any("UKai" in face for face in faces["（一）分类推进情况"]), faces


# -- GB/T 9704 in the Word file ------------------------------------------------------------------


def test_body_text_is_justified_and_punctuation_does_not_hang(progressed, client_as, office_user):
    """5.2.2.3: lines fill the text block — justified (jc both) and no hanging punctuation
    (w:overflowPunct 0) in the Normal style, which body paragraphs do not override."""
    document = _draft(client_as(office_user), plan=progressed.pk)
    normal = document.styles["Normal"]
    assert normal.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert normal.element.pPr.find(qn("w:overflowPunct")).get(qn("w:val")) == "0"
    overall = next(p for p in document.paragraphs if p.text.startswith("截至"))
    assert overall.alignment is None  # the style's: justified


def test_signature_and_date_follow_the_annex_list(progressed, client_as, office_user):
    """7.3.5: the 发文机关署名 and the 成文日期 (Arabic numerals) one line below the annex list, four
    characters in from the right; 7.3.4: "附件：1.红灯任务清单" with no space after the number."""
    document = _draft(client_as(office_user), plan=progressed.pk)
    texts = _texts(document)
    listed = texts.index("附件：1.红灯任务清单")
    assert texts[listed + 1 : listed + 3] == [
        "\u3000\u3000\u30002.黄灯任务清单",
        "\u3000\u3000\u30003.本期未报送进展的单位",
    ]
    assert texts[listed + 3 : listed + 6] == ["", "闵行区人民政府督查室", "2025年6月15日"]
    for paragraph in document.paragraphs[listed + 4 : listed + 6]:
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.RIGHT
        assert paragraph.paragraph_format.right_indent == Pt(4 * 16)
    assert texts[listed + 6] == "附件1"


def test_annex_tables_leave_room_for_the_problems_and_the_headers(progressed, client_as, office_user):
    """The 存在问题 column is the widest after the task; "未报送任务数" fits on one line (six 小四
    characters and the cell margins); widths add up to 156 mm; dates read 2025年6月30日."""
    document = _draft(client_as(office_user), plan=progressed.pk)
    red, silent = document.tables[1], document.tables[3]
    widths = [w * 25.4 / 1440 for w in _widths(red)]
    assert widths[5] >= 40 and widths[5] > widths[2], widths
    assert sum(widths) == pytest.approx(156, abs=0.1)
    silent_widths = [w * 25.4 / 1440 for w in _widths(silent)]
    assert silent_widths[2] >= 6 * 12 * 25.4 / 72 + 2, silent_widths
    dates = {row.cells[3].text for table in (red, document.tables[2]) for row in table.rows[1:]}
    assert dates and all(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日|未设定", d) for d in dates), dates


# -- wording -----------------------------------------------------------------------------------------


def test_a_bulletin_over_several_plans_names_the_plan_of_each_task_number(progressed, client_as, office_user):
    """Numbers repeat across plans: the district bulletin cites "2025年重点工作任务第1项", in the
    body's examples and in the annexes."""
    from documents.bulletin import plan_short

    district = _draft(client_as(office_user))
    shorts = {plan_short(title) for title in Plan.objects.values_list("title", flat=True)}
    assert shorts == {"2025年重点工作任务", "“十四五”规划重点任务"}
    red_cells = [row.cells[1].text for row in district.tables[1].rows[1:]]
    assert red_cells and all(any(cell.startswith(f"{s}第") for s in shorts) for cell in red_cells), red_cells[:3]
    examples = next(text for text in _texts(district) if text.startswith("共") and "如" in text)
    assert any(f"如{s}第" in examples for s in shorts), examples


def test_unit_bulletins_within_a_plan_and_over_every_plan_differ_in_title_and_file_name(
    progressed, client_as, office_user
):
    client = client_as(office_user)
    keji = Unit.objects.get(name="区科委")
    names = []
    for scope in ({"unit": keji.pk, "plan": progressed.pk}, {"unit": keji.pk}):
        response = client.get(reverse("documents:bulletin_draft"), scope)
        names.append(response["Content-Disposition"])
        titles = _titles(_docx(response))
        assert titles[0] == (
            "关于区科委牵头的2025年重点工作任务推进情况的通报"
            if "plan" in scope
            else "关于区科委牵头任务推进情况的通报"
        )
    assert names[0] != names[1]


def test_nothing_to_report_is_said_in_words_and_empty_annexes_are_left_out(seed_plans, pinned_clock):
    """No "有0家单位尚未报送" or "共0项，详见附件2": the sentence says there are none, the annex is
    neither listed nor attached, and the others are numbered in order."""
    import datetime as dt_

    from documents.bulletin import bulletin_context, render, sample_data
    from documents.bulletin_template import default_template_build

    data = sample_data(today=dt_.date(2025, 6, 18))
    data.rows = [row for row in data.rows if row.light != "red"]  # yellow and green only
    data.light_counts = [(light, label, 0 if light == "red" else n) for light, label, n in data.light_counts]
    data.silent_units, data.silent_tasks, data.rankings = [], 0, []
    document = docx.Document(
        io.BytesIO(render(template=default_template_build(), context=bulletin_context(data, number="1", year=2025)))
    )
    texts = _texts(document)
    everything = "".join(texts)
    assert "本期无红灯任务。" in texts and "共1项，详见附件1。" in texts
    assert "2025年6月各单位均已按时报送进展。" in texts
    assert "有0家" not in everything and "共0项" not in everything and "0项任务的牵头单位" not in everything
    assert "附件：1.黄灯任务清单" in texts and not any("本期未报送进展的单位" in t for t in texts)
    assert [t for t in texts if re.fullmatch(r"附件\d", t)] == ["附件1"]
    assert [t for t in texts if t.endswith("任务清单") and not t.startswith("附件")] == ["黄灯任务清单"]


def test_no_punctuation_hangs_into_the_margin_in_the_pdf(progressed, client_as, office_user):
    """5.2.2.3 in the PDF copy: LibreOffice ignores w:overflowPunct in a .docx, so documents/pdf.py
    turns hanging punctuation off between .odt and .pdf; no line ends right of the block's edge."""
    import pdfplumber

    soffice_required()
    client = client_as(office_user)
    keji = Unit.objects.get(name="区科委")
    for scope in ({"plan": progressed.pk}, {"unit": keji.pk}):
        with pdfplumber.open(io.BytesIO(_pdf(_draft_bytes(client, **scope)))) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                outside = [c["text"] for c in page.chars if c["x1"] * MM > BLOCK_RIGHT + 0.5]
                assert not outside, (scope, number, outside)


def test_the_default_reply_date_counts_working_days(progressed, client_as, office_user, clock_at):
    """Today + 7 calendar days put the 反馈期限 of 2025-09-26 inside 国庆 (10-03): 5 working days
    (minhang_plans.workdays.reply_by_default, as for a 催办) give 2025-10-10."""
    clock_at(dt.date(2025, 9, 26))
    page = client_as(office_user).get(reverse("documents:bulletin"), {"plan": progressed.pk}).content.decode()
    assert re.search(r'name="reply_by"[^>]*value="2025-10-10"|value="2025-10-10"[^>]*name="reply_by"', page)
