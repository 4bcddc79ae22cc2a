"""站内消息 and the one sending interface; the scheduled reminders on the real worker."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.core import mail
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse
from django_q.models import Schedule

from jobs.worker import queue_drain
from notifications.models import Message, MessageKind
from notifications.services import message_send
from tasks.selectors import Clock
from tests.conftest import _make_user
from tests.factories import world_build

D = dt.date


def _send(users, key="review:report1:returned", **kw):
    return message_send(
        recipients=users,
        kind=MessageKind.REVIEW,
        title="进展报告已退回",
        body="请补充佐证材料。",
        link="/tasks/1/",
        event_key=key,
        **kw,
    )


# -- the sending interface -------------------------------------------------------------


@pytest.mark.django_db
def test_send_creates_one_message_per_recipient_and_emails_after_commit(
    locmem_mail, liaison_user, office_user, django_capture_on_commit_callbacks
):
    liaison_user.email = "keji@example.gov.cn"
    liaison_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        created = _send([liaison_user, office_user, liaison_user])
        assert mail.outbox == []  # nothing leaves before the transaction commits
    assert [m.recipient for m in created] == [liaison_user, office_user]
    # The office account has no e-mail address: in-app only.
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["keji@example.gov.cn"] and sent.subject == "【任务跟踪】进展报告已退回"
    assert sent.body.startswith("请补充佐证材料。\n\n查看：http://127.0.0.1:8000/tasks/1/")
    assert sent.message()["Date"].endswith(" +0800")  # Beijing time (EMAIL_USE_LOCALTIME), not "-0000"
    assert Message.objects.get(recipient=liaison_user).emailed_at is not None
    assert Message.objects.get(recipient=office_user).emailed_at is None


@pytest.mark.django_db
def test_sending_the_same_event_again_sends_nothing(
    locmem_mail, liaison_user, office_user, django_capture_on_commit_callbacks
):
    liaison_user.email = "keji@example.gov.cn"
    liaison_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        _send([liaison_user])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert _send([liaison_user]) == []
        # A recipient added later still gets it, once.
        assert [m.recipient for m in _send([liaison_user, office_user])] == [office_user]
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert Message.objects.count() == 2


@pytest.mark.django_db
def test_the_database_refuses_a_second_copy_of_an_event_for_a_recipient(liaison_user):
    _send([liaison_user])
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(
            recipient=liaison_user, kind=MessageKind.REVIEW, title="x", event_key="review:report1:returned"
        )


@pytest.mark.django_db
def test_inactive_accounts_get_nothing_and_bad_input_writes_nothing(liaison_user, office_user):
    office_user.is_active = False
    office_user.save()
    assert [m.recipient for m in _send([liaison_user, office_user])] == [liaison_user]
    with pytest.raises(ValueError):
        message_send(recipients=[liaison_user], kind="sms", title="t", body="", event_key="k2")
    with pytest.raises(ValueError):
        message_send(recipients=[liaison_user], kind=MessageKind.REVIEW, title="", body="", event_key="k3")
    assert Message.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real PostgreSQL connections")
def test_two_workers_sending_the_same_event_at_once_send_it_once(locmem_mail, liaison_user):
    """Two senders (two workers, two app servers) race on one event: the unique key decides."""
    liaison_user.email = "keji@example.gov.cn"
    liaison_user.save()
    barrier = threading.Barrier(2)
    created: dict[str, list] = {}

    def send(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                created[name] = _send([liaison_user], key="race:1")
                time.sleep(0.5)  # hold the uncommitted row while the other sender tries
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(len(c) for c in created.values()) == [0, 1]
    assert Message.objects.filter(event_key="race:1").count() == 1
    assert len(mail.outbox) == 1


# -- the message pages -------------------------------------------------------------------


@pytest.mark.django_db
def test_message_list_shows_only_my_messages_and_marks_them_read(client_as, liaison_user, office_user):
    _send([liaison_user, office_user])
    _send([office_user], key="chase:1")
    mine = Message.objects.get(recipient=liaison_user)
    client = client_as(liaison_user)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "未读 <strong data-unread-count>1</strong> 条" in page
    assert "进展报告已退回" in page and "请补充佐证材料。" in page and "标为已读" in page
    # Someone else's message: 404, and it stays unread.
    theirs = Message.objects.filter(recipient=office_user).first()
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    # 查看 marks it read and goes where it leads.
    response = client.post(reverse("notifications:read", args=[mine.pk]), {"open": "1"})
    assert response.status_code == 302 and response.url == "/tasks/1/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert "没有未读消息。" in client.get(reverse("notifications:list") + "?show=unread").content.decode()
    assert Message.objects.filter(recipient=office_user, read_at__isnull=True).count() == 2


@pytest.mark.django_db
def test_mark_all_read_touches_only_my_inbox(client_as, liaison_user, office_user):
    for i in range(3):
        _send([liaison_user, office_user], key=f"event{i}")
    client_as(liaison_user).post(reverse("notifications:read_all"))
    assert not Message.objects.filter(recipient=liaison_user, read_at__isnull=True).exists()
    assert Message.objects.filter(recipient=office_user, read_at__isnull=True).count() == 3


@pytest.mark.django_db
def test_message_list_pages_and_keeps_the_query_budget(client_as, liaison_user, django_assert_max_num_queries):
    world = world_build()
    task = world.tasks["研发"]
    for i in range(45):
        _send([liaison_user], key=f"event{i}", task=task)
    client = client_as(liaison_user)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("notifications:list") + "?page=3").content.decode()
    assert "第3页，共3页" in page and "第4项 全社会研发经费支出相当于地区生产总值的比例保持在" in page
    assert page.count('class="unread"') == 5


@pytest.mark.django_db
def test_get_cannot_mark_read(client_as, liaison_user):
    message = _send([liaison_user])[0]
    client = client_as(liaison_user)
    assert client.get(reverse("notifications:read", args=[message.pk])).status_code == 405
    assert client.get(reverse("notifications:read_all")).status_code == 405


@pytest.mark.django_db
def test_message_list_needs_a_login(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# -- scheduled reminders, on the real worker -------------------------------------------------


@pytest.fixture
def on_day(monkeypatch):
    """on_day(date): pin "today" for the worker's jobs (it runs in this process)."""
    from tasks import selectors

    def pin(day):
        monkeypatch.setattr(selectors.Clock, "now", classmethod(lambda cls: Clock(today=day)))

    return pin


