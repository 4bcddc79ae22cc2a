"""supervision.services: 催办 (rate limit, who, what is written), 批示 and 落实情况, the last visit.

World (tests.factories): 区科委 co-leads 零号湾 (not reported by it this period) and 研发 (reported);
服务包 is led by 区经委 with 区科委 in support; 撤销 is withdrawn; 谭瑞琮 leads 服务包, 撤销 and 研发."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from notifications.models import Message, MessageKind
from supervision import services
from supervision.models import Chase, ChaseItem, Instruction, InstructionReply, TodoVisit
from tests.factories import TODAY, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(pinned_clock):
    return world_build()


def _written() -> tuple[int, int, int]:
    return Chase.objects.count(), ChaseItem.objects.count(), Message.objects.count()


def test_chase_task_writes_the_chase_and_messages_the_units_liaisons(world, office_user, liaison_user, user_make):
    from tasks.models import Role

    other = user_make("jingwei", Role.LIAISON, units=["区经委"])
    task = world.tasks["零号湾"]
    chase = services.chase_task(
        user=office_user,
        task=task,
        unit=world.units["科委"],
        note="请尽快报送。",
        reply_by=TODAY + dt.timedelta(days=3),
    )
    item = chase.items.get()
    assert (item.task, item.unit, item.day, item.period) == (task, world.units["科委"], TODAY, dt.date(2025, 6, 1))
    assert (chase.created_by, chase.note, chase.reply_by) == (office_user, "请尽快报送。", dt.date(2025, 6, 18))
    [message] = Message.objects.filter(kind=MessageKind.CHASE)
    assert message.recipient == liaison_user and message.task == task
    assert message.event_key == f"supervision:chase:{chase.pk}"
    assert message.title == f"催办：区科委 第{task.number}项 {task.title}"
    assert "催办意见：请尽快报送。" in message.body and "请于2025年6月18日（周三）前报送或答复。" in message.body
    assert not Message.objects.filter(recipient=other).exists()


def test_second_chase_of_a_task_the_same_day_is_refused_and_writes_nothing(world, office_user, clock_at):
    task, unit = world.tasks["零号湾"], world.units["科委"]
    services.chase_task(user=office_user, task=task, unit=unit)
    before = _written()
    with pytest.raises(ValidationError) as refused:
        services.chase_task(user=office_user, task=task, unit=unit, note="再催一次")
    assert refused.value.messages == [f"今天已催办过第{task.number}项任务，每项任务每个单位每天只能催办一次。"]
    assert _written() == before
    # The other lead unit of the same task may still be chased today; the next day the first again.
    services.chase_task(user=office_user, task=task, unit=world.units["发改"])
    clock_at(TODAY + dt.timedelta(days=1))
    services.chase_task(user=office_user, task=task, unit=unit)
    assert ChaseItem.objects.filter(task=task, unit=unit).count() == 2


def test_the_database_holds_the_limit_when_two_offices_press_at_once(world, office_user):
    task, unit = world.tasks["零号湾"], world.units["科委"]
    chase = services.chase_task(user=office_user, task=task, unit=unit)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChaseItem.objects.create(chase=chase, task=task, unit=unit, day=TODAY, period=TODAY)


@pytest.mark.parametrize(
    ("task_name", "unit_name", "kwargs", "error"),
    [
        ("服务包", "科委", {}, "只能催办该任务的牵头单位。"),
        ("撤销", "经委", {}, "该任务已撤销，不能催办。"),
        ("零号湾", "科委", {"reply_by": TODAY - dt.timedelta(days=1)}, "答复期限不能早于今天。"),
        ("零号湾", "科委", {"note": "长" * 2001}, "催办意见不能超过2000字。"),
    ],
)
def test_bad_chases_are_refused_in_chinese(world, office_user, task_name, unit_name, kwargs, error):
    before = _written()
    with pytest.raises(ValidationError) as refused:
        services.chase_task(user=office_user, task=world.tasks[task_name], unit=world.units[unit_name], **kwargs)
    assert refused.value.messages == [error]
    assert _written() == before


@pytest.mark.parametrize("persona", ["liaison_user", "leader_user", "outsider_user"])
def test_only_the_office_chases(world, request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.chase_task(user=user, task=world.tasks["零号湾"], unit=world.units["科委"])
    with pytest.raises(PermissionDenied):
        services.chase_unit(user=user, unit=world.units["科委"])
    assert _written() == (0, 0, 0)


def test_chase_unit_covers_its_unreported_tasks_except_those_chased_today(world, office_user, liaison_user):
    from tasks.models import TaskUnit

    keji = world.units["科委"]
    silent = set(
        TaskUnit.objects.lead()
        .on_active()
        .filter(unit=keji)
        .with_status(world_clock())
        .silent()
        .values_list("task_id", flat=True)
    )
    assert world.tasks["零号湾"].pk in silent and world.tasks["研发"].pk not in silent
    chase = services.chase_unit(user=office_user, unit=keji, note="本月尚未报送。")
    assert set(chase.items.values_list("task_id", flat=True)) == silent
    [message] = Message.objects.filter(recipient=liaison_user)
    only = next(iter(silent))
    assert message.link == ("/todo/" if len(silent) > 1 else f"/tasks/{only}/#supervision")
    before = _written()
    with pytest.raises(ValidationError) as refused:
        services.chase_unit(user=office_user, unit=keji)
    assert refused.value.messages == ["今天已催办过区科委的全部未报送任务，每项任务每个单位每天只能催办一次。"]
    assert _written() == before


def test_chase_unit_with_nothing_unreported_is_refused(world, office_user):
    with pytest.raises(ValidationError) as refused:
        services.chase_unit(user=office_user, unit=world.units["莘庄镇"])
    assert refused.value.messages == ["莘庄镇本期没有未报送的任务，无需催办。"]
    assert _written() == (0, 0, 0)


def world_clock():
    from tests.factories import CLOCK

    return CLOCK


def test_chase_reply_by_the_units_liaison_once(world, office_user, liaison_user, user_make):
    from tasks.models import Role

    chase = services.chase_task(user=office_user, task=world.tasks["零号湾"], unit=world.units["科委"])
    stranger = user_make("jingwei", Role.LIAISON, units=["区经委"])
    with pytest.raises(PermissionDenied):
        services.chase_reply(user=stranger, chase=chase, text="不是我们的")
    with pytest.raises(ValidationError) as empty:
        services.chase_reply(user=liaison_user, chase=chase, text="   ")
    assert empty.value.messages == ["请填写答复内容。"]
    services.chase_reply(user=liaison_user, chase=chase, text="已安排专人报送。")
    chase.refresh_from_db()
    assert (chase.reply_text, chase.replied_by) == ("已安排专人报送。", liaison_user)
    with pytest.raises(ValidationError) as twice:
        services.chase_reply(user=liaison_user, chase=chase, text="再答复")
    assert twice.value.messages == ["该催办已答复。"]
    chase.refresh_from_db()
    assert chase.reply_text == "已安排专人报送。"


def test_a_leader_instructs_on_their_own_task_and_the_lead_units_hear_of_it(world, leader_user, liaison_user):
    task = world.tasks["研发"]
    instruction = services.instruction_create(user=leader_user, task=task, text="加快平台建设。")
    assert (instruction.leader.name, instruction.on_behalf, instruction.written_by) == ("谭瑞琮", False, leader_user)
    [message] = Message.objects.filter(kind=MessageKind.INSTRUCTION)
    assert message.recipient == liaison_user and message.task == task
    assert message.body == "谭瑞琮批示：加快平台建设。\n请在任务页填写落实情况。"


def test_a_leader_cannot_instruct_on_a_task_they_do_not_lead(world, leader_user):
    with pytest.raises(PermissionDenied):
        services.instruction_create(user=leader_user, task=world.tasks["营商"], text="批示")  # 赵亮's
    assert not Instruction.objects.exists()


def test_the_office_records_an_instruction_for_a_leader_of_the_task(world, office_user):
    task = world.tasks["研发"]
    for leader, error in ((None, "请选择该任务的牵头领导。"), (world.leaders["谭"], None)):
        if error:
            with pytest.raises(ValidationError) as refused:
                services.instruction_create(user=office_user, task=task, text="批示", leader=leader)
            assert refused.value.messages == [error]
            continue
        instruction = services.instruction_create(user=office_user, task=task, text="代录批示。", leader=leader)
        assert instruction.on_behalf and instruction.leader == leader
    with pytest.raises(ValidationError) as not_theirs:
        services.instruction_create(user=office_user, task=world.tasks["营商"], text="批示", leader=world.leaders["谭"])
    assert not_theirs.value.messages == ["请选择该任务的牵头领导。"]
    with pytest.raises(ValidationError) as empty:
        services.instruction_create(user=office_user, task=task, text=" ", leader=world.leaders["谭"])
    assert empty.value.messages == ["请填写批示内容。"]
    assert Instruction.objects.count() == 1


@pytest.mark.parametrize("persona", ["liaison_user", "outsider_user"])
def test_liaisons_and_outsiders_cannot_instruct(world, request, persona):
    with pytest.raises(PermissionDenied):
        services.instruction_create(
            user=request.getfixturevalue(persona), task=world.tasks["研发"], text="批示", leader=world.leaders["谭"]
        )


def test_fulfilment_once_per_lead_unit_by_its_own_liaison(world, leader_user, liaison_user, user_make):
    from tasks.models import Role

    instruction = services.instruction_create(user=leader_user, task=world.tasks["研发"], text="加快。")
    keji, chengtou = world.units["科委"], world.units["城投"]
    with pytest.raises(PermissionDenied):
        services.instruction_reply(user=liaison_user, instruction=instruction, unit=chengtou, text="代填")
    stranger = user_make("jingwei", Role.LIAISON, units=["区经委"])
    with pytest.raises(PermissionDenied):
        services.instruction_reply(user=stranger, instruction=instruction, unit=world.units["经委"], text="落实")
    with pytest.raises(ValidationError) as empty:
        services.instruction_reply(user=liaison_user, instruction=instruction, unit=keji, text="")
    assert empty.value.messages == ["请填写落实情况。"]
    services.instruction_reply(user=liaison_user, instruction=instruction, unit=keji, text="已完成平台选址。")
    with pytest.raises(ValidationError) as twice:
        services.instruction_reply(user=liaison_user, instruction=instruction, unit=keji, text="再填")
    assert twice.value.messages == ["区科委已填写过该批示的落实情况。"]
    assert list(InstructionReply.objects.values_list("text", flat=True)) == ["已完成平台选址。"]


def test_todo_visit_returns_the_previous_visit(office_user):
    assert services.todo_visit_mark(user=office_user) is None
    first = TodoVisit.objects.get(user=office_user).seen_at
    assert services.todo_visit_mark(user=office_user) == first
    assert TodoVisit.objects.get(user=office_user).seen_at >= first


# -- 申请延期 ------------------------------------------------------------------------------------


def _light(task) -> str:
    from tasks.models import Task

    return Task.objects.with_status(world_clock()).annotate(shown=F("light")).get(pk=task.pk).shown


def test_extension_request_changes_nothing_on_the_task_until_decided(world, liaison_user, office_user):
    from supervision.models import ExtensionState

    task = world.tasks["研发"]
    light = _light(task)
    extension = services.extension_request(
        user=liaison_user,
        task=task,
        unit=world.units["科委"],
        requested_date=dt.date(2026, 3, 31),
        reason="设备到货推迟。",
    )
    assert (extension.state, extension.original_due_date) == (ExtensionState.PENDING, dt.date(2025, 12, 31))
    task.refresh_from_db()
    assert task.due_date == dt.date(2025, 12, 31) and _light(task) == light
    [message] = Message.objects.filter(kind=MessageKind.EXTENSION)
    assert message.recipient == office_user
    assert message.body == "区科委申请将截止日期延至2026年3月31日（周二）。理由：设备到货推迟。"


@pytest.mark.parametrize(
    ("requested", "reason", "error"),
    [
        (dt.date(2025, 12, 31), "理由", "申请延至的日期须晚于现在的截止日期（2025-12-31）。"),
        (TODAY, "理由", "申请延至的日期须晚于今天。"),
        (None, "理由", "请选择申请延至的日期。"),
        (dt.date(2026, 3, 31), "  ", "请填写申请理由。"),
        (dt.date(2200, 1, 1), "理由", "申请延至的日期应在2000-01-01至2100-12-31之间。"),
    ],
)
def test_bad_extension_requests_are_refused(world, liaison_user, requested, reason, error):
    from supervision.models import ExtensionRequest

    with pytest.raises(ValidationError) as refused:
        services.extension_request(
            user=liaison_user,
            task=world.tasks["研发"],
            unit=world.units["科委"],
            requested_date=requested,
            reason=reason,
        )
    assert refused.value.messages == [error]
    assert not ExtensionRequest.objects.exists() and not Message.objects.exists()


def test_one_pending_extension_per_task_and_unit(world, liaison_user):
    from supervision.models import ExtensionRequest

    kwargs = {"task": world.tasks["研发"], "unit": world.units["科委"], "requested_date": dt.date(2026, 3, 31)}
    services.extension_request(user=liaison_user, reason="一", **kwargs)
    with pytest.raises(ValidationError) as refused:
        services.extension_request(user=liaison_user, reason="二", **kwargs)
    assert refused.value.messages == ["该任务已有本单位待审批的延期申请。"]
    assert ExtensionRequest.objects.count() == 1


@pytest.mark.parametrize("persona", ["leader_user", "outsider_user", "jingwei"])
def test_only_the_units_own_people_request_an_extension(world, request, user_make, persona):
    from supervision.models import ExtensionRequest
    from tasks.models import Role

    user = (
        user_make("jingwei", Role.LIAISON, units=["区经委"])
        if persona == "jingwei"
        else request.getfixturevalue(persona)
    )
    with pytest.raises(PermissionDenied):
        services.extension_request(
            user=user,
            task=world.tasks["研发"],
            unit=world.units["科委"],
            requested_date=dt.date(2026, 3, 31),
            reason="理由",
        )
    assert not ExtensionRequest.objects.exists()


def test_office_approves_an_extension_the_due_date_changes_with_history(world, liaison_user, office_user):
    from supervision.models import ExtensionState

    task = world.tasks["研发"]
    extension = services.extension_request(
        user=liaison_user, task=task, unit=world.units["科委"], requested_date=dt.date(2026, 3, 31), reason="推迟。"
    )
    with pytest.raises(PermissionDenied):
        services.extension_decide(
            user=liaison_user, extension=extension, approve=True, granted_date=dt.date(2026, 3, 31)
        )
    decided = services.extension_decide(
        user=office_user, extension=extension, approve=True, granted_date=dt.date(2026, 2, 28), reason="同意延至2月底。"
    )
    task.refresh_from_db()
    assert task.due_date == dt.date(2026, 2, 28)
    assert (decided.state, decided.original_due_date, decided.granted_date) == (
        ExtensionState.APPROVED,
        dt.date(2025, 12, 31),
        dt.date(2026, 2, 28),
    )
    assert task.history.first().history_change_reason == "修改截止日期"
    [answer] = Message.objects.filter(kind=MessageKind.EXTENSION, recipient=liaison_user)
    assert answer.body == (
        "督查室同意延期，截止日期由2025年12月31日（周三）改为2026年2月28日（周六）。\n审批意见：同意延至2月底。"
    )
    with pytest.raises(ValidationError) as twice:
        services.extension_decide(user=office_user, extension=extension, approve=False, reason="再议")
    assert twice.value.messages == ["该延期申请已审批。"]


EARLIER = "批准延至的日期须晚于现在的截止日期（2025-12-31）。"


def test_office_refuses_an_extension_with_a_reason(world, liaison_user, office_user):
    from supervision.models import ExtensionState

    task = world.tasks["研发"]
    extension = services.extension_request(
        user=liaison_user, task=task, unit=world.units["科委"], requested_date=dt.date(2026, 3, 31), reason="推迟。"
    )
    for kwargs, error in (
        ({"approve": False, "reason": ""}, "请填写不同意的理由。"),
        ({"approve": True, "granted_date": None}, "请填写批准延至的日期。"),
        ({"approve": True, "granted_date": TODAY - dt.timedelta(days=1)}, "批准延至的日期不能早于今天。"),
        # An approval never moves the deadline earlier, nor to the day it already is.
        ({"approve": True, "granted_date": dt.date(2025, 10, 1)}, EARLIER),
        ({"approve": True, "granted_date": dt.date(2025, 12, 31)}, EARLIER),
        ({"approve": True, "granted_date": dt.date(2101, 1, 1)}, "批准延至的日期应在2000-01-01至2100-12-31之间。"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.extension_decide(user=office_user, extension=extension, **kwargs)
        assert refused.value.messages == [error]
    extension.refresh_from_db()
    task.refresh_from_db()
    assert (extension.state, task.due_date) == (ExtensionState.PENDING, dt.date(2025, 12, 31))
    services.extension_decide(user=office_user, extension=extension, approve=False, reason="年度目标不变。")
    extension.refresh_from_db()
    task.refresh_from_db()
    assert (extension.state, task.due_date) == (ExtensionState.REFUSED, dt.date(2025, 12, 31))
    assert Message.objects.get(recipient=liaison_user).body == "督查室未同意延期。理由：年度目标不变。"


# -- 督办单 with the 催办 ------------------------------------------------------------------------


def _slip_form(slip) -> tuple[list[str], dict[str, str], list[str]]:
    """The slip's .docx opened with python-docx: its paragraphs, its form (label → value) and the
    receipt's first row."""
    import io

    import docx

    document = docx.Document(io.BytesIO(bytes(slip.docx)))
    form = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    return [p.text for p in document.paragraphs], form, [c.text for c in document.tables[1].rows[0].cells]


