"""Three separated administrators (三员分立) and the security admin's accounts page; the audit
admin's audit page; every role against every new page (the permission matrix)."""

from __future__ import annotations

import io
import os
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts import services
from accounts.audit import Action, audit_record
from accounts.models import AuditEvent
from tasks.models import Role, Unit
from tasks.services import roles_ensure
from tests.conftest import _make_user

pytestmark = pytest.mark.django_db

ROLE_CONFLICT = "系统管理员、安全管理员、审计管理员三者分立，一个账号只能担任其中一个。"


@pytest.fixture
def security_user(db):
    return _make_user("anquan", Role.SECURITY)


@pytest.fixture
def auditor_user(db):
    return _make_user("shenji", Role.AUDITOR)


ROLES = [
    "admin_user",
    "office_user",
    "liaison_user",
    "leader_user",
    "outsider_user",
    "security_user",
    "auditor_user",
]


def _endpoints(target) -> dict[str, tuple[str, str, dict | None]]:
    return {
        "accounts page": ("get", reverse("security:accounts"), None),
        "create an account": ("post", reverse("security:accounts"), {"username": "new-one", "role": ""}),
        "account page": ("get", reverse("security:account", args=[target.pk]), None),
        "assign a role": ("post", reverse("security:account_role", args=[target.pk]), {"role": Role.LEADER.value}),
        "assign units": ("post", reverse("security:account_units", args=[target.pk]), {}),
        "disable an account": ("post", reverse("security:account_active", args=[target.pk]), {"active": "0"}),
        "reset a password": ("post", reverse("security:account_reset", args=[target.pk]), {}),
        "audit page": ("get", reverse("security:audit"), None),
        "export the audit log": ("get", reverse("security:audit_export"), None),
        "own sessions": ("get", reverse("security:sessions"), None),
        "end an own session": ("post", reverse("security:session_end"), {"session": "0"}),
        "start page": ("get", reverse("security:home"), None),
        "two-factor step": ("get", reverse("security:otp"), None),
        "change own password": ("get", reverse("password_change"), None),
        "dashboard": ("get", reverse("tasks:dashboard"), None),
        "task search": ("get", reverse("tasks:task_search"), None),
        "unit index": ("get", reverse("tasks:unit_index"), None),
        "leader index": ("get", reverse("tasks:leader_index"), None),
        "ledger export": ("get", reverse("tasks:task_export_xlsx"), None),
        "review queue": ("get", reverse("tasks:review_queue"), None),
        "plan links": ("get", reverse("insights:index"), None),
        "import history": ("get", reverse("imports:history"), None),
    }


SECURITY_ACTIONS = {
    "accounts page",
    "create an account",
    "account page",
    "assign a role",
    "assign units",
    "disable an account",
    "reset a password",
}
# What every role that reads the plans may open (the two new administrators may not).
READING = {"dashboard", "task search", "unit index", "leader index", "ledger export", "plan links"}
# What every signed-in account may do with its own sign-in (a role or none).
OWN = {"own sessions", "end an own session", "start page", "two-factor step", "change own password"}
ALLOWED = {
    "admin_user": OWN | READING | {"review queue", "import history"},
    "office_user": OWN | READING | {"review queue"},
    "liaison_user": OWN | READING,
    "leader_user": OWN | READING,
    "outsider_user": OWN,
    "security_user": OWN | SECURITY_ACTIONS,
    "auditor_user": OWN | {"audit page", "export the audit log"},
}


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_of_the_new_pages(role, request, client_as):
    target = _make_user("target", Role.OFFICE)
    client = client_as(request.getfixturevalue(role))
    for name, (method, url, data) in _endpoints(target).items():
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        if name in ALLOWED[role]:
            assert response.status_code in (200, 302), (role, name, response.status_code)
        else:
            assert response.status_code == 403, (role, name, response.status_code)


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    target = _make_user("target", Role.OFFICE)
    for name, (method, url, data) in _endpoints(target).items():
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        if method == "post":
            # Refused before the view (the upload guard answers an anonymous form post with 403).
            assert response.status_code in (302, 403), name
        else:
            assert response.status_code == 302 and reverse("login") in response["Location"], name