def run_schedule(name: str) -> int:
    """Make the named schedule due and let the real worker queue and run it, as the cluster does."""
    Schedule.objects.filter(name=name).update(next_run=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    return queue_drain(schedules=True)


REMIND = "报送提醒（截止前）"
ESCALATE = "逾期催报（截止后）"
WEEKLY = "督查室每周汇总"


@pytest.fixture
def people(db, locmem_mail):
    world = world_build()
    keji = _make_user("keji", None, units=["区科委"])
    chengtou = _make_user("chengtou", None, units=["闵行城投公司"])
    jingwei = _make_user("jingwei", None, units=["区经委"])
    from tasks.models import Role

    office = _make_user("office", Role.OFFICE)
    leader = _make_user("tan", Role.LEADER, leader="谭瑞琮")
    for user in (keji, chengtou, jingwei, office, leader):
        user.email = f"{user.username}@example.gov.cn"
        user.save()
    return world, {"keji": keji, "chengtou": chengtou, "jingwei": jingwei, "office": office, "leader": leader}


def inbox(user, period=""):
    """The user's messages, in order; only those about `period` (2025年5月) if given."""
    return list(Message.objects.filter(recipient=user, title__startswith=period).order_by("pk"))


worker_db = pytest.mark.django_db(transaction=True)


@worker_db
def test_reminder_goes_n_working_days_before_the_deadline_and_only_once(people, on_day, settings):
    world, who = people
    settings.REMINDER_WORKDAYS_BEFORE = 3
    # September 2025: the deadline is Thursday the 25th; three working days before is Monday the 22nd.
    on_day(D(2025, 9, 19))
    run_schedule(REMIND)
    assert Message.objects.count() == 0 and mail.outbox == []
    on_day(D(2025, 9, 22))
    assert run_schedule(REMIND) == 1
    [reminder] = inbox(who["keji"])
    assert reminder.title == "2025年9月进展报送提醒（区科委）"
    assert reminder.kind == MessageKind.REMINDER
    # Two: 区科委's third lead task (十四五 第1项) is 已完成 and owes nothing, as on 我的待办.
    assert reminder.body.startswith(
        "区科委尚有2项任务未报送2025年9月进展，报送截止日期为2025年9月25日（周四），还有3个工作日：\n"
    )
    assert "  - 《2025年区委、区政府重点工作》第4项 全社会研发经费支出相当于地区生产总值的比例保持在" in reminder.body
    assert reminder.link == reverse("tasks:unit", args=[world.units["科委"].pk])
    sent = len(mail.outbox)
    assert sent == Message.objects.count() and {m.to[0] for m in mail.outbox} >= {
        "keji@example.gov.cn",
        "chengtou@example.gov.cn",
        "jingwei@example.gov.cn",
    }
    # The worker runs it again the same day and the next: nothing is sent twice.
    run_schedule(REMIND)
    on_day(D(2025, 9, 23))
    run_schedule(REMIND)
    assert len(mail.outbox) == sent and Message.objects.count() == sent
    # Nobody but the units' liaisons is reminded before the deadline.
    assert inbox(who["office"]) == [] and inbox(who["leader"]) == []


@worker_db
def test_escalation_around_a_window_closing_on_a_friday_before_a_holiday(people, on_day, settings):
    world, who = people
    settings.REPORT_DUE_DAY = 30  # May 2025: the deadline is Friday the 30th; 05-31…06-02 is the Dragon Boat holiday
    settings.ESCALATION_WORKDAYS_AFTER = 2
    on_day(D(2025, 5, 30))
    run_schedule(ESCALATE)
    on_day(D(2025, 6, 2))  # a holiday Monday: the daily jobs send nothing
    run_schedule(ESCALATE)
    may = Message.objects.filter(title__startswith="2025年5月")
    assert may.count() == 0  # (April's period, long closed, is escalated from the 30th on)
    on_day(D(2025, 6, 3))  # the first working day after the deadline: the units' liaisons
    run_schedule(ESCALATE)
    [escalation] = inbox(who["chengtou"], "2025年5月")
    assert escalation.title == "2025年5月进展逾期未报送（闵行城投公司）"
    # May has closed (the form takes June's report now): not "请尽快报送", but 缺报 and what to do.
    assert escalation.body.startswith(
        "2025年5月进展的报送截止日期2025年5月30日（周五）已过，报送期已结束，闵行城投公司有1项任务未报送，"
        "记为缺报，不能再补报。请在报送2025年6月进展时一并说明上述任务的进展；如有特殊情况，请联系督查室：\n"
    )
    assert inbox(who["office"], "2025年5月") == [] and inbox(who["leader"], "2025年5月") == []
    on_day(D(2025, 6, 4))  # two working days after the deadline: the leader and the office, one digest each
    run_schedule(ESCALATE)
    [digest] = inbox(who["leader"], "2025年5月")
    assert digest.title == "2025年5月进展逾期未报送汇总" and digest.kind == MessageKind.DIGEST
    assert digest.body == (
        "截至2025年6月4日，您牵头的2项任务仍有单位未报送2025年5月进展，截止日期为2025年5月30日（周五）：\n"
        "  - 《2025年区委、区政府重点工作》第2项 优化落实重点企业“服务包”制度。（未报送：区经委）\n"
        "  - 《2025年区委、区政府重点工作》第4项 全社会研发经费支出相当于地区生产总值的比例保持在10%左右。"
        "（未报送：闵行城投公司）"
    )
    assert digest.link == reverse("tasks:leader", args=[world.leaders["谭"].pk])
    [office] = inbox(who["office"], "2025年5月")
    assert office.title == "2025年5月进展逾期未报送汇总（督查室）"
    assert "已逾期2个工作日" in office.body and "  - 闵行城投公司：1项" in office.body
    sent = len(mail.outbox)
    assert sent == Message.objects.count()
    on_day(D(2025, 6, 5))
    run_schedule(ESCALATE)
    run_schedule(ESCALATE)
    assert len(mail.outbox) == sent and Message.objects.count() == sent
    assert [len(inbox(who[name], "2025年5月")) for name in ("leader", "office", "chengtou")] == [1, 1, 1]


@worker_db
def test_escalation_is_sent_on_a_make_up_sunday(people, on_day):
    _world, who = people
    on_day(D(2025, 9, 27))  # Saturday: no
    run_schedule(ESCALATE)
    assert inbox(who["keji"]) == []
    on_day(D(2025, 9, 28))  # Sunday, but a make-up working day (调休) before the National Day
    run_schedule(ESCALATE)
    assert [m.title for m in inbox(who["keji"], "2025年9月")] == ["2025年9月进展逾期未报送（区科委）"]


@worker_db
def test_a_year_the_calendar_does_not_cover_is_counted_monday_to_friday_and_the_reminder_says_so(people, on_day):
    from tasks.models import Category, Plan, PlanKind, Task, TaskUnit, UnitRole
    from tasks.services import task_status_refresh

    world, who = people
    plan = Plan.objects.create(title="2027年重点工作", kind=PlanKind.ANNUAL, year_start=2027, year_end=2027)
    category = Category.objects.create(plan=plan, order=1, name="科技创新")
    task = Task.objects.create(
        plan=plan, category=category, number="1", position=1, text="建设创新载体。", title="建设创新载体。"
    )
    TaskUnit.objects.create(task=task, unit=world.units["科委"], position=1, role=UnitRole.LEAD, printed_name="区科委")
    task_status_refresh(plan_ids=[plan.pk])
    # 2027-09-25 is a Saturday; without published data, three working days before it is Wednesday the 22nd.
    on_day(D(2027, 9, 21))
    run_schedule(REMIND)
    assert inbox(who["keji"]) == []
    on_day(D(2027, 9, 22))
    run_schedule(REMIND)
    [reminder] = inbox(who["keji"])
    assert reminder.body == (
        "区科委尚有1项任务未报送2027年9月进展，报送截止日期为2027年9月25日（周六），还有2个工作日：\n"
        "  - 《2027年重点工作》第1项 建设创新载体。\n\n"
        "注：2027年的法定节假日和调休安排尚未收录（日历数据覆盖2004—2026年），该年的工作日暂按周一至周五为工作日计算，"
        "未计入节假日。"
    )


@worker_db
def test_weekly_digest_reaches_the_office_once_a_week(people, on_day):
    _world, who = people
    on_day(D(2025, 6, 16))
    run_schedule(WEEKLY)
    run_schedule(WEEKLY)
    [digest] = inbox(who["office"])
    assert digest.title == "每周汇总（6月16日—6月22日）"
    assert digest.body.startswith("待审核的进展报告：")
    assert "本期尚未报送的单位" in digest.body
    assert digest.link == reverse("tasks:review_queue")
    assert [m.to for m in mail.outbox] == [["office@example.gov.cn"]]
    on_day(D(2025, 6, 23))
    run_schedule(WEEKLY)
    assert [m.title for m in inbox(who["office"])] == ["每周汇总（6月16日—6月22日）", "每周汇总（6月23日—6月29日）"]


# -- accessibility of the new pages (axe-core in Chromium, as tests/test_accessibility.py) ------


@pytest.mark.browser
def test_message_and_job_pages_have_no_axe_violations(
    browser, live_server, liaison_user, plain_static, settings, tmp_path
):
    from django.core.files.base import ContentFile

    from jobs.models import Job, JobKind, JobState
    from tests.test_accessibility import Audit, _login

    settings.MEDIA_ROOT = str(tmp_path)
    world = world_build()
    audit = Audit()
    page = _login(browser, live_server, "liaison")
    base = live_server.url
    audit.visit(page, f"{base}/messages/", "messages, empty")
    for i in range(25):
        _send([liaison_user], key=f"a11y{i}", task=world.tasks["研发"] if i % 2 else None)
    audit.visit(page, f"{base}/messages/", "messages, unread, first page")
    audit.visit(page, f"{base}/messages/?page=2&show=unread", "messages, unread only, second page")
    audit.visit(page, f"{base}/jobs/", "jobs, empty")
    queued = Job.objects.create(
        kind=JobKind.LEDGER_EXPORT, owner=liaison_user, total=190, done=40, message="正在读取任务…"
    )
    Job.objects.filter(pk=queued.pk).update(state=JobState.RUNNING)
    audit.visit(page, f"{base}/jobs/{queued.pk}/", "job, running")
    done = Job.objects.create(kind=JobKind.LEDGER_EXPORT, owner=liaison_user, state=JobState.DONE, total=3, done=3)
    done.result.save("x.xlsx", ContentFile(b"x"))
    Job.objects.filter(pk=done.pk).update(result_name="任务台账-20250615.xlsx")
    audit.visit(page, f"{base}/jobs/{done.pk}/", "job, done")
    failed = Job.objects.create(
        kind=JobKind.LEDGER_EXPORT, owner=liaison_user, state=JobState.FAILED, error="筛选条件有误，未导出。"
    )
    audit.visit(page, f"{base}/jobs/{failed.pk}/", "job, failed")
    audit.visit(page, f"{base}/jobs/", "jobs, with rows")
    audit.assert_clean()


@pytest.mark.django_db(transaction=True)
def test_an_email_that_failed_is_sent_by_the_hourly_retry_and_only_once(liaison_user, settings):
    from django.utils import timezone

    liaison_user.email = "keji@example.gov.cn"
    liaison_user.save()
    settings.EMAIL_BACKEND = "tests.test_notifications.FailingBackend"
    [message] = _send([liaison_user])  # committed: the delivery ran and failed
    message.refresh_from_db()
    assert message.emailed_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - dt.timedelta(minutes=11))
    run_schedule("重发未送达的邮件")
    run_schedule("重发未送达的邮件")
    assert [m.to for m in mail.outbox] == [["keji@example.gov.cn"]]
    message.refresh_from_db()
    assert message.emailed_at is not None


