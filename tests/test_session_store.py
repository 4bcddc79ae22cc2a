"""accounts/session_store.py: Django's database sessions, read with SQL written once."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.session_store import SessionStore


def test_it_is_the_configured_engine():
    assert settings.SESSION_ENGINE == "accounts.session_store"


def test_what_django_wrote_reads_back_in_one_query(db):
    written = SessionStore()
    written["answer"] = {"年份": 2025, "ids": [1, 2]}
    written.create()
    with CaptureQueriesContext(connection) as queries:
        read = SessionStore(written.session_key).load()
    assert read == {"answer": {"年份": 2025, "ids": [1, 2]}}
    assert len(queries.captured_queries) == 1


def test_an_expired_or_unknown_session_is_none_and_forgets_its_key(db):
    expired = SessionStore()
    expired["x"] = 1
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    again = SessionStore(expired.session_key)
    assert again.load() == {} and again.session_key is None
    unknown = SessionStore("a" * 32)
    assert unknown.load() == {} and unknown.session_key is None


def test_a_signed_in_page_and_its_expiry_as_the_user_meets_them(client_as, office_user):
    client = client_as(office_user)
    assert client.get(reverse("tasks:dashboard")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("tasks:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
