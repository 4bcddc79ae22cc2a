"""imports.jobs: 确认导入 on the real worker. A large file uploaded by the system admin is confirmed
in the background from its preview page; the job page shows its progress as the worker goes; the
result arrives as a message linking to the import record; nothing is sent or imported twice."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from imports.export import plan_export_csv
from imports.models import ImportRecord
from jobs.models import Job, JobKind, JobState
from jobs.worker import queue_drain
from notifications.models import Message
from tasks.models import Plan, PlanKind, Task
from tests.test_jobs import _progress_seen_by_the_page
from tests.test_supervision_views import _Forms

pytestmark = pytest.mark.django_db(transaction=True)

COPIES = 12  # 190 items × 12 = 2,280 tasks


def large_2026_csv() -> bytes:
    """The 2025 breakdown re-issued as 2026, every item repeated COPIES times (renumbered, texts kept
    apart by a suffix): a file too large to wait for in the browser."""
    lines = plan_export_csv(plan=Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2025)).splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.startswith("序号,"))
    head = [line.replace("2025", "2026") for line in lines[:header_at] if not line.startswith("（共")]
    columns = next(csv.reader([lines[header_at]]))
    number_at, text_at = columns.index("序号"), columns.index("任务")
    rows = list(csv.reader(lines[header_at + 1 :]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for line in head:
        out.write(line + "\n")
    writer.writerow(columns)
    number = 0
    for copy in range(COPIES):
        for row in rows:
            number += 1
            row = list(row)
            row[number_at] = str(number)
            row[text_at] = f"{row[text_at]}（第{copy + 1}批）"
            writer.writerow(row)
    return out.getvalue().encode("utf-8")


def test_a_large_import_is_confirmed_on_the_worker_with_its_progress(seed_plans, client_as, admin_user, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = client_as(admin_user)
    data = large_2026_csv()
    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("annual_2026.csv", data)})
    assert response.status_code == 302, response.content.decode()[:2000]
    preview_url = response["Location"]
    preview = client.get(preview_url).content.decode()
    assert "转入后台导入" in preview
    # The preview's own form (the one without an action: it posts to the page), as rendered.
    parser = _Forms()
    parser.feed(preview)
    form = next(f for f in parser.forms if f["attrs"].get("method") == "post" and "action" not in f["attrs"])
    data = {k: v for k, v in form["fields"].items() if v is not None} | {"action": "confirm_background"}
    response = client.post(preview_url, data)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.kind, job.state, job.params) == (
        JobKind.IMPORT_CONFIRM,
        JobState.QUEUED,
        {"pending": job.params["pending"]},
    )
    page = client.get(response["Location"]).content.decode()
    assert "排队中" in page and "可以离开此页面" in page
    assert not Plan.objects.filter(year_start=2026).exists()  # nothing imported before the worker runs

    seen, watch = _progress_seen_by_the_page(client, reverse("jobs:status", args=[job.pk]))
    with connection.execute_wrapper(watch):
        assert queue_drain() == 1
    expected = COPIES * 190
    assert seen[0]["state"] == "running" and seen[0]["message"] == "正在读取并核对文件…" and seen[0]["total"] == 2
    assert any(s["message"] == f"核对完成：新增 {expected} 条、修改 0 条、撤销 0 条；正在写入数据库…" for s in seen)

    job.refresh_from_db()
    assert job.state == JobState.DONE, job.error
    plan = Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2026)
    assert Task.objects.filter(plan=plan).count() == expected
    record = ImportRecord.objects.get(plan=plan)
    message = Message.objects.get(recipient=admin_user, title="确认导入已完成")
    assert message.link == reverse("imports:record", args=[record.pk])
    assert client.get(message.link).status_code == 200

    # Delivered twice, run once: no second import, no second message.
    assert queue_drain() == 0
    assert ImportRecord.objects.filter(plan=plan).count() == 1
    assert Message.objects.filter(recipient=admin_user, title="确认导入已完成").count() == 1


def test_a_refused_background_import_says_why_and_changes_nothing(seed_plans, client_as, admin_user):
    from imports.models import PendingImport

    client = client_as(admin_user)
    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("annual_2026.csv", large_2026_csv())})
    pending = PendingImport.objects.get()
    client.post(response["Location"], {"action": "confirm_background"})
    pending.delete()  # the upload expired (or was confirmed elsewhere) before the worker ran
    assert queue_drain() == 1
    job = Job.objects.get()
    assert job.state == JobState.FAILED and job.error == "上传的文件已过期或已被处理，未导入。请重新上传。"
    assert not Plan.objects.filter(year_start=2026).exists()
    assert Message.objects.get(recipient=admin_user).title == "确认导入失败"


def test_only_the_system_admin_starts_a_background_import(seed_plans, client_as, admin_user, office_user):
    response = client_as(admin_user).post(
        reverse("imports:upload"), {"file": SimpleUploadedFile("annual_2026.csv", large_2026_csv())}
    )
    token_url = response["Location"]
    refused = client_as(office_user).post(token_url, {"action": "confirm_background"})
    assert refused.status_code in (302, 403) and not Job.objects.exists()