@pytest.mark.parametrize(
    ("fixture", "page"), [("security_user", "security:accounts"), ("auditor_user", "security:audit")]
)
def test_each_administrator_lands_on_their_own_page(fixture, page, request, client_as):
    client = client_as(request.getfixturevalue(fixture))
    response = client.get(reverse("security:home"))
    assert response["Location"] == reverse(page)
    html = client.get(reverse(page)).content.decode()
    # No links into the task pages they may not read.
    assert reverse("tasks:task_search") not in html


@pytest.mark.parametrize("fixture", ["security_user", "auditor_user"])
def test_an_administrators_home_links_lead_to_their_own_page_not_a_refusal(fixture, request, client_as):
    client = client_as(request.getfixturevalue(fixture))
    home = f'href="{reverse("security:home")}"'
    assert f'class="brand" {home}' in client.get(reverse("security:sessions")).content.decode()
    refused = client.get(reverse("tasks:dashboard"))
    assert refused.status_code == 403
    assert f"<a {home}>返回首页</a>" in refused.content.decode()


@pytest.mark.parametrize(
    ("fixture", "told"),
    [
        ("security_user", "安全管理员不能查看规划和任务，您的工作页面是“账号管理”（/security/accounts/）。"),
        ("auditor_user", "审计管理员不能查看规划和任务，您的工作页面是“安全审计”（/security/audit/）。"),
        ("outsider_user", "您的账号尚未分配角色，无法查看。"),
    ],
)
def test_a_role_that_cannot_read_the_plans_is_told_so_and_where_its_page_is(fixture, told, request, client_as):
    refused = client_as(request.getfixturevalue(fixture)).get(reverse("tasks:dashboard"))
    html = refused.content.decode()
    assert refused.status_code == 403
    assert f'<p role="alert">{told}</p>' in html
    assert "尚未分配角色" not in html or fixture == "outsider_user"
    # Accounts, roles and units are the 安全管理员's (三员分立), not the office's or the 系统管理员's.
    assert "账号、角色和单位由安全管理员开通和分配，如需开通请联系安全管理员。" in html
    assert "区委督查室或系统管理员" not in html


def test_other_roles_land_on_the_task_pages(client_as, office_user):
    assert client_as(office_user).get(reverse("security:home"))["Location"] == reverse("tasks:landing")


# -- role separation -------------------------------------------------------------------------


@pytest.mark.parametrize("second", [Role.SECURITY, Role.AUDITOR])
def test_a_second_administrator_role_is_refused_however_it_is_added(second, db):
    """Not only through the services: the groups' own add, from either side (a shell, the admin)."""
    groups = roles_ensure()
    user = get_user_model().objects.create_user("both", password="x")
    user.groups.add(groups[Role.ADMIN.value])
    # (Each in its own savepoint: the refusal leaves the add's transaction unusable, as any error would.)
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        user.groups.add(groups[second.value])
    assert refused.value.messages == [ROLE_CONFLICT]
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        groups[second.value].user_set.add(user)
    assert refused.value.messages == [ROLE_CONFLICT]
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        user.groups.set([groups[Role.ADMIN.value], groups[second.value]])
    assert refused.value.messages == [ROLE_CONFLICT]
    assert list(user.groups.values_list("name", flat=True)) == [Role.ADMIN.value]


@pytest.mark.parametrize("second", [Role.SECURITY, Role.AUDITOR])
def test_the_database_refuses_a_second_administrator_role(second, db):
    """Below the ORM: a trigger (SQLite; PostgreSQL with PL/pgSQL) with the same message, or,
    without PL/pgSQL (.ci/run's step, EXPECT_NO_PLPGSQL=1), the unique index of accounts/guards.py."""
    groups = roles_ensure()
    user = get_user_model().objects.create_user("both", password="x")
    user.groups.add(groups[Role.ADMIN.value])
    if connection.vendor == "postgresql" and os.environ.get("EXPECT_NO_PLPGSQL") == "1":
        refusal = 'duplicate key value violates unique constraint "accounts_one_admin_role"'
    else:
        refusal = ROLE_CONFLICT
    with (
        pytest.raises((IntegrityError, DatabaseError), match=refusal),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO auth_user_groups (user_id, group_id) VALUES (%s, %s)", [user.pk, groups[second.value].pk]
        )
    assert list(user.groups.values_list("name", flat=True)) == [Role.ADMIN.value]


