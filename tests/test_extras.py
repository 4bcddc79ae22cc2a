"""Task.extras — a document's columns without a field of their own — shown on the task page and
exported in the ledger (the importer keeps them; tests/test_import_documents.py covers reading)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from django.urls import reverse

from imports.pipeline import plan_import
from tasks.models import Task

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "import_corpus"


def _bazhong(user):
    data = (CORPUS / "bazhong_2014_mubiao.xlsx").read_bytes()
    report = plan_import(data=data, file_name="bazhong_2014_mubiao.xlsx", user=user)
    return Task.objects.filter(plan_id=report.plan_id).order_by("position")


def test_the_task_page_shows_each_extra_column_in_order(db, client_as, admin_user):
    task = _bazhong(admin_user).first()
    assert task.extras, "the corpus file's target columns are kept as extras"
    page = client_as(admin_user).get(reverse("tasks:task", args=[task.pk])).content.decode()
    shown = [page.index(f"<dt data-extra>{e['header']}</dt>") for e in task.extras]
    assert shown == sorted(shown)  # the document's order
    for extra in task.extras:
        assert f"<dt data-extra>{extra['header']}</dt><dd>{extra['value']}</dd>" in page


def test_the_ledger_has_an_other_columns_column_only_when_some_task_has_extras(db, client_as, admin_user):
    tasks = _bazhong(admin_user)
    client = client_as(admin_user)
    sheet = openpyxl.load_workbook(
        io.BytesIO(
            b"".join(client.get(reverse("tasks:task_export_xlsx"), {"plan": tasks[0].plan_id}).streaming_content)
        )
    ).active
    header = [cell.value for cell in sheet[3]]
    assert header[-1] == "其他列"
    first = tasks[0]
    cell = sheet.cell(row=4, column=len(header)).value
    assert cell.splitlines() == [f"{e['header']}：{e['value']}" for e in first.extras if e["value"]]


def test_a_plan_without_extras_keeps_the_usual_columns(seed_plans, client_as, office_user):
    from tasks.models import Plan

    client = client_as(office_user)
    response = client.get(reverse("tasks:task_export_xlsx"), {"plan": Plan.objects.get(kind="annual").pk})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert "其他列" not in [cell.value for cell in sheet[3]]
