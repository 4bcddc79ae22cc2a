"""Single sign-on against a local test identity provider (a small HTTP server in this test,
speaking OIDC and CAS 3): the libraries' real code runs, including their HTTP calls."""

from __future__ import annotations

import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from accounts.audit import Action
from accounts.models import AuditEvent
from tasks.models import Role, UserProfile
from tests.settings_probe import settings_printed

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent

CLIENT_ID = "minhang-plans"
CLIENT_SECRET = "test-secret-for-hs256-signing-0123456789"
WAITING = "您已登录（{}），但账号尚未分配角色和单位。请联系安全管理员开通，开通后重新登录即可使用。"
SIGN_ON_FAILED = "统一身份认证登录失败，请重新登录；如仍失败，请联系系统管理员。"
# RS256, as government identity platforms sign: the provider's key (published at /jwks) and another.
PROVIDER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class IdentityProvider(BaseHTTPRequestHandler):
    """Token and userinfo endpoints (OIDC) and ticket validation (CAS 3)."""

    nonce = ""
    username = "wangwu"
    algorithm = "HS256"
    signing_key = PROVIDER_KEY  # for RS256

    def log_message(self, *args) -> None:
        pass

    def _send(self, body: str, content_type: str = "application/json") -> None:
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # the token endpoint
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        now = int(time.time())
        claims = {
            "iss": "http://idp.test",
            "aud": CLIENT_ID,
            "sub": "sub-" + self.username,
            "nonce": IdentityProvider.nonce,
            "iat": now,
            "exp": now + 300,
        }
        if IdentityProvider.algorithm == "RS256":
            token = jwt.encode(claims, IdentityProvider.signing_key, algorithm="RS256", headers={"kid": "idp-1"})
        else:
            token = jwt.encode(claims, CLIENT_SECRET, algorithm="HS256")
        self._send(json.dumps({"id_token": token, "access_token": "access-1", "token_type": "Bearer"}))

    def do_GET(self) -> None:
        path = urlparse(self.path)
        if path.path == "/authorize":  # the user "signs in" at once and is sent back with a code
            query = parse_qs(path.query)
            IdentityProvider.nonce = query["nonce"][0]
            back = f"{query['redirect_uri'][0]}?{urlencode({'code': 'code-1', 'state': query['state'][0]})}"
            self.send_response(302)
            self.send_header("Location", back)
            self.end_headers()
        elif path.path == "/jwks":
            public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(PROVIDER_KEY.public_key()))
            self._send(json.dumps({"keys": [{**public, "kid": "idp-1", "alg": "RS256", "use": "sig"}]}))
        elif path.path == "/userinfo":
            self._send(json.dumps({"sub": "sub-" + self.username, "preferred_username": self.username, "name": "王五"}))
        elif path.path.endswith("serviceValidate"):
            ticket = parse_qs(path.query).get("ticket", [""])[0]
            if ticket == "ST-good":
                body = (
                    "<cas:serviceResponse xmlns:cas='http://www.yale.edu/tp/cas'><cas:authenticationSuccess>"
                    f"<cas:user>{self.username}</cas:user></cas:authenticationSuccess></cas:serviceResponse>"
                )
            else:
                body = (
                    "<cas:serviceResponse xmlns:cas='http://www.yale.edu/tp/cas'>"
                    "<cas:authenticationFailure code='INVALID_TICKET'>bad</cas:authenticationFailure>"
                    "</cas:serviceResponse>"
                )
            self._send(body, "application/xml")
        else:
            self.send_response(404)
            self.end_headers()


@pytest.fixture
def idp():
    server = HTTPServer(("127.0.0.1", 0), IdentityProvider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    IdentityProvider.username = "wangwu"
    IdentityProvider.algorithm = "HS256"
    IdentityProvider.signing_key = PROVIDER_KEY
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def oidc(idp, settings):
    settings.OIDC_ENABLED = True
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = idp + "/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = idp + "/token"
    settings.OIDC_OP_USER_ENDPOINT = idp + "/userinfo"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SIGN_ALGO = "HS256"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "accounts.sso.OIDCBackend"]
    return idp


@pytest.fixture
def cas(idp, settings):
    settings.CAS_ENABLED = True
    settings.CAS_SERVER_URL = idp + "/cas/"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "accounts.sso.CASBackend"]
    return idp