def _documents_written() -> tuple[int, int]:
    from documents.models import DocumentCounter, SupervisionSlip

    return SupervisionSlip.objects.count(), DocumentCounter.objects.count()


def test_a_unit_chase_with_a_slip_covers_exactly_the_chased_tasks(world, office_user, user_make):
    from documents.models import SlipKind, SlipSource
    from tasks.models import Role

    jingwei = user_make("jingwei", Role.LIAISON, units=["区经委"])
    reply_by = TODAY + dt.timedelta(days=5)
    jingwei_unit = world.units["经委"]
    chase = services.chase_unit(user=office_user, unit=jingwei_unit, note="请尽快报送。", reply_by=reply_by, slip=True)
    slip = chase.slip
    chased = [world.tasks["产业"], world.tasks["服务包"]]  # five-year plan first, then the annual one
    assert set(chase.items.values_list("task_id", flat=True)) == {t.pk for t in chased}
    assert set(slip.tasks.values_list("pk", flat=True)) == {t.pk for t in chased}
    assert (slip.number, slip.kind, slip.source, slip.unit, slip.task, slip.created_by) == (
        "闵督办〔2025〕1号",
        SlipKind.UNIT_SILENT,
        SlipSource.CHASE,
        world.units["经委"],
        None,
        office_user,
    )
    assert (slip.reply_by, slip.requirement, slip.subject) == (
        chase.reply_by,
        "请尽快报送。",
        "区经委本期未报送进展的牵头任务2项",
    )
    paragraphs, form, receipt = _slip_form(slip)
    assert paragraphs[2] == "编号：闵督办〔2025〕1号\t2025年6月15日"
    assert form["承办单位"] == "区经委"
    assert form["督办事项"].split("\n") == [
        "牵头的2项任务本期尚未报送进展：",
        # Tasks of two plans: each cited with its plan's short form (the numbers repeat across plans).
        "1. “十四五”规划重点任务第3项：推动制造业高质量发展，建设现代化产业体系。（截止未设定，未报送）",
        "2. 2025年重点工作第2项：优化落实重点企业“服务包”制度。（截止2025年7月1日，未报送）",
    ]
    assert form["督办要求"] == "请尽快报送。"
    assert form["反馈期限"] == "2025年6月20日前（反馈至闵行区人民政府督查室）"
    assert receipt == ["督办单号", "闵督办〔2025〕1号", "承办单位", "区经委"]
    [message] = Message.objects.filter(recipient=jingwei)
    assert "督查室同时印发督办单（闵督办〔2025〕1号），请按督办单要求反馈。" in message.body