class FailingBackend:
    """An SMTP server that is down."""

    def __init__(self, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")


# -- 任务交办: an import tells the units it gives tasks to --------------------------------------


def _confirm_through_pages(client, name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302, response.content.decode()[:2000]
    preview = response["Location"]
    assert "确认导入" in client.get(preview).content.decode()
    return preview, client.post(preview, {"action": "confirm"})


def _unit_tasks(plan, unit_name: str) -> tuple[int, int]:
    from tasks.models import TaskState, TaskUnit, UnitRole

    links = TaskUnit.objects.filter(task__plan=plan, task__state=TaskState.ACTIVE, unit__name=unit_name)
    return links.filter(role=UnitRole.LEAD).count(), links.exclude(role=UnitRole.LEAD).count()


def test_an_imported_plan_tells_each_unit_its_new_tasks_once(client_as, admin_user, liaison_user):
    """A new plan: 区科委's liaison gets one 任务交办 message (the plan, its tasks, a link to 我的待办);
    a unit with no task in it and the office get nothing; confirming again sends nothing more."""
    from imports.export import plan_export_csv
    from tasks.models import Plan

    w = world_build()
    other = _make_user("other-liaison", None, units=["区无任务办"])
    office = _make_user("office-2", None)
    text = plan_export_csv(plan=w.annual).replace("2025年区委、区政府重点工作", "2026年区委、区政府重点工作")
    text = text.replace("年份：2025—2025", "年份：2026—2026").replace("〔2025〕3号", "〔2026〕2号")
    client = client_as(admin_user)
    preview, response = _confirm_through_pages(client, "2026.csv", text.encode())
    assert response.status_code == 302
    plan = Plan.objects.get(year_start=2026)
    lead, support = _unit_tasks(plan, "区科委")
    assert lead >= 1
    [message] = Message.objects.filter(recipient=liaison_user)
    parts = f"牵头{lead}项" + (f"、配合{support}项" if support else "")
    assert (message.kind, message.title) == (
        MessageKind.ASSIGNMENT,
        f"任务交办：《{plan.title}》新增{lead + support}项任务",
    )
    assert message.body == (
        f"导入《{plan.title}》后，区科委新增{lead + support}项任务（{parts}）。请在“我的待办”中签收牵头任务。"
    )
    assert message.link == reverse("supervision:todo")
    assert not Message.objects.filter(recipient__in=[other, office, admin_user]).exists()
    # A second confirm of the same upload is refused and tells nobody again.
    again = client.post(preview, {"action": "confirm"}, follow=True).content.decode()
    assert "该文件已经确认导入，不会重复导入。" in again
    assert Message.objects.filter(recipient=liaison_user).count() == 1
    # The liaison sees it in 站内消息, and the link leads to the 签收 on 我的待办.
    inbox = client_as(liaison_user).get(reverse("notifications:list")).content.decode()
    assert f"任务交办：《{plan.title}》新增{lead + support}项任务" in inbox
    todo = client_as(liaison_user).get(reverse("supervision:todo")).content.decode()
    assert f"{plan.title}：" in todo and "签收</button>" in todo


def test_a_revision_tells_only_the_unit_added_to_a_task(client_as, admin_user, liaison_user):
    """Re-importing the plan with 区科委 added to one task it was not on: 区科委 is told of that one
    task; the units already on the plan's tasks are told nothing (nothing new for them)."""
    from imports.export import plan_export_csv
    from tasks.models import TaskUnit

    w = world_build()
    task = w.annual.tasks.exclude(unit_links__unit__name="区科委").order_by("position").first()
    lead_name = TaskUnit.objects.filter(task=task).order_by("position").first().unit.name
    already = _make_user("already-liaison", None, units=[lead_name])
    lines = plan_export_csv(plan=w.annual).splitlines()
    revised = [
        line.replace(lead_name, f"{lead_name}、区科委", 1) if line.startswith(f"{task.number},") else line
        for line in lines
    ]
    assert revised != lines
    _, response = _confirm_through_pages(client_as(admin_user), "2025-修订.csv", "\n".join(revised).encode())
    assert response.status_code == 302
    assert TaskUnit.objects.filter(task=task, unit__name="区科委").exists()
    [message] = Message.objects.filter(recipient=liaison_user)
    assert message.title == f"任务交办：《{w.annual.title}》新增1项任务"
    assert "区科委新增1项任务（" in message.body
    assert not Message.objects.filter(recipient=already).exists()


def test_an_expired_upload_confirms_nothing_and_tells_nobody(client_as, admin_user, liaison_user):
    from django.utils import timezone

    from imports.export import plan_export_csv
    from imports.models import PendingImport

    w = world_build()
    text = plan_export_csv(plan=w.annual).replace("年份：2025—2025", "年份：2027—2027").replace("2025年", "2027年")
    client = client_as(admin_user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    preview = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("2027.csv", text.encode())})[
        "Location"
    ]
    PendingImport.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    page = client.post(preview, {"action": "confirm"}, follow=True).content.decode()
    assert "该上传已过期（上传后 24 小时内有效），未导入任何数据，请重新上传。" in page
    assert not Message.objects.filter(kind=MessageKind.ASSIGNMENT).exists()


# -- the time rules (QA 4): the current period, the rows of 我的待办, closed periods, weekends ------


def _submitted(task, unit, period, day):
    from tasks.choices import ProgressStatus, ReviewState
    from tests.factories import report_make

    return report_make(
        task=task,
        unit=unit,
        period=period,
        status=ProgressStatus.IN_PROGRESS,
        percent=50,
        progress_text="按计划推进。",
        review_state=ReviewState.SUBMITTED,
        reported_at=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC),
    )


