"""Forms: every date and datetime input of the project renders ISO values (what an <input
type="date"> needs), the due-date form refuses a blank date unless told to clear it, and the
report form refuses a bad attachment before anything is written."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Iterator

import django_filters
import pytest
from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.utils import translation

from tasks.forms import DueDateForm, ReportForm

PROJECT_PACKAGES = ("tasks", "imports", "insights", "minhang_plans")
# Importing these starts an application (and freezes the garbage collector) or registers URL
# converters out of order; they hold no forms.
NOT_IMPORTED = ("minhang_plans.wsgi", "minhang_plans.asgi", ".urls")
DAY = dt.date(2025, 12, 31)
MOMENT = dt.datetime(2025, 12, 31, 20, 45)


def _project_modules() -> Iterator[object]:
    for package_name in PROJECT_PACKAGES:
        package = importlib.import_module(package_name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            if info.name.endswith(NOT_IMPORTED) or ".migrations" in info.name:
                continue
            yield importlib.import_module(info.name)


def _leaf_widgets(widget: forms.Widget) -> Iterator[forms.Widget]:
    if isinstance(widget, forms.MultiWidget):
        for inner in widget.widgets:
            yield from _leaf_widgets(inner)
    else:
        yield widget


def _form_fields() -> Iterator[tuple[str, forms.Field]]:
    """(where, field) for every field of every form the project defines or builds: form classes
    in its modules, django-filter FilterSets, and the admin's model forms."""
    seen: set[type] = set()
    for module in _project_modules():
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or cls in seen:
                continue
            seen.add(cls)
            if issubclass(cls, forms.BaseForm):
                fields = dict(cls.base_fields)
                with contextlib.suppress(TypeError):  # fields added in __init__, where it can be built bare
                    fields.update(cls().fields)
                for name, field in fields.items():
                    yield f"{cls.__module__}.{cls.__name__}.{name}", field
            elif issubclass(cls, django_filters.FilterSet):
                for name, flt in cls.base_filters.items():
                    yield f"{cls.__module__}.{cls.__name__}.{name}", flt.field
    request = RequestFactory().get("/admin/")
    from django.contrib.auth import get_user_model

    request.user = get_user_model()(username="walker", is_staff=True, is_superuser=True, is_active=True)
    for model, model_admin in admin.site._registry.items():
        if model.__module__.split(".")[0] not in PROJECT_PACKAGES:
            continue
        form_class = model_admin.get_form(request)
        for name, field in form_class.base_fields.items():
            yield f"admin:{model._meta.label}.{name}", field


@pytest.mark.django_db
# zh-hans is the site's language; a browser asking for Traditional Chinese or English gets those
# formats (LocaleMiddleware), and its date boxes must work as well.
@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_every_date_and_datetime_input_renders_iso(language):
    checked: dict[str, str] = {}
    with translation.override(language):
        for where, field in _form_fields():
            for widget in _leaf_widgets(field.widget):
                if isinstance(widget, forms.DateInput):
                    shown = widget.format_value(DAY)
                    assert shown == "2025-12-31", (where, shown)
                elif isinstance(widget, forms.DateTimeInput):
                    shown = widget.format_value(MOMENT)
                    assert shown == "2025-12-31T20:45", (where, shown)
                else:
                    continue
                checked[where] = shown
            if isinstance(field.widget, (forms.DateInput, forms.DateTimeInput, forms.MultiWidget)) and where in checked:
                html = field.widget.render("x", DAY if isinstance(field, forms.DateField) else MOMENT)
                assert "2025/12/31" not in html and "2025年" not in html, (where, html)
    # The walk found the forms the issue names (not a vacuous pass).
    assert {"tasks.forms.DueDateForm.due_date", "imports.forms.PlanMetaForm.doc_date"} <= set(checked)
    assert "admin:tasks.Task.due_date" in checked
    assert "admin:tasks.ProgressReport.reported_at" in checked  # a split datetime: date part ISO


def test_chinese_date_input_is_still_accepted():
    with translation.override("zh-hans"):
        for typed in ("2025-12-31", "2025/12/31", "2025年12月31日"):
            form = DueDateForm({"due_date": typed})
            assert form.is_valid(), (typed, form.errors)
            assert form.cleaned_data["due_date"] == DAY


def test_due_date_form_renders_iso_and_refuses_a_blank_date():
    with translation.override("zh-hans"):
        assert 'value="2025-12-31"' in str(DueDateForm(initial={"due_date": DAY})["due_date"])
        blank = DueDateForm({"due_date": ""})
        assert not blank.is_valid()
        assert blank.errors["due_date"] == ["请选择截止日期。如需清除截止日期，请勾选“清除截止日期”。"]
        # Clearing is an explicit choice; the date still shown beside the ticked box is ignored.
        for typed in ("", "2025-12-31"):
            cleared = DueDateForm({"due_date": typed, "clear": "on"})
            assert cleared.is_valid() and cleared.cleaned_data["due_date"] is None
        bad = DueDateForm({"due_date": "2025-13-45"})
        assert not bad.is_valid() and bad.errors["due_date"] == ["请输入有效的日期（例如 2025-12-31）。"]


REPORT = {"status": "in_progress", "percent": "40", "progress_text": "完成方案编制。"}


@pytest.mark.parametrize(
    ("name", "content", "configured", "message"),
    [
        ("setup.exe", b"MZ", None, "不支持的附件类型“.exe”。"),
        ("图.svg", b"<svg onload=alert(1)>", ["pdf", "svg"], "不支持的附件类型“.svg”。允许：pdf。"),
        ("page.html", b"<script>", ["pdf", "html", "htm"], "不支持的附件类型“.html”。允许：pdf。"),
        ("page.HTM", b"<script>", ["pdf", "htm"], "不支持的附件类型“.htm”。允许：pdf。"),
        ("README", b"text", None, "不支持的附件类型（没有扩展名）。"),
        ("big.pdf", b"0" * 3000, None, "附件不能超过 2 KB（该文件 3 KB）。"),
    ],
)
def test_report_form_refuses_a_bad_attachment(settings, name, content, configured, message):
    settings.ATTACHMENT_MAX_BYTES = 2048
    if configured is not None:
        settings.ATTACHMENT_EXTENSIONS = configured
    form = ReportForm(REPORT, {"attachment": SimpleUploadedFile(name, content)})
    assert not form.is_valid()
    assert form.errors["attachment"][0].startswith(message), form.errors["attachment"]


def test_report_form_offers_only_the_allowed_types(settings):
    settings.ATTACHMENT_EXTENSIONS = ["pdf", "svg", "docx", "html"]
    settings.ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    form = ReportForm()
    assert form.fields["attachment"].widget.attrs["accept"] == ".pdf,.docx"
    assert (
        form.fields["attachment"].help_text
        == "可一次选择多个文件（最多10个），每个不超过 10 MB；支持的类型：pdf、docx。"
    )
    ok = ReportForm(REPORT, {"attachment": SimpleUploadedFile("进展.PDF", b"%PDF-1.4")})
    assert ok.is_valid(), ok.errors
