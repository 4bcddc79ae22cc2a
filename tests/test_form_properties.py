"""Property tests (hypothesis) for the forms people type into.

Arbitrary dicts of strings for a form's fields never raise: the form is either valid with values
in range, or invalid with Chinese messages. Through the view: arbitrary POST data to the report
form answers 302/400/409, never 500, and the database never holds a percent outside 0..100.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, event, example, given, reject, settings
from hypothesis import strategies as st

from imports.forms import ACCEPTED_EXTENSIONS, PlanMetaForm, UploadForm
from tasks.forms import DueDateForm, ReportForm, ReviewForm
from tasks.models import PlanKind, ProgressReport, ProgressStatus, Task, Unit

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DB = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CJK = re.compile(r"[\u4e00-\u9fff]")

# Strings a person or a script might send: text, numbers as text, edge numerals, dates, choices.
numberish = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "100",
            "101",
            "-1",
            "-0",
            "1.0",
            "50.5",
            "1e2",
            "１００",
            "٣",
            "1_0",
            "0x10",
            "NaN",
            "inf",
            "9" * 5000,
            "00000000000000000000000100",
            " 42 ",
            "\x00",
            "百",
        ]
    ),
)
dateish = st.one_of(
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(str),
    st.sampled_from(
        [
            "",
            "2025-02-30",
            "2025/3/1",
            "0000-00-00",
            "2025-13-01",
            "2025年3月1日",
            "10000-01-01",
            "\x00",
            "2025-03-01T00:00",
        ]
    ),
)
text = st.one_of(st.text(max_size=60), st.text(min_size=4990, max_size=5010, alphabet="进展ab\n"))


def mostly(plausible: st.SearchStrategy[str], wild: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Three times in four a plausible value, else a wild one (so valid inputs are common too)."""
    return st.sampled_from([plausible, plausible, plausible, wild]).flatmap(lambda strategy: strategy)


def field_dict(
    fields: dict[str, st.SearchStrategy[str]], required: tuple[str, ...] = ()
) -> st.SearchStrategy[dict[str, str]]:
    """The `required` fields present, any subset of the others; each value mostly plausible, sometimes
    an arbitrary string; plus junk keys."""
    wild = st.text(max_size=30)
    return st.fixed_dictionaries(
        {name: mostly(strategy, wild) for name, strategy in fields.items() if name in required},
        optional={name: mostly(strategy, wild) for name, strategy in fields.items() if name not in required},
    ).flatmap(lambda d: st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2).map(lambda j: {**j, **d}))


percentish = mostly(st.integers(-5, 105).map(str), numberish)
prose = mostly(st.sampled_from(["推进中。", "完成方案编制。", " 已开工 \n第二行 "]), text)


def assert_chinese_errors(form) -> None:
    assert form.errors, "invalid without a message"
    for field, messages in form.errors.items():
        for message in messages:
            assert CJK.search(message), f"{field}: message not in Chinese: {message!r}"


# -- forms alone ---------------------------------------------------------------------------------


@FAST
@given(
    field_dict(
        {
            "status": st.sampled_from([*ProgressStatus.values, "DONE", "完成"]),
            "percent": percentish,
            "progress_text": prose,
            "problems": prose,
            "next_steps": prose,
            "version": mostly(st.sampled_from(["", "0", "1", "7"]), numberish),
        },
        required=("status", "percent", "progress_text"),
    )
)
@example({"status": "done", "percent": "１００", "progress_text": "完成", "version": ""})
@example({"status": "in_progress", "percent": "9" * 5000})
@example({"status": "in_progress", "percent": "50", "progress_text": "a\x00b"})
def test_report_form(data):
    form = ReportForm(data)
    event(f"valid {form.is_valid()}")
    if form.is_valid():
        cleaned = form.cleaned_data
        assert cleaned["status"] in ProgressStatus.values
        assert isinstance(cleaned["percent"], int) and 0 <= cleaned["percent"] <= 100
        assert cleaned["version"] is None or cleaned["version"] >= 0
        for name in ("progress_text", "problems", "next_steps"):
            assert len(cleaned[name]) <= 5000 and "\x00" not in cleaned[name]
        assert cleaned["attachment"] == []  # several files per report: a list, empty when none
    else:
        assert_chinese_errors(form)