@worker_db
def test_a_workdays_after_plan_is_reminded_and_escalated_for_the_quarter_that_just_ended(people, on_day, settings):
    """Quarterly, the 5th working day after: Q3 2025's deadline is Tuesday 14 October. The reminder
    before it is about 2025年第3季度; after it, the escalation counts Q3's reports (a unit that
    reported Q3 in September is not chased) and, the form now taking Q4 only, says 缺报."""
    from tasks.choices import DueRule, ReportingPeriod
    from tasks.models import Plan, Task

    world, who = people
    settings.REMINDER_WORKDAYS_BEFORE = 3
    annual = world.annual
    Plan.objects.filter(pk=annual.pk).update(
        reporting_period=ReportingPeriod.QUARTERLY, report_due_rule=DueRule.WORKDAYS_AFTER, report_due_number=5
    )
    task = Task.objects.get(plan=annual, number="4")  # led by 区科委 and 闵行城投公司
    _submitted(task, world.units["科委"], D(2025, 7, 1), D(2025, 9, 19))
    on_day(D(2025, 10, 9))  # four working days before (10-11 is a make-up Saturday): not yet
    run_schedule(REMIND)
    assert Message.objects.filter(title__startswith="2025年第3季度").count() == 0
    on_day(D(2025, 10, 10))
    run_schedule(REMIND)
    [reminder] = inbox(who["chengtou"], "2025年第3季度")
    assert reminder.title == "2025年第3季度进展报送提醒（闵行城投公司）"
    assert reminder.body.startswith(
        "闵行城投公司尚有1项任务未报送2025年第3季度进展，报送截止日期为2025年10月14日（周二），还有3个工作日：\n"
    )
    assert inbox(who["keji"], "2025年第3季度") == []  # reported Q3 on 19 September
    on_day(D(2025, 10, 15))
    run_schedule(ESCALATE)
    assert inbox(who["keji"], "2025年第3季度") == []
    [escalation] = [m for m in inbox(who["chengtou"], "2025年第3季度") if m.kind == MessageKind.ESCALATION]
    assert escalation.body.startswith(
        "2025年第3季度进展的报送截止日期2025年10月14日（周二）已过，报送期已结束，闵行城投公司有1项任务未报送，"
        "记为缺报，不能再补报。请在报送2025年第4季度进展时一并说明上述任务的进展；"
    )


