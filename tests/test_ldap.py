"""LDAP sign-in (django-auth-ldap) against a real OpenLDAP server: Debian's slapd, started here
as a throwaway (like the PostgreSQL of bin/run-tests) and loaded with two directory users.

CI installs slapd and ldap-utils (.ci/run); there these tests fail, never skip, if either is missing."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from accounts.audit import Action
from accounts.models import AuditEvent, Outcome
from tasks.models import UserProfile
from tests.settings_probe import settings_printed

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SLAPADD = shutil.which("slapadd") or "/usr/sbin/slapadd"
SUFFIX = "dc=minhang,dc=test"
WAITING = "您已登录（{}），但账号尚未分配角色和单位。请联系安全管理员开通，开通后重新登录即可使用。"
BAD_LOGIN = "请输入一个正确的用户名和密码。注意，两者都区分大小写。"

DIRECTORY = f"""dn: {SUFFIX}
objectClass: dcObject
objectClass: organization
o: Minhang
dc: minhang

dn: ou=people,{SUFFIX}
objectClass: organizationalUnit
ou: people

dn: uid=wangwu,ou=people,{SUFFIX}
objectClass: inetOrgPerson
uid: wangwu
cn: 王五
sn: 王
mail: wangwu@minhang.test
userPassword: Dir-Wangwu-2025

