"""The browser import flow through the test client: upload → preview → confirm,
history, download, undo, refusals and permissions."""

import html as html_lib
import re
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from imports.export import plan_export_csv, plans_export_data
from imports.models import ImportOutcome, ImportRecord, PendingImport
from imports.services import import_undo
from tasks.models import (
    Leader,
    Plan,
    ProgressReport,
    ProgressStatus,
    Task,
    TaskState,
    TaskUnit,
    Unit,
    UnitAlias,
    UnitKind,
)
from tests.conftest import ANNUAL_2025_TXT, FIXTURES
from tests.factories import report_make

pytestmark = pytest.mark.django_db


def upload(client, name, data):
    return client.post(reverse("imports:upload"), {"file": SimpleUploadedFile(name, data)})


def preview_url(response):
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def next_year_csv():
    """The 2025 plan re-issued as 2026: new plan, renamed units and a new leader."""
    text = plan_export_csv(plan=Plan.objects.get(kind="annual"))
    text = text.replace("2025年区委、区政府重点工作任务分解表", "2026年区委、区政府重点工作任务分解表")
    text = text.replace("年份：2025—2025", "年份：2026—2026").replace("〔2025〕3号", "〔2026〕2号")
    text = text.replace("印发日期：2025年2月10日", "印发日期：2026年2月12日")
    text = text.replace("区粮食物资储备局", "区粮食物资储备 局").replace("区发展改革委", "区发改委", 1)
    text = text.replace("区国资委", "区国有资产监督管理委员会").replace("管明", "周新")
    return text.encode()


def test_new_year_upload_preview_confirm(seed_plans, client_as, admin_user):
    client = client_as(admin_user)
    data = next_year_csv()
    response = upload(client, "2026年重点工作任务分解表.csv", data)
    url = preview_url(response)
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert Plan.objects.filter(year_start=2026).count() == 0  # nothing written by the preview
    assert "将新建规划" in html and "2026年区委、区政府重点工作任务分解表" in html
    assert "新增 190，修改 0，撤销 0" in html
    # Suggestions for the new names: the existing unit and leader they resemble are offered.
    assert "区国有资产监督管理委员会" in html and "即“区国资委”（记为别名）" in html
    assert "周新" in html
    # The guessed kind of a new unit is shown by its label, never the stored value.
    key = next(k for k, v in _unit_labels(html).items() if v == "区国有资产监督管理委员会")
    assert f'<label for="id_{key}">区国有资产监督管理委员会</label></th><td>区级部门</td>' in html
    assert not any(f"<td>{value}</td>" in html for value in UnitKind.values)
    # The admin maps the long name to the existing unit, keeps 周新 as new.
    form = _form_fields(html)
    key = next(k for k, v in _unit_labels(html).items() if v == "区国有资产监督管理委员会")
    form[key] = "区国资委"
    form["action"] = "update"
    assert client.post(url, form).status_code == 302
    html = client.get(url).content.decode()
    assert "区国有资产监督管理委员会 → 区国资委" in html
    response = client.post(url, {"action": "confirm"})
    record = ImportRecord.objects.get(plan__year_start=2026)
    assert response["Location"] == reverse("imports:record", args=[record.pk])
    plan = Plan.objects.get(year_start=2026)
    assert (plan.kind, plan.doc_number, plan.tasks.count()) == ("annual", "闵委办发〔2026〕2号", 190)
    assert UnitAlias.objects.get(name="区国有资产监督管理委员会").unit.name == "区国资委"
    assert not Unit.objects.filter(name="区国有资产监督管理委员会").exists()
    assert Leader.objects.filter(name="周新").exists()
    assert record.created_by == admin_user and record.size == len(data)
    # The upload is kept, confirmed and without its bytes (the record has them), until it expires.
    pending = PendingImport.objects.get()
    assert (pending.record, bytes(pending.content)) == (record, b"") and pending.confirmed_at
    # The original file can be downloaded again, as an attachment.
    download = client.get(reverse("imports:download", args=[record.pk]))
    assert download.content == data
    assert download["Content-Disposition"].startswith("attachment;")
    history = client.get(reverse("imports:history")).content.decode()
    assert "2026年重点工作任务分解表.csv" in history