@worker_db
def test_reminders_and_digests_count_the_rows_of_the_todo_pages(people, on_day, settings):
    """The reminder's count is the liaison's 本期未报送 on 我的待办 (an 已完成 task owes nothing); the
    office's escalation digest lists the units and counts of the office's 我的待办 (named units:
    a 泛指 unit has nobody to chase)."""
    from supervision.selectors import liaison_todo, office_todo

    world, who = people
    settings.REMINDER_WORKDAYS_BEFORE = 3
    settings.ESCALATION_WORKDAYS_AFTER = 1
    on_day(D(2025, 9, 22))
    run_schedule(REMIND)
    [reminder] = inbox(who["keji"])
    [todo] = liaison_todo(unit_ids=[world.units["科委"].pk], clock=Clock(today=D(2025, 9, 22)))
    assert f"区科委尚有{len(todo.silent)}项任务未报送" in reminder.body
    assert [line for line in reminder.body.splitlines() if line.startswith("  - ")] == [
        f"  - 《{t.plan_title}》第{t.number}项 {t.title}" for t in sorted(todo.silent, key=lambda t: t.id)
    ]
    on_day(D(2025, 9, 29))  # the 26th–28th: 调休 Sunday the 28th is a working day; two after the 25th
    run_schedule(ESCALATE)
    [digest] = inbox(who["office"], "2025年9月")
    office = office_todo(clock=Clock(today=D(2025, 9, 29)))
    lines = [line for line in digest.body.splitlines() if line.startswith("  - ")]
    assert sorted(lines) == sorted(f"  - {u.name}：{u.missing}项" for u in office.units if u.chaseable)
    assert f"{len(lines)}个单位仍未报送2025年9月进展" in digest.body


