"""Password policy (等保 2.0 身份鉴别) through Django's validators, on the rendered password page;
expiry and the forced change at the next login."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import PasswordHistory, PasswordState

pytestmark = pytest.mark.django_db


def change(client: Client, old: str, new: str):
    return client.post(reverse("password_change"), {"old_password": old, "new_password1": new, "new_password2": new})


def errors_of(user, password: str) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as invalid:
        return invalid.messages
    return []


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!x", "密码长度太短。密码必须包含至少 8 个字符。"),
        ("abcdefgh12", "密码须包含小写字母、大写字母、数字、符号中的至少 3 类。"),
        ("ABCDEFGH!!", "密码须包含小写字母、大写字母、数字、符号中的至少 3 类。"),
        ("Xliaison-2026", "密码不能包含用户名。"),
        ("XLIAISON-2026", "密码不能包含用户名。"),
    ],
)
def test_a_weak_password_is_refused_on_the_page_with_its_reason(liaison_user, client_as, password, message):
    response = change(client_as(liaison_user), "pw-liaison", password)
    assert response.status_code == 200
    assert message in response.content.decode()
    liaison_user.refresh_from_db()
    assert liaison_user.check_password("pw-liaison")


@pytest.mark.parametrize("password", ["Hua-Shan-2026", "shan-shui-2026!", "SHAN-SHUI-2026x", "Shanshui2026"])
def test_three_of_four_classes_are_enough(liaison_user, password):
    assert errors_of(liaison_user, password) == []


def test_none_of_the_last_five_passwords(liaison_user, client_as):
    client = client_as(liaison_user)
    passwords = ["pw-liaison", *[f"Mima-{n}-2026" for n in range(1, 7)]]
    for old, new in itertools.pairwise(passwords):
        assert change(client, old, new).status_code == 302, new
    assert PasswordHistory.objects.filter(user=liaison_user).count() == 5
    # The current one (Mima-6) and the four before it are refused ...
    for reused in passwords[2:]:
        response = change(client, passwords[-1], reused)
        assert "新密码不能与最近 5 次使用过的密码相同。" in response.content.decode(), reused
    # ... the sixth back (Mima-1) is allowed again.
    assert change(client, passwords[-1], "Mima-1-2026").status_code == 302


def test_the_page_states_the_rules(liaison_user, client_as):
    html = client_as(liaison_user).get(reverse("password_change")).content.decode()
    assert html.count('name="new_password1"') == 1
    # The help text is the validators' own, so it states the rules actually enforced.
    assert "密码必须包含至少 8 个字符。" in html
    assert "密码须包含小写字母、大写字母、数字、符号中的至少 3 类。" in html
    assert "新密码不能与最近 5 次使用过的密码相同。" in html
    assert "不能与用户名相近" not in html


def _age_password(user, days: int) -> None:
    PasswordState.objects.update_or_create(
        user=user, defaults={"changed_at": timezone.now() - dt.timedelta(days=days), "must_change": False}
    )


def test_an_expired_password_must_be_changed_at_the_next_login(office_user):
    _age_password(office_user, 91)
    client = Client()
    response = client.post(reverse("login"), {"username": "duchashi", "password": "pw-duchashi"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("password_change")
    assert "您的密码已超过有效期，请先修改密码后再继续使用。" in response.content.decode()
    assert client.get(reverse("tasks:dashboard"))["Location"] == reverse("password_change")
    assert change(client, "pw-duchashi", "Du-cha-2026!").status_code == 302
    assert client.get(reverse("tasks:dashboard")).status_code == 200
    # A fresh login with the new password goes straight in.
    again = Client()
    again.post(reverse("login"), {"username": "duchashi", "password": "Du-cha-2026!"})
    assert again.get(reverse("tasks:dashboard")).status_code == 200


def test_a_password_within_its_age_is_not_forced(office_user):
    _age_password(office_user, 89)
    client = Client()
    client.post(reverse("login"), {"username": "duchashi", "password": "pw-duchashi"})
    assert client.get(reverse("tasks:dashboard")).status_code == 200


def test_the_maximum_age_is_a_setting(office_user, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 30
    _age_password(office_user, 31)
    client = Client()
    client.post(reverse("login"), {"username": "duchashi", "password": "pw-duchashi"})
    assert client.get(reverse("tasks:dashboard"))["Location"] == reverse("password_change")
    settings.PASSWORD_MAX_AGE_DAYS = 0  # off
    client = Client()
    client.post(reverse("login"), {"username": "duchashi", "password": "pw-duchashi"})
    assert client.get(reverse("tasks:dashboard")).status_code == 200


def test_a_forced_user_may_still_sign_out(office_user):
    _age_password(office_user, 91)
    client = Client()
    client.post(reverse("login"), {"username": "duchashi", "password": "pw-duchashi"})
    assert client.post(reverse("logout"))["Location"] == reverse("login")


def test_demo_accounts_are_not_forced_in_demo_mode(settings, db):
    from accounts.demo import demo_accounts_ensure

    settings.DEMO_MODE = True
    demo_accounts_ensure()
    office = get_user_model().objects.get(username="office")
    _age_password(office, 400)
    client = Client()
    client.post(reverse("login"), {"username": "office", "password": "demo-office-2025"})
    assert client.get(reverse("tasks:dashboard")).status_code == 200
    # Outside DEMO_MODE the same account would be forced.
    settings.DEMO_MODE = False
    client = Client()
    client.post(reverse("login"), {"username": "office", "password": "demo-office-2025"})
    assert client.get(reverse("tasks:dashboard"))["Location"] == reverse("password_change")


# A space and a Chinese character are not 符号 (they counted as one: "aaaa aaa1" passed).
@pytest.mark.parametrize("password", ["aaaa aaa1", "abcd 1234", "密码密码密码密码1a", "ABCD 1234", "abcd\u30001234"])
def test_a_space_or_a_chinese_character_is_not_a_symbol(liaison_user, client_as, password):
    response = change(client_as(liaison_user), "pw-liaison", password)
    assert response.status_code == 200
    assert "密码须包含小写字母、大写字母、数字、符号中的至少 3 类。" in response.content.decode()
    liaison_user.refresh_from_db()
    assert liaison_user.check_password("pw-liaison")


@pytest.mark.parametrize("password", ["abcd!1234", "abcd-1234", "abcd，1234", "abcd！1234", "密码密码密码1a。"])
def test_ascii_and_full_width_punctuation_are_symbols(liaison_user, password):
    assert errors_of(liaison_user, password) == []


def test_the_page_says_what_a_symbol_is(liaison_user, client_as):
    html = client_as(liaison_user).get(reverse("password_change")).content.decode()
    assert "符号指 ! @ # $ % &amp; * 等标点符号（全角标点也算），空格和汉字不算符号。" in html