def _form_fields(html):
    fields = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        if name != "csrfmiddlewaretoken":
            fields[name] = value
    for name in re.findall(r'<select name="([^"]+)"', html):
        fields.setdefault(name, "")
    fields["kind"] = "annual"
    return fields


def _unit_labels(html):
    return dict(re.findall(r'<label for="id_(unit_\d+)">([^<]+)</label>', html))


def test_revised_2025_file_updates_in_place_and_keeps_progress(seed_plans, client_as, admin_user):
    plan = Plan.objects.get(kind="annual")
    task = plan.tasks.get(number="190")
    report_make(task=task, unit=task.units.first(), period="2025-03-01", status=ProgressStatus.IN_PROGRESS, percent=20)
    lines = plan_export_csv(plan=plan).splitlines()
    revised = [
        line.replace("区级一般公共预算收入增长3%", "区级一般公共预算收入增长4%")
        for line in lines
        if not line.startswith("190,")
    ]
    client = client_as(admin_user)
    url = preview_url(upload(client, "2025-修订.csv", "\n".join(revised).encode()))
    html = client.get(url).content.decode()
    assert "将更新已有规划" in html and "新增 0，修改 1，撤销 1" in html
    assert "区级一般公共预算收入增长3%。" in html and "区级一般公共预算收入增长4%。" in html
    client.post(url, {"action": "confirm"})
    task.refresh_from_db()
    assert task.state == TaskState.WITHDRAWN and task.reports.count() == 1
    assert plan.tasks.get(number="3").text.startswith("区级一般公共预算收入增长4%")
    assert Plan.objects.filter(kind="annual").count() == 1


