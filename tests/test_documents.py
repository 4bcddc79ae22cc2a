"""The bulletin templates the office edits itself: download, edit, upload, refuse what cannot be
used (with the place named, the template in use kept), switch back; who may; the admin."""

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents import services
from documents.bulletin_template import default_template_bytes
from documents.models import BulletinIssue, BulletinTemplate, DocumentCounter, SupervisionSlip
from tasks.models import Plan, Task
from tests.factories import CLOCK

pytestmark = pytest.mark.django_db


def _paragraphs(document) -> list:
    """The body's paragraphs and those of its tables (the 版记 is a table at the foot of the last page)."""
    cells = [p for table in document.tables for row in table.rows for cell in row.cells for p in cell.paragraphs]
    return list(document.paragraphs) + cells


def _edited(changes: dict[str, str], template: bytes | None = None) -> bytes:
    """The default template with the text of some paragraphs replaced (as a clerk would in Word)."""
    document = docx.Document(io.BytesIO(template or default_template_bytes()))
    found = set()
    for paragraph in _paragraphs(document):
        if paragraph.text in changes:
            new = changes[paragraph.text]
            found.add(paragraph.text)
            paragraph.runs[0].text = new
            for run in paragraph.runs[1:]:
                run.text = ""
    assert found == set(changes), set(changes) - found
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _upload(client, content: bytes, name: str = "通报模板.docx", note: str = ""):
    return client.post(reverse("documents:templates"), {"file": SimpleUploadedFile(name, content), "note": note})


def _draft_texts(client) -> list[str]:
    plan = Plan.objects.get(kind="annual")
    response = client.get(reverse("documents:bulletin_draft"), {"plan": plan.pk})
    assert response.status_code == 200
    return [p.text for p in _paragraphs(docx.Document(io.BytesIO(b"".join(response.streaming_content))))]


COPY_TO = "抄送：区委办公室，区人大常委会办公室，区政协办公室。"


def test_the_office_edits_the_template_in_word_and_the_next_bulletin_uses_it(
    seed_plans, pinned_clock, client_as, office_user
):
    client = client_as(office_user)
    response = client.get(reverse("documents:template_default"))
    assert response["Content-Disposition"].startswith("attachment")
    default = b"".join(response.streaming_content)
    assert "{{ 期号 }}" in "".join(p.text for p in docx.Document(io.BytesIO(default)).paragraphs)
    mine = _edited({"督查通报": "督查专报", COPY_TO: "抄送：区委督查室，各镇街。"}, default)
    response = _upload(client, mine, note="改抄送范围")
    assert response.status_code == 302
    active = BulletinTemplate.objects.get(is_active=True)
    assert (active.name, active.note, active.uploaded_by) == ("通报模板.docx", "改抄送范围", office_user)
    texts = _draft_texts(client)
    assert texts[0] == "督查专报" and "抄送：区委督查室，各镇街。" in texts
    page = client.get(reverse("documents:templates")).content.decode()
    assert "正在使用：<strong data-active-template>通报模板.docx" in page
    # An issued bulletin records the template it was made with.
    plan = Plan.objects.get(kind="annual")
    client.post(
        reverse("documents:bulletin_issue"), {"plan": plan.pk, "period": "2025-06-01", "reply_by": "2025-06-30"}
    )
    assert BulletinIssue.objects.get().template_name == "通报模板.docx"


def _refused(client, content: bytes, name: str = "坏模板.docx") -> str:
    before = list(BulletinTemplate.objects.values_list("pk", "is_active"))
    response = _upload(client, content, name=name)
    assert response.status_code == 400
    assert list(BulletinTemplate.objects.values_list("pk", "is_active")) == before  # nothing changed
    errors = response.context["form"].errors["file"]
    assert len(errors) == 1
    return errors[0]


@pytest.fixture
def in_use(seed_plans, pinned_clock, client_as, office_user):
    """A good template uploaded and in use, before a bad one is tried."""
    client = client_as(office_user)
    assert _upload(client, _edited({COPY_TO: "抄送：原有抄送。"}), name="原模板.docx").status_code == 302
    return client


def test_a_template_with_a_broken_placeholder_is_refused_naming_the_place(in_use):
    message = _refused(in_use, _edited({"第{{ 期号 }}期": "第{{ 期号 }期"}))
    assert message == "模板无法使用：第2段多了一个“}”，或“{{”“}}”不成对。出错处的文字：「第{{ 期号 }期」。"
    assert BulletinTemplate.objects.get(is_active=True).name == "原模板.docx"
    assert "抄送：原有抄送。" in _draft_texts(in_use)  # the previous template is still in force