def test_a_task_chase_with_a_slip_goes_to_the_chased_unit_by_its_reply_date(world, office_user):
    from documents.models import SlipKind

    task = world.tasks["零号湾"]  # 区科委 and 区发展改革委 lead it
    chase = services.chase_task(user=office_user, task=task, unit=world.units["科委"], slip=True)
    slip = chase.slip
    # No 答复期限 given: five working days (Sunday the 15th → Friday the 20th), chase and slip alike.
    assert chase.reply_by == slip.reply_by == dt.date(2025, 6, 20)
    assert (slip.kind, slip.task, slip.unit, slip.unit_name) == (SlipKind.TASK, task, world.units["科委"], "区科委")
    assert list(slip.tasks.all()) == [task]
    _, form, receipt = _slip_form(slip)
    assert form["督办事项"] == f"第{task.number}项：{task.text}"
    assert form["反馈期限"] == "2025年6月20日前（反馈至闵行区人民政府督查室）"
    assert "2025年6月20日前书面反馈" in form["督办要求"]  # no 催办意见: the default requirement
    # The slip goes to the one unit chased, so its receipt names it.
    assert receipt == ["督办单号", "闵督办〔2025〕1号", "承办单位", "区科委"]
    # Without the box: a chase and no slip.
    other = services.chase_task(user=office_user, task=task, unit=world.units["发改"])
    assert not hasattr(other, "slip") and _documents_written() == (1, 1)


