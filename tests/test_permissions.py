"""tasks/permissions.py: what each role may do, as the functions answer it (checked against the
table in that module's docstring), and the same answers at the pages: anonymous users are sent to
log in, a user without a role gets 403, every reading role reads every page, and each role × each
write endpoint. Object-level checks (another unit's ids, another user's jobs): test_object_permissions.py.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tasks import permissions
from tasks.models import Role, Task
from tasks.periods import period_start
from tasks.status.clock import Clock
from tests.factories import world_build
from tests.test_progress_views import GOOD, report_url, unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today_in_the_seeds_year(pinned_clock):
    """Reports are filed for the current period, and a 2025 plan takes none after 2025: "today" is
    inside the seeds' year (tests.factories.TODAY) in every test here."""


@pytest.fixture
def world(db):
    return world_build(scale=1)


@pytest.fixture
def keji_task(seed_plans):
    return Task.objects.get(plan__kind="annual", number="4")  # lead unit: 区科委


@pytest.fixture
def fagai_task(seed_plans):
    return Task.objects.get(plan__kind="annual", number="2")  # lead unit: 区发展改革委


# -- the functions --------------------------------------------------------------------------


def _docstring_table() -> dict[str, list[str]]:
    """{role: [read, record progress, review, edit tasks, import]} from permissions' docstring."""
    rows = {}
    for line in permissions.__doc__.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and not set(cells[0]) <= {"-"} and cells[0] != "role":
            rows[cells[0]] = cells[1:]
    return rows


def test_each_role_may_do_what_the_permissions_table_says(world, user_make):
    table = _docstring_table()
    keji, fagai = world.units["科委"], world.units["发改"]
    users = {
        Role.ADMIN.label: user_make("t-admin", Role.ADMIN),
        Role.OFFICE.label: user_make("t-office", Role.OFFICE),
        Role.LIAISON.label: user_make("t-liaison", Role.LIAISON, units=[keji.name]),
        Role.LEADER.label: user_make("t-leader", Role.LEADER, leader="谭瑞琮"),
        Role.SECURITY.label: user_make("t-security", Role.SECURITY),
        Role.AUDITOR.label: user_make("t-auditor", Role.AUDITOR),
        "(no role)": user_make("t-none", None),
    }
    assert set(table) == set(users)
    yes = {"yes": True, "all": True, "no": False}
    for role, user in users.items():
        read, record, review, edit, imports = (table[role] + ["no"] * 5)[:5]
        assert permissions.can_read(user) is yes[read], role
        assert permissions.can_review(user) is yes[review.split()[0]], role
        assert permissions.can_edit_tasks(user) is yes[edit.split()[0]], role
        assert permissions.can_import(user) is yes[imports.split()[0]], role
        own = permissions.can_report(user, world.tasks["研发"], keji.pk)  # 区科委 leads 研发
        other = permissions.can_report(user, world.tasks["营商"], fagai.pk)  # 区发展改革委 leads 营商
        expected = {"any lead unit": (True, True), "tasks its own units lead": (True, False)}
        assert (own, other) == expected.get(record, (False, False)), role
    assert [r for r, u in users.items() if permissions.can_manage_accounts(u)] == [Role.SECURITY.label]
    assert [r for r, u in users.items() if permissions.can_read_audit(u)] == [Role.AUDITOR.label]


def test_only_lead_units_are_reported_for_and_in_document_order(
    world, admin_user, office_user, liaison_user, leader_user
):
    u, t = world.units, world.tasks
    # 服务包: 区经委 leads, 区科委 only supports — nobody reports for a supporting unit.
    for user in (admin_user, office_user, liaison_user):
        assert not permissions.can_report(user, t["服务包"], u["科委"].pk)
    assert permissions.can_report(office_user, t["服务包"], u["经委"].pk)
    assert not permissions.can_report(liaison_user, t["服务包"], u["经委"].pk)
    # 研发: 区科委 then 闵行城投公司 lead.
    lead = [u["科委"].pk, u["城投"].pk]
    assert permissions.reportable_unit_ids(office_user, t["研发"]) == lead
    assert permissions.reportable_unit_ids(admin_user, t["研发"]) == lead
    assert permissions.reportable_unit_ids(liaison_user, t["研发"]) == [u["科委"].pk]
    assert permissions.reportable_unit_ids(leader_user, t["研发"]) == []
    assert not permissions.can_report(leader_user, t["研发"], u["科委"].pk)


def test_a_caller_holding_the_links_costs_no_query_and_the_role_is_read_once(
    world, liaison_user, django_assert_num_queries
):
    u, task = world.units, world.tasks["研发"]
    assert permissions.user_role(liaison_user) == Role.LIAISON
    assert permissions.user_unit_ids(liaison_user) == {u["科委"].pk}
    with django_assert_num_queries(0):
        assert permissions.user_role(liaison_user) == Role.LIAISON
        mine = permissions.reportable_unit_ids(liaison_user, task, lead_unit_ids=[u["城投"].pk, u["科委"].pk])
    assert mine == [u["科委"].pk]