def test_the_django_admin_user_form_says_why_two_administrator_roles_are_refused(client_as, admin_user, office_user):
    groups = roles_ensure()
    client = client_as(admin_user)  # a superuser: the only one who may edit accounts in the Django admin
    url = reverse("admin:auth_user_change", args=[office_user.pk])
    data = {
        "username": office_user.username,
        "is_active": "on",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "09:00:00",
        "groups": [groups[Role.ADMIN.value].pk, groups[Role.AUDITOR.value].pk],
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert ROLE_CONFLICT in response.content.decode()
    assert list(office_user.groups.values_list("name", flat=True)) == [Role.OFFICE.value]
    # One administrator role is accepted.
    response = client.post(url, {**data, "groups": [groups[Role.AUDITOR.value].pk]})
    assert response.status_code == 302
    assert list(office_user.groups.values_list("name", flat=True)) == [Role.AUDITOR.value]


def test_an_administrator_may_also_be_in_a_business_group(db):
    """Only the three administrator roles exclude each other in the database."""
    groups = roles_ensure()
    user = get_user_model().objects.create_user("mixed", password="x")
    user.groups.add(groups[Role.SECURITY.value])
    user.groups.add(groups["督查室"])
    assert user.groups.count() == 2


def test_the_service_gives_exactly_one_role(security_user, office_user):
    services.account_role_assign(actor=security_user, user=office_user, role=Role.LEADER)
    assert list(office_user.groups.values_list("name", flat=True)) == ["区领导"]
    services.account_role_assign(actor=security_user, user=office_user, role=Role.ADMIN)
    assert list(office_user.groups.values_list("name", flat=True)) == ["系统管理员"]


def test_the_service_refuses_a_superuser_as_security_or_audit_admin(security_user, admin_user):
    with pytest.raises(ValidationError) as refused:
        services.account_role_assign(actor=security_user, user=admin_user, role=Role.SECURITY)
    assert refused.value.messages == [ROLE_CONFLICT]
    assert AuditEvent.objects.filter(action=Action.ROLE_ASSIGN).count() == 0


def test_only_the_security_admin_may_call_the_services(admin_user, office_user):
    with pytest.raises(PermissionDenied, match="只有安全管理员可以管理账号、角色和单位。"):
        services.account_role_assign(actor=admin_user, user=office_user, role=Role.LEADER)


def test_the_security_admin_cannot_change_their_own_role(client_as, security_user):
    client = client_as(security_user)
    response = client.post(
        reverse("security:account_role", args=[security_user.pk]), {"role": Role.ADMIN.value}, follow=True
    )
    assert "不能更改自己的角色。" in response.content.decode()
    assert list(security_user.groups.values_list("name", flat=True)) == ["安全管理员"]


# -- the accounts page -----------------------------------------------------------------------


def _issued_password(html: str) -> str:
    match = re.search(r'<code class="issued-password">([^<]+)</code>', html)
    assert match, "no issued password on the page"
    return match.group(1).replace("&amp;", "&")


def test_create_an_account_which_must_change_its_password_at_first_login(client_as, security_user):
    unit = Unit.objects.create(name="区科委")
    page = client_as(security_user).post(
        reverse("security:accounts"),
        {"username": "zhangsan", "full_name": "张三", "role": Role.LIAISON.value, "units": [unit.pk]},
    )
    html = page.content.decode()
    assert "账号 <strong>zhangsan</strong> 的初始密码" in html
    assert "no-store" in page["Cache-Control"]
    password = _issued_password(html)

    listing = client_as(security_user).get(reverse("security:accounts")).content.decode()
    assert re.search(r"zhangsan</a></td>\s*<td>张三</td>\s*<td>单位联络员</td>\s*<td>区科委</td>", listing)

    newcomer = Client()
    response = newcomer.post(reverse("login"), {"username": "zhangsan", "password": password}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("password_change")
    assert "您正在使用管理员发放的初始密码，请先修改密码后再继续使用。" in response.content.decode()
    # Every other page sends them back until they have changed it.
    assert newcomer.get(reverse("tasks:dashboard"))["Location"] == reverse("password_change")
    done = newcomer.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "Xin-mima-2026", "new_password2": "Xin-mima-2026"},
    )
    assert done.status_code == 302
    assert newcomer.get(reverse("tasks:dashboard")).status_code == 200
    created = AuditEvent.objects.get(action=Action.ACCOUNT_CREATE)
    assert created.username == "anquan" and created.object_repr == "zhangsan"
    assert created.detail == {"role": "单位联络员", "units": ["区科委"]}


