"""The column-mapping step: each column with its samples and role on the
preview, a role changed (including 不导入) and the preview recomputed, the
confirmed mapping saved as a layout named by its header and used for the next
document with that header; on the command line `--columns`. The browser path
runs in Chromium."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from imports.models import ImportLayout, PendingImport
from tasks.models import Plan
from tests.test_import_documents import tasks_of, units_of, xlsx_bytes

HEADER = ["序号", "工作内容及要求", "承办情况", "主责部门", "说明事项"]


def layout_file(year: int, rows: int = 2) -> bytes:
    body = [
        [str(n), f"第{n}项工作：推进重点项目建设，按期完成年度目标。", f"已完成{n}0%", "区发改委", f"说明{n}"]
        for n in range(1, rows + 1)
    ]
    return xlsx_bytes([HEADER, *body], title=f"{year}年区政府重点工作任务分解表")


def _roles_post(page_html: str, **changes: str) -> dict:
    """The preview's form as submitted: every column's select, some changed."""
    data = {"action": "update"}
    for name, value in re.findall(
        r'<select name="(col_\d+)"[^>]*>.*?<option value="(\w+)"[^>]*selected', page_html, re.S
    ):
        data[name] = value
    for field, value in re.findall(
        r'name="(title|kind|year_start|year_end|doc_number|doc_date)"[^>]*value="([^"]*)"', page_html
    ):
        data[field] = value
    data.setdefault("kind", "annual")
    data.update(changes)
    return data


@pytest.mark.django_db
def test_preview_lists_every_column_and_a_changed_role_is_recomputed_then_saved_as_a_layout(client_as, admin_user):
    client = client_as(admin_user)
    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("a.xlsx", layout_file(2027))})
    url = response["Location"]
    html = client.get(url).content.decode()
    assert "各列的用途" in html
    columns = re.findall(r'<tr data-column="([^"]+)">', html)
    assert columns == HEADER
    assert "已完成10%；已完成20%" in html  # samples of the column
    # 说明事项 is read as the 备注 by its name until the admin says otherwise.
    assert _roles_post(html)["col_4"] == "note"

    post = _roles_post(html, col_4="skip")
    response = client.post(url, post)
    assert response.status_code == 302, response.content.decode()[:3000]
    html = client.get(url).content.decode()
    assert "“说明事项”列：已设为不导入，该列内容未导入" in html
    assert PendingImport.objects.get().column_roles["说明事项"] == "skip"

    response = client.post(url, {"action": "confirm"})
    assert response.status_code == 302
    layout = ImportLayout.objects.get()
    assert layout.roles["说明事项"] == "skip" and layout.headers == HEADER
    plan = Plan.objects.get(year_start=2027)
    assert [t.note for t in tasks_of(plan)] == ["", ""]
    assert [t.extras for t in tasks_of(plan)] == [
        [{"header": "承办情况", "value": "已完成10%"}],
        [{"header": "承办情况", "value": "已完成20%"}],
    ]

    # The next year's file with the same header: read with the saved layout, and the preview says so.
    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("b.xlsx", layout_file(2028))})
    html = client.get(response["Location"]).content.decode()
    assert f"已按保存的表格版式“{layout.name}”识别各列" in html
    assert "“说明事项”列：已设为不导入，该列内容未导入" in html


@pytest.mark.django_db
def test_untouched_mapping_is_not_saved_as_a_layout(client_as, admin_user):
    client = client_as(admin_user)
    url = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("a.xlsx", layout_file(2027))})["Location"]
    html = client.get(url).content.decode()
    assert client.post(url, _roles_post(html)).status_code == 302
    assert PendingImport.objects.get().column_roles == {}
    client.post(url, {"action": "confirm"})
    assert not ImportLayout.objects.exists()


@pytest.mark.django_db
def test_command_line_columns_and_the_saved_layout(capsys):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.xlsx"
        path.write_bytes(layout_file(2027))
        call_command("import_plan", str(path), "--columns", "配合单位=承办情况,不导入=说明事项")
        out = capsys.readouterr().out
        assert "“承办情况” → 配合单位（按指定）" in out
        assert "“说明事项” → 不导入（按指定）" in out
        (first, _) = tasks_of(Plan.objects.get(year_start=2027))
        assert units_of(first, "support") == ["已完成10%"]
        assert ImportLayout.objects.get().roles["说明事项"] == "skip"

        path.write_bytes(layout_file(2028))
        call_command("import_plan", str(path), "--dry-run")
        out = capsys.readouterr().out
        assert "已按保存的表格版式“序号｜工作内容及要求｜承办情况｜主责部门｜说明事项”识别各列。" in out
        assert "“说明事项” → 不导入（按保存的版式）" in out


@pytest.mark.django_db
def test_command_line_columns_with_an_unknown_role_is_refused():
    with pytest.raises(CommandError) as refused:
        call_command("import_plan", "x.xlsx", "--columns", "负责人=主责部门")
    assert str(refused.value) == (
        "无法理解列对应“负责人=主责部门”：应为“用途=文件中的列名”，用途可为："
        "序号、类别、项目、任务、牵头领导、牵头单位、配合单位、备注、完成时限、市级任务、状态、其他列、不导入。"
    )


# -- in Chromium ------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.usefixtures("plain_static")
def test_mapping_step_in_chromium(browser, live_server, admin_user, shipped_aliases, tmp_path):
    first, second = tmp_path / "2027.xlsx", tmp_path / "2028.xlsx"
    first.write_bytes(layout_file(2027))
    second.write_bytes(layout_file(2028))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("sysadmin")
    page.get_by_label("密码").fill("pw-sysadmin")
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()

    page.goto(f"{live_server.url}/imports/upload/")
    page.get_by_label("任务分解表文件").set_input_files(str(first))
    page.get_by_role("button", name="上传并预览").click()
    columns = page.locator("#columns")
    assert columns.locator("tbody th").all_inner_texts() == HEADER
    role = page.get_by_role("combobox", name="承办情况")
    assert role.locator("option:checked").inner_text() == "其他列（保留为任务的附加信息）"
    added = page.locator("#added")
    assert "承办情况：已完成10%" in added.inner_text()

    # 承办情况 is really the supporting unit column here: change it and see the preview recomputed.
    role.select_option(label="配合单位")
    with page.expect_navigation():
        page.get_by_role("button", name="保存修正并重新预览").click()
    assert page.get_by_role("combobox", name="承办情况").locator("option:checked").inner_text() == "配合单位"
    assert "承办情况：" not in page.locator("#added").inner_text()
    assert "已完成10%" in page.locator("#added tbody tr").first.locator("td").nth(5).inner_text()

    with page.expect_navigation():
        page.get_by_role("button", name="确认导入").click()
    assert "已导入“2027年区政府重点工作任务分解表”" in page.locator(".message").inner_text()

    # The same header again: the saved layout is applied, and the preview says so.
    page.goto(f"{live_server.url}/imports/upload/")
    page.get_by_label("任务分解表文件").set_input_files(str(second))
    page.get_by_role("button", name="上传并预览").click()
    assert "已按保存的表格版式“序号｜工作内容及要求｜承办情况｜主责部门｜说明事项”识别各列" in (
        page.locator("#layout-used").inner_text()
    )
    assert page.get_by_role("combobox", name="承办情况").locator("option:checked").inner_text() == "配合单位"
    context.close()


@pytest.mark.django_db
def test_a_saved_layout_is_shown_in_words_in_the_admin(client_as, admin_user):
    layout = ImportLayout.objects.create(
        signature="x" * 64, headers=HEADER, roles={"承办情况": "support", "说明事项": "skip"}
    )
    client = client_as(admin_user)
    html = client.get(reverse("admin:imports_importlayout_change", args=[layout.pk])).content.decode()
    assert "承办情况 → 配合单位；说明事项 → 不导入" in html
    assert client.get(reverse("admin:imports_importlayout_changelist")).status_code == 200


@pytest.mark.django_db
def test_the_preview_can_say_the_document_is_another_districts(client_as, admin_user, shipped_aliases):
    rows = [["序号", "工作任务", "责任单位"], ["1", "推进重大项目建设，扩大有效投资。", "区发改委"]]
    client = client_as(admin_user)
    url = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("a.xlsx", xlsx_bytes(rows))})["Location"]
    html = client.get(url).content.decode()
    assert "<td>区发展改革委</td>" in html  # 闵行区's alias applies to its own document
    post = _roles_post(html, district="青浦区")
    assert client.post(url, post).status_code == 302
    html = client.get(url).content.decode()
    assert "<td>区发改委</td>" in html
    assert 'value="青浦区"' in html


DUPLICATED = ["序号", "工作内容及要求", "主责部门", "联系人", "联系人", "备注", "备注"]


def duplicated_file() -> bytes:
    body = [
        [str(n), f"第{n}项工作：推进重点项目建设。", "区发改委", f"张{n}", f"李{n}", f"注{n}", f"补{n}"] for n in (1, 2)
    ]
    return xlsx_bytes([DUPLICATED, *body], title="2027年区政府重点工作任务分解表")


@pytest.mark.django_db
def test_two_columns_with_one_header_each_keep_their_own_role(client_as, admin_user):
    """Roles were kept by header text: setting the second 联系人 to 不导入 dropped both, and saving an
    untouched preview turned the first 备注 into 其他列. The repeated column's note names the role in Chinese."""
    client = client_as(admin_user)
    url = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("d.xlsx", duplicated_file())})["Location"]
    html = client.get(url).content.decode()
    assert "另有一列同为“备注”，此列保留为其他列" in html and "extra" not in re.sub(r"<[^>]+>", "", html)
    before = _roles_post(html)
    assert (before["col_5"], before["col_6"]) == ("note", "extra")

    # Untouched: every role stays.
    assert client.post(url, before).status_code == 302
    assert _roles_post(client.get(url).content.decode()) == before

    # Only the second 联系人 to 不导入: the first keeps its role and its values.
    first_contact = before["col_3"]
    assert client.post(url, {**before, "col_4": "skip"}).status_code == 302
    after = _roles_post(client.get(url).content.decode())
    assert (after["col_3"], after["col_4"], after["col_5"]) == (first_contact, "skip", "note")
    assert PendingImport.objects.get().column_roles["联系人#2"] == "skip"
    client.post(url, {"action": "confirm"})
    task = tasks_of(Plan.objects.get(year_start=2027))[0]
    assert task.note == "注1"
    shown = {e["header"]: e["value"] for e in task.extras}
    assert "李1" not in shown.values() and ("张1" in shown.values() or first_contact != "extra")


@pytest.mark.django_db
def test_a_table_without_a_lead_unit_column_says_so_in_the_preview(client_as, admin_user):
    header = ["序号", "类别", "项目", "具体任务", "牵头领导", "备注"]
    body = [[str(n), "一、重点工作", "", f"第{n}项工作：推进重点项目建设。", "张三", ""] for n in (1, 2, 3)]
    data = xlsx_bytes([header, *body], title="2027年区政府重点工作任务分解表")
    client = client_as(admin_user)
    url = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("u.xlsx", data)})["Location"]
    html = client.get(url).content.decode()
    assert "文件中没有牵头单位列，3项任务没有牵头单位；如某列就是牵头单位，请在“各列的用途”中指定" in html
    assert "警告（0）" not in html