def test_identical_reupload_says_so(seed_plans, client_as, admin_user):
    client = client_as(admin_user)
    url = preview_url(upload(client, "again.txt", ANNUAL_2025_TXT.read_bytes()))
    html = client.get(url).content.decode()
    assert "完全相同" in html and "没有需要导入的变化" in html
    assert 'id="confirm"' not in html


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.docx", b"", "文件为空。"),
        ("old.doc", b"\xd0\xcf\x11\xe0" + b"\0" * 64, "旧版 Word/Excel"),
        ("fake.xlsx", b"PK\x03\x04broken", "文件已损坏或不完整"),
        ("table.csv", "姓名,年龄,电话\n张三,30,1\n".encode(), "没有找到任务表的表头"),
        # PDF is read now (pdfplumber); a damaged one is refused as damaged.
        ("plan.pdf", b"%PDF-1.4", "PDF 文件已损坏或不完整，无法读取。"),
        ("plan.exe", b"MZ", "不支持的文件类型"),
        (
            "dup.csv",
            "标题：2027年重点工作任务分解表\n序号,类别,任务,牵头单位\n1,一、甲,任务,区科委\n1,一、甲,另一任务,区经委\n".encode(),
            "序号重复",
        ),
    ],
)
def test_bad_files_refused_on_the_page_and_nothing_written(seed_plans, client_as, admin_user, name, data, message):
    before = plans_export_data()
    client = client_as(admin_user)
    response = upload(client, name, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert plans_export_data() == before
    assert not PendingImport.objects.exists()


def test_upload_size_limit(client_as, admin_user, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    response = upload(client_as(admin_user), "big.csv", b"x" * 2000)
    assert response.status_code == 400 and "超过上限" in response.content.decode()


@pytest.mark.parametrize("persona", ["office_user", "liaison_user", "leader_user", "outsider_user"])
def test_non_admins_get_403_everywhere(seed_plans, client_as, request, persona, admin_user):
    admin_client_record = ImportRecord.objects.first()
    client = client_as(request.getfixturevalue(persona))
    for url in [
        reverse("imports:upload"),
        reverse("imports:history"),
        reverse("imports:record", args=[admin_client_record.pk]),
        reverse("imports:download", args=[admin_client_record.pk]),
        reverse("imports:undo", args=[admin_client_record.pk]),
    ]:
        assert client.get(url).status_code == 403, url
    assert upload(client, "x.txt", ANNUAL_2025_TXT.read_bytes()).status_code == 403
    assert client.post(reverse("imports:undo", args=[admin_client_record.pk])).status_code == 403
    assert not PendingImport.objects.exists()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("imports:upload"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_pending_upload_is_bound_to_its_uploader(seed_plans, client_as, admin_user, django_user_model):
    url = preview_url(upload(client_as(admin_user), "a.txt", next_year_csv()))
    other = django_user_model.objects.create_superuser("admin2", password="x")
    assert client_as(other).get(url).status_code == 404


def test_expired_pending_upload_says_so_and_offers_a_new_upload(seed_plans, client_as, admin_user):
    client = client_as(admin_user)
    url = preview_url(upload(client, "a.txt", next_year_csv()))
    PendingImport.objects.update(expires_at="2000-01-01T00:00:00Z")
    for response in (client.get(url), client.post(url, {"action": "confirm"})):
        assert response.status_code == 404
        html = response.content.decode()
        assert '<p id="pending-gone">该上传已过期（上传后 24 小时内有效），未导入任何数据，请重新上传。</p>' in html
        assert f'<a href="{reverse("imports:upload")}" class="button">重新上传</a>' in html
        assert "页面不存在" not in html  # its own page, not the generic 404
    assert not Plan.objects.filter(year_start=2026).exists()
    # Once the expired upload has been cleaned away, the page still says what may have happened.
    PendingImport.objects.all().delete()
    html = client.get(url).content.decode()
    assert '<p id="pending-gone">该上传不存在或已过期（上传后 24 小时内有效），请重新上传。</p>' in html


def test_undo_last_import_restores_the_plan(seed_plans, client_as, admin_user):
    before = plans_export_data()
    units_before = set(Unit.objects.values_list("name", flat=True))
    plan = Plan.objects.get(kind="annual")
    lines = plan_export_csv(plan=plan).splitlines()
    revised = [
        line.replace("区财政局、区税务局", "区财政局、区新设办公室") for line in lines if not line.startswith("5,")
    ]
    revised.append(lines[-1].replace("190,", "191,", 1).replace("在履职尽责上作表率", "新增任务"))
    client = client_as(admin_user)
    url = preview_url(upload(client, "rev.csv", "\n".join(revised).encode()))
    client.post(url, {"action": "confirm"})
    record = ImportRecord.objects.order_by("-pk").first()
    assert Task.objects.filter(plan=plan, number="191").exists()
    page = client.get(reverse("imports:record", args=[record.pk])).content.decode()
    assert 'id="undo"' in page
    client.post(reverse("imports:undo", args=[record.pk]))
    record.refresh_from_db()
    assert record.outcome == ImportOutcome.UNDONE and record.undone_by == admin_user
    assert plans_export_data() == before
    assert set(Unit.objects.values_list("name", flat=True)) == units_before
    assert not Task.objects.filter(plan=plan, number="191").exists()


def test_undo_refused_when_progress_recorded_on_added_tasks(seed_plans, client_as, admin_user):
    client = client_as(admin_user)
    url = preview_url(upload(client, "2026.csv", next_year_csv()))
    client.post(url, {"action": "confirm"})
    record = ImportRecord.objects.get(plan__year_start=2026)
    task = Task.objects.get(plan=record.plan, number="1")
    report_make(task=task, unit=task.units.first(), period="2026-03-01", status=ProgressStatus.IN_PROGRESS, percent=5)
    page = client.get(reverse("imports:record", args=[record.pk])).content.decode()
    assert "不能回退：本次导入新增的任务已有进展报告" in page
    assert 'id="undo"' not in page
    # The confirmation page gives the reason and offers nothing to press.
    page = client.get(reverse("imports:undo", args=[record.pk])).content.decode()
    assert (
        "不能回退：本次导入新增的任务已有进展报告，回退会丢失这些进展，因此不能回退。如需调整，请导入修订后的文件。"
        in page
    )
    assert 'id="confirm-undo"' not in page
    response = client.post(reverse("imports:undo", args=[record.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("imports:undo", args=[record.pk])
    assert "不能回退：本次导入新增的任务已有进展报告" in response.content.decode()
    assert Plan.objects.filter(year_start=2026).exists()
    assert ProgressReport.objects.filter(task=task).exists()


def test_undo_of_a_plan_created_by_the_import_deletes_it(seed_plans, client_as, admin_user):
    client = client_as(admin_user)
    client.post(preview_url(upload(client, "2026.csv", next_year_csv())), {"action": "confirm"})
    record = ImportRecord.objects.get(plan__year_start=2026)
    client.post(reverse("imports:undo", args=[record.pk]))
    assert not Plan.objects.filter(year_start=2026).exists()
    assert not Leader.objects.filter(name="周新").exists()


def test_docx_upload_reads_plan_identity_from_the_heading(client_as, admin_user):
    client = client_as(admin_user)
    url = preview_url(upload(client, "annual_2025.docx", (FIXTURES / "annual_2025.docx").read_bytes()))
    html = client.get(url).content.decode()
    assert 'value="2025年区委、区政府重点工作任务分解表"' in html
    assert 'value="闵委办发〔2025〕3号"' in html
    assert "赵杨辛" in html and "赵亮 + 杨辛" in html


def test_admin_exports_tasks_through_import_export(seed_plans, client_as, admin_user):
    client = client_as(admin_user)
    response = client.post(reverse("admin:tasks_task_export"), {"format": "0", "export_items": []})
    # django-import-export 4 shows a form first; posting a format streams the file.
    assert response.status_code in (200, 302)
    page = client.get(reverse("admin:tasks_task_export"))
    assert page.status_code == 200 and "xlsx" in page.content.decode().lower()


def test_upload_is_reachable_from_the_django_admin(client_as, admin_user):
    page = client_as(admin_user).get(reverse("admin:imports_importrecord_changelist")).content.decode()
    assert reverse("imports:upload") in page and "上传任务分解表" in page
    assert f'<a href="{reverse("imports:history")}">导入记录与回退</a>' in page


# -- rolling an import back (回退) asks first -----------------------------------------------


def revision_csv(plan) -> bytes:
    """The 2025 plan revised: task 3 gets a new unit, task 5 is dropped, task 191 is added."""
    lines = plan_export_csv(plan=plan).splitlines()
    revised = [
        line.replace("区财政局、区税务局", "区财政局、区新设办公室") for line in lines if not line.startswith("5,")
    ]
    revised.append(lines[-1].replace("190,", "191,", 1).replace("在履职尽责上作表率", "新增任务"))
    return "\n".join(revised).encode()


def _texts(pattern: str, html: str) -> list[str]:
    return [html_lib.unescape(re.sub(r"<[^>]+>", "", m)).strip() for m in re.findall(pattern, html, re.S)]


def test_rollback_asks_first_and_says_what_will_be_removed(
    seed_plans, client_as, admin_user, django_assert_max_num_queries
):
    plan = Plan.objects.get(kind="annual")
    before = plans_export_data()
    client = client_as(admin_user)
    client.post(preview_url(upload(client, "rev.csv", revision_csv(plan))), {"action": "confirm"})
    record = ImportRecord.objects.order_by("-pk").first()
    added = Task.objects.get(plan=plan, number="191")
    after_import = plans_export_data()

    # The record page offers a link, not a one-click button.
    record_page = client.get(reverse("imports:record", args=[record.pk])).content.decode()
    link = re.search(r'<a href="([^"]+)" class="button" id="undo">回退本次导入…</a>', record_page)
    assert link and link.group(1) == reverse("imports:undo", args=[record.pk])
    with django_assert_max_num_queries(12):
        page = client.get(link.group(1))
    html = page.content.decode()
    assert page.status_code == 200
    assert plans_export_data() == after_import  # asking changes nothing
    assert _texts(r"<li>(.*?)</li>", html.split('<ul id="undo-summary">')[1].split("</ul>")[0]) == [
        "删除本次导入新增的 1 条任务",
        "把本次导入修改的 1 条任务恢复为导入前的内容",
        "把本次导入标记为“已撤销”的 1 条任务恢复为“有效”",
        "删除本次导入新建、且没有其他用处的单位 1 个、领导 0 名、别名 0 个",
    ]
    removed = html.split('id="undo-removed"')[1].split("</table>")[0]
    assert _texts(r"<tr><td>(.*?)</tr>", removed) == [f"191{added.title}"]
    change = next(c for c in record.changes["changed"][0]["changes"] if c["field"] == "units")
    assert "区新设办公室" in change["after"] and "区税务局" in change["before"]
    reverted = html.split('id="undo-reverted"')[1].split("</table>")[0]
    assert f"<tr><td>3</td><td>牵头单位</td><td>{change['after']}</td><td>{change['before']}</td></tr>" in reverted
    assert '<th scope="col">现在</th><th scope="col">回退后</th>' in reverted
    restored = html.split('id="undo-restored"')[1].split("</table>")[0]
    assert "<tr><td>5</td><td>居民人均可支配收入增长与经济增长基本同步</td></tr>" in restored
    assert "<dt>单位（1）</dt><dd>区新设办公室</dd>" in html
    assert "撤销导入" not in html and "撤销本次导入" not in html  # 撤销 is a withdrawn task, not this

    # Submitting the form on that page does it.
    form = re.search(r'<form method="post" action="([^"]+)" class="actions">(.*?)</form>', html, re.S)
    assert form and '<button type="submit" id="confirm-undo">确认回退</button>' in form.group(2)
    done = client.post(form.group(1), follow=True)
    assert done.redirect_chain == [(reverse("imports:record", args=[record.pk]), 302)]
    done_html = done.content.decode()
    assert "已回退导入“rev.csv”，规划已恢复到导入之前的状态。" in done_html
    assert re.search(r'<dd id="outcome">已回退（sysadmin 于 \d{4}-\d\d-\d\d \d\d:\d\d 回退）</dd>', done_html)
    assert plans_export_data() == before
    assert not Unit.objects.filter(name="区新设办公室").exists()
    history = client.get(reverse("imports:history")).content.decode()
    assert "<td>已回退</td>" in history


def test_rollback_page_of_a_plan_the_import_created(seed_plans, client_as, admin_user):
    client = client_as(admin_user)
    client.post(preview_url(upload(client, "2026.csv", next_year_csv())), {"action": "confirm"})
    record = ImportRecord.objects.get(plan__year_start=2026)
    html = client.get(reverse("imports:undo", args=[record.pk])).content.decode()
    summary = _texts(r"<li>(.*?)</li>", html.split('<ul id="undo-summary">')[1].split("</ul>")[0])
    assert summary[0] == "删除整个规划“2026年区委、区政府重点工作任务分解表”及其全部 190 条任务（本次导入新建了该规划）"
    assert "<dt>领导（1）</dt><dd>周新</dd>" in html
    assert "区国有资产监督管理委员会" in html.split('id="undo-names"')[1]
    assert "仅列出前 500 条" not in html and html.count("<tr><td>") == 190
    client.post(reverse("imports:undo", args=[record.pk]))
    assert not Plan.objects.filter(year_start=2026).exists()
    assert not Leader.objects.filter(name="周新").exists()


def test_rollback_page_does_not_list_a_new_unit_used_elsewhere(seed_plans, client_as, admin_user):
    plan = Plan.objects.get(kind="annual")
    client = client_as(admin_user)
    client.post(preview_url(upload(client, "rev.csv", revision_csv(plan))), {"action": "confirm"})
    record = ImportRecord.objects.order_by("-pk").first()
    # Since the import, the new unit was also put on a task of the other plan.
    other = Task.objects.get(plan__kind="five_year", number="1")
    TaskUnit.objects.create(task=other, unit=Unit.objects.get(name="区新设办公室"), position=9, role="support")
    html = client.get(reverse("imports:undo", args=[record.pk])).content.decode()
    assert "删除本次导入新建、且没有其他用处的单位 0 个、领导 0 名、别名 0 个" in html
    assert 'id="undo-names"' not in html
    client.post(reverse("imports:undo", args=[record.pk]))
    assert Unit.objects.filter(name="区新设办公室").exists()  # and the rollback kept it too


# -- confirming one upload twice ------------------------------------------------------------


def test_second_confirm_of_one_upload_is_told_it_was_applied(seed_plans, client_as, admin_user):
    plan = Plan.objects.get(kind="annual")
    client = client_as(admin_user)
    url = preview_url(upload(client, "rev.csv", revision_csv(plan)))
    client.post(url, {"action": "confirm"})
    record = ImportRecord.objects.order_by("-pk").first()
    records = ImportRecord.objects.count()
    for again in (client.post(url, {"action": "confirm"}, follow=True), client.get(url, follow=True)):
        assert again.redirect_chain == [(reverse("imports:record", args=[record.pk]), 302)]
        assert (
            '<p class="message warning" role="status">该文件已经确认导入，不会重复导入。</p>' in again.content.decode()
        )
    assert ImportRecord.objects.count() == records


pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real PostgreSQL connections")


def _lock_waiters() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
@pg_only
@pytest.mark.parametrize("kind", ["new plan", "revision"])
def test_two_simultaneous_confirms_apply_the_upload_once(kind, seed_plans, admin_user):
    data = next_year_csv() if kind == "new plan" else revision_csv(Plan.objects.get(kind="annual"))
    client = Client()
    client.force_login(admin_user)
    url = preview_url(upload(client, "f.csv", data))
    records = ImportRecord.objects.count()
    barrier = threading.Barrier(2)
    pages: dict[str, object] = {}

    def confirm(name: str) -> None:
        try:
            browser = Client()
            browser.force_login(admin_user)
            barrier.wait(timeout=30)
            response = browser.post(url, {"action": "confirm"})
            pages[name] = (
                response.status_code,
                response["Location"],
                browser.get(response["Location"]).content.decode(),
            )
        except Exception as exc:  # reported to the test
            pages[name] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert ImportRecord.objects.count() == records + 1, pages
    record = ImportRecord.objects.order_by("-pk").first()
    assert all(isinstance(page, tuple) for page in pages.values()), pages
    assert {(status, location) for status, location, _ in pages.values()} == {
        (302, reverse("imports:record", args=[record.pk]))
    }
    told = ["该文件已经确认导入，不会重复导入。" in html for _, _, html in pages.values()]
    assert sorted(told) == [False, True]


# -- a report arriving while an import is rolled back ------------------------------------------


@pytest.mark.django_db(transaction=True)
@pg_only
def test_rollback_waits_for_a_report_on_an_added_task_and_is_then_refused(seed_plans, admin_user):
    plan = Plan.objects.get(kind="annual")
    client = Client()
    client.force_login(admin_user)
    client.post(preview_url(upload(client, "rev.csv", revision_csv(plan))), {"action": "confirm"})
    record = ImportRecord.objects.order_by("-pk").first()
    task = Task.objects.get(plan=plan, number="191")
    unit = task.units.first()
    saved, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def liaison_reports() -> None:
        # What report_save does: lock the task row, then write the report, then commit.
        try:
            with transaction.atomic():
                Task.objects.select_for_update().get(pk=task.pk)
                report_make(task=task, unit=unit, period="2025-06-01", status=ProgressStatus.IN_PROGRESS, percent=5)
                saved.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    def admin_rolls_back() -> None:
        try:
            import_undo(user=admin_user, record=record)
            outcome["undo"] = "rolled back"
        except ValidationError as refused:
            outcome["undo"] = refused.messages
        except Exception as exc:  # reported to the test
            outcome["undo"] = exc
        finally:
            connections.close_all()

    liaison = threading.Thread(target=liaison_reports)
    liaison.start()
    assert saved.wait(timeout=30)
    admin = threading.Thread(target=admin_rolls_back)
    admin.start()
    deadline = time.monotonic() + 30
    while not _lock_waiters() and time.monotonic() < deadline:
        time.sleep(0.05)
    waited = _lock_waiters() > 0
    release.set()
    liaison.join(timeout=60)
    admin.join(timeout=120)
    assert waited, "the rollback should wait for the task row the report holds"
    assert outcome["undo"] == [
        "本次导入新增的任务已有进展报告，回退会丢失这些进展，因此不能回退。如需调整，请导入修订后的文件。"
    ], outcome
    assert ProgressReport.objects.filter(task=task).count() == 1
    record.refresh_from_db()
    assert record.outcome == ImportOutcome.APPLIED