def test_a_liaison_without_a_unit_is_refused_and_nothing_is_created(client_as, security_user):
    page = client_as(security_user).post(
        reverse("security:accounts"), {"username": "lisi", "full_name": "李四", "role": Role.LIAISON.value}
    )
    assert page.status_code == 200
    assert "单位联络员须至少关联一个单位。" in page.content.decode()
    assert not get_user_model().objects.filter(username="lisi").exists()
    assert not AuditEvent.objects.filter(action=Action.ACCOUNT_CREATE).exists()


def test_a_taken_username_is_refused_and_nothing_is_created(client_as, security_user, office_user):
    response = client_as(security_user).post(reverse("security:accounts"), {"username": "DuChaShi", "role": ""})
    assert "用户名“DuChaShi”已存在。" in response.content.decode()
    assert get_user_model().objects.count() == 2
    assert not AuditEvent.objects.filter(action=Action.ACCOUNT_CREATE).exists()


def test_disable_an_account_ends_its_sessions_and_refuses_login(client_as, security_user, office_user):
    victim = Client()
    assert victim.post(reverse("login"), {"username": "duchashi", "password": "pw-duchashi"}).status_code == 302
    assert victim.get(reverse("tasks:dashboard")).status_code == 200
    response = client_as(security_user).post(
        reverse("security:account_active", args=[office_user.pk]), {"active": "0"}, follow=True
    )
    assert "已停用账号 duchashi。" in response.content.decode()
    assert reverse("login") in victim.get(reverse("tasks:dashboard"))["Location"]
    assert Client().post(reverse("login"), {"username": "duchashi", "password": "pw-duchashi"}).status_code == 200
    event = AuditEvent.objects.get(action=Action.ACCOUNT_DISABLE)
    assert event.detail == {"sessions_ended": 1}


def test_reset_a_password_forces_a_change(client_as, security_user, office_user):
    page = client_as(security_user).post(reverse("security:account_reset", args=[office_user.pk]))
    assert "密码已重置" in page.content.decode()
    password = _issued_password(page.content.decode())
    fresh = Client()
    assert fresh.post(reverse("login"), {"username": "duchashi", "password": "pw-duchashi"}).status_code == 200
    response = fresh.post(reverse("login"), {"username": "duchashi", "password": password})
    assert response.status_code == 302
    assert fresh.get(reverse("tasks:dashboard"))["Location"] == reverse("password_change")
    assert AuditEvent.objects.filter(action=Action.PASSWORD_RESET, object_repr="duchashi").count() == 1


def test_assign_role_and_units_through_the_page(client_as, security_user, office_user):
    keji = Unit.objects.create(name="区科委")
    client = client_as(security_user)
    response = client.post(
        reverse("security:account_role", args=[office_user.pk]), {"role": Role.LIAISON.value}, follow=True
    )
    assert "已将 duchashi 的角色设为“单位联络员”。" in response.content.decode()
    response = client.post(reverse("security:account_units", args=[office_user.pk]), {"units": [keji.pk]}, follow=True)
    assert "已更新 duchashi 的所属单位。" in response.content.decode()
    assert list(office_user.profile.units.values_list("name", flat=True)) == ["区科委"]
    role_event = AuditEvent.objects.get(action=Action.ROLE_ASSIGN)
    assert role_event.detail == {"before": "督查室", "after": "单位联络员", "sessions_ended": 0}
    assert AuditEvent.objects.get(action=Action.UNITS_ASSIGN).detail == {"before": [], "after": ["区科委"]}