@FAST
@given(
    field_dict(
        {
            "version": mostly(st.integers(0, 5).map(str), numberish),
            "comment": prose,
            "decision": st.sampled_from(["approve", "return", "APPROVE", "通过"]),
        },
        required=("version", "decision"),
    )
)
def test_review_form(data):
    form = ReviewForm(data)
    if form.is_valid():
        assert form.cleaned_data["version"] >= 1
        assert form.cleaned_data["decision"] in ("approve", "return")
        assert len(form.cleaned_data["comment"]) <= 2000
    else:
        assert_chinese_errors(form)


@FAST
@given(field_dict({"due_date": dateish}))
def test_due_date_form(data):
    form = DueDateForm(data)
    if form.is_valid():
        value = form.cleaned_data["due_date"]
        assert value is None or isinstance(value, dt.date)
    else:
        assert_chinese_errors(form)


@FAST
@given(
    name=st.one_of(
        st.text(max_size=40),
        st.tuples(
            st.text(max_size=20), st.sampled_from([*ACCEPTED_EXTENSIONS, "doc", "xls", "exe", "CSV", "DOCX", ""])
        ).map(lambda t: f"{t[0]}.{t[1]}"),
    ),
    content=st.binary(max_size=2048),
    limit=st.sampled_from([1024, 20 * 1024 * 1024]),
)
@example(name="计划.csv", content=b"", limit=1024)
@example(name="计划.doc", content=b"x", limit=1024)
@example(name="无扩展名", content=b"x", limit=1024)
@example(name="a.csv", content=b"x" * 1025, limit=1024)
def test_upload_form(name, content, limit):
    from django.core.exceptions import SuspiciousFileOperation
    from django.test import override_settings

    try:
        upload = SimpleUploadedFile(name, content)
    except SuspiciousFileOperation:
        reject()  # Django refuses the name itself ("", ".", ".."): no form ever sees such a file
    with override_settings(IMPORT_MAX_UPLOAD_BYTES=limit):
        form = UploadForm(files={"file": upload})
        valid = form.is_valid()
    event(f"valid {valid}")
    if valid:
        upload = form.cleaned_data["file"]
        assert 0 < upload.size <= limit
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        assert extension == "" or extension in ACCEPTED_EXTENSIONS
    else:
        assert_chinese_errors(form)


@FAST
@given(
    field_dict(
        {
            "title": prose,
            "kind": st.sampled_from([*PlanKind.values, "annual ", "年度"]),
            "year_start": mostly(st.integers(2019, 2027).map(str), numberish),
            "year_end": mostly(st.integers(2019, 2027).map(str), numberish),
            "doc_number": mostly(st.just("闵委办发〔2025〕3号"), text),
            "doc_date": dateish,
        },
        required=("title", "kind", "year_start", "year_end"),
    )
)
@example({"title": "计划", "kind": "annual", "year_start": "2025", "year_end": "2026"})
@example({"title": "计划", "kind": "annual", "year_start": "2025", "year_end": "2025", "doc_date": "2025-02-10"})
@example({"title": "规划", "kind": "five_year", "year_start": "2021", "year_end": "2025"})
@example({"title": "规划", "kind": "five_year", "year_start": "1999", "year_end": "2101"})
@example({"title": "计划", "kind": "five_year", "year_start": "2026", "year_end": "2021"})
def test_plan_meta_form(data):
    form = PlanMetaForm(data)
    event(f"valid {form.is_valid()}")
    if form.is_valid():
        cleaned = form.cleaned_data
        assert 2000 <= cleaned["year_start"] <= cleaned["year_end"] <= 2100
        if cleaned["kind"] == PlanKind.ANNUAL:
            assert cleaned["year_start"] == cleaned["year_end"]
        assert cleaned["kind"] in PlanKind.values
        assert 0 < len(cleaned["title"]) <= 200 and len(cleaned["doc_number"]) <= 100
        assert cleaned["doc_date"] is None or isinstance(cleaned["doc_date"], dt.date)
    else:
        assert_chinese_errors(form)


