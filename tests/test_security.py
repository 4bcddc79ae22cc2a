"""Security defaults: deploy checks, CSP, clickjacking, CSRF, login throttling, sessions."""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "plans.minhang.example",
        "DATABASE_URL": "sqlite:////tmp/deploy-check.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("command", [["check"], ["makemigrations", "--check", "--dry-run"], ["migrate"]])
def test_production_refuses_to_start_without_a_secret_key(command):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env["DATABASE_URL"] = "sqlite:////tmp/deploy-check.sqlite3"
    result = subprocess.run(
        [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    # The configuration error in its own words, whatever the command (not a traceback about models).
    assert "Configuration error: Environment variable SECRET_KEY is required." in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_pages_send_a_csp_without_external_origins_and_deny_framing(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "http" not in policy  # no origin other than our own
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_writes_need_a_csrf_token(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.post(reverse("imports:upload"), {}).status_code == 403
    assert client.post(reverse("logout")).status_code == 403


@pytest.mark.django_db
def test_password_guessing_is_throttled(client, office_user):
    url = reverse("login")
    for _ in range(4):
        response = client.post(url, {"username": office_user.username, "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    # The fifth failure locks the username from this address.
    locked = client.post(url, {"username": office_user.username, "password": "wrong"})
    assert locked.status_code == 429
    assert "登录已暂停 15 分钟" in locked.content.decode()
    # Even the right password is refused while locked.
    right = client.post(url, {"username": office_user.username, "password": "pw-" + office_user.username})
    assert right.status_code == 429


@pytest.mark.django_db
def test_right_password_logs_in_and_the_session_expires(client, office_user, settings):
    response = client.post(
        reverse("login"), {"username": office_user.username, "password": "pw-" + office_user.username}
    )
    assert response.status_code == 302
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert client.session.get_expiry_age() <= 8 * 3600


# -- login throttling behind the proxy (issue 14, item 12) ---------------------------------------

LOGIN_THROTTLED = "本机登录失败次数过多，为防止密码被猜测，登录已暂停"


def login(client, username: str, password: str, address: str):
    """A login through the proxy: nginx connects from loopback and writes the client's address."""
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=address,
    )


@pytest.mark.django_db
def test_a_locked_out_client_behind_the_proxy_does_not_lock_out_the_real_user(office_user):
    attacker, owner = Client(), Client()
    for attempt in range(5):
        # Whatever the attacker writes into the header before the proxy's entry changes nothing.
        response = login(attacker, office_user.username, "wrong", f"198.51.100.{attempt}, 10.1.1.1")
    assert response.status_code == 429
    assert LOGIN_THROTTLED in response.content.decode()
    assert login(attacker, office_user.username, "pw-" + office_user.username, "10.1.1.1").status_code == 429
    # The office, at its own desk behind the same proxy, still signs in.
    response = login(owner, office_user.username, "pw-" + office_user.username, "10.2.2.2")
    assert response.status_code == 302


@pytest.mark.django_db
def test_spraying_many_usernames_from_one_address_locks_the_address(settings, office_user, liaison_user):
    limit = settings.AXES_IP_FAILURE_LIMIT
    assert limit > settings.AXES_FAILURE_LIMIT
    sprayer = Client()
    for number in range(limit - 1):
        response = login(sprayer, f"guess{number}", "wrong", "10.3.3.3")
        assert response.status_code == 200, number  # one failure per username: no username lockout
    response = login(sprayer, "guess-last", "wrong", "10.3.3.3")
    assert response.status_code == 429
    assert LOGIN_THROTTLED in response.content.decode()
    # From that address nobody signs in now, not even with a right password ...
    assert login(Client(), liaison_user.username, "pw-" + liaison_user.username, "10.3.3.3").status_code == 429
    # ... while every other address is untouched.
    assert login(Client(), office_user.username, "pw-" + office_user.username, "10.4.4.4").status_code == 302


class CountingMD5Hasher(MD5PasswordHasher):
    """The suite's hasher, counting how often a password is hashed."""

    calls = 0

    def encode(self, password, salt):
        CountingMD5Hasher.calls += 1
        return super().encode(password, salt)


@pytest.mark.django_db
def test_a_locked_address_costs_no_password_hashing(settings, office_user):
    settings.PASSWORD_HASHERS = ["tests.test_security.CountingMD5Hasher"]
    settings.AXES_IP_FAILURE_LIMIT = 8
    sprayer = Client()
    for number in range(8):
        login(sprayer, f"nobody{number}", "wrong", "10.5.5.5")
    CountingMD5Hasher.calls = 0
    for number in range(20):
        assert login(sprayer, f"more{number}", "wrong", "10.5.5.5").status_code == 429
    assert CountingMD5Hasher.calls == 0
    # An address that is not locked is hashed as usual (the counter works).
    login(Client(), "nobody", "wrong", "10.6.6.6")
    assert CountingMD5Hasher.calls == 1


@pytest.mark.django_db
def test_a_successful_login_does_not_clear_the_addresss_failures(settings, office_user):
    """Else one valid account would reset a spray across other usernames."""
    settings.AXES_IP_FAILURE_LIMIT = 6
    client = Client()
    for number in range(5):
        login(client, f"guess{number}", "wrong", "10.7.7.7")
    assert login(client, office_user.username, "pw-" + office_user.username, "10.7.7.7").status_code == 302
    assert login(Client(), "guess-again", "wrong", "10.7.7.7").status_code == 429


@pytest.mark.django_db
def test_the_lockout_page_states_the_configured_cool_off(settings, office_user):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=7)
    client = Client()
    for _ in range(5):
        response = login(client, office_user.username, "wrong", "10.8.8.8")
    assert response.status_code == 429
    assert "登录已暂停 7 分钟。请稍后再试，或联系系统管理员。" in response.content.decode()


# -- the Chinese 404 with DEBUG on (item 10) -----------------------------------------------------


@pytest.mark.django_db
def test_debug_mode_shows_the_chinese_404_page(settings, client_as, office_user):
    settings.DEBUG = True
    for client in (Client(), client_as(office_user)):
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        text = response.content.decode()
        assert "页面不存在（404）" in text and "您要找的页面不存在" in text
        assert "Page not found" not in text and "URLconf" not in text
    # A 404 raised by a view, too.
    response = client_as(office_user).get(reverse("tasks:task", args=[987654321]))
    assert response.status_code == 404
    assert "页面不存在（404）" in response.content.decode()
    assert "Page not found" not in response.content.decode()


# -- control characters in URLs and cookies (item 17) --------------------------------------------


@pytest.mark.django_db
def test_a_nul_in_the_path_is_a_chinese_404(client_as, office_user):
    response = client_as(office_user).get("/units/name/%00/")
    assert response.status_code == 404
    assert "页面不存在（404）" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["q=%00", "q=abc%00def", "plan=%00", "%00=1", "q=%01"])
def test_a_control_character_in_the_query_is_a_chinese_400(client_as, office_user, query):
    response = client_as(office_user).get(f"/tasks/?{query}")
    assert response.status_code == 400
    assert "网址的查询参数中含有无效字符（如空字符），请检查后重试。" in response.content.decode()


@pytest.mark.django_db
def test_a_search_with_tabs_and_line_breaks_still_works(client_as, office_user):
    assert client_as(office_user).get("/tasks/?q=%E7%A7%91%E6%8A%80%0A%09").status_code == 200


@pytest.mark.django_db
def test_a_session_cookie_with_a_nul_counts_as_no_session(client):
    client.cookies["sessionid"] = "abc\x00defghijkl"
    response = client.get(reverse("tasks:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# -- caching of private pages and downloads (item 17) --------------------------------------------


@pytest.mark.django_db
def test_signed_in_pages_are_private_and_downloads_are_never_stored(client_as, office_user):
    client = client_as(office_user)
    for url in (reverse("tasks:dashboard"), reverse("tasks:task_search"), reverse("tasks:unit_index")):
        response = client.get(url)
        assert response.status_code == 200
        assert "private" in response["Cache-Control"], url
    download = client.get(reverse("tasks:task_export_xlsx"))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    directives = {part.strip() for part in download["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives


@pytest.mark.django_db
def test_pages_keep_their_own_cache_headers(client):
    # The login page says never_cache itself; it is not replaced.
    response = client.get(reverse("login"))
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


# -- password change for every role (item 17) ----------------------------------------------------


def form_fields(html: str) -> dict[str, str]:
    """The named inputs of the page's password form, with their values."""
    form = re.search(r'<form method="post" class="stack login"[^>]*>(.*?)</form>', html, re.S)
    assert form, "no password form on the page"
    return dict(re.findall(r'<input[^>]*name="([^"]+)"(?:[^>]*value="([^"]*)")?', form.group(1)))


@pytest.mark.django_db
def test_a_liaison_changes_their_password_through_the_form(liaison_user):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("login")).content.decode()
    token = form_fields(page)["csrfmiddlewaretoken"]
    client.post(reverse("login"), {"username": "liaison", "password": "pw-liaison", "csrfmiddlewaretoken": token})
    landing = client.get(reverse("tasks:landing"), follow=True).content.decode()
    assert f'<a href="{reverse("password_change")}">修改密码</a>' in landing

    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    html = page.content.decode()
    for label in ("当前密码", "新密码", "再次输入新密码"):
        assert f">{label}</label>" in html
    fields = form_fields(html)
    assert set(fields) == {"csrfmiddlewaretoken", "old_password", "new_password1", "new_password2"}

    wrong = client.post(
        reverse("password_change"),
        {**fields, "old_password": "nope", "new_password1": "Lian-luo-2026!", "new_password2": "Lian-luo-2026!"},
    )
    assert wrong.status_code == 200
    assert "你的旧密码不正确。请重新输入。" in wrong.content.decode()

    done = client.post(
        reverse("password_change"),
        {**fields, "old_password": "pw-liaison", "new_password1": "Lian-luo-2026!", "new_password2": "Lian-luo-2026!"},
        follow=True,
    )
    assert done.status_code == 200
    assert "您的密码已修改，下次登录请使用新密码。" in done.content.decode()

    fresh = Client()
    assert fresh.post(reverse("login"), {"username": "liaison", "password": "pw-liaison"}).status_code == 200
    assert fresh.post(reverse("login"), {"username": "liaison", "password": "Lian-luo-2026!"}).status_code == 302


# -- the 系统管理员 role without superuser status (item 17) -----------------------------------------


@pytest.mark.django_db
def test_the_admin_role_has_its_permissions_after_migrate():
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="系统管理员")
    granted = set(group.permissions.values_list("content_type__app_label", "codename"))
    for needed in [("tasks", "change_task"), ("tasks", "change_unit"), ("imports", "view_importrecord")]:
        assert needed in granted
    assert ("axes", "delete_accessattempt") in granted
    # 三员分立: accounts are the 安全管理员's (the security pages), never the 系统管理员's.
    assert not {p for p in granted if p[0] == "auth"}


@pytest.mark.django_db
def test_a_staff_admin_who_is_not_superuser_can_open_every_admin_list(django_user_model):
    from django.contrib import admin

    from tasks.models import Role
    from tasks.services import roles_ensure

    user = django_user_model.objects.create_user("it-admin", password="x", is_staff=True)
    user.groups.add(roles_ensure()[Role.ADMIN.value])
    client = Client()
    client.force_login(user)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert "您没有查看或编辑的权限" not in index.content.decode()
    # Accounts, their groups and two-factor devices are account security: the 安全管理员's (三员分立),
    # never the 系统管理员's. Disabling an account or resetting its password here was possible before.
    # Whom an account reports or reads for (tasks.UserProfile: its units and leader) too: giving
    # a liaison a second unit here let them report for it.
    security_apps = {"otp_totp", "otp_static", "otp_hotp", "otp_email", "auth"}
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        security = opts.app_label in security_apps or opts.label_lower == "tasks.userprofile"
        expected = 403 if security else 200
        assert client.get(url).status_code == expected, url
    other = django_user_model.objects.create_user("keji-x", password="x")
    for url in (
        reverse("admin:auth_user_change", args=[other.pk]),
        reverse("admin:auth_user_password_change", args=[other.pk]),
        reverse("admin:auth_user_add"),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("admin:auth_user_change", args=[other.pk]), {"is_active": ""}).status_code == 403
    assert django_user_model.objects.get(pk=other.pk).is_active


# -- request bodies before authentication (item 13), through real servers ------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def exchange(port: int, head: str, body: bytes = b"", *, timeout: float = 15) -> tuple[int, str]:
    """Send raw bytes and read one response (status, text), without waiting for the server to
    close: a server that waited for the announced body would time out here."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + body)
        data = b""

        def more() -> None:
            nonlocal data
            chunk = sock.recv(65536)
            assert chunk, data
            data += chunk

        while b"\r\n\r\n" not in data:
            more()
        header = data.split(b"\r\n\r\n", 1)[0]
        start = len(header) + 4
        if re.search(rb"(?i)transfer-encoding: chunked", header):
            while not data.endswith(b"\r\n0\r\n\r\n"):
                more()
            text, rest = b"", data[start:]
            while (size := int(rest.split(b"\r\n", 1)[0], 16)) > 0:
                rest = rest.split(b"\r\n", 1)[1]
                text, rest = text + rest[:size], rest[size + 2 :]
        else:
            length = int(re.search(rb"(?i)content-length: (\d+)", header).group(1))
            while len(data) < start + length:
                more()
            text = data[start : start + length]
    return int(header.split()[1]), text.decode()


def files_under(*folders: Path) -> list[Path]:
    return [path for folder in folders for path in folder.rglob("*") if path.is_file()]


@pytest.fixture(scope="module")
def gunicorn_app(tmp_path_factory):
    """The app under gunicorn with deploy/gunicorn.conf.py, DEBUG off, as in production.
    Anonymous refusals need no database, so none is set up."""
    work = tmp_path_factory.mktemp("gunicorn")
    media, uploads = work / "media", work / "uploads"
    media.mkdir()
    uploads.mkdir()
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{work / 'unused.sqlite3'}",
        "MEDIA_ROOT": str(media),
        "FILE_UPLOAD_TEMP_DIR": str(uploads),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "minhang_plans.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
    try:
        yield {"port": port, "media": media, "uploads": uploads}
    finally:
        process.terminate()
        process.wait(timeout=30)


# What nginx sends on (HTTPS was terminated there), from a client that passes Django's CSRF
# checks as any visitor can: its own origin, and a CSRF cookie from any page.
PROXIED = (
    "Host: 127.0.0.1\nX-Forwarded-Proto: https\nX-Forwarded-For: 10.9.9.9\n"
    f"Origin: https://127.0.0.1\nCookie: csrftoken={'a' * 32}\n"
)


def test_a_huge_anonymous_upload_is_refused_before_its_body_is_read(gunicorn_app):
    head = (
        f"POST /imports/upload/ HTTP/1.1\n{PROXIED}Content-Type: multipart/form-data; boundary=xyz\n"
        "Content-Length: 1073741824\n\n"
    )
    status, text = exchange(gunicorn_app["port"], head)  # 1 GiB announced, not a byte sent
    assert status == 413
    assert "提交的文件过大，服务器未接收。导入文件不能超过 20 MB，进展附件不能超过 10 MB。" in text
    assert files_under(gunicorn_app["media"], gunicorn_app["uploads"]) == []


def test_an_anonymous_upload_within_the_size_limit_is_refused_unread(gunicorn_app):
    head = (
        f"POST /imports/upload/ HTTP/1.1\n{PROXIED}Content-Type: multipart/form-data; boundary=xyz\n"
        f"Content-Length: {5 * 1024 * 1024}\n\n"
    )
    status, text = exchange(gunicorn_app["port"], head)
    assert status == 403
    assert "登录已失效，文件未上传。请重新登录后再上传。" in text
    assert files_under(gunicorn_app["media"], gunicorn_app["uploads"]) == []


def test_a_large_anonymous_form_is_refused_unread(gunicorn_app):
    head = (
        f"POST /accounts/login/ HTTP/1.1\n{PROXIED}Content-Type: application/x-www-form-urlencoded\n"
        f"Content-Length: {2 * 1024 * 1024}\n\n"
    )
    status, text = exchange(gunicorn_app["port"], head)
    assert status == 413 and "服务器未接收" in text


def test_a_body_without_a_length_is_refused(gunicorn_app):
    head = (
        f"POST /imports/upload/ HTTP/1.1\n{PROXIED}Content-Type: multipart/form-data; boundary=xyz\n"
        "Transfer-Encoding: chunked\n\n"
    )
    status, text = exchange(gunicorn_app["port"], head, b"10000\r\n" + b"x" * 0x10000 + b"\r\n")
    assert status == 411
    assert "请求必须注明内容长度（Content-Length），不接受分块传输。" in text
    assert files_under(gunicorn_app["media"], gunicorn_app["uploads"]) == []


@pytest.mark.django_db(transaction=True)
def test_a_signed_in_upload_is_cut_at_the_limit_while_it_streams(live_server, admin_user, settings, tmp_path):
    from imports.models import PendingImport

    settings.IMPORT_MAX_UPLOAD_BYTES = 64 * 1024
    settings.ATTACHMENT_MAX_BYTES = 32 * 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # spool to the temporary folder, as big files are
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    client = Client()
    client.force_login(admin_user)
    cookie = client.cookies["sessionid"].value

    boundary = "xyzzy"
    preamble = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.xlsx"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    declared = 600 * 1024  # within the request limit (64 KiB + 1 MiB), over the file limit
    sent = preamble + b"x" * (200 * 1024)  # the rest never comes
    port = int(live_server.url.rsplit(":", 1)[1])
    head = (
        f"POST /imports/upload/ HTTP/1.1\nHost: 127.0.0.1\nCookie: sessionid={cookie}\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\nContent-Length: {declared}\n\n"
    )
    status, text = exchange(port, head, sent)
    assert status == 413
    assert "提交的文件过大，服务器未接收。" in text
    assert files_under(tmp_path) == []
    assert not PendingImport.objects.exists()


@pytest.mark.django_db
def test_the_admins_password_page_uses_the_same_chinese_form(client_as, admin_user):
    page = client_as(admin_user).get(reverse("admin:password_change"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>修改密码</h1>" in html and ">再次输入新密码</label>" in html


def _every_address(resolver=None, prefix=""):
    """Every URL pattern of the project as an address: each converter given a plain value."""
    from django.urls import URLPattern, URLResolver, get_resolver

    values = {
        "id": "1",
        "int": "1",
        "str": "xlsx",
        "slug": "x",
        "path": "x",
        "uuid": "00000000-0000-0000-0000-000000000001",
    }
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: values[m.group(1) or "str"], route)
        if isinstance(entry, URLResolver):
            if not route.startswith("admin/"):
                yield from _every_address(entry, route)
        elif isinstance(entry, URLPattern) and not route.startswith("^"):
            yield "/" + route


@pytest.mark.django_db
def test_an_anonymous_get_of_any_address_is_never_told_the_method_is_wrong(client):
    """Login is checked before the method (tasks/decorators.py): a POST-only address opened while
    signed out goes to the login page, like every other page, not to a 405."""
    addresses = [a for a in _every_address() if a != reverse("logout")]  # Django's own, POST only
    for prefix in ("/documents/", "/insights/", "/jobs/", "/messages/", "/security/"):
        assert any(a.startswith(prefix) for a in addresses), prefix
    wrong = {a: s for a in addresses if (s := client.get(a).status_code) in (405, 500)}
    assert wrong == {}
    for name in (
        "documents:template_activate",
        "insights:suggestions_refresh",
        "jobs:ledger_export",
        "notifications:read_all",
        "security:session_end",
    ):
        assert client.get(reverse(name))["Location"].startswith(reverse("login") + "?next="), name


# "²" passes str.isdigit() and int() refuses it: each of these was a 500 (minhang_plans/params.py).
@pytest.mark.django_db
def test_a_superscript_digit_in_a_parameter_is_never_a_500(client, office_user):
    client.force_login(office_user)
    burden = client.get(reverse("assessment:burden"), {"year": "²"})
    assert burden.status_code == 200  # an unreadable year is the current year, as "abc" always was
    computed = client.post(reverse("assessment:compute"), {"plan": "²"})
    assert computed.status_code == 404 and "页面不存在（404）" in computed.content.decode()
    activated = client.post(reverse("documents:template_activate"), {"template": "²"})
    assert activated.status_code == 404 and "页面不存在（404）" in activated.content.decode()
    batch = client.post(
        reverse("tasks:review_batch"), {"report": "80", "version-80": "²", "decision": "approve"}, follow=True
    )
    assert batch.status_code == 200
    assert [str(m) for m in batch.context["messages"]] == [
        "所选报告中有的已不存在，本批未审核任何报告。请刷新页面后重试。"
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), ("0", 0), ("²", None), ("①", None), ("１２", None), ("١٢", None), (" 1", None), ("", None)],
)
def test_ascii_int_takes_ascii_digits_only(value, expected):
    from minhang_plans.params import ascii_int

    assert ascii_int(value) == expected
    assert ascii_int("9" * 19) is None


@pytest.mark.django_db
def test_a_form_sent_from_an_expired_page_gets_the_chinese_page_with_a_way_back(office_user, settings):
    for debug in (False, True):
        settings.DEBUG = debug
        client = Client(enforce_csrf_checks=True)
        client.force_login(office_user)
        back = "http://testserver" + reverse("tasks:dashboard")
        response = client.post(reverse("notifications:read_all"), HTTP_REFERER=back)
        html = response.content.decode()
        assert response.status_code == 403
        assert "页面已过期或在另一个窗口中已登录/退出，请返回上一页刷新后重试。" in html
        assert f'<a href="{back}">返回上一页</a>' in html
        assert "CSRF" not in html
    # A page of another site is not offered as the way back.
    response = client.post(reverse("notifications:read_all"), HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in response.content.decode()
