"""Idle timeout and absolute session limit; a user sees and ends their own sessions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.audit import Action
from accounts.models import AuditEvent, UserSession
from accounts.sessions import AUTH_AT, SEEN_AT

pytestmark = pytest.mark.django_db


def signed_in(username: str, agent: str = "Browser A") -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    assert client.post(reverse("login"), {"username": username, "password": "pw-" + username}).status_code == 302
    return client


def shift(client: Client, key: str, seconds: float) -> None:
    session = client.session
    session[key] = session[key] - seconds
    session.save()


def test_idle_for_longer_than_the_limit_signs_out(office_user, settings):
    client = signed_in("duchashi")
    shift(client, SEEN_AT, settings.SESSION_IDLE_MINUTES * 60 + 5)
    response = client.get(reverse("tasks:dashboard"))
    assert response["Location"].startswith(reverse("security:session_expired"))
    page = client.get(response["Location"]).content.decode()
    assert "您已超过 30 分钟未操作（或登录已满 8 小时），为保护账号安全已自动退出，请重新登录。" in page
    assert "next=/" in page
    # Signed out for real, and recorded as a timeout rather than a logout.
    assert reverse("login") in client.get(reverse("tasks:dashboard"))["Location"]
    assert AuditEvent.objects.filter(action=Action.SESSION_TIMEOUT, username="duchashi").count() == 1
    assert not AuditEvent.objects.filter(action=Action.LOGOUT).exists()


def test_activity_within_the_limit_keeps_the_session(office_user, settings):
    client = signed_in("duchashi")
    shift(client, SEEN_AT, settings.SESSION_IDLE_MINUTES * 60 - 60)
    assert client.get(reverse("tasks:dashboard")).status_code == 200
    # That request counted as activity.
    shift(client, SEEN_AT, 120)
    assert client.get(reverse("tasks:dashboard")).status_code == 200


def test_the_idle_limit_is_a_setting(office_user, settings):
    settings.SESSION_IDLE_MINUTES = 5
    client = signed_in("duchashi")
    shift(client, SEEN_AT, 6 * 60)
    assert client.get(reverse("tasks:dashboard"))["Location"].startswith(reverse("security:session_expired"))


def test_the_absolute_limit_signs_out_an_active_session(office_user, settings):
    client = signed_in("duchashi")
    shift(client, AUTH_AT, settings.SESSION_ABSOLUTE_HOURS * 3600 + 5)
    assert client.get(reverse("tasks:dashboard"))["Location"].startswith(reverse("security:session_expired"))


def test_a_user_sees_and_ends_their_own_other_session(office_user, liaison_user):
    desk = signed_in("duchashi", "Desk browser")
    phone = signed_in("duchashi", "Phone browser")
    signed_in("liaison", "Liaison browser")
    html = desk.get(reverse("security:sessions")).content.decode()
    assert "Desk browser" in html and "Phone browser" in html and "Liaison browser" not in html
    assert html.count("结束此会话") == 1 and "当前会话" in html
    other = UserSession.objects.get(user=office_user, user_agent="Phone browser")
    response = desk.post(reverse("security:session_end"), {"session": other.pk}, follow=True)
    assert "已结束该会话。" in response.content.decode()
    assert reverse("login") in phone.get(reverse("tasks:dashboard"))["Location"]
    assert desk.get(reverse("tasks:dashboard")).status_code == 200
    assert AuditEvent.objects.filter(action=Action.SESSION_END, username="duchashi").count() == 1


def test_a_user_cannot_end_someone_elses_session(office_user, liaison_user):
    desk = signed_in("duchashi")
    theirs = signed_in("liaison")
    victim = UserSession.objects.get(user=liaison_user)
    response = desk.post(reverse("security:session_end"), {"session": victim.pk}, follow=True)
    assert "该会话不存在或已结束。" in response.content.decode()
    assert theirs.get(reverse("tasks:dashboard")).status_code == 200


def test_the_current_session_is_ended_by_signing_out(office_user):
    desk = signed_in("duchashi")
    mine = UserSession.objects.get(user=office_user)
    response = desk.post(reverse("security:session_end"), {"session": mine.pk}, follow=True)
    assert "当前会话请点击“退出”结束。" in response.content.decode()
    desk.post(reverse("logout"))
    assert not UserSession.objects.filter(pk=mine.pk).exists()


def test_the_session_checks_write_nothing_on_an_ordinary_request(office_user):
    """The checks read the session only; last activity is written at most once a minute."""
    client = signed_in("duchashi")
    client.get(reverse("security:sessions"))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("security:sessions")).status_code == 200
    writes = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]
    assert writes == []