def _account_rows(html: str) -> dict[str, list[str]]:
    """The accounts table: username -> [name, role, units, state]."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        rows[cells[0]] = cells[1:]
    return rows


def test_the_accounts_page_shows_who_has_which_role(client_as, security_user, auditor_user, admin_user, liaison_user):
    """The security admin sees every account with its role, units and state (三员分立 at a glance)."""
    get_user_model().objects.create_user("waiting", first_name="王五")
    client = client_as(security_user)
    services.account_active_set(actor=security_user, user=liaison_user, active=False)
    rows = _account_rows(client.get(reverse("security:accounts")).content.decode())
    assert rows["anquan"][1] == "安全管理员"
    assert rows["shenji"][1] == "审计管理员"
    assert rows["sysadmin"][1] == "系统管理员（超级用户）"  # the fixture is a superuser: shown as such
    assert rows["liaison"][1:] == ["单位联络员", "区科委", "已停用"]
    assert rows["waiting"] == ["王五", "（无角色）", "", "正常"]


def test_the_accounts_page_query_budget(client_as, security_user, django_assert_max_num_queries):
    for n in range(20):
        _make_user(f"user{n}", Role.LIAISON, units=[f"单位{n}"])
    client = client_as(security_user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("security:accounts")).status_code == 200


# -- the audit page --------------------------------------------------------------------------


def test_audit_page_filters_by_user_action_and_date(client_as, auditor_user, office_user, liaison_user):
    audit_record(action=Action.LOGIN, user=office_user)
    audit_record(action=Action.LOGIN_FAILED, username="liaison", outcome="failure")
    client = client_as(auditor_user)
    html = client.get(reverse("security:audit"), {"username": "liaison"}).content.decode()
    assert "共 1 条记录。" in html and "登录失败" in html
    html = client.get(reverse("security:audit"), {"action": "login"}).content.decode()
    # The auditor's own login (force_login) and the office's.
    assert "共 2 条记录。" in html
    html = client.get(reverse("security:audit"), {"date_from": "2000-01-01", "date_to": "2000-01-02"}).content
    assert "没有符合条件的记录。" in html.decode()
    bad = client.get(reverse("security:audit"), {"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert "起始日期不能晚于截止日期。" in bad.content.decode()


def test_audit_export_is_guarded_and_itself_audited(client_as, auditor_user):
    audit_record(action=Action.LOGIN_FAILED, username='=HYPERLINK("x")', outcome="failure")
    response = client_as(auditor_user).get(reverse("security:audit_export"), {"action": "login_failed"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("编号", "时间", "用户名", "客户端地址", "操作", "对象", "结果", "详情")
    assert rows[1][2] == '\'=HYPERLINK("x")' and rows[1][4] == "登录失败" and rows[1][6] == "失败"
    assert len(rows) == 2  # the filter applies: not the auditor's own login
    exported = AuditEvent.objects.get(action=Action.AUDIT_EXPORT)
    assert exported.username == "shenji" and exported.detail == {"filters": {"action": "login_failed"}}


def test_audit_page_query_budget(client_as, auditor_user, office_user, django_assert_max_num_queries):
    for _ in range(80):
        audit_record(action=Action.LOGIN, user=office_user)
    client = client_as(auditor_user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("security:audit")).status_code == 200


# -- demo accounts ---------------------------------------------------------------------------


def test_demo_accounts_include_the_security_and_audit_administrators(settings, db):
    from django.core.management import call_command

    settings.DEMO_MODE = True
    out = io.StringIO()
    call_command("create_demo_accounts", stdout=out)
    assert "anquan" in out.getvalue() and "demo-anquan-2025" in out.getvalue()
    assert "shenji" in out.getvalue() and "demo-shenji-2025" in out.getvalue()
    users = get_user_model().objects
    assert list(users.get(username="anquan").groups.values_list("name", flat=True)) == ["安全管理员"]
    assert list(users.get(username="shenji").groups.values_list("name", flat=True)) == ["审计管理员"]
    assert not users.get(username="anquan").is_superuser
    # The quick start's logins work straight away (no forced change in DEMO_MODE).
    client = Client()
    client.post(reverse("login"), {"username": "anquan", "password": "demo-anquan-2025"})
    assert client.get(reverse("security:accounts")).status_code == 200


def test_no_demo_account_is_a_superuser_and_the_demo_admin_still_works(settings, db):
    from django.core.management import call_command

    settings.DEMO_MODE = True
    users = get_user_model().objects
    # An earlier version made the demo admin a superuser: running the command again takes that away.
    users.create_user("admin", password="x", is_superuser=True, is_staff=True)
    call_command("create_demo_accounts", stdout=io.StringIO())
    assert not users.filter(is_superuser=True).exists()
    admin = users.get(username="admin")
    assert admin.is_staff
    assert list(admin.groups.values_list("name", flat=True)) == ["系统管理员"]
    client = Client()
    client.post(reverse("login"), {"username": "admin", "password": "demo-admin-2025"})
    # Daily work as the 系统管理员 without the superuser flag: imports and the Django admin.
    assert client.get(reverse("imports:upload")).status_code == 200
    assert client.get("/admin/tasks/task/").status_code == 200
    assert client.get(reverse("security:accounts")).status_code == 403
    assert client.get(reverse("security:audit")).status_code == 403


def test_check_deploy_refuses_demo_mode_in_production(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.DEBUG = False
    settings.DEMO_MODE = True
    with pytest.raises(SystemCheckError, match="DEMO_MODE=1 不得用于生产环境：演示账号的密码是公开的。"):
        call_command("check", "--deploy", "--tag", "security", stdout=io.StringIO(), stderr=io.StringIO())
    settings.DEMO_MODE = False
    call_command("check", "--deploy", "--tag", "security", stdout=io.StringIO(), stderr=io.StringIO())


def test_check_refuses_demo_accounts_that_still_open_with_their_published_password(settings, db):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    from accounts.demo import demo_accounts_ensure

    settings.DEMO_MODE = True
    demo_accounts_ensure()
    call_command("check", "--database", "default", stdout=io.StringIO())  # the quick start itself
    settings.DEMO_MODE = False
    settings.DEBUG = True  # a developer's machine after the quick start
    call_command("check", "--database", "default", stdout=io.StringIO())
    settings.DEBUG = False
    every = "admin、anquan、fagai、keji、office、shenji、tanruicong"
    with pytest.raises(SystemCheckError, match=f"演示账号仍可用公开的演示密码登录：{every}。"):
        call_command("check", "--database", "default", stdout=io.StringIO(), stderr=io.StringIO())
    users = get_user_model().objects
    anquan = users.get(username="anquan")
    for account in users.filter(username__in=["admin", "fagai", "keji", "office", "tanruicong"]):
        services.account_active_set(actor=anquan, user=account, active=False)
    # The 审计管理员 is out of the 安全管理员's reach: re-issued on the server.
    call_command("admin_account", "shenji", "--role", "审计管理员", stdout=io.StringIO())
    with pytest.raises(SystemCheckError, match="演示账号仍可用公开的演示密码登录：anquan。"):
        call_command("check", "--database", "default", stdout=io.StringIO(), stderr=io.StringIO())
    # The security admin's own password, changed as the user would.
    anquan.set_password("Another-Secret-2026")
    anquan.save()
    call_command("check", "--database", "default", stdout=io.StringIO())


def test_a_role_change_ends_the_accounts_sessions(client_as, security_user, office_user):
    """Raised to 系统管理员 while signed in as 督查室, the old session reached the imports without
    the second factor the new role asks for."""
    signed_in = client_as(office_user)
    assert signed_in.get(reverse("tasks:dashboard")).status_code == 200
    services.account_role_assign(actor=security_user, user=office_user, role=Role.ADMIN)
    assert signed_in.get(reverse("imports:history"))["Location"].startswith(reverse("login"))
    assert AuditEvent.objects.get(action=Action.ROLE_ASSIGN).detail["sessions_ended"] == 1


def test_a_new_system_administrator_works_in_the_django_admin(client_as, security_user, office_user):
    services.account_role_assign(actor=security_user, user=office_user, role=Role.ADMIN)
    office_user.refresh_from_db()
    assert office_user.is_staff and not office_user.is_superuser
    assert client_as(office_user).get(reverse("admin:index")).status_code == 200
    services.account_role_assign(actor=security_user, user=office_user, role=Role.OFFICE)
    office_user.refresh_from_db()
    assert not office_user.is_staff


def test_the_security_admin_cannot_make_reset_disable_or_re_role_an_auditor(client_as, security_user, auditor_user):
    """三员分立: the 安全管理员 could reset the 审计管理员's password, or make one, and sign in as it."""
    refused = [services.AUDITOR_OUT_OF_REACH]
    with pytest.raises(ValidationError) as made:
        services.account_create(actor=security_user, username="puppet", role=Role.AUDITOR)
    assert made.value.messages == refused
    for change in (
        lambda: services.account_password_reset(actor=security_user, user=auditor_user),
        lambda: services.account_active_set(actor=security_user, user=auditor_user, active=False),
        lambda: services.account_role_assign(actor=security_user, user=auditor_user, role=Role.OFFICE),
    ):
        with pytest.raises(ValidationError) as out_of_reach:
            change()
        assert out_of_reach.value.messages == refused
    client = client_as(security_user)
    accounts = client.get(reverse("security:accounts")).content.decode()
    assert '<option value="审计管理员">' not in accounts
    page = client.get(reverse("security:account", args=[auditor_user.pk])).content.decode()
    assert "data-auditor" in page and reverse("security:account_reset", args=[auditor_user.pk]) not in page
    response = client.post(reverse("security:account_reset", args=[auditor_user.pk]), follow=True)
    assert services.AUDITOR_OUT_OF_REACH in response.content.decode()
    auditor_user.refresh_from_db()
    assert auditor_user.is_active and auditor_user.check_password("pw-" + auditor_user.username)
    assert not get_user_model().objects.filter(username="puppet").exists()