@worker_db
@pytest.mark.parametrize("before", [0, 1])
def test_the_last_working_day_before_a_sunday_deadline_is_told_so(people, on_day, settings, before):
    _world, who = people
    settings.REPORT_DUE_DAY = 25  # May 2025: Sunday the 25th
    settings.REMINDER_WORKDAYS_BEFORE = before
    on_day(D(2025, 5, 23))  # Friday
    run_schedule(REMIND)
    [reminder] = inbox(who["chengtou"], "2025年5月")
    assert "报送截止日期为2025年5月25日（周日），今天是截止前最后一个工作日：\n" in reminder.body


@worker_db
def test_the_weekly_digest_is_named_by_its_dates_and_waits_for_a_working_day(people, on_day):
    _world, who = people
    on_day(D(2025, 12, 29))
    run_schedule(WEEKLY)
    assert [m.title for m in inbox(who["office"])] == ["每周汇总（12月29日—1月4日）"]
    on_day(D(2025, 10, 6))  # Monday of the National Day holiday: nothing
    run_schedule(WEEKLY)
    on_day(D(2025, 10, 7))
    run_schedule(WEEKLY)
    assert len(inbox(who["office"])) == 1
    on_day(D(2025, 10, 9))  # Thursday, the week's first working day
    run_schedule(WEEKLY)
    on_day(D(2025, 10, 10))
    run_schedule(WEEKLY)
    assert [m.title for m in inbox(who["office"])][1:] == ["每周汇总（10月6日—10月12日）"]


@worker_db
def test_after_a_plans_last_period_nobody_is_reminded_of_the_next_year(people, on_day, settings):
    _world, _who = people
    settings.REMINDER_WORKDAYS_BEFORE = 20
    on_day(D(2026, 1, 5))
    run_schedule(REMIND)
    run_schedule(ESCALATE)
    assert Message.objects.filter(title__startswith="2026年").count() == 0