# -- through the views ---------------------------------------------------------------------------


@pytest.fixture
def keji_task(db):
    from tests.factories import world_build

    world = world_build()
    return world.tasks["研发"]  # led by 区科委 (and 闵行城投公司)


post_data = field_dict(
    {
        "status": st.sampled_from(ProgressStatus.values),
        "percent": percentish,
        "progress_text": prose,
        "problems": prose,
        "next_steps": st.text(max_size=20),
        # "current": the version the form would carry now (filled in by the test), so saves succeed too
        "version": mostly(st.sampled_from(["", "current", "current", "1", "2"]), numberish),
        "action": st.sampled_from(["submit", "draft", ""]),
    },
    required=("status", "percent", "progress_text"),
)


@pytest.mark.django_db
@DB
@given(data=post_data)
@example(data={"status": "in_progress", "percent": "100", "progress_text": "推进", "action": "draft"})
@example(data={"status": "in_progress", "percent": "101", "progress_text": "推进"})
@example(data={"status": "in_progress", "percent": "-1", "progress_text": "推进"})
@example(data={"status": "in_progress", "percent": "50", "progress_text": "推进", "version": "-1"})
@example(data={"status": "in_progress", "percent": "50", "progress_text": "推进", "version": "99999999999999999999"})
def test_report_view_never_500(keji_task, client_as, liaison_user, pinned_clock, data):
    client = client_as(liaison_user)
    client.raise_request_exception = False
    url = reverse("tasks:report_edit", args=[keji_task.pk, Unit.objects.get(name="区科委").pk])
    if data.get("version") == "current":
        current = ProgressReport.objects.filter(task=keji_task, reported_by=liaison_user).first()
        data = {**data, "version": str(current.version) if current else ""}
    response = client.post(url, data)
    event(f"status {response.status_code}")
    assert response.status_code in (302, 400, 409), response.status_code
    assert not ProgressReport.objects.exclude(percent__gte=0, percent__lte=100).exists()
    if response.status_code == 302:
        saved = ProgressReport.objects.get(task=keji_task, unit__name="区科委", reported_by=liaison_user)
        form = ReportForm(data)
        assert form.is_valid() and saved.percent == form.cleaned_data["percent"]


@pytest.mark.django_db
@DB
@given(
    data=field_dict(
        {
            "version": mostly(st.integers(0, 4).map(str), numberish),
            "decision": st.sampled_from(["approve", "return"]),
            "comment": prose,
        },
        required=("version", "decision"),
    )
)
def test_review_view_never_500(keji_task, client_as, office_user, data):
    from tasks.models import ReviewState
    from tasks.services import task_status_refresh

    report, _ = ProgressReport.objects.get_or_create(
        task=keji_task,
        unit=Unit.objects.get(name="区科委"),
        period=dt.date(2030, 1, 1),
        defaults={"status": "in_progress", "percent": 10, "progress_text": "推进", "version": 1},
    )
    task_status_refresh(task_ids=[keji_task.pk])  # written straight to the table
    client = client_as(office_user)
    client.raise_request_exception = False
    response = client.post(reverse("tasks:report_review", args=[report.pk]), data)
    assert response.status_code == 302, response.status_code
    report.refresh_from_db()
    assert report.review_state in ReviewState.values


@pytest.mark.django_db
@DB
@given(data=field_dict({"due_date": dateish}))
def test_due_date_view_never_500(keji_task, client_as, office_user, data):
    client = client_as(office_user)
    client.raise_request_exception = False
    response = client.post(reverse("tasks:task_due_date", args=[keji_task.pk]), data)
    assert response.status_code == 302, response.status_code
    due = Task.objects.get(pk=keji_task.pk).due_date
    assert due is None or dt.date(2000, 1, 1) <= due <= dt.date(2100, 12, 31)