def oidc_sign_in(client: Client, idp: str):
    start = client.get(reverse("security:oidc_login"))
    assert start.status_code == 302 and start["Location"].startswith(idp + "/authorize?")
    query = parse_qs(urlparse(start["Location"]).query)
    IdentityProvider.nonce = query["nonce"][0]
    return client.get(reverse("security:oidc_callback"), {"code": "code-1", "state": query["state"][0]}, follow=True)


def test_a_new_oidc_user_gets_an_account_without_role_or_units_and_waits(oidc):
    client = Client()
    response = oidc_sign_in(client, oidc)
    assert WAITING.format("wangwu") in response.content.decode()
    user = get_user_model().objects.get(username="wangwu")
    assert not user.has_usable_password()
    assert user.groups.count() == 0
    assert not UserProfile.objects.filter(user=user, units__isnull=False).exists()
    assert client.get(reverse("tasks:dashboard")).status_code == 403
    events = list(AuditEvent.objects.order_by("id").values_list("action", "username"))
    assert events == [(Action.SSO_ACCOUNT_CREATE, "wangwu"), (Action.LOGIN, "wangwu")]


def test_an_rs256_sign_on_is_checked_against_the_providers_published_keys(oidc, settings):
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_OP_JWKS_ENDPOINT = oidc + "/jwks"
    IdentityProvider.algorithm = "RS256"
    response = oidc_sign_in(Client(), oidc)
    assert WAITING.format("wangwu") in response.content.decode()
    # A token the provider's published key did not sign signs nobody in and creates no account.
    IdentityProvider.signing_key = OTHER_KEY
    IdentityProvider.username = "mallory"
    client = Client()
    response = oidc_sign_in(client, oidc)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert not get_user_model().objects.filter(username="mallory").exists()


