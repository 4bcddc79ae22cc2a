"""督办单 (supervision slips, 一事一单): numbered, logged against the task(s), one page, made and
downloaded by the office from the task page and the unit page; hostile text stays text."""

import datetime as dt
import io
import re

import docx
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from docx.oxml.ns import qn

from documents import services
from documents.models import DocumentCounter, SlipKind, SlipSource, SupervisionSlip
from documents.pdf import docx_to_pdf
from tasks import selectors
from tasks.models import Plan, Task, Unit
from tests.factories import CLOCK, TODAY
from tests.test_browser import _login
from tests.test_bulletin import GB_FONTS, W, pdf_pages, soffice_required

pytestmark = pytest.mark.django_db


def _slip_doc(client, slip: SupervisionSlip) -> docx.document.Document:
    response = client.get(reverse("documents:slip_file", args=[slip.pk, "docx"]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    return docx.Document(io.BytesIO(b"".join(response.streaming_content)))


def _cells(document) -> dict[str, str]:
    """The slip's form: label → value (first table)."""
    return {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}


def test_the_office_makes_a_numbered_slip_on_the_task_page(progressed, client_as, office_user):
    client = client_as(office_user)
    task = Task.objects.get(plan=progressed, number="4")
    page = client.get(reverse("tasks:task", args=[task.pk])).content.decode()
    assert "生成本任务的督办单" in page and "尚未生成督办单。" in page
    url = reverse("documents:slip_task", args=[task.pk])
    response = client.post(url, {"reply_by": "2025-06-22", "requirement": ""}, follow=True)
    assert "已生成督办单 闵督办〔2025〕1号。" in response.content.decode()
    slip = SupervisionSlip.objects.get()
    assert (slip.number, slip.kind, slip.source, slip.task, slip.reply_by, slip.created_by) == (
        "闵督办〔2025〕1号",
        SlipKind.TASK,
        SlipSource.OFFICE,
        task,
        dt.date(2025, 6, 22),
        office_user,
    )
    assert list(slip.tasks.all()) == [task] and slip.unit_name == "区科委"
    page = client.get(reverse("tasks:task", args=[task.pk])).content.decode()
    assert "闵督办〔2025〕1号" in page and reverse("documents:slip_file", args=[slip.pk, "docx"]) in page

    document = _slip_doc(client, slip)
    texts = [p.text for p in document.paragraphs]
    assert texts[:3] == ["闵行区人民政府督查室", "督　办　单", "编号：闵督办〔2025〕1号\t2025年6月15日"]
    form = _cells(document)
    assert form["承办单位"] == "区科委"
    assert form["督办事项"] == f"第4项：{task.text}"
    assert form["所属规划"] == progressed.title and form["牵头领导"] == "谭瑞琮"
    row = next(selectors.export_rows(ids=[task.pk], clock=CLOCK))
    assert form["当前进展"] == f"{row.status}，完成{row.percent}%；预警：{row.light_label}"
    assert form["反馈期限"] == "2025年6月22日前（反馈至闵行区人民政府督查室）"
    assert "2025年6月22日前书面反馈" in form["督办要求"]
    assert "回　执" in texts
    receipt = document.tables[1]
    assert [c.text for c in receipt.rows[0].cells] == ["督办单号", "闵督办〔2025〕1号", "承办单位", ""]
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    for run in document.element.body.iter(f"{W}r"):
        if run.find(f"{W}t") is not None:
            assert run.find(f"{W}rPr/{W}rFonts").get(qn("w:eastAsia")) in GB_FONTS
    client.post(url, {"reply_by": "2025-06-30"})
    assert list(SupervisionSlip.objects.order_by("sequence").values_list("number", flat=True)) == [
        "闵督办〔2025〕1号",
        "闵督办〔2025〕2号",
    ]


@pytest.fixture
def keji_overdue(progressed):
    """Nine of 区科委's tasks past their due date and not done (more than a slip lists)."""
    keji = Unit.objects.get(name="区科委")
    led = Task.objects.filter(plan=progressed, unit_links__unit=keji, unit_links__role="lead").order_by("position")
    ids = list(led.exclude(current__status="done").values_list("pk", flat=True)[:9])
    Task.objects.filter(pk__in=ids).update(due_date=TODAY - dt.timedelta(days=5))
    return keji


def test_a_slip_for_a_units_overdue_tasks_from_the_unit_page(keji_overdue, client_as, office_user):
    client = client_as(office_user)
    keji = keji_overdue
    page = client.get(reverse("tasks:unit", args=[keji.pk])).content.decode()
    assert "生成本单位逾期任务的督办单" in page
    client.post(reverse("documents:slip_unit", args=[keji.pk]), {"reply_by": "2025-06-20"})
    slip = SupervisionSlip.objects.get()
    clock = CLOCK
    overdue = selectors.overdue_tasks(
        tasks=Task.objects.filter(unit_links__unit=keji, unit_links__role="lead"), clock=clock
    )
    assert (slip.kind, slip.unit, slip.unit_name) == (SlipKind.UNIT_OVERDUE, keji, "区科委")
    assert set(slip.tasks.values_list("pk", flat=True)) == set(overdue.values_list("pk", flat=True))
    assert overdue.count() >= 9
    form = _cells(_slip_doc(client, slip))
    lines = form["督办事项"].split("\n")
    assert lines[0] == f"牵头的{overdue.count()}项任务已过完成时限尚未完成："
    assert lines[1].startswith("1. 第") and "（截止2025年6月10日，" in form["督办事项"]
    assert len(lines) == 1 + 5 + 1 and lines[-1] == f"另有{overdue.count() - 5}项，详见任务台账。"
    assert form["承办单位"] == "区科委"
    assert "闵督办〔2025〕1号" in client.get(reverse("tasks:unit", args=[keji.pk])).content.decode()


def test_nothing_to_chase_and_bad_input_are_refused_and_change_nothing(
    seed_plans, pinned_clock, client_as, office_user
):
    client = client_as(office_user)
    keji = Unit.objects.get(name="区科委")
    response = client.post(reverse("documents:slip_unit", args=[keji.pk]), {"reply_by": "2025-06-20"}, follow=True)
    assert "区科委目前没有逾期未完成的牵头任务，无需督办。" in response.content.decode()
    task = Task.objects.get(plan__kind="annual", number="4")
    url = reverse("documents:slip_task", args=[task.pk])
    response = client.post(url, {"reply_by": "2025-06-01"}, follow=True)
    assert "反馈期限不能早于今天。" in response.content.decode()
    response = client.post(url, {"reply_by": "2025-06-20", "requirement": "要" * 201}, follow=True)
    assert "督办要求不能超过200字。" in response.content.decode()
    response = client.post(url, {"reply_by": ""}, follow=True)
    assert "请填写反馈期限。" in response.content.decode()
    assert SupervisionSlip.objects.count() == 0 and DocumentCounter.objects.count() == 0


@pytest.mark.parametrize("persona", ["liaison_user", "leader_user"])
def test_only_the_office_makes_and_downloads_slips(request, persona, seed_plans, pinned_clock, client_as, office_user):
    task = Task.objects.get(plan__kind="annual", number="4")
    slip = services.slip_create(user=office_user, task=task, clock=CLOCK)
    client = client_as(request.getfixturevalue(persona))
    page = client.get(reverse("tasks:task", args=[task.pk])).content.decode()
    assert "督办单" not in page and slip.number not in page
    keji = Unit.objects.get(name="区科委")
    assert "生成本单位逾期任务的督办单" not in client.get(reverse("tasks:unit", args=[keji.pk])).content.decode()
    assert client.post(reverse("documents:slip_task", args=[task.pk]), {"reply_by": "2025-06-20"}).status_code == 403
    assert client.post(reverse("documents:slip_unit", args=[keji.pk]), {"reply_by": "2025-06-20"}).status_code == 403
    assert client.get(reverse("documents:slip_file", args=[slip.pk, "docx"])).status_code == 403
    assert SupervisionSlip.objects.count() == 1
    with pytest.raises(PermissionDenied, match="只有督查室或系统管理员可以执行此操作。"):
        services.slip_create(user=request.getfixturevalue(persona), task=task)


def test_the_chase_action_can_make_its_slip(seed_plans, pinned_clock, office_user):
    """What the 催办 action (to-do issue) calls: a slip logged as coming from a chase."""
    task = Task.objects.get(plan__kind="annual", number="4")
    slip = services.slip_create(
        user=office_user, task=task, source=SlipSource.CHASE, requirement="请本周内报送进展。", reply_by=TODAY
    )
    assert (slip.source, slip.requirement, slip.reply_by) == (SlipSource.CHASE, "请本周内报送进展。", TODAY)


def test_hostile_text_stays_text_in_a_slip(seed_plans, pinned_clock, client_as, office_user):
    task = Task.objects.get(plan__kind="annual", number="4")
    hostile = "{{ 1+1 }}{% if x %}=cmd|' /C calc'!A0 <w:fldSimple w:instr=\"PAGE\"/> &amp;\x0c"
    Task.objects.filter(pk=task.pk).update(text=hostile)
    client = client_as(office_user)
    client.post(reverse("documents:slip_task", args=[task.pk]), {"reply_by": "2025-06-20", "requirement": "{{ 2*3 }}"})
    document = _slip_doc(client, SupervisionSlip.objects.get())
    form = _cells(document)
    assert form["督办事项"] == "第4项：{{ 1+1 }}{% if x %}=cmd|' /C calc'!A0 <w:fldSimple w:instr=\"PAGE\"/> &amp;"
    assert form["督办要求"] == "{{ 2*3 }}"
    body = document.element.body.xml
    assert "fldSimple w:" not in body.replace('&lt;w:fldSimple w:instr="PAGE"/&gt;', "")
    assert "instrText" not in body and "fldChar" not in body


def test_a_slip_is_one_page(keji_overdue, office_user):
    soffice_required()
    clock = CLOCK
    longest = max(Task.objects.filter(plan__in=Plan.objects.all()), key=lambda t: len(t.text))
    assert len(longest.text) > 300
    for slip in (
        services.slip_create(user=office_user, task=longest, clock=clock),
        services.slip_create(user=office_user, unit=keji_overdue, clock=clock),
    ):
        pages = pdf_pages(docx_to_pdf(bytes(slip.docx)))
        assert len(pages) == 1, (slip.number, len(pages))
        assert "回" in pages[0] and "执" in pages[0] and "督" in pages[0]


# -- in the browser: the date input shows and sends its default ------------------------------------


@pytest.mark.browser
@pytest.mark.usefixtures("plain_static", "pinned_clock")
def test_in_a_browser_the_office_makes_a_slip_and_issues_a_bulletin(
    browser,
    live_server,
    shipped_aliases,
    seed_plans,
    office_user,
):
    page = _login(browser, live_server, "duchashi", "pw-duchashi")
    task = Task.objects.get(plan__kind="annual", number="4")
    page.goto(f"{live_server.url}/tasks/{task.pk}/")
    assert page.get_by_label("反馈期限").input_value() == "2025-06-20"  # 5 working days; shown, so also sent
    page.get_by_label("督办要求（可不填，用默认要求）").fill("请于一周内书面反馈。")
    # The form's answer is a new page: wait for it, not for the load state of the page clicked on.
    with page.expect_navigation():
        page.get_by_role("button", name="生成本任务的督办单").click()
    assert page.get_by_role("status").filter(has_text="已生成督办单 闵督办〔2025〕1号。").count() == 1
    with page.expect_download() as download:
        page.locator("#slip-list").get_by_role("link", name="Word").click()
    assert download.value.suggested_filename == "督办单闵督办〔2025〕1号.docx"
    assert SupervisionSlip.objects.get().requirement == "请于一周内书面反馈。"

    plan = Plan.objects.get(kind="annual")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.get_by_role("link", name="督查通报", exact=True).click()
    page.get_by_label("统计周期").select_option(label="2025年5月")
    with page.expect_navigation():
        page.get_by_role("button", name="选择").click()
    assert page.get_by_label("反馈期限").input_value() == "2025-06-20"
    with page.expect_navigation():
        page.get_by_role("button", name="印发2025年5月通报（自动编期号）").click()
    assert page.get_by_role("status").filter(has_text="已印发督查通报2025年第1期。").count() == 1
    assert page.locator("#issues").get_by_text("2025年第1期").count() == 1


def test_a_slip_is_for_one_task_one_units_overdue_tasks_or_one_chase(seed_plans, pinned_clock, office_user):
    task = Task.objects.get(plan__kind="annual", number="4")
    for kwargs in ({}, {"task": task, "unit": Unit.objects.get(name="区科委")}):
        with pytest.raises(services.DocumentError, match=r"^督办单针对一项任务、一个单位的逾期任务或一次催办。$"):
            services.slip_create(user=office_user, clock=CLOCK, **kwargs)
    assert SupervisionSlip.objects.count() == 0


def test_a_unit_slip_over_two_plans_names_each_tasks_plan_in_full_width_punctuation(keji_overdue, office_user):
    """Task numbers repeat across plans: a slip listing tasks of both plans cites each by its plan's
    short form ("“十四五”规划重点任务第N项"); the deadline reads 2025年6月10日 in full-width brackets."""
    led = Task.objects.filter(unit_links__unit=keji_overdue, unit_links__role="lead")
    annual = Plan.objects.get(kind="annual")
    # Two of the annual plan's overdue tasks stay overdue (the annual plan is listed first), and one
    # of the five-year plan's becomes so.
    keep = list(selectors.overdue_tasks(tasks=led.filter(plan=annual), clock=CLOCK).values_list("pk", flat=True)[:2])
    led.filter(plan=annual).exclude(pk__in=keep).update(due_date=TODAY + dt.timedelta(days=30))
    other = led.exclude(plan=annual).exclude(current__status="done").first()
    Task.objects.filter(pk=other.pk).update(due_date=TODAY - dt.timedelta(days=3))
    slip = services.slip_create(user=office_user, unit=keji_overdue, clock=CLOCK)
    document = docx.Document(io.BytesIO(bytes(slip.docx)))
    listed = [line for line in _cells(document)["督办事项"].split("\n")[1:] if line[:1].isdigit()]
    for short in ("“十四五”规划重点任务第", "2025年重点工作任务第"):
        assert any(short in line for line in listed), (short, listed)
    assert all(re.match(r"\d\. (2025年重点工作任务|“十四五”规划重点任务)第\w+项：", line) for line in listed), listed
    assert all(re.search(r"（截止\d{4}年\d{1,2}月\d{1,2}日，[^,()]+）$", line) for line in listed), listed
