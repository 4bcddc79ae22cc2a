"""Object-level permissions on every URL that takes an id.

Small explicit data (tests.factories.world_build): 区科委 and 闵行城投公司 co-lead annual item 4
(研发); 区经委 leads annual item 2 (服务包) with 区科委 in support; 区经委 leads five-year item 3
with 莘庄镇 in support.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tasks.models import ProgressReport, ReportAttachment, ReviewState, Role, Task, Unit
from tests.conftest import _make_user
from tests.factories import world_build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today_in_the_plans_year(clock_at):
    """Reports are filed for the current period, and a 2025 plan takes none after 2025: "today" is
    in July 2025, the period after the world's own reports (June), so the drafts here are new."""
    clock_at(dt.date(2025, 7, 15))


DRAFT_TEXT = "区科委内部草稿：尚未报送的进展。"
HUGE = 10**20  # exceeds every integer column; the <id:…> converter makes it a 404
_SENTINEL = 123456789012345678


def path_to(name, *args):
    """reverse(), but with HUGE placed in the path as a person could type it."""
    path = reverse(name, args=[_SENTINEL if a == HUGE else a for a in args])
    return path.replace(str(_SENTINEL), str(HUGE))


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return world_build()


@pytest.fixture
def jingwei_user(db):
    """Liaison of 区经委."""
    return _make_user("jingwei", Role.LIAISON, units=["区经委"])


def unit_id(name: str) -> int:
    return Unit.objects.get(name=name).pk


def report_url(task: Task, unit_name: str) -> str:
    return reverse("tasks:report_edit", args=[task.pk, unit_id(unit_name)])


GOOD = {
    "status": "in_progress",
    "percent": "30",
    "progress_text": "按计划推进。",
    "problems": "审批流程较长。",
    "next_steps": "",
    "action": "submit",
}