def test_a_refused_oidc_sign_on_says_so_on_the_login_page(oidc):
    client = Client()
    response = client.get(reverse("security:oidc_callback"), {"error": "access_denied"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert SIGN_ON_FAILED in response.content.decode()


def test_an_oidc_sign_on_maps_to_the_existing_local_account(oidc, office_user):
    IdentityProvider.username = "duchashi"
    client = Client()
    response = oidc_sign_in(client, oidc)
    assert response.redirect_chain[-1][0] == reverse("supervision:todo")  # where every role lands
    assert get_user_model().objects.filter(username="duchashi").count() == 1
    assert not AuditEvent.objects.filter(action=Action.SSO_ACCOUNT_CREATE).exists()


def test_a_cas_ticket_signs_in_and_a_bad_one_does_not(cas, office_user):
    IdentityProvider.username = "duchashi"
    client = Client()
    response = client.get(reverse("security:cas_login"), {"ticket": "ST-good"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("supervision:todo")
    bad = Client()
    refused = bad.get(reverse("security:cas_login"), {"ticket": "ST-forged"})
    # django-cas-ng refuses with its own English "Login failed." (no Chinese catalogue of its own).
    assert refused.status_code == 403
    assert "统一身份认证登录失败，请重新登录；如仍失败，请联系系统管理员。" in refused.content.decode()
    assert "Login failed." not in refused.content.decode()
    assert reverse("login") in bad.get(reverse("tasks:dashboard"))["Location"]


def test_a_new_cas_user_waits_for_the_security_admin(cas, client_as):
    IdentityProvider.username = "zhaoliu"
    client = Client()
    response = client.get(reverse("security:cas_login"), {"ticket": "ST-good"}, follow=True)
    assert WAITING.format("zhaoliu") in response.content.decode()
    user = get_user_model().objects.get(username="zhaoliu")
    assert user.groups.count() == 0 and not user.has_usable_password()
    assert AuditEvent.objects.filter(action=Action.SSO_ACCOUNT_CREATE, username="zhaoliu").exists()
    # The security admin then assigns a role, and the next page works.
    from accounts.services import account_role_assign
    from tests.conftest import _make_user

    account_role_assign(actor=_make_user("anquan", Role.SECURITY), user=user, role=Role.LEADER)
    assert client.get(reverse("tasks:dashboard")).status_code == 200


def test_sign_on_routes_are_off_unless_configured(client):
    assert client.get(reverse("security:oidc_login")).status_code == 404
    assert client.get(reverse("security:cas_login")).status_code == 404


def _settings_from(environment: dict[str, str]) -> list[str]:
    expression = (
        "settings.OIDC_ENABLED, settings.OIDC_RP_SIGN_ALGO, settings.OIDC_OP_JWKS_ENDPOINT, settings.CAS_ENABLED, "
        "settings.AUTHENTICATION_BACKENDS"
    )
    unset = ("OIDC_", "CAS_", "LDAP_", "LOCAL_PASSWORD")
    env = {k: v for k, v in os.environ.items() if not k.startswith(unset)} | {"SECRET_KEY": "x", **environment}
    result = settings_printed(expression, environment=env)
    return result.stdout.strip().splitlines()[-1].split(" ", 4)


def test_sign_on_is_configured_from_the_environment_only():
    assert _settings_from({}) == [
        "False",
        "RS256",
        "None",
        "False",
        "['axes.backends.AxesStandaloneBackend', 'accounts.backends.ModelBackend']",
    ]
    configured = _settings_from(
        {
            "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.example/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": "https://idp.example/token",
            "OIDC_OP_USER_ENDPOINT": "https://idp.example/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": "https://idp.example/jwks",
            "OIDC_RP_CLIENT_ID": "minhang",
            "OIDC_RP_CLIENT_SECRET": "secret",
            "CAS_SERVER_URL": "https://cas.example/cas/",
        }
    )
    assert configured[:4] == ["True", "RS256", "https://idp.example/jwks", "True"]
    assert configured[4] == (
        "['axes.backends.AxesStandaloneBackend', 'accounts.backends.ModelBackend', "
        "'accounts.sso.OIDCBackend', 'accounts.sso.CASBackend']"
    )


def test_local_passwords_can_be_turned_off(settings, office_user):
    env = {**os.environ, "LOCAL_PASSWORD_LOGIN": "0", "CAS_SERVER_URL": "https://cas.example/cas/", "SECRET_KEY": "x"}
    result = settings_printed("settings.AUTHENTICATION_BACKENDS", environment=env)
    backends = result.stdout.strip().splitlines()[-1]
    assert backends == "['axes.backends.AxesStandaloneBackend', 'accounts.sso.CASBackend']"
    settings.AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.sso.CASBackend"]
    response = Client().post(reverse("login"), {"username": "duchashi", "password": "pw-duchashi"})
    assert response.status_code == 200
    assert "_auth_user_id" not in Client().session


# -- the login page ----------------------------------------------------------------------------


def test_the_login_page_offers_only_the_configured_sign_on_methods(client, settings):
    page = client.get(reverse("login")).content.decode()
    assert "统一身份认证" not in page and 'id="password-login"' in page
    settings.CAS_ENABLED = True
    page = client.get(reverse("login"), {"next": "/units/"}).content.decode()
    assert "通过统一身份认证（CAS）登录" in page and "OIDC" not in page
    assert f'href="{reverse("security:cas_login")}?next=/units/"' in page
    settings.LOCAL_PASSWORD_LOGIN = False
    page = client.get(reverse("login")).content.decode()
    assert 'id="password-login"' not in page
    assert "本系统已关闭本地密码登录，请通过统一身份认证登录。" in page


def test_the_demo_login_page_warns_it_is_not_for_production(client, settings):
    settings.DEMO_MODE = True
    assert "演示模式：使用公开的演示账号，仅供试用，不得用于生产环境。" in client.get(reverse("login")).content.decode()
    settings.DEMO_MODE = False
    assert "演示模式" not in client.get(reverse("login")).content.decode()


@pytest.mark.browser
@pytest.mark.usefixtures("plain_static")
def test_in_chromium_the_oidc_button_signs_a_new_user_in_to_the_waiting_page(oidc, page, live_server):
    page.goto(f"{live_server.url}{reverse('login')}")
    button = page.get_by_role("link", name="通过统一身份认证（OIDC）登录")
    assert button.is_visible()
    assert page.get_by_role("link", name="通过统一身份认证（CAS）登录").count() == 0
    button.click()
    page.wait_for_url(f"{live_server.url}{reverse('security:home')}")
    assert page.get_by_role("heading", level=1).inner_text() == "等待分配角色"
    assert page.get_by_role("status").inner_text() == WAITING.format("wangwu")
    assert get_user_model().objects.get(username="wangwu").groups.count() == 0
