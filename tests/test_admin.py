"""The Django admin: every model registered, its list pages usable (search, filters) in Chinese."""

import datetime as dt
import re
from urllib.parse import quote

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from tasks.models import Task
from tests.test_resources import DANGEROUS, assert_no_live_cell, csv_rows, hostile_plan_build, xlsx_cells

pytestmark = pytest.mark.django_db


# Edited as inlines of the task (the order of leaders and units belongs to the task).
INLINE_ONLY = {"TaskLeader", "TaskUnit"}
# Not data anyone edits or reads: the counter the page cache is keyed by, kept by database triggers.
NOT_IN_ADMIN = {"DataVersion"}


def _models(app):
    return [
        m
        for m in apps.get_app_config(app).get_models()
        if not m.__name__.startswith("Historical") and m.__name__ not in INLINE_ONLY | NOT_IN_ADMIN
    ]


def test_every_domain_model_is_in_the_admin():
    from tasks.admin import TaskAdmin

    for app in ("tasks", "imports", "insights"):
        for model in _models(app):  # history models are shown through each model's history page
            assert admin.site.is_registered(model), model.__name__
    assert {inline.model.__name__ for inline in TaskAdmin.inlines} == INLINE_ONLY


def test_changelists_and_history_pages_render(seed_plans, client_as, admin_user):
    client = client_as(admin_user)
    for app, model in [("tasks", m.__name__.lower()) for m in _models("tasks")] + [("imports", "importrecord")]:
        response = client.get(reverse(f"admin:{app}_{model}_changelist"), {"q": "区科委"})
        assert response.status_code == 200, model
    from tasks.models import Task

    task = Task.objects.first()
    history = client.get(reverse("admin:tasks_task_history", args=[task.pk]))
    assert history.status_code == 200 and "导入" in history.content.decode()
    index = client.get(reverse("admin:index")).content.decode()
    assert "闵行区规划任务跟踪系统" in index and "牵头单位" in index


# -- the admin's exports (django-import-export), through the real export view ------------------

EXPORTS = {  # model: (its resource's checkbox prefix, column names)
    "task": (
        "taskresource",
        ["规划", "类别", "项目", "序号", "任务", "牵头领导", "牵头单位", "市级任务", "截止日期", "状态", "更新时间"],
    ),
    "unit": ("unitresource", ["规范名称", "类型", "别名"]),
    "leader": ("leaderresource", ["姓名", "职务"]),
}


def _export_page(client, model):
    response = client.get(reverse(f"admin:tasks_{model}_export"))
    assert response.status_code == 200
    return response.content.decode()


def _admin_export(client, model, file_format):
    """Choose the format on the rendered export page and post the form as the page would."""
    page = _export_page(client, model)
    options = dict((label, value) for value, label in re.findall(r'<option value="(\d+)">(\w+)</option>', page))
    fields = re.findall(r'<input type="checkbox" name="(\w+)"[^>]* checked', page)
    data = {"format": options[file_format], "resource": "0", **{name: "on" for name in fields}}
    response = client.post(reverse(f"admin:tasks_{model}_export"), data)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment"), page[-3000:]
    return response


def test_admin_export_offers_xlsx_and_csv_with_chinese_column_names(client_as, admin_user):
    client = client_as(admin_user)
    for model, (prefix, columns) in EXPORTS.items():
        page = _export_page(client, model)
        assert re.findall(r'<option value="\d+">(\w+)</option>', page) == ["xlsx", "csv"]
        labels = re.findall(rf'<label for="id_{prefix}_\w+">([^<]*)</label>', page)
        assert labels == columns  # not "City Level (市级任务)"


@pytest.mark.parametrize("model", list(EXPORTS))
@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_admin_exports_write_no_formula_and_no_raw_value(client_as, admin_user, model, file_format):
    plan = hostile_plan_build()
    Task.objects.filter(plan=plan, number="1").update(
        city_level=True, updated_at=dt.datetime(2030, 6, 10, 17, 30, tzinfo=dt.UTC)
    )
    response = _admin_export(client_as(admin_user), model, file_format)
    if file_format == "xlsx":
        cells = xlsx_cells(response.content)  # asserts no formula cell
        width = max(cell.column for cell in cells)
        rows = [[cell.value for cell in cells[i : i + width]] for i in range(0, len(cells), width)]
    else:
        assert response.content.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads the Chinese right
        rows = csv_rows(response.content.decode("utf-8-sig"))
    assert rows[0] == EXPORTS[model][1]
    assert assert_no_live_cell(value for row in rows for value in row) == len(rows) * len(rows[0])
    flat = {value for row in rows for value in row if isinstance(value, str)}
    assert not flat & {"True", "False", "None", "active", "department"}
    first_name = {"task": DANGEROUS[0], "unit": DANGEROUS[0] + "单位1", "leader": DANGEROUS[0] + "领导1"}[model]
    assert "'" + first_name in flat
    if model == "task":
        first = dict(zip(rows[0], next(row for row in rows if row[4] == "'" + DANGEROUS[0]), strict=True))
        assert (first["市级任务"], first["状态"], first["更新时间"]) == ("是", "有效", "2030-06-11 01:30")
    # A Chinese file name with the local date, encoded so that browsers keep it.
    name = {"task": "任务", "unit": "牵头单位", "leader": "牵头领导"}[model]
    expected = f"{name}-{timezone.localdate():%Y%m%d}.{file_format}"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(expected)}"


def test_import_record_page_shows_its_figures_in_words(seed_plans, client_as, admin_user):
    from imports.models import ImportRecord

    record = ImportRecord.objects.filter(plan__kind="annual").get()
    html = client_as(admin_user).get(reverse("admin:imports_importrecord_change", args=[record.pk])).content.decode()
    assert f"新增任务 {len(record.changes['added'])}，修改任务 0，撤销任务 0" in html
    assert "任务：" in html and "类别：" in html  # the count lines, as label：found / stated
    for raw in ("new_units", "&quot;added&quot;", "&quot;label&quot;", "&quot;found&quot;"):
        assert raw not in html
