"""Background jobs on the real worker (django-q2's worker and monitor, ORM broker, this database).

The worker tests are transactional: the job and its queue entry are committed as in production,
the worker claims the entry from the broker table, and the message's e-mail goes after commit."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_q.models import OrmQ, Schedule
from django_q.models import Task as QueueTask

from jobs.models import Job, JobKind, JobState
from jobs.schedules import schedule_specs, schedules_ensure
from jobs.services import STALE, job_enqueue, job_progress, jobs_tidy
from jobs.worker import queue_drain
from notifications.models import Message
from tasks.models import Plan

worker_db = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return tmp_path


def _progress_seen_by_the_page(client, url):
    """Every time the worker writes the job's progress, read the status the page polls."""
    seen = []
    busy = []

    def watch(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not busy and sql.startswith('UPDATE "jobs_job"') and '"done"' in sql:
            busy.append(1)
            try:
                seen.append(client.get(url).json())
            finally:
                busy.pop()
        return result

    return seen, watch


@worker_db
def test_the_ledger_is_built_on_the_worker_with_progress_and_arrives_as_a_message(
    seed_plans, client_as, office_user, media
):
    office_user.email = "duchashi@example.gov.cn"
    office_user.save()
    annual = Plan.objects.get(kind="annual")
    client = client_as(office_user)
    response = client.post(reverse("jobs:ledger_export"), {"query": f"plan={annual.pk}"})
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[job.pk])
    # Queued in the broker's table, in the same transaction as the job.
    assert job.state == JobState.QUEUED and OrmQ.objects.count() == 1
    page = client.get(response.url).content.decode()
    assert "排队中" in page and "可以离开此页面：完成后，结果会以站内消息（附下载链接）发送给您。" in page
    assert "如长时间处于“排队中”，请联系系统管理员确认后台任务进程正在运行。" in page
    assert "/static/jobs/progress." in page and f'data-job-status-url="/jobs/{job.pk}/status/"' in page

    status_url = reverse("jobs:status", args=[job.pk])
    seen, watch = _progress_seen_by_the_page(client, status_url)
    with connection.execute_wrapper(watch):
        assert queue_drain() == 1

    job.refresh_from_db()
    assert job.state == JobState.DONE and job.done == job.total == 190 and job.error == ""
    # The page saw the job running, its total known before the rows were read, then counted.
    assert seen[0]["state"] == "running" and seen[0]["total"] == 190 and seen[0]["done"] == 0
    assert seen[0]["message"] == "正在读取任务…"
    assert any(s["message"] == "正在生成Excel文件…" and s["done"] == 190 and s["percent"] == 100 for s in seen)
    # The worker recorded the run as django-q2 does (its task table), and acknowledged the queue entry.
    assert QueueTask.objects.get().success and OrmQ.objects.count() == 0

    message = Message.objects.get(recipient=office_user)
    assert message.title == "导出任务台账已完成"
    assert message.link == reverse("jobs:download", args=[job.pk])
    assert message.body == f"导出任务台账已完成。文件：{job.result_name}，点击“查看”下载。"
    assert job.result_name.startswith("2025年区委、区政府重点工作任务分解表任务台账-")
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "【任务跟踪】导出任务台账已完成"
    assert f"查看：http://127.0.0.1:8000{message.link}" in mail.outbox[0].body

    download = client.get(message.link)
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    sheet = book["任务台账"]
    assert sheet["A1"].value == "2025年区委、区政府重点工作任务分解表任务台账"
    assert sheet.max_row == 3 + 190
    assert "已完成：共 190 项。" in client.get(reverse("jobs:detail", args=[job.pk])).content.decode()


@worker_db
def test_a_job_runs_once_even_if_its_queue_entry_is_delivered_twice(seed_plans, office_user, media):
    job = job_enqueue(kind=JobKind.LEDGER_EXPORT, owner=office_user, params={"query": "q=研发"})
    # A second delivery of the same job (a second worker, a retry): the entry is queued again.
    from django_q.tasks import async_task

    async_task("jobs.services.job_run", job.pk)
    assert queue_drain() == 2
    job.refresh_from_db()
    assert job.state == JobState.DONE
    assert Message.objects.filter(recipient=office_user).count() == 1
    assert len(mail.outbox) == 0  # no address on the account: in-app only
    assert sorted(QueueTask.objects.values_list("result", flat=True)) == ["done", "skipped: not queued"]


@worker_db
def test_a_failed_job_tells_its_owner_why_in_chinese(seed_plans, client_as, office_user, media):
    job = job_enqueue(kind=JobKind.LEDGER_EXPORT, owner=office_user, params={"query": "plan=not-a-plan"})
    queue_drain()
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error == "筛选条件有误，未导出。请回到查找任务页面检查筛选条件后重试。"
    message = Message.objects.get(recipient=office_user)
    assert message.title == "导出任务台账失败" and message.body == job.error
    page = client_as(office_user).get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "失败：筛选条件有误，未导出。请回到查找任务页面检查筛选条件后重试。" in page
    assert not job.result