def test_a_chase_whose_slip_is_refused_writes_nothing(world, office_user):
    task, unit = world.tasks["零号湾"], world.units["科委"]
    before = _written()
    with pytest.raises(ValidationError) as refused:
        services.chase_task(user=office_user, task=task, unit=unit, note="请" * 201, slip=True)
    assert refused.value.messages == ["同时生成督办单时，催办意见即督办单的督办要求，不能超过200字。"]
    assert _written() == before and _documents_written() == (0, 0)
    # The slip cannot be stored (its number is taken, as by a row written outside the system):
    # the chase, its items and its message are rolled back with it.
    from documents.models import SupervisionSlip

    taken = {"year": 2025, "sequence": 99, "number": "闵督办〔2025〕1号", "kind": "task", "reply_by": TODAY}
    SupervisionSlip.objects.create(**taken, unit_name="区科委", subject="—", requirement="—", docx=b"")
    with pytest.raises(ValidationError) as refused:
        services.chase_task(user=office_user, task=task, unit=unit, slip=True)
    assert refused.value.messages == ["督办单未能编号保存，催办未发出，请重试。"]
    assert _written() == before and _documents_written() == (1, 0)
    # A long note without a slip is a chase like any other.
    services.chase_task(user=office_user, task=task, unit=unit, note="请" * 201)
    assert _documents_written() == (1, 0)