def test_anonymous_has_no_role_and_require_refuses_in_chinese(db):
    anonymous = AnonymousUser()
    assert permissions.user_role(anonymous) is None and permissions.user_unit_ids(anonymous) == set()
    assert not permissions.can_read(anonymous)
    permissions.require(True)
    with pytest.raises(PermissionDenied, match=r"^您没有执行此操作的权限。$"):
        permissions.require(False)
    with pytest.raises(PermissionDenied, match=r"^只有督查室可以审核。$"):
        permissions.require(False, "只有督查室可以审核。")


# -- the pages: reading ---------------------------------------------------------------------


def all_page_urls(w) -> list[str]:
    return [
        reverse("tasks:dashboard"),
        reverse("tasks:plan", args=[w.annual.pk]),
        reverse("tasks:category", args=[w.annual.pk, w.annual.categories.get(order=1).pk]),
        reverse("tasks:unit_index"),
        reverse("tasks:unit", args=[w.units["科委"].pk]),
        reverse("tasks:unit_print", args=[w.units["科委"].pk]),
        reverse("tasks:leader_index"),
        reverse("tasks:leader", args=[w.leaders["谭"].pk]),
        reverse("tasks:task_search"),
        reverse("tasks:task", args=[w.tasks["零号湾"].pk]),
    ]


def test_anonymous_is_sent_to_login(client, world):
    for url in all_page_urls(world):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_outsider_without_role_gets_chinese_403(client_as, outsider_user, world):
    c = client_as(outsider_user)
    for url in all_page_urls(world):
        response = c.get(url)
        assert response.status_code == 403, url
    assert "无权访问" in response.content.decode()


@pytest.mark.parametrize("persona", ["admin_user", "office_user", "liaison_user", "leader_user"])
def test_every_role_can_read_every_page(request, client_as, persona, world):
    c = client_as(request.getfixturevalue(persona))
    for url in all_page_urls(world):
        assert c.get(url).status_code == 200, (persona, url)


# -- the pages: each role × each write endpoint -------------------------------------------------


ROLES = ["admin_user", "office_user", "liaison_user", "leader_user", "outsider_user"]


def _endpoints(keji_task, fagai_task, report):
    return {
        "report own unit's task": ("post", report_url(keji_task, "区科委"), {**GOOD, "version": report.version}),
        "report another unit's task": ("post", report_url(fagai_task, "区发展改革委"), GOOD),
        "open another unit's report form": ("get", report_url(fagai_task, "区发展改革委"), None),
        "review a report": (
            "post",
            reverse("tasks:report_review", args=[report.pk]),
            {"version": report.version, "decision": "approve"},
        ),
        "review queue": ("get", reverse("tasks:review_queue"), None),
        "batch review": (
            "post",
            reverse("tasks:review_batch"),
            {"report": [report.pk], f"version-{report.pk}": report.version, "decision": "approve"},
        ),
        "change a due date": ("post", reverse("tasks:task_due_date", args=[keji_task.pk]), {"due_date": "2025-10-31"}),
        "upload a breakdown table": ("post", reverse("imports:upload"), {}),
        "set a milestone on own unit's task": (
            "post",
            reverse("tasks:milestone_add", args=[keji_task.pk]),
            {"due_date": "2025-09-30", "target": "三季度目标"},
        ),
        "set a milestone on another unit's task": (
            "post",
            reverse("tasks:milestone_add", args=[fagai_task.pk]),
            {"due_date": "2025-09-30", "target": "三季度目标"},
        ),
    }


ALLOWED = {
    "admin_user": {
        "report own unit's task",
        "report another unit's task",
        "open another unit's report form",
        "review a report",
        "review queue",
        "batch review",
        "change a due date",
        "upload a breakdown table",
        "set a milestone on own unit's task",
        "set a milestone on another unit's task",
    },
    "office_user": {
        "report own unit's task",
        "report another unit's task",
        "open another unit's report form",
        "review a report",
        "review queue",
        "batch review",
        "change a due date",
        "set a milestone on own unit's task",
        "set a milestone on another unit's task",
    },
    "liaison_user": {"report own unit's task", "set a milestone on own unit's task"},
    "leader_user": set(),
    "outsider_user": set(),
}


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role, request, keji_task, fagai_task, client_as, liaison_user):
    from tasks.services import ReportInput, report_save

    report = report_save(
        user=liaison_user,
        task=keji_task,
        unit=unit("区科委"),
        period=period_start(reporting_period="monthly", day=Clock.now().today),
        data=ReportInput(status="in_progress", percent=10, progress_text="初稿。", problems="审批流程较长。"),
        version=None,
    )
    client = client_as(request.getfixturevalue(role))
    for name, (method, url, data) in _endpoints(keji_task, fagai_task, report).items():
        report.refresh_from_db()
        if data and "version" in data:
            data = {**data, "version": report.version}
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        if name in ALLOWED[role]:
            assert response.status_code != 403, (role, name)
        else:
            assert response.status_code == 403, (role, name, response.status_code)