dn: uid=duchashi,ou=people,{SUFFIX}
objectClass: inetOrgPerson
uid: duchashi
cn: 督查室
sn: 督
userPassword: Dir-Duchashi-2025
"""


def _missing(what: str) -> None:
    message = f"{what} is missing: apt-get install -y slapd ldap-utils (and pip install -r requirements-ldap.txt)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def slapd():
    """A throwaway OpenLDAP server on a free loopback port; its URI."""
    try:
        import ldap
    except ImportError:
        _missing("python-ldap")
    if not (Path(SLAPD).exists() and Path(SLAPADD).exists()):
        _missing("Debian's slapd")
    workdir = Path(tempfile.mkdtemp(prefix="minhang-ldap."))
    (workdir / "data").mkdir()
    conf = workdir / "slapd.conf"
    conf.write_text(
        "\n".join(
            [
                *(f"include /etc/ldap/schema/{name}.schema" for name in ("core", "cosine", "inetorgperson")),
                "modulepath /usr/lib/ldap",
                "moduleload back_mdb",
                f"pidfile {workdir}/slapd.pid",
                "database mdb",
                f'suffix "{SUFFIX}"',
                f'rootdn "cn=admin,{SUFFIX}"',
                "rootpw admin-secret",
                f"directory {workdir}/data",
                "maxsize 10485760",
                "",
            ]
        )
    )
    (workdir / "directory.ldif").write_text(DIRECTORY, encoding="utf-8")
    subprocess.run([SLAPADD, "-f", str(conf), "-l", str(workdir / "directory.ldif")], check=True, capture_output=True)
    uri = f"ldap://127.0.0.1:{_free_port()}"
    # -d 0: stays in the foreground (this process owns it) and logs nothing.
    server = subprocess.Popen([SLAPD, "-d", "0", "-f", str(conf), "-h", uri + "/"], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                probe = ldap.initialize(uri)
                probe.simple_bind_s(f"cn=admin,{SUFFIX}", "admin-secret")
                probe.unbind_s()
                break
            except ldap.SERVER_DOWN:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"slapd did not start: {server.stderr.read().decode()}") from None
                time.sleep(0.05)
        yield uri
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def _ldap_environment(uri: str) -> dict[str, str]:
    return {
        "LDAP_SERVER_URI": uri,
        "LDAP_USER_SEARCH_BASE": f"ou=people,{SUFFIX}",
        "LDAP_BIND_DN": f"cn=admin,{SUFFIX}",
        "LDAP_BIND_PASSWORD": "admin-secret",
    }


@pytest.fixture
def ldap_on(slapd, settings, monkeypatch):
    """LDAP configured exactly as the environment of a deployment would configure it."""
    from accounts.ldap_config import BACKEND, ldap_settings

    for name, value in _ldap_environment(slapd).items():
        monkeypatch.setenv(name, value)
    for name, value in ldap_settings().items():
        setattr(settings, name, value)
    settings.LDAP_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]
    return slapd


def _login(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password}, follow=True)


def test_a_new_directory_user_gets_an_account_without_role_or_units_and_waits(ldap_on):
    client = Client()
    response = _login(client, "wangwu", "Dir-Wangwu-2025")
    assert WAITING.format("wangwu") in response.content.decode()
    user = get_user_model().objects.get(username="wangwu")
    assert (user.first_name, user.email) == ("王五", "wangwu@minhang.test")
    # The directory's password is never stored here; no role, no unit, no staff or superuser flag.
    assert not user.has_usable_password()
    assert user.groups.count() == 0 and not user.is_staff and not user.is_superuser
    assert not UserProfile.objects.filter(user=user, units__isnull=False).exists()
    assert client.get(reverse("tasks:dashboard")).status_code == 403
    events = list(AuditEvent.objects.order_by("id").values_list("action", "username", "detail"))
    assert events == [
        (Action.SSO_ACCOUNT_CREATE, "wangwu", {"provider": "ldap"}),
        (Action.LOGIN, "wangwu", {}),
    ]
    # The second sign-in finds the same account and creates nothing.
    _login(Client(), "wangwu", "Dir-Wangwu-2025")
    assert AuditEvent.objects.filter(action=Action.SSO_ACCOUNT_CREATE).count() == 1


def test_a_wrong_directory_password_is_refused_and_recorded(ldap_on):
    response = _login(Client(), "wangwu", "not-the-password")
    assert BAD_LOGIN in response.content.decode()
    assert not get_user_model().objects.filter(username="wangwu").exists()
    failure = AuditEvent.objects.get()
    assert (failure.action, failure.username, failure.outcome) == (Action.LOGIN_FAILED, "wangwu", Outcome.FAILURE)


def test_a_directory_login_maps_to_the_existing_local_account_with_local_passwords_off(ldap_on, settings, office_user):
    settings.LOCAL_PASSWORD_LOGIN = False
    settings.AUTHENTICATION_BACKENDS = [
        b for b in settings.AUTHENTICATION_BACKENDS if b != "accounts.backends.ModelBackend"
    ]
    # The login form stays: the directory checks its passwords.
    assert 'id="password-login"' in Client().get(reverse("login")).content.decode()
    assert BAD_LOGIN in _login(Client(), "duchashi", "pw-duchashi").content.decode()
    client = Client()
    response = _login(client, "duchashi", "Dir-Duchashi-2025")
    assert response.redirect_chain[-1][0] == reverse("supervision:todo")  # where every role lands
    assert get_user_model().objects.filter(username__iexact="duchashi").count() == 1
    assert list(get_user_model().objects.get(username="duchashi").groups.values_list("name", flat=True)) == ["督查室"]
    assert not AuditEvent.objects.filter(action=Action.SSO_ACCOUNT_CREATE).exists()


def test_ldap_is_configured_only_from_the_environment(slapd):
    expression = "settings.AUTHENTICATION_BACKENDS, settings.LDAP_ENABLED"
    base = {k: v for k, v in os.environ.items() if not k.startswith("LDAP_")} | {"SECRET_KEY": "x"}
    off = settings_printed(expression, environment=base)
    assert "accounts.ldap.LDAPBackend" not in off.stdout and off.stdout.strip().endswith("False")
    on = settings_printed(expression, environment={**base, **_ldap_environment(slapd)})
    assert on.stdout.strip().endswith("'accounts.ldap.LDAPBackend'] True")
    incomplete = settings_printed(expression, environment={**base, "LDAP_SERVER_URI": slapd})
    assert incomplete.returncode != 0
    assert "LDAP_SERVER_URI needs LDAP_USER_SEARCH_BASE or LDAP_USER_DN_TEMPLATE." in incomplete.stderr


def test_a_directory_account_is_never_sent_to_change_a_password_it_does_not_have(ldap_on):
    import datetime as dt

    from django.utils import timezone

    _login(Client(), "wangwu", "Dir-Wangwu-2025")
    get_user_model().objects.filter(username="wangwu").update(date_joined=timezone.now() - dt.timedelta(days=400))
    client = Client()
    response = _login(client, "wangwu", "Dir-Wangwu-2025")
    # Past PASSWORD_MAX_AGE_DAYS, but the password lives in the directory: no forced local change.
    assert response.redirect_chain[-1][0] == reverse("security:home")
    assert WAITING.format("wangwu") in response.content.decode()