@pytest.mark.parametrize("persona", ["liaison_user", "leader_user", "outsider_user"])
def test_only_the_office_chases_with_a_slip(world, request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.chase_task(user=user, task=world.tasks["零号湾"], unit=world.units["科委"], slip=True)
    with pytest.raises(PermissionDenied):
        services.chase_unit(user=user, unit=world.units["经委"], slip=True)
    assert _written() == (0, 0, 0) and _documents_written() == (0, 0)


def test_a_task_of_a_closed_plan_is_not_chased(world, office_user):
    from django.utils import timezone

    from yearend.models import PlanClosure

    task = world.tasks["研发"]
    PlanClosure.objects.create(plan=task.plan, closed_by=office_user, closed_at=timezone.now())
    with pytest.raises(ValidationError) as refused:
        services.chase_task(user=office_user, task=task, unit=world.units["科委"], slip=True)
    assert refused.value.messages == ["该任务所属规划已年终办结，不能催办。"]
    assert not Chase.objects.exists()


def test_a_instructions_message_opens_the_tasks_supervision_panel(world, leader_user, liaison_user):
    """查看 on a 批示 message lands where 落实情况 is written, not at the top of the task page."""
    task = world.tasks["研发"]
    services.instruction_create(user=leader_user, task=task, text="请加快推进。")
    [message] = Message.objects.filter(recipient=liaison_user, kind=MessageKind.INSTRUCTION)
    assert message.link == f"/tasks/{task.pk}/#supervision"


def test_the_default_reply_date_counts_working_days_past_a_holiday(world, office_user, clock_at):
    """Friday 2025-09-26: five working days later is Friday 10-10 (the make-up Sunday of 09-28
    counts, 国庆 1–8 October does not), not Friday 10-03 in the middle of the holiday."""
    clock_at(dt.date(2025, 9, 26))
    task = world.tasks["零号湾"]
    chase = services.chase_task(user=office_user, task=task, unit=world.units["科委"], slip=True)
    assert chase.reply_by == chase.slip.reply_by == dt.date(2025, 10, 10)
