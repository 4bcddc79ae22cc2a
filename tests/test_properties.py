"""Property tests (hypothesis) for the importer and its pure helpers.

- any bytes at all: a report or ImportRefused, never another exception;
- any table under a valid header (CSV and xlsx): a refusal, or a report whose
  tasks are no more than the rows and all have text; well-formed tables import
  every row with exactly its cleaned text;
- clean_text is idempotent and leaves no space between two CJK characters;
- Chinese numerals round-trip for 1..999.

Budgets are small (the whole file runs in well under 30 s); the database is
only read (dry runs) or written inside a savepoint that is rolled back.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from imports.errors import ImportRefused
from imports.normalise import clean_text
from imports.pipeline import ImportReport, plan_import
from tasks.numerals import parse_chinese_numeral, to_chinese_numeral
from tests.hostile import make_corpus as corpus

DB_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

CJK = "测试任务区科委发改推进建设重点工作类别项目牵头单位领导闵行五新城一二三四五六七八九十百"
SEPARATORS = "、，, \n"
BRACKETS = "（）()【】“”"
CELL_ALPHABET = CJK + SEPARATORS + BRACKETS + "0123456789*"

cells = st.text(alphabet=CELL_ALPHABET, max_size=24)


def _check_outcome(call) -> ImportReport | None:
    """Run an import: a report or ImportRefused (with a message) are the only outcomes."""
    try:
        return call()
    except ImportRefused as refusal:
        assert refusal.message.strip()
        assert str(refusal)
        return None


# -- (a) arbitrary bytes -------------------------------------------------------------------

SIGNATURES = [
    b"",
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\xd0\xcf\x11\xe0",
    b"%PDF",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
]
TEXTISH = st.text(alphabet=CELL_ALPHABET + "\t\r,;\"'标题年2030序号", max_size=300)

any_bytes = st.one_of(
    st.binary(max_size=2048),
    st.tuples(st.sampled_from(SIGNATURES), st.binary(max_size=1024)).map(lambda t: t[0] + t[1]),
    st.tuples(st.sampled_from(["utf-8", "gb18030", "utf-16"]), TEXTISH).map(lambda t: t[1].encode(t[0])),
    # A valid document header followed by arbitrary text.
    TEXTISH.map(lambda t: (corpus.TITLE + "\n" + ",".join(corpus.HEADER) + "\n" + t).encode()),
)


@DB_SETTINGS
@given(data=any_bytes, file_name=st.sampled_from(["plan.csv", "plan.txt", "plan.docx", "plan.xlsx", "plan"]))
@example(data=b"", file_name="plan.csv")
@example(data=b"PK\x03\x04", file_name="plan.docx")
@example(data=corpus.OLE_DOC, file_name="plan.doc")
def test_arbitrary_bytes_are_reported_or_refused(db, data, file_name):
    report = _check_outcome(lambda: plan_import(data=data, file_name=file_name, dry_run=True))
    if report is not None:
        assert not report.applied
        assert report.parsed.tasks


# Regression (found by this suite, fixed in b39f6bd): zlib.error escaped the zip reader.
@DB_SETTINGS
@given(
    name=st.sampled_from(["annual_2025.docx", "five_year_2021_2025.xlsx"]),
    start=st.integers(0, 1 << 20),
    length=st.integers(1, 256),
    patch=st.binary(max_size=64),
)
@example(name="five_year_2021_2025.xlsx", start=366, length=2, patch=b"\0\0")
def test_damaged_real_documents_are_reported_or_refused(db, name, start, length, patch):
    """Bytes of the real .docx/.xlsx fixtures with a slice overwritten."""
    original = corpus_path(name).read_bytes()
    start %= len(original)
    data = original[:start] + patch + original[start + length :]
    _check_outcome(lambda: plan_import(data=data, file_name=name, dry_run=True))


def corpus_path(name: str):
    from tests.conftest import FIXTURES

    return FIXTURES / name


# -- (b) arbitrary tables under a valid header ------------------------------------------------------

rows_of_cells = st.lists(st.lists(cells, min_size=0, max_size=8), min_size=0, max_size=12)


def _assert_sane_report(report: ImportReport | None, row_count: int) -> None:
    if report is None:
        return
    tasks = report.parsed.tasks
    assert 0 < len(tasks) <= row_count
    for task in tasks:
        assert task.text.strip(), f"task {task.number} has no text"
        assert task.number.strip()
    assert len({t.number for t in tasks}) == len(tasks)
    assert [t.position for t in tasks] == list(range(1, len(tasks) + 1))


STAR_ROW = [["1", "一、测试类别", "测试项目", "*", "张三", "区科委"]]


# Regression (found by this suite, fixed in b39f6bd): marker-only task cells imported with empty text.
@DB_SETTINGS
@given(rows=rows_of_cells)
@example(rows=STAR_ROW)
def test_arbitrary_csv_tables(db, rows):
    data = corpus.plan_csv(rows)
    report = _check_outcome(lambda: plan_import(data=data, file_name="plan.csv", dry_run=True))
    _assert_sane_report(report, len(rows))


# Regression (found by this suite, fixed in b39f6bd): marker-only task cells imported with empty text.
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(rows=rows_of_cells)
@example(rows=STAR_ROW)
def test_arbitrary_xlsx_tables(db, rows):
    data = corpus.plan_xlsx(rows)
    report = _check_outcome(lambda: plan_import(data=data, file_name="plan.xlsx", dry_run=True))
    _assert_sane_report(report, len(rows))


# Regression (found by this suite, fixed in b39f6bd): marker-only task cells imported with empty text.
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(rows=rows_of_cells)
@example(rows=STAR_ROW)
def test_arbitrary_csv_tables_applied_then_rolled_back(db, rows):
    """Writing, not just a dry run: any outcome but ImportRefused/report is a crash, and
    a refusal writes nothing (checked inside the savepoint)."""
    from tests.test_hostile_files import db_state

    data = corpus.plan_csv(rows)
    with transaction.atomic():
        before = db_state()
        try:
            report = plan_import(data=data, file_name="plan.csv")
        except ImportRefused:
            assert db_state() == before
        else:
            _assert_sane_report(report, len(rows))
            assert report.applied
        transaction.set_rollback(True)


# Well-formed tables: unique numbers, a category, task text that survives cleaning.
TASK_ALPHABET = CJK + "、，, \n" + BRACKETS + "0123456789"
task_texts = st.text(alphabet=TASK_ALPHABET, min_size=1, max_size=40).filter(lambda t: clean_text(t) != "")
names = st.text(alphabet=CJK, min_size=2, max_size=4)


@st.composite
def well_formed_rows(draw):
    texts = draw(st.lists(task_texts, min_size=1, max_size=10))
    rows = []
    for i, text in enumerate(texts, start=1):
        unit = draw(st.sampled_from(["区科委", "区发改委", "区财政局", "各镇、街道"]))
        rows.append([str(i), "一、测试类别", draw(st.sampled_from(["", "项目甲", "项目乙"])), text, draw(names), unit])
    return rows


def _assert_every_row_imported(report: ImportReport, rows: list[list[str]]) -> None:
    assert [t.number for t in report.parsed.tasks] == [r[0] for r in rows]
    assert [t.text for t in report.parsed.tasks] == [clean_text(r[3]) for r in rows]
    assert not any(t.city_level for t in report.parsed.tasks)


@DB_SETTINGS
@given(rows=well_formed_rows())
def test_well_formed_csv_imports_every_row_exactly(db, rows):
    report = plan_import(data=corpus.plan_csv(rows), file_name="plan.csv", dry_run=True)
    assert report.format == "csv"
    _assert_every_row_imported(report, rows)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(rows=well_formed_rows())
def test_well_formed_xlsx_imports_every_row_exactly(db, rows):
    report = plan_import(data=corpus.plan_xlsx(rows), file_name="plan.xlsx", dry_run=True)
    assert report.format == "xlsx"
    _assert_every_row_imported(report, rows)


@DB_SETTINGS
@given(rows=well_formed_rows())
def test_csv_dialects_agree(db, rows):
    """The same table as CSV with CRLF line ends, quoted everywhere, and in GB 18030."""
    plain = corpus.plan_csv_text(rows)
    out = io.StringIO()
    out.write(corpus.TITLE + "\r\n")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(corpus.HEADER)
    writer.writerows(rows)
    variants = [plain.encode(), out.getvalue().encode(), plain.encode("gb18030")]
    reports = [plan_import(data=v, file_name="plan.csv", dry_run=True) for v in variants]
    expected = [(t.number, t.text, t.leaders, [u.name for u in t.units]) for t in reports[0].parsed.tasks]
    for report in reports[1:]:
        assert [(t.number, t.text, t.leaders, [u.name for u in t.units]) for t in report.parsed.tasks] == expected


# -- (c) pure helpers -------------------------------------------------------------------------------

_CJK_CLASS = r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’·•"
_SPACE_BETWEEN_CJK = re.compile(f"[{_CJK_CLASS}]\\s+[{_CJK_CLASS}]")
# Every Unicode whitespace character, plus invisible and control characters.
HANDLED_SPACES = (
    "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + "\u200b\u200c\u200d\u2060\ufeff\u00ad\x00\x07\x1b\x7f"
)
clean_inputs = st.text(alphabet=CJK + "“”·，。；：abcXYZ0123456789-_/" + HANDLED_SPACES, max_size=60)


@settings(max_examples=400, deadline=None)
@given(text=clean_inputs)
@example(text="区人力资源社会 保障局")
@example(text="承办 TR35 中国区")
@example(text="中 \u3000 文")
@example(text="中\u200b \n\t 文")
def test_clean_text_is_idempotent_and_joins_cjk(text):
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    assert not _SPACE_BETWEEN_CJK.search(cleaned), repr(cleaned)
    assert cleaned == cleaned.strip()
    assert "\n" not in cleaned and "  " not in cleaned


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=60))
def test_clean_text_is_idempotent_on_any_text(text):
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned


# Regression (found by this suite, fixed in b39f6bd): these spaces survived between CJK characters.
@pytest.mark.parametrize("space", ["\u202f", "\u205f", "\u1680", "\u2028", "\u2029", "\r"])
def test_clean_text_joins_cjk_across_every_unicode_space(space):
    assert space.isspace()
    assert clean_text(f"推进{space}建设") == "推进建设"


@given(n=st.integers(min_value=1, max_value=999))
@settings(max_examples=200, deadline=None)
def test_chinese_numerals_round_trip(n):
    assert parse_chinese_numeral(to_chinese_numeral(n)) == n


def test_chinese_numerals_round_trip_exhaustively():
    for n in range(1, 1000):
        assert parse_chinese_numeral(to_chinese_numeral(n)) == n, (n, to_chinese_numeral(n))


@pytest.mark.parametrize(
    ("value", "text"), [(1, "一"), (10, "十"), (11, "十一"), (20, "二十"), (101, "一百零一"), (110, "一百一十")]
)
def test_chinese_numerals_as_documents_print_them(value, text):
    assert to_chinese_numeral(value) == text
    assert parse_chinese_numeral(text) == value


@given(
    text=st.one_of(
        st.text(max_size=8),
        st.text(alphabet="¹²³①②⑴0123456789一二十", max_size=4),
        st.text(alphabet="零〇一二三四五六七八九两十百0123456789", max_size=8),
    )
)
@settings(max_examples=200, deadline=None)
def test_parse_chinese_numeral_never_raises(text):
    value = parse_chinese_numeral(text)
    assert value is None or (isinstance(value, int) and value >= 0)


# Regression (found by this suite, fixed in b39f6bd): isdigit() let int() raise on these.
@pytest.mark.parametrize("text", ["¹", "²³", "①"])
def test_parse_chinese_numeral_of_non_decimal_digits_is_none(text):
    assert parse_chinese_numeral(text) is None