@pytest.mark.django_db
def test_jobs_are_their_owners_only(seed_plans, client_as, office_user, liaison_user, media):
    job = Job.objects.create(kind=JobKind.LEDGER_EXPORT, owner=office_user)
    client = client_as(liaison_user)
    for name in ("jobs:detail", "jobs:status", "jobs:download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert "暂无后台任务。" in client.get(reverse("jobs:list")).content.decode()


@pytest.mark.django_db
def test_download_before_the_file_exists_says_so(client_as, office_user, media):
    job = Job.objects.create(kind=JobKind.LEDGER_EXPORT, owner=office_user, state=JobState.RUNNING)
    client = client_as(office_user)
    response = client.get(reverse("jobs:download", args=[job.pk]), follow=True)
    assert "没有可下载的文件：任务尚未完成，或文件已过期清理，请重新发起。" in response.content.decode()


@pytest.mark.django_db
def test_outsider_cannot_start_an_export_and_nothing_is_queued(client_as, outsider_user):
    response = client_as(outsider_user).post(reverse("jobs:ledger_export"), {"query": ""})
    assert response.status_code == 403
    assert not Job.objects.exists() and not OrmQ.objects.exists()


@pytest.mark.django_db
def test_progress_out_of_range_is_refused(office_user):
    job = Job.objects.create(kind=JobKind.LEDGER_EXPORT, owner=office_user)
    job_progress(job=job, done=3, total=10, message="第3项")
    job.refresh_from_db()
    assert (job.done, job.total, job.message, job.percent) == (3, 10, "第3项", 30)
    with pytest.raises(ValueError):
        job_progress(job=job, done=11)


@pytest.mark.django_db
def test_tidy_removes_old_files_and_fails_jobs_whose_worker_died(office_user, media):
    from django.core.files.base import ContentFile

    old = Job.objects.create(kind=JobKind.LEDGER_EXPORT, owner=office_user, state=JobState.DONE)
    old.result.save("a.xlsx", ContentFile(b"x"))
    path = old.result.path
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - dt.timedelta(days=8))
    stuck = Job.objects.create(
        kind=JobKind.LEDGER_EXPORT,
        owner=office_user,
        state=JobState.RUNNING,
        started_at=timezone.now() - dt.timedelta(hours=2),
    )
    assert jobs_tidy(file_days=7, timeout_seconds=1800) == {"pruned": 1, "stale": 1}
    old.refresh_from_db()
    stuck.refresh_from_db()
    assert not old.result and not (media / path).exists()
    assert stuck.state == JobState.FAILED and stuck.error == STALE
    assert Message.objects.get(recipient=office_user).body == STALE


@pytest.mark.django_db
def test_schedules_are_registered_once_and_corrected(settings):
    # migrate (post_migrate) has registered them already.
    names = [spec.name for spec in schedule_specs()]
    assert set(Schedule.objects.filter(name__in=names).values_list("name", flat=True)) == set(names)
    assert schedules_ensure() == []  # a second run changes nothing
    weekly = Schedule.objects.get(name="督查室每周汇总")
    # Daily: the job itself sends on the week's first working day from WEEKLY_DIGEST_WEEKDAY.
    assert weekly.func == "notifications.reminders.weekly_digest_send" and weekly.schedule_type == Schedule.DAILY
    local = timezone.localtime(weekly.next_run)
    assert (local.hour, local.minute) == (8, 0)
    settings.REMINDER_HOUR = 9
    assert "报送提醒（截止前）" in schedules_ensure()
    assert timezone.localtime(Schedule.objects.get(name="报送提醒（截止前）").next_run).hour == 9
    assert Schedule.objects.filter(name__in=names).count() == len(names)


@pytest.mark.browser
def test_the_job_page_follows_the_worker_in_chromium_and_offers_the_file(
    page, live_server, office_user, seed_plans, media, plain_static
):
    """The page updates itself (jobs/progress.js, allowed by the CSP) while the worker runs."""
    csp_errors: list[str] = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    annual = Plan.objects.get(kind="annual")
    job = job_enqueue(kind=JobKind.LEDGER_EXPORT, owner=office_user, params={"query": f"plan={annual.pk}"})
    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    page.get_by_label("用户名").fill("duchashi")
    page.get_by_label("密码").fill("pw-duchashi")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/jobs/{job.pk}/")
    assert page.get_by_role("status").inner_text() == "排队中"

    assert queue_drain() == 1  # the worker, while the page stays open
    link = page.get_by_role("link", name=re.compile(r"^下载 2025年区委、区政府重点工作任务分解表任务台账-\d{8}\.xlsx$"))
    link.wait_for(timeout=15000)
    assert page.get_by_role("status").inner_text() == "已完成：共 190 项。"
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert book["任务台账"].max_row == 3 + 190
    assert csp_errors == []


@pytest.mark.django_db
def test_job_pages_keep_the_query_budget(client_as, office_user, django_assert_max_num_queries):
    for _ in range(30):
        job = Job.objects.create(kind=JobKind.LEDGER_EXPORT, owner=office_user, total=10, done=4)
    client = client_as(office_user)
    for url in (reverse("jobs:list"), reverse("jobs:detail", args=[job.pk]), reverse("jobs:status", args=[job.pk])):
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200


@worker_db
def test_the_workers_ledger_guards_its_title_row(client_as, office_user, media):
    from tasks.models import Unit

    unit = Unit.objects.create(name="=3+3单位")
    client = client_as(office_user)
    client.post(reverse("jobs:ledger_export"), {"query": f"unit={unit.pk}"})
    assert queue_drain() == 1
    job = Job.objects.get()
    assert job.state == JobState.DONE, job.error
    download = client.get(reverse("jobs:download", args=[job.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))["任务台账"]
    assert sheet["A1"].value == "'=3+3单位任务台账"