@pytest.fixture
def keji_draft(world, client_as, liaison_user):
    """区科委's liaison saves a draft with an attachment on 研发 (annual item 4)."""
    task = world.tasks["研发"]
    client = client_as(liaison_user)
    response = client.post(
        report_url(task, "区科委"),
        {
            **GOOD,
            "progress_text": DRAFT_TEXT,
            "action": "draft",
            "attachment": SimpleUploadedFile("内部材料.pdf", b"%PDF-1.4 draft\n"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    report = ProgressReport.objects.get(task=task, unit__name="区科委", review_state=ReviewState.DRAFT)
    return report, report.attachments.get()


# -- the report form of another unit's task ----------------------------------------------------


def test_liaison_of_another_unit_gets_403_on_the_report_form(world, client_as, jingwei_user):
    task = world.tasks["研发"]  # led by 区科委 and 闵行城投公司 only
    client = client_as(jingwei_user)
    assert client.get(report_url(task, "区科委")).status_code == 403
    assert client.post(report_url(task, "区科委"), GOOD).status_code == 403
    # Naming its own unit in the URL does not help: 区经委 does not lead this task.
    assert client.get(report_url(task, "区经委")).status_code == 403
    assert client.post(report_url(task, "区经委"), GOOD).status_code == 403
    assert not ProgressReport.objects.filter(task=task, reported_by=jingwei_user).exists()


def test_co_lead_liaison_cannot_report_for_the_other_lead_unit(world, client_as, liaison_user):
    """研发 is co-led by 区科委 and 闵行城投公司: 区科委's liaison may only use its own unit's id."""
    task = world.tasks["研发"]
    client = client_as(liaison_user)
    assert client.get(report_url(task, "区科委")).status_code == 200
    assert client.get(report_url(task, "闵行城投公司")).status_code == 403
    assert client.post(report_url(task, "闵行城投公司"), GOOD).status_code == 403
    assert not ProgressReport.objects.filter(task=task, unit__name="闵行城投公司", reported_by=liaison_user).exists()


def test_support_unit_liaison_cannot_report_for_the_lead_unit_or_itself(world, client_as, liaison_user):
    """服务包 is led by 区经委 with 区科委 in support."""
    task = world.tasks["服务包"]
    client = client_as(liaison_user)
    before = ProgressReport.objects.count()
    for unit_name in ("区经委", "区科委"):
        assert client.get(report_url(task, unit_name)).status_code == 403, unit_name
        assert client.post(report_url(task, unit_name), GOOD).status_code == 403, unit_name
    assert ProgressReport.objects.count() == before
    # The task page offers no report link to the support unit.
    page = client.get(reverse("tasks:task", args=[task.pk])).content.decode()
    assert reverse("tasks:report_edit", args=[task.pk, unit_id("区经委")]) not in page
    assert reverse("tasks:report_edit", args=[task.pk, unit_id("区科委")]) not in page


def test_office_cannot_report_for_a_support_unit_or_an_unlinked_unit(world, client_as, office_user):
    client = client_as(office_user)
    assert client.get(report_url(world.tasks["服务包"], "区经委")).status_code == 200
    assert client.get(report_url(world.tasks["服务包"], "区科委")).status_code == 403  # support
    assert client.get(report_url(world.tasks["服务包"], "莘庄镇")).status_code == 403  # not linked


@pytest.mark.parametrize("persona", ["leader_user", "outsider_user"])
def test_leader_and_outsider_cannot_open_any_report_form(world, client_as, request, persona):
    client = client_as(request.getfixturevalue(persona))
    assert client.get(report_url(world.tasks["研发"], "区科委")).status_code == 403
    assert client.post(report_url(world.tasks["研发"], "区科委"), GOOD).status_code == 403


def test_anonymous_is_sent_to_login_from_every_id_url(world, client):
    task = world.tasks["研发"]
    for url in (
        reverse("tasks:task", args=[task.pk]),
        report_url(task, "区科委"),
        reverse("tasks:unit", args=[unit_id("区科委")]),
        reverse("tasks:attachment", args=[1]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


# -- drafts and their attachments ------------------------------------------------------------


def test_draft_attachment_is_404_for_other_units_and_readable_by_its_own(
    keji_draft, client_as, jingwei_user, leader_user, liaison_user, office_user
):
    _, attachment = keji_draft
    url = reverse("tasks:attachment", args=[attachment.pk])
    for user in (jingwei_user, leader_user):
        assert client_as(user).get(url).status_code == 404, user.username
    for user in (liaison_user, office_user):
        response = client_as(user).get(url)
        assert response.status_code == 200, user.username
        assert b"".join(response.streaming_content) == b"%PDF-1.4 draft\n"


def test_outsider_gets_403_on_an_attachment(keji_draft, client_as, outsider_user):
    _, attachment = keji_draft
    assert client_as(outsider_user).get(reverse("tasks:attachment", args=[attachment.pk])).status_code == 403


def test_draft_is_not_shown_to_other_units_on_the_task_page(
    keji_draft, client_as, jingwei_user, leader_user, liaison_user, office_user
):
    report, attachment = keji_draft
    url = reverse("tasks:task", args=[report.task_id])
    attachment_url = reverse("tasks:attachment", args=[attachment.pk])
    for user in (jingwei_user, leader_user):
        html = client_as(user).get(url).content.decode()
        assert DRAFT_TEXT not in html, user.username
        assert attachment_url not in html and "内部材料.pdf" not in html, user.username
    for user in (liaison_user, office_user):
        html = client_as(user).get(url).content.decode()
        assert DRAFT_TEXT in html and attachment_url in html, user.username


def test_draft_is_not_in_the_review_queue(keji_draft, client_as, office_user):
    report, _ = keji_draft
    html = client_as(office_user).get(reverse("tasks:review_queue")).content.decode()
    assert f'data-report="{report.pk}"' not in html and DRAFT_TEXT not in html


def test_draft_does_not_leak_through_the_task_history(
    keji_draft, client_as, jingwei_user, leader_user, liaison_user, office_user
):
    """The history on the task page must not replay a draft to other units: not its text, and
    not its 保存草稿 entry with the status and percent it holds."""
    report, _ = keji_draft
    url = reverse("tasks:task", args=[report.task_id])
    entry = "推进中 30%，草稿"
    for user in (jingwei_user, leader_user):
        html = client_as(user).get(url).content.decode()
        assert DRAFT_TEXT not in html and entry not in html and "保存草稿" not in html, user.username
    for user in (liaison_user, office_user):
        html = client_as(user).get(url).content.decode()
        assert entry in html and "保存草稿" in html, user.username


# -- review and due date: office only ----------------------------------------------------------


@pytest.fixture
def submitted(world, client_as, liaison_user):
    client = client_as(liaison_user)
    assert client.post(report_url(world.tasks["研发"], "区科委"), GOOD).status_code == 302
    client.logout()
    return ProgressReport.objects.get(task=world.tasks["研发"], unit__name="区科委", review_state=ReviewState.SUBMITTED)


@pytest.mark.parametrize("persona", ["liaison_user", "jingwei_user", "leader_user", "outsider_user"])
def test_review_refused_to_non_office_roles(submitted, client_as, request, persona):
    client = client_as(request.getfixturevalue(persona))
    for decision in ("approve", "return"):
        response = client.post(
            reverse("tasks:report_review", args=[submitted.pk]),
            {"version": submitted.version, "decision": decision, "comment": "自己审核自己"},
        )
        assert response.status_code == 403, decision
    assert client.get(reverse("tasks:review_queue")).status_code == 403
    fresh = ProgressReport.objects.get(pk=submitted.pk)
    assert (fresh.review_state, fresh.version, fresh.reviewed_by_id) == (ReviewState.SUBMITTED, submitted.version, None)


@pytest.mark.parametrize("persona", ["liaison_user", "jingwei_user", "leader_user", "outsider_user"])
def test_due_date_refused_to_non_office_roles(world, client_as, request, persona):
    task = world.tasks["研发"]
    before = task.due_date
    response = client_as(request.getfixturevalue(persona)).post(
        reverse("tasks:task_due_date", args=[task.pk]), {"due_date": "2030-01-01"}
    )
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.due_date == before


def test_office_may_review_and_set_due_date(submitted, client_as, office_user):
    client = client_as(office_user)
    response = client.post(
        reverse("tasks:report_review", args=[submitted.pk]), {"version": submitted.version, "decision": "approve"}
    )
    assert response.status_code == 302
    assert ProgressReport.objects.get(pk=submitted.pk).review_state == ReviewState.APPROVED
    task = submitted.task
    assert client.post(reverse("tasks:task_due_date", args=[task.pk]), {"due_date": "2030-01-01"}).status_code == 302
    task.refresh_from_db()
    assert str(task.due_date) == "2030-01-01"


def test_review_next_stays_on_this_site(submitted, client_as, office_user):
    response = client_as(office_user).post(
        reverse("tasks:report_review", args=[submitted.pk]),
        {"version": submitted.version, "decision": "approve", "next": "https://evil.example/phish"},
    )
    assert response.status_code == 302
    assert not response["Location"].startswith(("http://", "https://", "//"))


# -- unknown ids: 404, never 500 -----------------------------------------------------------------


@pytest.mark.parametrize("bad_id", [999_999, HUGE], ids=["missing", "huge"])
def test_unknown_ids_give_404(world, client_as, office_user, admin_user, bad_id):
    plan = world.annual
    task = world.tasks["研发"]
    category_id = task.category_id
    keji = unit_id("区科委")
    gets = [
        path_to("tasks:plan", bad_id),
        path_to("tasks:category", plan.pk, bad_id),
        path_to("tasks:category", bad_id, category_id),
        path_to("tasks:unit", bad_id),
        path_to("tasks:unit_print", bad_id),
        reverse("tasks:unit_by_name", args=["没有这个单位"]),
        path_to("tasks:leader", bad_id),
        path_to("tasks:task", bad_id),
        path_to("tasks:report_edit", bad_id, keji),
        path_to("tasks:report_edit", task.pk, bad_id),
        path_to("tasks:attachment", bad_id),
        path_to("insights:chain", bad_id),
        path_to("insights:chain", task.pk),  # an annual task has no chain
        path_to("insights:indicator", bad_id),
    ]
    posts = [
        (path_to("tasks:task_due_date", bad_id), {"due_date": "2030-01-01"}),
        (path_to("tasks:report_review", bad_id), {"version": "1", "decision": "approve"}),
        (path_to("tasks:report_edit", bad_id, keji), GOOD),
        (path_to("insights:link_decide", bad_id), {"decision": "confirm"}),
    ]
    client = client_as(office_user)
    client.raise_request_exception = False  # a 500 is recorded as a status, not raised
    failures = []
    for url in gets:
        status = client.get(url).status_code
        if status != 404:
            failures.append(("GET", url, status))
    for url, data in posts:
        status = client.post(url, data).status_code
        if status != 404:
            failures.append(("POST", url, status))
    admin = client_as(admin_user)
    admin.raise_request_exception = False
    for method, url in (
        ("GET", path_to("imports:record", bad_id)),
        ("GET", path_to("imports:download", bad_id)),
        ("POST", path_to("imports:undo", bad_id)),
        ("GET", reverse("imports:preview", args=[uuid.uuid4()])),
    ):
        status = (admin.get(url) if method == "GET" else admin.post(url)).status_code
        if status != 404:
            failures.append((method, url, status))
    assert not failures


def test_huge_category_id_gives_404(world, client_as, office_user):
    """An id longer than any integer column is a 404 (the URL converter), never a driver overflow."""
    client = client_as(office_user)
    client.raise_request_exception = False
    assert client.get(path_to("tasks:category", world.annual.pk, HUGE)).status_code == 404


def test_unknown_ids_for_a_liaison_are_404_or_403_never_500(world, client_as, liaison_user):
    client = client_as(liaison_user)
    for url, data in (
        (reverse("tasks:report_edit", args=[999_999, unit_id("区科委")]), None),
        (reverse("tasks:report_edit", args=[world.tasks["研发"].pk, 999_999]), None),
        (reverse("tasks:report_review", args=[999_999]), {"version": "1", "decision": "approve"}),
        (reverse("tasks:task_due_date", args=[999_999]), {"due_date": "2030-01-01"}),
        (reverse("tasks:attachment", args=[999_999]), None),
    ):
        status = client.get(url).status_code if data is None else client.post(url, data).status_code
        assert status in (403, 404), (url, status)


def test_attachment_ids_are_not_guessable_into_other_units_drafts(keji_draft, client_as, jingwei_user):
    """Walking attachment ids around the draft's finds nothing readable from another unit."""
    _, attachment = keji_draft
    client = client_as(jingwei_user)
    for pk in range(max(1, attachment.pk - 3), attachment.pk + 4):
        response = client.get(reverse("tasks:attachment", args=[pk]))
        assert response.status_code == 404, pk
    assert ReportAttachment.objects.count() == 1


# -- messages and background jobs (notifications, jobs): every persona -----------------------

PERSONAS = [
    "admin_user",
    "office_user",
    "liaison_user",
    "leader_user",
    "outsider_user",
    "security_person",
    "auditor_person",
]
# May start a background export of the task ledger: the roles that read tasks.
EXPORTERS = {"admin_user", "office_user", "liaison_user", "leader_user"}


@pytest.fixture
def security_person(db):
    return _make_user("anquan", Role.SECURITY)


@pytest.fixture
def auditor_person(db):
    return _make_user("shenji", Role.AUDITOR)


@pytest.fixture
def someone_elses(db, settings, tmp_path):
    """A message and a finished job (with its file) of another account."""
    from django.core.files.base import ContentFile

    from jobs.models import Job, JobKind, JobState
    from notifications.models import MessageKind
    from notifications.services import message_send

    settings.MEDIA_ROOT = str(tmp_path)
    other = _make_user("other-office", Role.OFFICE)
    [message] = message_send(
        recipients=[other], kind=MessageKind.CHASE, title="催办", body="请报送。", event_key="perm:other"
    )
    job = Job.objects.create(kind=JobKind.LEDGER_EXPORT, owner=other, state=JobState.DONE, total=1, done=1)
    job.result.save("other.xlsx", ContentFile(b"secret"))
    return message, job


@pytest.mark.parametrize("persona", PERSONAS)
def test_messages_and_jobs_are_each_persons_own(someone_elses, client_as, request, persona):
    from jobs.models import Job, JobKind
    from notifications.models import Message, MessageKind
    from notifications.services import message_send

    user = request.getfixturevalue(persona)
    their_message, their_job = someone_elses
    [mine] = message_send(recipients=[user], kind=MessageKind.CHASE, title="催办", body="", event_key="perm:mine")
    my_job = Job.objects.create(kind=JobKind.LEDGER_EXPORT, owner=user)
    client = client_as(user)

    page = client.get(reverse("notifications:list"))
    assert page.status_code == 200 and page.content.decode().count("催办</strong>") == 1
    assert client.post(reverse("notifications:read", args=[their_message.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[mine.pk])).status_code == 302
    assert client.post(reverse("notifications:read_all")).status_code == 302
    assert Message.objects.get(pk=their_message.pk).read_at is None

    assert client.get(reverse("jobs:list")).status_code == 200
    for name in ("jobs:detail", "jobs:status", "jobs:download"):
        assert client.get(reverse(name, args=[their_job.pk])).status_code == 404, name
    assert client.get(reverse("jobs:detail", args=[my_job.pk])).status_code == 200
    assert client.get(reverse("jobs:status", args=[my_job.pk])).json()["state"] == "queued"
    assert client.get(reverse("jobs:download", args=[my_job.pk])).status_code == 302  # not done yet

    started = client.post(reverse("jobs:ledger_export"), {"query": ""})
    if persona in EXPORTERS:
        assert started.status_code == 302 and Job.objects.filter(owner=user).count() == 2
    else:
        assert started.status_code == 403 and Job.objects.filter(owner=user).count() == 1


def test_anonymous_is_sent_to_login_from_messages_and_jobs(someone_elses, client):
    message, job = someone_elses
    for method, url in (
        ("get", reverse("notifications:list")),
        ("post", reverse("notifications:read", args=[message.pk])),
        ("post", reverse("notifications:read_all")),
        ("get", reverse("jobs:list")),
        ("get", reverse("jobs:detail", args=[job.pk])),
        ("get", reverse("jobs:status", args=[job.pk])),
        ("get", reverse("jobs:download", args=[job.pk])),
        ("post", reverse("jobs:ledger_export")),
    ):
        response = getattr(client, method)(url)
        if method == "post" and response.status_code == 403:
            continue  # the upload guard refuses an anonymous body before the view
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert message.__class__.objects.get(pk=message.pk).read_at is None
    assert job.__class__.objects.count() == 1


@pytest.mark.parametrize("name", ["notifications:read", "jobs:detail", "jobs:status", "jobs:download"])
def test_unknown_message_and_job_ids_give_404(client_as, office_user, name):
    client = client_as(office_user)
    response = client.post(path_to(name, HUGE)) if name == "notifications:read" else client.get(path_to(name, HUGE))
    assert response.status_code == 404


# -- 督办 (supervision): 我的待办, 催办, 批示 and their replies, for every persona ---------------

READERS = {"admin_user", "office_user", "liaison_user", "leader_user", "jingwei_user"}
OFFICE = {"admin_user", "office_user"}


@pytest.fixture
def supervised(world, db):
    """A chase of 区科委 on 研发 and an instruction of 谭瑞琮 on 研发 (made by another office account)."""
    from supervision import services

    office = _make_user("other-office-2", Role.OFFICE)
    task = world.tasks["研发"]
    chase = services.chase_task(user=office, task=task, unit=Unit.objects.get(name="区科委"))
    instruction = services.instruction_create(user=office, task=task, text="加快。", leader=world.leaders["谭"])
    services.extension_request(
        user=office,
        task=task,
        unit=Unit.objects.get(name="区科委"),
        requested_date=dt.date(2030, 1, 31),
        reason="推迟。",
    )
    return task, chase, instruction


def _supervision_endpoints(world, task, chase, instruction):
    """(method, url, data, who may) for every supervision URL; who may: the personas allowed."""
    keji = unit_id("区科委")
    return [
        ("get", reverse("supervision:todo"), None, READERS),
        ("get", reverse("supervision:task_panel", args=[task.pk]), None, READERS),
        ("post", reverse("supervision:task_chase", args=[world.tasks["零号湾"].pk]), {"unit": keji}, OFFICE),
        ("post", reverse("supervision:unit_chase", args=[unit_id("区发展改革委")]), {}, OFFICE),
        ("post", reverse("supervision:chase_reply", args=[chase.pk]), {"text": "已报送。"}, OFFICE | {"liaison_user"}),
        (
            "post",
            reverse("supervision:instruction_create", args=[task.pk]),
            {"text": "批示。", "leader": world.leaders["谭"].pk},
            OFFICE | {"leader_user"},
        ),
        (
            "post",
            reverse("supervision:instruction_reply", args=[instruction.pk, keji]),
            {"text": "落实。"},
            OFFICE | {"liaison_user"},
        ),
        (
            "post",
            reverse("supervision:extension_request", args=[task.pk]),
            {"unit": keji, "requested_date": "2030-02-28", "reason": "推迟。"},
            OFFICE | {"liaison_user"},
        ),
        (
            "post",
            reverse("supervision:extension_decide", args=[task.extension_requests.get().pk]),
            {"decision": "approve", "granted_date": "2030-01-31"},
            OFFICE,
        ),
        # 签收 is the unit's own liaison's act only.
        ("post", reverse("supervision:acknowledge", args=[keji, task.plan_id]), {}, {"liaison_user"}),
    ]


@pytest.mark.parametrize("persona", [*PERSONAS, "jingwei_user"])
def test_supervision_endpoints_for_every_persona(supervised, world, client_as, request, persona):
    from supervision.models import Chase, ChaseItem, Instruction, InstructionReply

    task, chase, instruction = supervised
    client = client_as(request.getfixturevalue(persona))
    before = (Chase.objects.count(), ChaseItem.objects.count(), Instruction.objects.count())
    for method, url, data, allowed in _supervision_endpoints(world, task, chase, instruction):
        response = client.get(url) if method == "get" else client.post(url, data)
        expected = (200 if method == "get" else 302) if persona in allowed else 403
        assert response.status_code == expected, (persona, url, response.status_code)
        if method == "post" and persona in READERS:
            refused = client.get(url)  # POST only: the Chinese page, not an empty one
            assert refused.status_code == 405, url
            assert refused["Allow"] == "POST" and "该地址只接受页面上的按钮或表单提交" in refused.content.decode()
    after = (Chase.objects.count(), ChaseItem.objects.count(), Instruction.objects.count())
    if persona in OFFICE:
        assert after[0] == before[0] + 2 and after[2] == before[2] + 1
    elif persona == "leader_user":
        assert after == (before[0], before[1], before[2] + 1)
    else:
        assert after == before
    replied = Chase.objects.get(pk=chase.pk).replied_at is not None
    assert replied == (persona in OFFICE | {"liaison_user"})
    task.refresh_from_db()
    assert (str(task.due_date) == "2030-01-31") == (persona in OFFICE)
    from supervision.models import AcknowledgedTask

    assert AcknowledgedTask.objects.exists() == (persona == "liaison_user")
    assert InstructionReply.objects.exists() == (persona in OFFICE | {"liaison_user"})


def test_anonymous_is_sent_to_login_from_supervision(supervised, world, client):
    task, chase, instruction = supervised
    for method, url, data, _ in _supervision_endpoints(world, task, chase, instruction):
        response = client.get(url) if method == "get" else client.post(url, data or {})
        if method == "post" and response.status_code == 403:
            continue  # the upload guard refuses an anonymous body before the view
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert not task.instructions.exclude(pk=instruction.pk).exists()


def test_unknown_supervision_ids_give_404(supervised, world, client_as, office_user):
    _, _, instruction = supervised
    client = client_as(office_user)
    client.raise_request_exception = False
    for bad in (999_999, HUGE):
        assert client.get(path_to("supervision:task_panel", bad)).status_code == 404
        for url in (
            path_to("supervision:task_chase", bad),
            path_to("supervision:unit_chase", bad),
            path_to("supervision:chase_reply", bad),
            path_to("supervision:instruction_create", bad),
            path_to("supervision:instruction_reply", bad, unit_id("区科委")),
            path_to("supervision:instruction_reply", instruction.pk, bad),
            path_to("supervision:extension_request", bad),
            path_to("supervision:extension_decide", bad),
            path_to("supervision:acknowledge", bad, world.annual.pk),
            path_to("supervision:acknowledge", unit_id("区科委"), bad),
        ):
            assert client.post(url, {"text": "x"}).status_code == 404, url
