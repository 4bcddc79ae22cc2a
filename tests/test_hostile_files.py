"""Bad and hostile import files: each is imported correctly or refused with a
clear Chinese message, and a refusal leaves the database exactly as it was.

Every case runs against a database that already holds both seed plans, and
compares every column of every row of the tables the importer writes (db_state)
before and after. The files are generated at test time
(`tests/hostile/make_corpus.py`); nothing binary is committed.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from imports.errors import ImportRefused
from imports.export import plan_export_csv, plans_export_data
from imports.models import ImportRecord
from imports.pipeline import plan_import
from tasks.models import (
    Category,
    Leader,
    Plan,
    PlanKind,
    Project,
    Task,
    TaskLeader,
    TaskUnit,
    Unit,
    UnitAlias,
)
from tests.conftest import ANNUAL_2025_TXT, FIXTURES
from tests.hostile import make_corpus as corpus

ANNUAL_DOCX = FIXTURES / "annual_2025.docx"
ANNUAL_XLSX = FIXTURES / "annual_2025.xlsx"
MB = 1024 * 1024

_COUNTED = (Plan, Category, Project, Task, TaskLeader, TaskUnit, Leader, Unit, UnitAlias, ImportRecord)


def db_state() -> dict[str, list[tuple]]:
    """Everything an import could touch: every column of every row of those tables, in key order.
    (Read as plain tuples: the plans' export, which it used to be, builds model instances and
    took 50 ms against this; it also covers fewer columns.)"""
    return {model.__name__: list(model._base_manager.order_by("pk").values_list()) for model in _COUNTED}


@pytest.fixture
def seeded(seed_plans) -> dict[str, list[tuple]]:
    """Both seeds imported; returns the state (db_state) a refusal must leave untouched."""
    state = db_state()
    assert len(state["Plan"]) == 2
    return state


def assert_refused(data: bytes, file_name: str, *fragments: str, dry_run: bool = False) -> ImportRefused:
    before = db_state()
    with pytest.raises(ImportRefused) as excinfo:
        plan_import(data=data, file_name=file_name, dry_run=dry_run)
    message = str(excinfo.value)
    for fragment in fragments:
        assert fragment in message, message
    assert excinfo.value.message, "a refusal must say why"
    assert db_state() == before, "a refused file wrote to the database"
    return excinfo.value


def imported_plan_2030() -> Plan:
    return Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2030, year_end=2030)


# -- the corpus of refusals -----------------------------------------------------------


@dataclass
class Case:
    id: str
    build: Callable[[], bytes]
    file_name: str
    fragments: tuple[str, ...]
    settings: dict[str, int] = field(default_factory=dict)


def _wrong_columns_xlsx() -> bytes:
    return corpus.plan_xlsx([["王五", 41], ["赵六", 38]], header=("姓名", "年龄"), title=None)


def _duplicate_numbers_csv() -> bytes:
    return corpus.plan_csv([corpus.task_row(1, "第一条任务内容"), corpus.task_row(1, "内容不同的另一条任务")])


REFUSALS = [
    Case("empty", lambda: b"", "plan.csv", ("文件为空",)),
    Case("whitespace-only", lambda: b" \r\n\t  \n\n   ", "plan.txt", ("文件为空",)),
    Case("random-binary", corpus.random_binary, "plan.bin", ("无法识别的文件类型", "UTF-8 或 GBK")),
    Case("png-header", lambda: corpus.PNG + bytes(64), "plan.png", ("无法识别的文件类型",)),
    Case("png-named-docx", lambda: corpus.PNG + bytes(64), "plan.docx", ("无法识别的文件类型",)),
    Case(
        "prose-named-docx",
        lambda: "这是一段普通文字，不是表格。\n第二行文字。\n".encode(),
        "plan.docx",
        ("没有找到表格",),
    ),
    Case("legacy-ole-doc", lambda: corpus.OLE_DOC, "plan.doc", ("旧版 Word/Excel", ".docx 或 .xlsx")),
    Case("legacy-ole-named-xlsx", lambda: corpus.OLE_DOC, "plan.xlsx", ("旧版 Word/Excel",)),
    # PDF is read now (pdfplumber): a file with a catalog and no pages is damaged.
    Case("pdf", lambda: corpus.PDF, "plan.pdf", ("PDF 文件已损坏或不完整，无法读取。",)),
    Case("plain-zip", corpus.plain_zip, "plan.docx", ("不是 Word（.docx）或 Excel（.xlsx）文档",)),
    Case("zip-too-many-members", corpus.many_members_zip, "plan.docx", ("压缩包内文件过多",)),
    Case("zip-signature-only", lambda: b"PK\x03\x04" + bytes(40), "plan.docx", ("文件已损坏或不完整",)),
    Case(
        "truncated-docx",
        lambda: corpus.truncated(ANNUAL_DOCX.read_bytes()),
        "annual_2025.docx",
        ("文件已损坏或不完整",),
    ),
    Case(
        "truncated-xlsx",
        lambda: corpus.truncated(ANNUAL_XLSX.read_bytes()),
        "annual_2025.xlsx",
        ("文件已损坏或不完整",),
    ),
    Case(
        "xlsx-wrong-columns",
        _wrong_columns_xlsx,
        "people.xlsx",
        ("没有找到任务表的表头", "找到的列：“姓名”、“年龄”", "可识别的列名"),
    ),
    Case(
        "csv-wrong-columns",
        lambda: "姓名,年龄,任务说明\n王五,41,无\n".encode(),
        "people.csv",
        ("没有找到任务表的表头", "“姓名”、“年龄”"),
    ),
    Case("docx-no-table", corpus.docx_without_table, "plan.docx", ("没有找到表格",)),
    Case("csv-header-no-rows", lambda: corpus.plan_csv([]), "plan.csv", ("表头之后没有任何任务行",)),
    Case(
        "csv-duplicate-numbers",
        _duplicate_numbers_csv,
        "plan.csv",
        ("第4行", "“序号”列", "序号重复", "与第3行相同，但内容不同"),
    ),
    Case(
        "csv-empty-task",
        lambda: corpus.plan_csv([corpus.task_row(1, "有内容的任务"), corpus.task_row(2, "")]),
        "plan.csv",
        ("第4行", "任务内容为空"),
    ),
    Case(
        "csv-missing-number",
        lambda: corpus.plan_csv([corpus.task_row(1, "第一条"), corpus.task_row("", "没有序号但有单位")]),
        "plan.csv",
        ("第4行", "缺少序号"),
    ),
    Case(
        "csv-unrecognised-category",
        lambda: corpus.plan_csv([[*corpus.task_row(1, "任务")[:1], "不是类别标题", *corpus.task_row(1, "任务")[2:]]]),
        "plan.csv",
        ("第3行", "无法识别类别"),
    ),
    Case(
        "csv-no-title",
        lambda: corpus.plan_csv([corpus.task_row(1, "任务内容")], title=None),
        "plan.csv",
        ("无法从文件标题判断规划类型和年份",),
    ),
    Case(
        "csv-cell-over-field-limit",
        lambda: corpus.plan_csv([corpus.task_row(1, "长" * 140_000)]),
        "plan.csv",
        ("CSV 格式错误",),
    ),
    Case(
        "too-many-rows",
        lambda: corpus.plan_csv(corpus.plan_rows(60)),
        "plan.csv",
        ("任务行数超过上限 50 条",),
        {"IMPORT_MAX_ROWS": 50},
    ),
    Case(
        "too-many-rows-xlsx",
        lambda: corpus.plan_xlsx(corpus.plan_rows(60)),
        "plan.xlsx",
        ("任务行数超过上限 50 条",),
        {"IMPORT_MAX_ROWS": 50},
    ),
    Case(
        "over-upload-limit",
        lambda: corpus.plan_csv(corpus.plan_rows(200)),
        "plan.csv",
        ("文件大小", "超过上限 4 KB"),
        {"IMPORT_MAX_UPLOAD_BYTES": 4096},
    ),
    Case(
        "xlsx-over-uncompressed-limit",
        lambda: ANNUAL_XLSX.read_bytes(),
        "annual_2025.xlsx",
        ("文件解压后大小", "超过上限"),
        {"IMPORT_MAX_UNCOMPRESSED_BYTES": 64 * 1024},
    ),
]


@pytest.mark.parametrize("case", REFUSALS, ids=[c.id for c in REFUSALS])
def test_hostile_file_is_refused_and_nothing_is_written(case: Case, seeded, settings):
    for name, value in case.settings.items():
        setattr(settings, name, value)
    data = case.build()
    assert_refused(data, case.file_name, *case.fragments)
    # A dry run says the same and writes nothing either.
    assert_refused(data, case.file_name, *case.fragments, dry_run=True)
    assert db_state() == seeded


def test_refusal_carries_row_column_and_raw_text(seeded):
    refusal = assert_refused(_duplicate_numbers_csv(), "plan.csv", "序号重复")
    assert (refusal.row, refusal.column, refusal.raw) == (4, "序号", "1")
    assert str(refusal) == "第4行“序号”列：序号重复：与第3行相同，但内容不同。（原文：“1”）"


def test_upload_limit_is_inclusive(seeded, settings):
    data = corpus.plan_csv(corpus.plan_rows(3))
    settings.IMPORT_MAX_UPLOAD_BYTES = len(data)
    assert plan_import(data=data, file_name="plan.csv", dry_run=True).parsed.tasks
    settings.IMPORT_MAX_UPLOAD_BYTES = len(data) - 1
    assert_refused(data, "plan.csv", "超过上限")


def test_row_limit_allows_exactly_the_limit(seeded, settings):
    settings.IMPORT_MAX_ROWS = 50
    report = plan_import(data=corpus.plan_csv(corpus.plan_rows(50)), file_name="plan.csv")
    assert report.applied and len(report.parsed.tasks) == 50


# -- zip bombs ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def docx_bomb(tmp_path_factory) -> Path:
    """A genuine .docx whose word/document.xml is 300 MB of zeros (honestly declared)."""
    path = tmp_path_factory.mktemp("bombs") / "bomb.docx"
    corpus.zip_bomb(path, base=ANNUAL_DOCX.read_bytes(), size=300 * MB)
    return path


def _peak_during(call: Callable[[], object]) -> tuple[int, BaseException | None]:
    tracemalloc.start()
    try:
        try:
            call()
            error = None
        except BaseException as exc:  # reported to the test
            error = exc
        return tracemalloc.get_traced_memory()[1], error
    finally:
        tracemalloc.stop()


def test_zip_bomb_refused_from_declared_sizes_with_little_memory(docx_bomb, seeded):
    data = docx_bomb.read_bytes()
    assert len(data) < 1 * MB, "the bomb itself must be small"
    before = db_state()
    peak, error = _peak_during(lambda: plan_import(data=data, file_name="bomb.docx"))
    assert isinstance(error, ImportRefused), error
    assert "文件解压后大小 300 MB 超过上限 200 MB" in str(error)
    assert peak < 50 * MB, f"peak {peak / MB:.0f} MB"
    assert db_state() == before


def test_xlsx_zip_bomb_refused(seeded):
    data = corpus.zip_bomb(base=ANNUAL_XLSX.read_bytes(), member="xl/worksheets/sheet1.xml", size=250 * MB)
    peak, error = _peak_during(lambda: plan_import(data=data, file_name="bomb.xlsx"))
    assert isinstance(error, ImportRefused), error
    assert "超过上限" in str(error)
    assert peak < 50 * MB


def test_xlsx_zip_bomb_with_lying_sizes_is_refused_with_little_memory(seeded):
    # The headers declare 4 KB; the member really inflates to 200 MB of spaces.
    data = corpus.lying_zip_bomb(
        base=ANNUAL_XLSX.read_bytes(), member="xl/worksheets/sheet1.xml", size=200 * MB, fill=b" "
    )
    before = db_state()
    peak, error = _peak_during(lambda: plan_import(data=data, file_name="bomb.xlsx"))
    assert isinstance(error, ImportRefused), error
    assert "文件已损坏或不完整" in str(error)
    assert peak < 50 * MB, f"peak {peak / MB:.0f} MB"
    assert db_state() == before


# Found by this suite: python-docx reads word/document.xml in one zipfile read(), so a member whose
# headers under-declare its size used to be inflated whole (a ~340 KB upload allocated ≈420 MB)
# before the CRC error refused it. The reader now streams every member once, in chunks, first.
def test_docx_zip_bomb_with_lying_sizes_is_refused_with_little_memory(seeded):
    data = corpus.lying_zip_bomb(base=ANNUAL_DOCX.read_bytes(), size=200 * MB)
    assert len(data) < 1 * MB
    before = db_state()
    peak, error = _peak_during(lambda: plan_import(data=data, file_name="bomb.docx"))
    assert isinstance(error, ImportRefused), error
    assert "文件已损坏或不完整" in str(error)
    assert db_state() == before
    assert peak < 50 * MB, f"peak {peak / MB:.0f} MB"


# -- files that import, text stored exactly as written -----------------------------------------------

SCRIPTY = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(document.cookie)">',
    "</td></tr></table><b>加粗</b>&amp;&lt;",
    "{{ request.user }}{% csrf_token %}",
]
FORMULAS = [
    '=HYPERLINK("http://evil.example/","点击查看")',
    "+1",
    "@SUM(A1:A9)",
    "-2+3",
    "=1+1",
    "=cmd|' /C calc'!A0",
]


def _import_texts(texts: list[str], *, encoding: str = "utf-8", file_name: str = "plan.csv") -> dict[str, str]:
    rows = [corpus.task_row(i, text) for i, text in enumerate(texts, start=1)]
    report = plan_import(data=corpus.plan_csv(rows, encoding=encoding), file_name=file_name)
    assert report.applied, report.render_text()
    return dict(imported_plan_2030().tasks.values_list("number", "text"))


def _only_the_new_plan_changed(before: dict) -> None:
    after_export = plans_export_data()
    new = [p for p in after_export["plans"] if p["year_start"] == 2030]
    assert len(new) == 1
    assert [p for p in after_export["plans"] if p["year_start"] != 2030] == before["plans"]


def test_html_and_template_text_is_stored_literally(seeded):
    before = plans_export_data()  # read here, not by every test's fixture: 50 ms each
    stored = _import_texts(SCRIPTY)
    assert stored == {str(i): text for i, text in enumerate(SCRIPTY, start=1)}
    _only_the_new_plan_changed(before)


def test_formula_like_text_is_stored_literally(seeded):
    stored = _import_texts(FORMULAS)
    assert stored == {str(i): text for i, text in enumerate(FORMULAS, start=1)}


def test_formula_like_text_in_xlsx_string_cells_is_stored_literally(seeded):
    import io

    import openpyxl

    data = corpus.plan_xlsx([corpus.task_row(i, "占位") for i in range(1, len(FORMULAS) + 1)])
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.active
    for offset, text in enumerate(FORMULAS):
        cell = sheet.cell(row=3 + offset, column=4)
        cell.value = text
        cell.data_type = "s"  # a text cell that merely looks like a formula
    out = io.BytesIO()
    workbook.save(out)
    report = plan_import(data=out.getvalue(), file_name="plan.xlsx")
    assert report.applied
    stored = dict(imported_plan_2030().tasks.values_list("number", "text"))
    assert stored == {str(i): text for i, text in enumerate(FORMULAS, start=1)}


def test_gbk_csv_imports(seeded):
    texts = ["推进“五个新城”建设，完善公共服务", "加强生态环境保护（重点项目）"]
    assert _import_texts(texts, encoding="gbk") == {"1": texts[0], "2": texts[1]}
    plan = imported_plan_2030()
    assert plan.title == "2030年区委、区政府重点工作任务分解表"
    assert plan.categories.get().name == "测试类别"
    assert set(Task.objects.filter(plan=plan).values_list("units__name", flat=True)) == {"区科委"}
    assert set(Task.objects.filter(plan=plan).values_list("leaders__name", flat=True)) == {"张三"}


def test_gb18030_only_characters_import(seeded):
    texts = ["推进𠀀字与㐀字的录入工作"]  # outside GBK, inside GB 18030
    assert _import_texts(texts, encoding="gb18030") == {"1": texts[0]}


def test_utf16_text_with_bom_imports(seeded):
    rows = [corpus.task_row(1, "第一条任务"), corpus.task_row(2, "第二条任务")]
    for encoding, bom in (("utf-16", b""), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")):
        data = bom + corpus.plan_tab_text(rows).encode(encoding)
        assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
        report = plan_import(data=data, file_name="plan.txt", dry_run=True)
        assert report.format == "text"
        assert [t.text for t in report.parsed.tasks] == ["第一条任务", "第二条任务"]
    csv_data = corpus.plan_csv(rows, encoding="utf-16")
    assert plan_import(data=csv_data, file_name="plan.csv").applied
    assert list(imported_plan_2030().tasks.values_list("text", flat=True)) == ["第一条任务", "第二条任务"]


def test_utf8_bom_csv_imports(seeded):
    data = b"\xef\xbb\xbf" + corpus.plan_csv([corpus.task_row(1, "带BOM的任务")])
    report = plan_import(data=data, file_name="plan.csv")
    assert report.applied and report.meta.year_start == 2030
    assert imported_plan_2030().tasks.get().text == "带BOM的任务"


def test_csv_named_docx_is_read_by_its_content(seeded):
    # A title without "任务", so the header line is the first that names a column.
    data = corpus.plan_csv([corpus.task_row(1, "名为docx的CSV")], title="2030年区委、区政府重点工作计划表")
    report = plan_import(data=data, file_name="plan.docx")
    assert report.format == "csv" and report.applied
    assert imported_plan_2030().tasks.get().text == "名为docx的CSV"


# Found by this suite: the CSV sniffer used to decide on the first line naming 序号/任务, which is the
# comma-less title line plan_export_csv writes, so the app's own export renamed to .txt was refused.
@pytest.mark.parametrize("file_name", ["annual_2025_export.txt", "annual_2025_export"])
def test_exported_csv_under_another_name_is_read_by_its_content(file_name, seeded):
    plan = Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2025)
    data = plan_export_csv(plan=plan).encode()
    assert plan_import(data=data, file_name="annual_2025_export.csv", dry_run=True).format == "csv"
    report = plan_import(data=data, file_name=file_name, dry_run=True)
    assert report.format == "csv"
    assert len(report.parsed.tasks) == plan.tasks.count()


def test_crlf_and_quoted_newlines_in_csv(seeded):
    text = corpus.plan_csv_text([corpus.task_row(1, "第一行\n第二行"), corpus.task_row(2, "普通任务")])
    report = plan_import(data=text.replace("\n", "\r\n").encode(), file_name="plan.csv")
    assert report.applied
    # A wrap between Chinese characters is undone.
    assert list(imported_plan_2030().tasks.values_list("text", flat=True)) == ["第一行第二行", "普通任务"]


def test_same_file_twice_changes_nothing(seeded):
    report = plan_import(data=ANNUAL_2025_TXT.read_bytes(), file_name=ANNUAL_2025_TXT.name)
    assert report.unchanged and not report.applied
    assert report.same_file_as is not None
    assert db_state() == seeded


# Found by this suite: NUL/BEL used to reach the database (SQLite stored them, PostgreSQL crashed).
def test_control_characters_in_cells_are_refused_or_removed(seeded):
    row = corpus.task_row(1, "任务\x00内容\x07")
    row[4], row[5] = "张\x1b三", "区科\x7f委"
    report = plan_import(data=corpus.plan_csv([row]), file_name="plan.csv")
    assert report.applied
    task = imported_plan_2030().tasks.get()
    assert task.text == "任务内容"
    assert list(task.leaders.values_list("name", flat=True)) == ["张三"]
    assert list(task.units.values_list("name", flat=True)) == ["区科委"]


# Model field lengths the importer must respect (PostgreSQL enforces them, SQLite does not).
OVERLONG = {
    "project": ("项目名称超长" * 40, 200),  # Project.name max_length=200
    "number": ("1" * 25, 20),  # Task.number max_length=20
    "unit": ("区" + "很长" * 60 + "委", 100),  # Unit.name max_length=100
    "leader": ("张三" * 30, 50),  # Leader.name max_length=50
    "category": ("一、" + "类别名称" * 60, 200),  # Category.name max_length=200
}


# Found by this suite: over-long cells used to crash PostgreSQL (DataError: value too long) from
# apply, while SQLite silently stored values longer than the model allows.
@pytest.mark.parametrize("column", sorted(OVERLONG))
def test_overlong_names_are_refused_not_crashed(column, seeded):
    value, limit = OVERLONG[column]
    row = corpus.task_row(1, "任务内容")
    row[{"number": 0, "project": 2, "unit": 5, "leader": 4, "category": 1}[column]] = value
    refusal = assert_refused(corpus.plan_csv([row]), "plan.csv", "内容过长", f"上限 {limit} 字")
    assert (
        refusal.column
        == {"number": "序号", "project": "项目", "unit": "牵头单位", "leader": "牵头领导", "category": "类别"}[column]
    )


def test_values_at_the_length_limits_import(seeded):
    row = corpus.task_row("1" * 20, "任务内容", leader="张" * 4, unit="区" + "科" * 98 + "委")
    row[2] = "项" * 200
    assert plan_import(data=corpus.plan_csv([row]), file_name="plan.csv").applied
    task = imported_plan_2030().tasks.get()
    assert (len(task.number), len(task.project.name)) == (20, 200)
    assert len(task.units.get().name) == 100


# -- a failure during apply rolls everything back ---------------------------------------------------


def _boom(*args, **kwargs):
    raise RuntimeError("injected failure")


@pytest.mark.parametrize(
    "target",
    ["imports.apply._projects_ensure", "TaskUnit.objects.bulk_create", "TaskLeader.objects.bulk_create"],
)
def test_failure_during_apply_of_a_new_plan_writes_nothing(target, seeded, monkeypatch):
    if target.startswith("imports."):
        monkeypatch.setattr(target, _boom)
    else:
        model = {"TaskUnit": TaskUnit, "TaskLeader": TaskLeader}[target.split(".")[0]]
        monkeypatch.setattr(model.objects, "bulk_create", _boom)
    data = corpus.plan_csv(corpus.plan_rows(5), encoding="utf-8")
    # New units and leaders are created before the failure point; they must go too.
    data = data.replace("区科委".encode(), "区新设测试中心".encode()).replace("张三".encode(), "李四".encode())
    with pytest.raises(RuntimeError, match="injected failure"):
        plan_import(data=data, file_name="plan.csv")
    assert db_state() == seeded
    assert not Unit.objects.filter(name="区新设测试中心").exists()
    monkeypatch.undo()
    assert plan_import(data=data, file_name="plan.csv").applied  # and the file itself was fine


def test_failure_during_apply_of_a_revision_writes_nothing(seeded, monkeypatch):
    plan = Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2025)
    exported = plan_export_csv(plan=plan)
    first = plan.tasks.order_by("position").first()
    revised = exported.replace(first.text, first.text + "（修订）", 1)
    assert revised != exported
    revised += exported.splitlines()[-1].replace(plan.tasks.order_by("position").last().number, "999", 1) + "\n"
    monkeypatch.setattr(TaskUnit.objects, "bulk_create", _boom)
    with pytest.raises(RuntimeError, match="injected failure"):
        plan_import(data=revised.encode(), file_name="annual_2025_revised.csv")
    assert db_state() == seeded
    monkeypatch.undo()
    report = plan_import(data=revised.encode(), file_name="annual_2025_revised.csv")
    assert report.applied
    assert [c.number for c in report.diff.changed] == [first.number]
    assert [t.number for t in report.diff.added] == ["999"]


# -- regressions found by tests/test_properties.py, pinned with exact reproductions ---------------


# Regression (found by this suite, fixed in b39f6bd): zlib.error escaped the zip reader.
def test_damaged_deflate_stream_is_refused(seeded):
    original = (FIXTURES / "five_year_2021_2025.xlsx").read_bytes()
    data = original[:366] + b"\0\0" + original[368:]
    assert_refused(data, "five_year_2021_2025.xlsx", "文件已损坏或不完整")


# Regression (found by this suite, fixed in b39f6bd): marker-only task cells imported with empty text.
@pytest.mark.parametrize(
    "cell", ["*", "＊", "※", "\u200b", "\x07"], ids=["star", "fullwidth-star", "ref-mark", "zwsp", "bel"]
)
def test_task_cell_empty_after_cleaning_is_refused(cell, seeded):
    data = corpus.plan_csv([corpus.task_row(1, "正常任务"), corpus.task_row(2, cell)])
    refusal = assert_refused(data, "plan.csv", "第4行", "任务内容为空")
    assert refusal.row == 4
