import pytest
from django.core.exceptions import ImproperlyConfigured

from minhang_plans.env import env_bool, env_int, env_list, env_str


def test_env_bool_refuses_garbage(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", False)


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("true", True), ("off", False), ("", False)])
def test_env_bool_accepts_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG", not expected) is expected


def test_env_int_refuses_non_numbers_and_small_values(monkeypatch):
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "3")
    with pytest.raises(ImproperlyConfigured, match="at least 5"):
        env_int("X_NUM", 10, minimum=5)


def test_env_str_required_without_default(monkeypatch):
    monkeypatch.delenv("X_SECRET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_SECRET is required"):
        env_str("X_SECRET")


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("X_HOSTS", " a.example , b.example,,")
    assert env_list("X_HOSTS", []) == ["a.example", "b.example"]


def test_defaults_are_chinese_and_shanghai(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    from django.db import connection

    if connection.vendor != "postgresql":
        assert "options" not in connection.settings_dict.get("OPTIONS", {})
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.django_db
def test_the_admin_names_login_protection_in_chinese(admin_client_for_axes):
    client = admin_client_for_axes
    index = client.get("/admin/").content.decode()
    assert "登录保护" in index and "登录失败记录" in index and "登录日志" in index
    for english in ("Axes", "Access attempts", "Access logs", "Access failures"):
        assert english not in index, english
    from django.test import Client

    Client().post("/accounts/login/", {"username": "someone", "password": "wrong"})  # one attempt to list
    listing = client.get("/admin/axes/accessattempt/").content.decode()
    for heading in ("尝试时间", "IP 地址", "浏览器标识", "失败次数", "状态"):
        assert heading in listing, heading
    for english in ("Attempt Time", "User Agent", "Failed Logins", "Status", "Locked Out"):
        assert english not in listing, english


@pytest.fixture
def admin_client_for_axes(admin_user):
    from django.test import Client

    client = Client()
    client.force_login(admin_user)
    return client
