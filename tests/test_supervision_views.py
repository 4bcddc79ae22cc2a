"""supervision.views through the rendered pages: the task page's 批示与催办 panel, its forms
submitted as rendered (dates included), the leader page's list, the office's unit chase and
the liaison's reply on 我的待办, the messages users read."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from supervision.models import Chase, Instruction, InstructionReply
from tests.factories import world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(pinned_clock):
    return world_build()


class _Forms(HTMLParser):
    """Each <form>'s action and its fields as a browser would submit them untouched."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"attrs": a, "fields": {}, "types": {}}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            self._form["types"][a["name"]] = kind
            if kind in ("checkbox", "radio"):
                # As a browser submits it: only when checked, with its value ("on" by default).
                if "checked" in a:
                    self._form["fields"][a["name"]] = a.get("value") or "on"
            else:
                self._form["fields"][a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a["name"]
            self._form["fields"].setdefault(self._select, None)
            self._form["types"][self._select] = "select"
        elif tag == "option" and self._select:
            if self._form["fields"][self._select] is None or "selected" in a:
                self._form["fields"][self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form["fields"][self._textarea] = ""
            self._form["types"][self._textarea] = "textarea"

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def unticked(form: dict, name: str) -> dict:
    """The form's fields as the browser posts them after the user unticks checkbox `name`."""
    return {k: v for k, v in form["fields"].items() if k != name}


def form_on(html: str, attr: str, value: str | None = None) -> dict:
    """The one form carrying `attr` (with that value, if given)."""
    parser = _Forms()
    parser.feed(html)
    found = [f for f in parser.forms if attr in f["attrs"] and (value is None or f["attrs"][attr] == value)]
    assert len(found) == 1, (attr, value, [f["attrs"] for f in parser.forms])
    return found[0]


def panel(client, task) -> str:
    response = client.get(reverse("supervision:task_panel", args=[task.pk]) + "?fragment=1")
    assert response.status_code == 200
    return response.content.decode()


def shown_messages(html: str) -> list[str]:
    return re.findall(r'<p class="message [^"]*" role="status">([^<]*)</p>', html)


def test_task_page_holds_the_panel_section_and_its_script(world, client_as, office_user):
    task = world.tasks["零号湾"]
    html = client_as(office_user).get(reverse("tasks:task", args=[task.pk])).content.decode()
    url = reverse("supervision:task_panel", args=[task.pk])
    assert f'data-supervision-panel="{url}?fragment=1"' in html
    assert f'<a href="{url}">查看该任务的领导批示和催办记录</a>' in html
    assert "supervision/panel" in html and ".js" in html
    page = client_as(office_user).get(url).content.decode()
    assert '<h2 id="supervision-h">批示与催办</h2>' in page and "尚未催办。" in page


def test_office_chases_through_the_rendered_form_once_a_day(world, client_as, office_user, liaison_user):
    task = world.tasks["零号湾"]
    client = client_as(office_user)
    form = form_on(panel(client, task), "data-chase-form")
    assert form["types"]["reply_by"] == "date" and form["fields"]["reply_by"] == ""
    assert form["fields"]["slip"] == "on"  # 同时生成督办单 is ticked as rendered; unticked here (slips: below)
    fields = {**unticked(form, "slip"), "note": "请本周五前报送。", "reply_by": "2025-06-20"}
    unit_options = re.findall(r'<option value="(\d+)"', panel(client, task))
    assert {int(u) for u in unit_options} == {world.units["科委"].pk, world.units["发改"].pk}  # lead units only
    fields["unit"] = str(world.units["科委"].pk)
    response = client.post(form["attrs"]["action"], fields, follow=True)
    assert response.redirect_chain[-1][0] == reverse("tasks:task", args=[task.pk]) + "#supervision"
    assert shown_messages(response.content.decode()) == ["已向区科委发出催办。"]
    chase = Chase.objects.get()
    assert (chase.note, str(chase.reply_by)) == ("请本周五前报送。", "2025-06-20")
    html = panel(client, task)
    assert re.search(r"已催办1次，最近一次：\d{4}-\d\d-\d\d \d\d:\d\d", html)
    assert "duchashi催办区科委：请本周五前报送。（请于2025-06-20前答复）" in html
    again = client.post(form["attrs"]["action"], fields, follow=True)
    assert shown_messages(again.content.decode()) == [
        f"今天已催办过第{task.number}项任务，每项任务每个单位每天只能催办一次。"
    ]
    assert Chase.objects.count() == 1


def test_a_bad_reply_by_date_is_refused_and_writes_nothing(world, client_as, office_user):
    task = world.tasks["零号湾"]
    client = client_as(office_user)
    form = form_on(panel(client, task), "data-chase-form")
    response = client.post(form["attrs"]["action"], {**form["fields"], "reply_by": "下周五"}, follow=True)
    assert shown_messages(response.content.decode()) == ["请输入有效的日期（例如 2025-12-31）。"]
    response = client.post(form["attrs"]["action"], {**form["fields"], "reply_by": "2025-06-01"}, follow=True)
    assert shown_messages(response.content.decode()) == ["答复期限不能早于今天。"]
    assert not Chase.objects.exists()


def test_leader_writes_an_instruction_shown_on_the_task_and_the_leader_page(world, client_as, leader_user):
    task = world.tasks["研发"]
    client = client_as(leader_user)
    form = form_on(panel(client, task), "data-instruction-form")
    assert "leader" not in form["fields"]  # their own
    response = client.post(form["attrs"]["action"], {**form["fields"], "text": "加快研发平台建设。"}, follow=True)
    assert shown_messages(response.content.decode()) == ["批示已录入，并已通知牵头单位。"]
    html = panel(client, task)
    assert "<strong>谭瑞琮批示</strong>" in html and "加快研发平台建设。" in html and "data-on-behalf" not in html
    leader_page = client.get(reverse("tasks:leader", args=[world.leaders["谭"].pk])).content.decode()
    section = leader_page[leader_page.index("data-leader-instructions") :]
    assert "领导批示（1条）" in section and "加快研发平台建设。" in section
    # Not on a task they do not lead: no form, and the server refuses.
    assert "data-instruction-form" not in panel(client, world.tasks["营商"])
    post = client.post(reverse("supervision:instruction_create", args=[world.tasks["营商"].pk]), {"text": "批示"})
    assert post.status_code == 403
    assert Instruction.objects.count() == 1


def test_office_records_an_instruction_on_behalf_of_a_leader(world, client_as, office_user):
    task = world.tasks["研发"]
    client = client_as(office_user)
    html = panel(client, task)
    form = form_on(html, "data-instruction-form")
    assert "代领导录入批示" in html
    options = re.findall(r'<select name="leader"[^>]*>(.*?)</select>', html, re.S)[0]
    assert re.findall(r">([^<]+)</option>", options) == ["谭瑞琮", "赵亮"]
    client.post(form["attrs"]["action"], {**form["fields"], "text": "代录：抓紧。"})
    html = panel(client, task)
    assert '<strong>谭瑞琮批示</strong> <span class="tag" data-on-behalf>代录</span>' in html
    assert "duchashi录入" in html


def test_liaison_records_fulfilment_for_its_own_unit_only(world, client_as, leader_user, liaison_user):
    task = world.tasks["研发"]  # 区科委 and 闵行城投公司
    client_as(leader_user).post(
        reverse("supervision:instruction_create", args=[task.pk]), {"text": "加快。"}, follow=True
    )
    client = client_as(liaison_user)
    html = panel(client, task)
    assert "data-chase-form" not in html and "data-instruction-form" not in html
    assert 'data-fulfil-form="区科委"' in html and 'data-fulfil-form="闵行城投公司"' not in html
    form = form_on(html, "data-fulfil-form")
    response = client.post(form["attrs"]["action"], {**form["fields"], "text": "已完成选址。"}, follow=True)
    assert shown_messages(response.content.decode()) == ["落实情况已保存。"]
    html = panel(client, task)
    assert "落实情况（区科委，2" in html and "已完成选址。" in html and "data-fulfil-form" not in html
    instruction = Instruction.objects.get()
    other = reverse("supervision:instruction_reply", args=[instruction.pk, world.units["城投"].pk])
    assert client.post(other, {"text": "代填"}).status_code == 403
    assert InstructionReply.objects.count() == 1


def test_office_chases_a_unit_from_the_todo_page_and_the_liaison_replies(world, client_as, office_user, liaison_user):
    office = client_as(office_user)
    todo = office.get(reverse("supervision:todo")).content.decode()
    form = form_on(todo, "data-unit-chase", "区科委")
    assert form["types"]["reply_by"] == "date"
    response = office.post(form["attrs"]["action"], {**unticked(form, "slip"), "note": "请月底前报送。"}, follow=True)
    chase = Chase.objects.get()
    n = chase.items.count()
    assert shown_messages(response.content.decode()) == [f"已向区科委发出催办，涉及{n}项未报送任务。"]
    liaison = client_as(liaison_user)
    todo = liaison.get(reverse("supervision:todo")).content.decode()
    assert f'data-chase="{chase.pk}"' in todo and "请月底前报送。" in todo
    reply = form_on(todo, "action", reverse("supervision:chase_reply", args=[chase.pk]))
    response = liaison.post(reply["attrs"]["action"], {**reply["fields"], "text": ""}, follow=True)
    assert shown_messages(response.content.decode()) == ["请填写答复内容。"]
    response = liaison.post(reply["attrs"]["action"], {**reply["fields"], "text": "已报送。"}, follow=True)
    assert shown_messages(response.content.decode()) == ["已答复催办。"]
    chase.refresh_from_db()
    assert chase.reply_text == "已报送。"


def test_extension_requested_and_approved_through_the_rendered_forms(world, client_as, liaison_user, office_user):
    from supervision.models import ExtensionRequest

    task = world.tasks["研发"]
    liaison = client_as(liaison_user)
    form = form_on(panel(liaison, task), "data-extension-form")
    assert form["types"]["requested_date"] == "date"
    assert form["fields"]["unit"] == str(world.units["科委"].pk)  # its own lead unit only
    fields = {**form["fields"], "requested_date": "2026-03-31", "reason": "设备到货推迟。"}
    response = liaison.post(form["attrs"]["action"], fields, follow=True)
    assert shown_messages(response.content.decode()) == ["延期申请已提交，等待督查室审批。"]
    assert "data-extension-form" not in panel(liaison, task)  # one pending request at a time
    office = client_as(office_user)
    html = panel(office, task)
    assert "区科委申请将截止日期由2025-12-31延至2026-03-31" in html and "待审批" in html
    decide = form_on(html, "data-decide-form")
    # The date box shows the requested date as <input type="date"> needs it.
    assert decide["types"]["granted_date"] == "date" and decide["fields"]["granted_date"] == "2026-03-31"
    response = office.post(decide["attrs"]["action"], {**decide["fields"], "decision": "approve"}, follow=True)
    assert shown_messages(response.content.decode()) == ["已同意延期，截止日期已更新。"]
    task.refresh_from_db()
    assert str(task.due_date) == "2026-03-31"
    html = panel(office, task)
    assert "<strong>已同意</strong>：截止日期由2025-12-31改为2026-03-31" in html
    assert "data-decide-form" not in html
    page = office.get(reverse("tasks:task", args=[task.pk])).content.decode()
    assert "截止日期：2025年12月31日 → 2026年3月31日" in page  # the task's history
    assert ExtensionRequest.objects.get().decided_by == office_user


def test_extension_refused_needs_a_reason(world, client_as, liaison_user, office_user):
    from supervision import services

    task = world.tasks["研发"]
    services.extension_request(
        user=liaison_user, task=task, unit=world.units["科委"], requested_date=dt.date(2026, 3, 31), reason="推迟。"
    )
    office = client_as(office_user)
    decide = form_on(panel(office, task), "data-decide-form")
    response = office.post(decide["attrs"]["action"], {**decide["fields"], "decision": "refuse"}, follow=True)
    assert shown_messages(response.content.decode()) == ["请填写不同意的理由。"]
    response = office.post(
        decide["attrs"]["action"], {**decide["fields"], "decision": "refuse", "reason": "年度目标不变。"}, follow=True
    )
    assert shown_messages(response.content.decode()) == ["已答复：不同意延期。"]
    todo = client_as(liaison_user).get(reverse("supervision:todo")).content.decode()
    assert "<strong>未同意</strong>：年度目标不变。" in todo


@pytest.mark.parametrize("persona", ["admin_user", "office_user", "liaison_user", "leader_user"])
def test_panel_and_task_page_keep_the_query_budget(
    world, client_as, request, persona, office_user, liaison_user, django_assert_max_num_queries
):
    """The task page does not read the panel (it loads from its own address); the panel is one
    UNION query whatever it holds."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from supervision import services

    task = world.tasks["研发"]
    client = client_as(request.getfixturevalue(persona))

    def counts() -> tuple[int, int]:
        out = []
        for url in (reverse("tasks:task", args=[task.pk]), reverse("supervision:task_panel", args=[task.pk])):
            with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx.captured_queries))
        return out[0], out[1]

    empty = counts()
    for n in range(3):
        # Every other chase with its 督办单 (its number and links come in the same UNION).
        chase = services.chase_task(
            user=office_user, task=task, unit=world.units["科委"], clock=_day(n), slip=n % 2 == 0
        )
        services.chase_reply(user=liaison_user, chase=chase, text=f"答复{n}")
        instruction = services.instruction_create(
            user=office_user, task=task, text=f"批示{n}", leader=world.leaders["谭"]
        )
        services.instruction_reply(user=liaison_user, instruction=instruction, unit=world.units["科委"], text="落实")
    services.extension_request(
        user=liaison_user, task=task, unit=world.units["科委"], requested_date=dt.date(2026, 3, 31), reason="推迟。"
    )
    assert counts() == empty


def _day(n: int):
    from tasks.status.clock import Clock
    from tests.factories import TODAY

    return Clock(today=TODAY + dt.timedelta(days=n))


# -- 督办单 with the 催办 ------------------------------------------------------------------------


def _checkbox(html: str, name: str, *, within: str = "") -> str:
    """The <input type="checkbox"> named `name` (after `within`, when given)."""
    start = html.index(within) if within else 0
    return re.search(
        rf'<input type="checkbox" name="{name}"[^>]*>|<input type="checkbox"[^>]*name="{name}"[^>]*>', html[start:]
    ).group(0)


def test_the_chase_forms_offer_the_slip_checked(world, client_as, office_user):
    client = client_as(office_user)
    html = panel(client, world.tasks["零号湾"])
    box = _checkbox(html, "slip", within="data-chase-form")
    assert "checked" in box
    assert '<label for="id_slip">同时生成督办单</label>' in html
    assert "督办单的反馈期限即答复期限，未填写时为5个工作日后（节假日不计）。" in html
    todo = client.get(reverse("supervision:todo")).content.decode()
    box = _checkbox(todo, "slip", within='data-unit-chase="区经委"')
    assert "checked" in box and 'id="slip-' in box
    assert re.search(r'<label for="slip-\d+">同时生成督办单</label>', todo)


def test_the_chase_lists_show_the_slip_with_its_files_to_the_office(
    world, client_as, office_user, liaison_user, clock_at
):
    from documents.models import SupervisionSlip
    from documents.pdf import pdf_available
    from tests.factories import TODAY

    task = world.tasks["零号湾"]
    office = client_as(office_user)
    form = form_on(panel(office, task), "data-chase-form")
    assert form["fields"]["slip"] == "on"  # ticked as rendered: posted as the browser would
    fields = {**form["fields"], "unit": str(world.units["科委"].pk), "reply_by": "2025-06-20"}
    response = office.post(form["attrs"]["action"], fields, follow=True)
    assert shown_messages(response.content.decode()) == ["已向区科委发出催办，并生成督办单 闵督办〔2025〕1号。"]
    slip = SupervisionSlip.objects.get()
    assert (slip.chase, slip.reply_by, list(slip.tasks.all())) == (Chase.objects.get(), dt.date(2025, 6, 20), [task])
    word = reverse("documents:slip_file", args=[slip.pk, "docx"])
    pdf = reverse("documents:slip_file", args=[slip.pk, "pdf"])
    html = panel(office, task)
    assert f'<span class="small" data-chase-slip="闵督办〔2025〕1号">督办单 闵督办〔2025〕1号：<a href="{word}"' in html
    assert (pdf in html) == pdf_available()
    # The unit chased sees the slip's number on the panel and on its to-do, not the files (the office's).
    liaison = client_as(liaison_user)
    html = panel(liaison, task)
    assert '<span class="small" data-chase-slip="闵督办〔2025〕1号">督办单 闵督办〔2025〕1号</span>' in html
    assert word not in html
    todo = liaison.get(reverse("supervision:todo")).content.decode()
    assert '<span class="small" data-chase-slip="闵督办〔2025〕1号">督办单 闵督办〔2025〕1号</span>' in todo
    assert liaison.get(word).status_code == 403
    # Past its reply-by date, unanswered: on the office's to-do with the slip's files.
    clock_at(TODAY + dt.timedelta(days=6))
    office = client_as(office_user)
    todo = office.get(reverse("supervision:todo")).content.decode()
    overdue = todo[todo.index('data-list="overdue_chases"') :]
    assert f'督办单 闵督办〔2025〕1号：<a href="{word}" data-export="docx">Word</a>' in overdue
    assert (pdf in overdue) == pdf_available()


@pytest.mark.parametrize("persona", ["liaison_user", "leader_user", "outsider_user"])
def test_only_those_who_may_chase_make_a_slip_with_it(world, client_as, request, persona):
    from documents.models import DocumentCounter, SupervisionSlip

    client = client_as(request.getfixturevalue(persona))
    task, keji = world.tasks["零号湾"], world.units["科委"]
    data = {"unit": str(keji.pk), "note": "", "reply_by": "2025-06-20", "slip": "on"}
    assert client.post(reverse("supervision:task_chase", args=[task.pk]), data).status_code == 403
    assert client.post(reverse("supervision:unit_chase", args=[keji.pk]), data).status_code == 403
    assert (Chase.objects.count(), SupervisionSlip.objects.count(), DocumentCounter.objects.count()) == (0, 0, 0)


def test_a_leader_praises_through_the_rendered_form(world, client_as, leader_user):
    task = world.tasks["研发"]
    client = client_as(leader_user)
    form = form_on(panel(client, task), "data-instruction-form")
    assert "praise" not in form["fields"]  # unticked as rendered
    fields = {**form["fields"], "text": "研发平台建设成效明显，予以表扬。", "praise": "on"}  # the user ticks 表扬
    response = client.post(form["attrs"]["action"], fields, follow=True)
    assert shown_messages(response.content.decode()) == ["批示已录入，并已通知牵头单位。"]
    assert Instruction.objects.get().praise is True
    assert '<span class="tag ok" data-praise>表扬</span>' in panel(client, task)
    client.post(form["attrs"]["action"], {**form["fields"], "text": "请继续推进。"})
    assert Instruction.objects.filter(praise=False).count() == 1


def test_a_closed_plans_task_offers_no_chase(world, client_as, office_user):
    from django.utils import timezone

    from yearend.models import PlanClosure

    task = world.tasks["零号湾"]
    office = client_as(office_user)
    assert "data-chase-form" in panel(office, task)
    PlanClosure.objects.create(plan=task.plan, closed_by=office_user, closed_at=timezone.now())
    assert "data-chase-form" not in panel(office, task)


def test_a_group_unit_is_listed_without_a_chase_form_and_a_chase_is_refused(
    seed_plans, pinned_clock, client_as, office_user
):
    """相关街镇、园区 stands for many and has no liaison: a chase would reach nobody."""
    from supervision.services.chases import GROUP_UNIT_CHASE
    from tasks.models import Unit, UnitKind, UnitRole

    group = Unit.objects.filter(kind=UnitKind.GROUP, task_links__role=UnitRole.LEAD).distinct().first()
    office = client_as(office_user)
    todo = office.get(reverse("supervision:todo")).content.decode()
    row = re.search(rf'<tr data-silent-unit="{re.escape(group.name)}">.*?</tr>', todo, re.S).group(0)
    assert "泛指单位，没有联络员；请催办具体单位" in row and "<form" not in row
    assert 'data-unit-chase="' in todo  # the other units keep theirs
    response = office.post(reverse("supervision:unit_chase", args=[group.pk]), {"note": "请报送。"}, follow=True)
    assert shown_messages(response.content.decode()) == [GROUP_UNIT_CHASE.format(unit=group.name)]
    assert not Chase.objects.exists()
