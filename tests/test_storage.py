"""Two app servers, one PostgreSQL, shared file storage: an attachment uploaded through one
server is downloaded through the other.

Two real gunicorn processes (deploy/gunicorn.conf.py) on different ports serve the suite's
PostgreSQL test database. Storage, as in production:
- a shared filesystem: both servers' MEDIA_ROOT is the same directory (the NFS mount);
- S3-compatible object storage (django-storages): each server has its own, empty, MEDIA_ROOT and
  the files go to a bucket on a local S3 server (moto's standalone server, speaking the S3 HTTP
  API; the app reaches it through boto3 exactly as it would an on-premises object store).

Needs PostgreSQL (bin/run-tests, CI): SQLite's test database lives in memory and cannot be
shared with other processes. Without it these tests fail in CI and are skipped elsewhere."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from tasks.models import ReportAttachment, Task, Unit
from tests.settings_probe import settings_printed

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
BUCKET = "minhang-files"
CONTENT = "%PDF-1.4 闵行区两台应用服务器共享附件测试".encode() + bytes(range(256)) * 40

pytestmark = pytest.mark.django_db(transaction=True)


def _needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        message = "two app servers share one PostgreSQL: run with bin/run-tests"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class AppServer:
    """One gunicorn process of the product on its own port."""

    def __init__(self, media_root: Path, extra: dict[str, str]) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.media_root = media_root
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PYTEST", "DJANGO_", "S3_", "LDAP_")) and key != "DATABASE_URL"
        }
        environment.update(
            {
                "DATABASE_URL": _database_url(),
                # The same key as the test process: the session made here is valid on both servers.
                "SECRET_KEY": settings.SECRET_KEY,
                "DEBUG": "0",
                "SECURE_SSL_REDIRECT": "0",
                "SESSION_COOKIE_SECURE": "0",
                "CSRF_COOKIE_SECURE": "0",
                "ALLOWED_HOSTS": "127.0.0.1",
                "CONN_MAX_AGE": "0",
                "MEDIA_ROOT": str(media_root),
                "GUNICORN_BIND": f"127.0.0.1:{self.port}",
                "GUNICORN_WORKERS": "1",
                # "Today" inside the seeds' year (the 2025 plans take no report after it), as the
                # quick start pins it: DEMO_TODAY applies in demo mode only.
                "DEMO_MODE": "1",
                "DEMO_TODAY": "2025-06-18",
                **extra,
            }
        )
        self.process = subprocess.Popen(
            [str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "minhang_plans.wsgi"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"app server exited: {self.process.stderr.read().decode()[-3000:]}")
            try:
                if requests.get(self.url + reverse("login"), timeout=10).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("app server did not start within 60 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


@contextmanager
def two_servers(media_roots: tuple[Path, Path], extra: dict[str, str]) -> Iterator[tuple[AppServer, AppServer]]:
    servers = [AppServer(root, extra) for root in media_roots]
    try:
        for server in servers:
            server.wait()
        yield servers[0], servers[1]
    finally:
        for server in servers:
            server.stop()


def _signed_in(user) -> requests.Session:
    """A browser session for `user`, stored in the shared database (valid on every server)."""
    client = Client()
    client.force_login(user)
    browser = requests.Session()
    browser.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    return browser


def upload_through(server: AppServer, browser: requests.Session, task: Task, unit: Unit) -> ReportAttachment:
    form_url = server.url + reverse("tasks:report_edit", args=[task.pk, unit.pk])
    page = browser.get(form_url, timeout=30)
    assert page.status_code == 200, page.text[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    fields = {
        "csrfmiddlewaretoken": token,
        "status": "in_progress",
        "percent": "40",
        "progress_text": "完成方案编制。",
        "problems": "审批流程较长。",  # the 2025 task is past due on the real date: a reason is required
        "next_steps": "推进实施。",
        "action": "submit",
        "version": "",
    }
    files = {"attachment": ("进展台账.pdf", CONTENT, "application/pdf")}
    saved = browser.post(form_url, data=fields, files=files, timeout=60, allow_redirects=False)
    assert saved.status_code == 302, saved.text[:2000]
    return ReportAttachment.objects.get(report__task=task)


def download_through(server: AppServer, browser: requests.Session, attachment: ReportAttachment) -> requests.Response:
    return browser.get(server.url + reverse("tasks:attachment", args=[attachment.pk]), timeout=30)


@pytest.fixture
def keji(seed_plans):
    """A task that 区科委 leads, and its liaison (the persona of tests/conftest.py)."""
    return Task.objects.get(plan__kind="annual", number="4"), Unit.objects.get(name="区科委")


def test_shared_filesystem_a_file_uploaded_through_one_server_downloads_through_the_other(keji, liaison_user, tmp_path):
    _needs_postgresql()
    task, unit = keji
    shared = tmp_path / "nfs-media"
    shared.mkdir()
    with two_servers((shared, shared), {}) as (first, second):
        browser = _signed_in(liaison_user)
        attachment = upload_through(first, browser, task, unit)
        stored = shared / attachment.file.name
        assert stored.read_bytes() == CONTENT
        response = download_through(second, browser, attachment)
        assert response.status_code == 200
        assert response.content == CONTENT
        assert response.headers["Content-Disposition"].startswith("attachment;")


@pytest.fixture
def s3_server() -> Iterator[str]:
    try:
        import boto3
        from moto.server import ThreadedMotoServer
    except ImportError:
        message = "S3 test server missing: pip install -r requirements-dev.txt (moto, boto3)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="minhang", aws_secret_access_key="minhang-secret")
    s3.create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


def test_s3_object_storage_the_servers_share_no_directory(keji, liaison_user, tmp_path, s3_server):
    import boto3

    _needs_postgresql()
    task, unit = keji
    local_a, local_b = tmp_path / "server-a-media", tmp_path / "server-b-media"
    local_a.mkdir()
    local_b.mkdir()
    storage = {
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": s3_server,
        "S3_ACCESS_KEY_ID": "minhang",
        "S3_SECRET_ACCESS_KEY": "minhang-secret",
        "S3_PREFIX": "media",
    }
    with two_servers((local_a, local_b), storage) as (first, second):
        browser = _signed_in(liaison_user)
        attachment = upload_through(first, browser, task, unit)
        response = download_through(second, browser, attachment)
        assert response.status_code == 200
        assert response.content == CONTENT
        # Nothing on either server's disk: the file is an object in the bucket.
        assert list(local_a.rglob("*")) == [] and list(local_b.rglob("*")) == []
        s3 = boto3.client(
            "s3", endpoint_url=s3_server, aws_access_key_id="minhang", aws_secret_access_key="minhang-secret"
        )
        body = s3.get_object(Bucket=BUCKET, Key=f"media/{attachment.file.name}")["Body"].read()
        assert body == CONTENT


def test_s3_storage_is_configured_only_from_the_environment():
    expression = "settings.STORAGES['default']['BACKEND']"
    base = {k: v for k, v in os.environ.items() if not k.startswith("S3_")} | {"SECRET_KEY": "x"}
    off = settings_printed(expression, environment=base)
    assert off.stdout.strip().splitlines()[-1] == "django.core.files.storage.FileSystemStorage"
    on = settings_printed(expression, environment={**base, "S3_BUCKET": BUCKET})
    assert on.stdout.strip().splitlines()[-1] == "storages.backends.s3.S3Storage"