def test_administrators_are_issued_on_the_server(db):
    """The first 安全管理员 of an install and every 审计管理员: `manage.py admin_account`."""
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("admin_account", "shenji2", "--role", "审计管理员", "--name", "吴敏", stdout=out)
    password = re.search(r"初始密码（只显示这一次）：(\S+)", out.getvalue()).group(1)
    user = get_user_model().objects.get(username="shenji2")
    assert user.first_name == "吴敏" and list(user.groups.values_list("name", flat=True)) == ["审计管理员"]
    assert user.check_password(password) and not user.is_superuser and not user.is_staff
    created = AuditEvent.objects.get(action=Action.ACCOUNT_CREATE, object_repr="shenji2")
    assert created.detail == {"role": "审计管理员", "via": "服务器命令 manage.py admin_account"}
    call_command("admin_account", "shenji2", "--role", "审计管理员", stdout=io.StringIO())
    assert not get_user_model().objects.get(username="shenji2").check_password(password)
    assert AuditEvent.objects.filter(action=Action.PASSWORD_RESET, object_repr="shenji2").count() == 1
    with pytest.raises(CommandError):
        call_command("admin_account", "x", "--role", "督查室", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_security_admin_links_a_leaders_account(client_as, security_user, office_user):
    from tasks.models import Leader

    leader = Leader.objects.create(name="谭瑞琮")
    client = client_as(security_user)
    response = client.post(
        reverse("security:account_leader", args=[office_user.pk]), {"leader": leader.pk}, follow=True
    )
    assert "已将 duchashi 关联为“谭瑞琮”。" in response.content.decode()
    office_user.profile.refresh_from_db()
    assert office_user.profile.leader == leader
    assert AuditEvent.objects.get(action=Action.LEADER_ASSIGN).detail == {"before": "", "after": "谭瑞琮"}
