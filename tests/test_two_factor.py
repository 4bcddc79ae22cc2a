"""Two-factor sign-in (TOTP through django-otp): enrolment from the page's secret and sign-in
with a computed code (RFC 6238, computed here independently of the library)."""

from __future__ import annotations

import hashlib
import hmac
import re
import struct
import time
from base64 import b32decode

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.audit import Action
from accounts.models import AuditEvent
from tasks.models import Role
from tests.conftest import _make_user

pytestmark = pytest.mark.django_db

ADMIN_ROLES = ["系统管理员", "安全管理员", "审计管理员"]


def totp(secret: str, *, counter: int | None = None) -> str:
    key = b32decode(secret.replace(" ", ""))
    if counter is None:
        counter = int(time.time()) // 30
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[start : start + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def sign_in(username: str) -> Client:
    client = Client()
    assert client.post(reverse("login"), {"username": username, "password": "pw-" + username}).status_code == 302
    return client


@pytest.fixture
def two_factor_for_admins(settings):
    settings.TWO_FACTOR_ROLES = ADMIN_ROLES


def enrol(client: Client) -> str:
    page = client.get(reverse("security:otp")).content.decode()
    assert "您的账号须使用动态验证码（双因素认证）登录" in page
    secret = re.search(r'<code class="otp-secret">([^<]+)</code>', page).group(1)
    assert client.post(reverse("security:otp"), {"token": totp(secret)})["Location"] == reverse("security:home")
    return secret


def test_an_administrator_enrols_and_signs_in_with_a_code(two_factor_for_admins):
    _make_user("anquan", Role.SECURITY)
    client = sign_in("anquan")
    # Nothing but the second step until it is done.
    assert client.get(reverse("security:accounts"))["Location"] == reverse("security:otp")
    secret = enrol(client)
    assert client.get(reverse("security:accounts")).status_code == 200

    again = sign_in("anquan")
    assert again.get(reverse("security:accounts"))["Location"] == reverse("security:otp")
    page = again.get(reverse("security:otp")).content.decode()
    assert "请输入手机验证器显示的 6 位动态验证码。" in page and "otp-secret" not in page
    # The step after the one used at enrolment: accepted whether or not the enrolment crossed a
    # 30-second boundary (then the library records a drift of -1 and the code of "now + 1" is refused).
    following = TOTPDevice.objects.get(user__username="anquan").last_t + 1
    wrong = again.post(
        reverse("security:otp"), {"token": "000000" if totp(secret, counter=following) != "000000" else "111111"}
    )
    assert "动态验证码不正确或已过期，请重新输入。" in wrong.content.decode()
    # The code used at enrolment cannot be replayed; the next one works (throttling allows one retry a second).
    time.sleep(1.1)
    assert again.post(reverse("security:otp"), {"token": totp(secret, counter=following)}).status_code == 302
    assert again.get(reverse("security:accounts")).status_code == 200
    outcomes = list(
        AuditEvent.objects.filter(action__in=[Action.OTP_ENROL, Action.OTP_VERIFY])
        .order_by("id")
        .values_list("action", "outcome")
    )
    assert outcomes == [("otp_enrol", "success"), ("otp_verify", "failure"), ("otp_verify", "success")]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SECURITY, Role.AUDITOR])
def test_every_administrator_role_needs_the_second_factor(two_factor_for_admins, role):
    _make_user("someone", role)
    client = sign_in("someone")
    assert client.get(reverse("security:home"))["Location"] == reverse("security:otp")


def test_other_roles_do_not_unless_everyone_must(two_factor_for_admins, settings, office_user):
    client = sign_in("duchashi")
    assert client.get(reverse("tasks:dashboard")).status_code == 200
    settings.TWO_FACTOR_ALL = True
    client = sign_in("duchashi")
    assert client.get(reverse("tasks:dashboard"))["Location"] == reverse("security:otp")


def test_a_wrong_code_at_enrolment_does_not_confirm(two_factor_for_admins):
    _make_user("shenji", Role.AUDITOR)
    client = sign_in("shenji")
    client.get(reverse("security:otp"))
    response = client.post(reverse("security:otp"), {"token": "abc"})
    assert "动态验证码不正确或已过期，请重新输入。" in response.content.decode()
    assert client.get(reverse("security:audit"))["Location"] == reverse("security:otp")


def test_demo_accounts_skip_it_in_demo_mode(two_factor_for_admins, settings):
    from accounts.demo import demo_accounts_ensure

    settings.DEMO_MODE = True
    demo_accounts_ensure()
    client = Client()
    client.post(reverse("login"), {"username": "anquan", "password": "demo-anquan-2025"})
    assert client.get(reverse("security:accounts")).status_code == 200


def test_an_administrator_with_an_issued_password_gives_the_code_first_then_changes_it(two_factor_for_admins):
    """A new 系统管理员 (issued password: change it at first sign-in) used to bounce between the
    code page and the password page forever: the code first, then the password change."""
    from accounts.services import account_create

    security = _make_user("anquan", Role.SECURITY)
    _, password = account_create(actor=security, username="wangxi", full_name="王夕", role=Role.ADMIN)
    client = Client()
    assert client.post(reverse("login"), {"username": "wangxi", "password": password}).status_code == 302
    assert client.get(reverse("password_change"))["Location"] == reverse("security:otp")
    page = client.get(reverse("security:otp"))
    assert page.status_code == 200
    secret = re.search(r'<code class="otp-secret">([^<]+)</code>', page.content.decode()).group(1)
    verified = client.post(reverse("security:otp"), {"token": totp(secret)}, follow=True)
    assert verified.redirect_chain[-1][0] == reverse("password_change")
    assert "您正在使用管理员发放的初始密码，请先修改密码后再继续使用。" in verified.content.decode()
    done = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "Xin-mima-2026", "new_password2": "Xin-mima-2026"},
    )
    assert done.status_code == 302
    assert client.get(reverse("imports:history")).status_code == 200


def test_after_wrong_codes_a_right_one_sent_too_soon_is_refused_with_when_to_try_again(two_factor_for_admins):
    _make_user("anquan", Role.SECURITY)
    secret = enrol(sign_in("anquan"))
    client = sign_in("anquan")
    following = TOTPDevice.objects.get(user__username="anquan").last_t + 1
    right = totp(secret, counter=following)
    wrong = "000000" if right != "000000" else "111111"
    first = client.post(reverse("security:otp"), {"token": wrong}).content.decode()
    assert "动态验证码不正确或已过期，请重新输入。" in first
    time.sleep(1.1)
    second = client.post(reverse("security:otp"), {"token": wrong}).content.decode()
    # Two wrong codes: django-otp now waits 2 seconds, and says so.
    assert re.search(r"动态验证码不正确或已过期，请在 [12] 秒后重新输入。", second)
    refused = client.post(reverse("security:otp"), {"token": right})
    assert refused.status_code == 200
    assert re.search(
        r"验证码输入错误次数较多，请在 [12] 秒后再输入（等待期间输入的验证码不会被校验）。", refused.content.decode()
    )
    time.sleep(2.1)
    assert client.post(reverse("security:otp"), {"token": right})["Location"] == reverse("security:home")