def test_an_unknown_placeholder_an_unknown_tag_and_unsafe_code_are_refused(in_use):
    message = _refused(in_use, _edited({"第{{ 期号 }}期": "第{{ 期数 }}期"}))
    assert (
        message == "模板无法使用：第2段「第{{ 期数 }}期」使用了系统不提供的占位符“期数”。可用的占位符见本页下方的说明。"
    )
    message = _refused(in_use, _edited({"{%p endfor %}": "{%p endfo %}"}))
    assert message.startswith("模板无法使用：") and "无法识别的标签“endfo”" in message and "出错处的文字：「" in message
    message = _refused(in_use, _edited({"{{ 标题 }}": "{{ 标题.__class__.__mro__ }}"}))
    assert message == "模板无法使用：模板中有不允许的写法（只能使用本页列出的占位符和 for、if 标签）。"
    assert BulletinTemplate.objects.filter(is_active=True).get().name == "原模板.docx"


def test_files_that_are_not_word_documents_are_refused(in_use):
    assert (
        _refused(in_use, b"not a zip", name="通报.docx")
        == "不是 Word 文档（.docx）。请在 Word 或 WPS 中“另存为”.docx 格式后再上传。"
    )
    assert _refused(in_use, default_template_bytes(), name="通报.doc") == (
        "请上传 Word 文档（.docx）。旧版 .doc 或 WPS 格式请先另存为 .docx。"
    )
    response = _upload(in_use, b"", name="空.docx")
    assert response.status_code == 400 and "上传的文件是空的。" in response.content.decode()
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/vbaProject.bin", b"macro")
    assert _refused(in_use, buffer.getvalue()) == "模板中含有宏，不能使用。请另存为不含宏的 .docx 文件后再上传。"


def test_switching_back_to_an_earlier_template_or_the_default(in_use):
    first = BulletinTemplate.objects.get()
    assert _upload(in_use, _edited({COPY_TO: "抄送：第二版。"}), name="第二版.docx").status_code == 302
    assert BulletinTemplate.objects.get(is_active=True).name == "第二版.docx"
    in_use.post(reverse("documents:template_activate"), {"template": first.pk})
    assert BulletinTemplate.objects.get(is_active=True) == first
    assert "抄送：原有抄送。" in _draft_texts(in_use)
    in_use.post(reverse("documents:template_activate"), {"template": ""})
    assert not BulletinTemplate.objects.filter(is_active=True).exists()
    assert COPY_TO in _draft_texts(in_use)
    response = in_use.post(reverse("documents:template_activate"), {"template": "999999"}, follow=True)
    assert "没有这个模板。" in response.content.decode()


@pytest.mark.parametrize("persona", ["liaison_user", "leader_user", "outsider_user"])
def test_only_the_office_and_administrators_manage_templates(request, persona, seed_plans, client_as):
    client = client_as(request.getfixturevalue(persona))
    for url in (reverse("documents:templates"), reverse("documents:template_default")):
        assert client.get(url).status_code == 403
    assert _upload(client, default_template_bytes()).status_code == 403
    assert client.post(reverse("documents:template_activate"), {"template": ""}).status_code == 403
    assert BulletinTemplate.objects.count() == 0


def test_administrators_may_manage_templates_and_see_documents_in_the_admin(seed_plans, client_as, admin_user):
    client = client_as(admin_user)
    assert client.get(reverse("documents:templates")).status_code == 200
    assert _upload(client, default_template_bytes()).status_code == 302
    for model, title in (
        (BulletinTemplate, "督查通报模板"),
        (BulletinIssue, "督查通报"),
        (SupervisionSlip, "督办单"),
        (DocumentCounter, "文件编号"),
    ):
        page = client.get(reverse(f"admin:documents_{model._meta.model_name}_changelist"))
        assert page.status_code == 200 and title in page.content.decode()
    assert "公文与督办" in client.get(reverse("admin:index")).content.decode()


def test_the_admin_shows_an_issued_bulletin_and_a_slip_read_only_with_their_download(
    seed_plans, pinned_clock, client_as, admin_user
):
    client = client_as(admin_user)
    plan = Plan.objects.get(kind="annual")
    issued = client.post(reverse("documents:bulletin_issue"), {"plan": plan.pk, "reply_by": "2025-06-25"})
    assert issued.status_code == 302
    issue = BulletinIssue.objects.get()
    task = Task.objects.get(plan__kind="annual", number="4")
    slip = services.slip_create(user=admin_user, task=task, clock=CLOCK)
    for obj, labels, file_url in (
        (issue, ["年度", "期号", "范围", "标题", "所用模板名称", "印发人", "印发时间"], "documents:bulletin_file"),
        (slip, ["督办单号", "督办类型", "来源", "督办事项", "反馈期限", "督办人", "生成时间"], "documents:slip_file"),
    ):
        page = client.get(reverse(f"admin:documents_{obj._meta.model_name}_change", args=[obj.pk]))
        html = page.content.decode()
        assert page.status_code == 200
        for label in labels:
            assert f"<label>{label}:</label>" in html, label
        assert 'name="_save"' not in html
        assert f'href="{reverse(file_url, args=[obj.pk, "docx"])}">Word 文件</a>' in html
