"""Security defaults: deploy checks, CSP, clickjacking, CSRF, login throttling, sessions."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
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
