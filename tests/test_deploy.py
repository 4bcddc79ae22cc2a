"""The production configuration in deploy/: nginx starts with it and does what it says, and
gunicorn's settings are valid and agree with nginx's and the app's limits.

nginx is a required tool here (CI installs it, see .ci/run): a missing nginx fails, not skips."""

from __future__ import annotations

import http.client
import os
import re
import runpy
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from minhang_plans.middleware import request_max_bytes

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx.conf"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"


def nginx_binary() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    assert found, "nginx is not installed (apt-get install nginx; .ci/run installs it)"
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"deploy/nginx.conf no longer contains {old!r} exactly once"
    return text.replace(old, new)


def directive(name: str) -> str:
    values = re.findall(rf"^\s*{name}\s+([^;]+);", SITE.read_text(), flags=re.MULTILINE)
    assert len(values) == 1, (name, values)
    return values[0]


UPSTREAMS = ("upstream", "upstream2")


class Upstream(BaseHTTPRequestHandler):
    """Stands in for gunicorn: records what nginx passed on."""

    seen: list[dict] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        Upstream.seen.append(
            {"path": self.path, "headers": dict(self.headers), "body": len(body), "server": self.server.server_port}
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def nginx_config(tmp_path_factory) -> dict:
    """deploy/nginx.conf with test ports, a throwaway certificate and an upstream we control,
    included in a minimal main configuration as a distribution's nginx.conf would."""
    work = tmp_path_factory.mktemp("nginx")
    cert, key = work / "cert.pem", work / "key.pem"
    openssl = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    subprocess.run(
        [*openssl, "-subj", "/CN=plans.minhang.example", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    ports = {"https": free_port(), "http": free_port(), "upstream": free_port(), "upstream2": free_port()}
    site = SITE.read_text()
    site = replace_once(site, "listen 443 ssl http2;", f"listen 127.0.0.1:{ports['https']} ssl http2;")
    site = replace_once(site, "listen 80;", f"listen 127.0.0.1:{ports['http']};")
    site = replace_once(site, "/etc/ssl/minhang/fullchain.pem", str(cert))
    site = replace_once(site, "/etc/ssl/minhang/privkey.pem", str(key))
    site = replace_once(site, "server 10.0.0.11:8001 ", f"server 127.0.0.1:{ports['upstream']} ")
    site = replace_once(site, "server 10.0.0.12:8001 ", f"server 127.0.0.1:{ports['upstream2']} ")
    (work / "site.conf").write_text(site)
    temp_paths = "\n".join(
        f"    {kind}_temp_path {work / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must write the temp paths above
    main = work / "nginx.conf"
    main.write_text(
        f"{user}worker_processes 1;\npid {work / 'nginx.pid'};\nerror_log {work / 'error.log'};\n"
        f"events {{ worker_connections 128; }}\n"
        f"http {{\n    access_log off;\n{temp_paths}\n    include {work / 'site.conf'};\n}}\n"
    )
    return {"main": main, "prefix": work, "ports": ports}


def test_nginx_accepts_the_configuration(nginx_config):
    result = subprocess.run(
        [nginx_binary(), "-t", "-p", str(nginx_config["prefix"]), "-c", str(nginx_config["main"])],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@pytest.fixture(scope="module")
def nginx_running(nginx_config) -> Iterator[dict]:
    # Two app servers behind the one nginx (the upstream block lists both).
    upstreams = [ThreadingHTTPServer(("127.0.0.1", nginx_config["ports"][name]), Upstream) for name in UPSTREAMS]
    for upstream in upstreams:
        threading.Thread(target=upstream.serve_forever, daemon=True).start()
    process = subprocess.Popen(
        [nginx_binary(), "-p", str(nginx_config["prefix"]), "-c", str(nginx_config["main"]), "-g", "daemon off;"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", nginx_config["ports"]["https"]), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)
    try:
        yield {**nginx_config, "upstreams": upstreams}
    finally:
        process.terminate()
        process.wait(timeout=20)
        for upstream in upstreams:
            if upstream.socket.fileno() != -1:
                upstream.shutdown()
                upstream.server_close()


def https(nginx: dict) -> http.client.HTTPSConnection:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return http.client.HTTPSConnection("127.0.0.1", nginx["ports"]["https"], context=context, timeout=20)


def request(nginx: dict, method: str, path: str, *, headers: dict | None = None, body: bytes | None = None):
    connection = https(nginx)
    connection.request(method, path, body=body, headers={"Host": "plans.minhang.example", **(headers or {})})
    response = connection.getresponse()
    data = response.read().decode()
    connection.close()
    return response, data


def test_nginx_passes_the_address_it_saw_and_not_the_one_a_client_claims(nginx_running):
    Upstream.seen.clear()
    response, body = request(nginx_running, "GET", "/tasks/", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status == 200 and body == "ok"
    headers = {k.lower(): v for k, v in Upstream.seen[-1]["headers"].items()}
    assert headers["x-forwarded-for"] == "127.0.0.1"  # the client's real address, nothing more
    assert headers["x-forwarded-proto"] == "https"
    assert headers["host"] == "plans.minhang.example"


def test_nginx_refuses_an_oversized_body_without_reading_it_or_asking_the_app(nginx_running):
    Upstream.seen.clear()
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    raw = socket.create_connection(("127.0.0.1", nginx_running["ports"]["https"]), timeout=20)
    with context.wrap_socket(raw) as sock:
        # Headers only: a 1 GiB body is announced and never sent.
        sock.sendall(
            b"POST /imports/upload/ HTTP/1.1\r\nHost: plans.minhang.example\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 1073741824\r\n\r\n"
        )
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    text = answer.decode()
    assert text.startswith("HTTP/1.1 413")
    assert "提交的文件过大，服务器未接收。" in text
    assert Upstream.seen == []


def test_nginx_body_limit_is_the_apps():
    size = directive("client_max_body_size")
    assert size.endswith("m")
    assert int(size[:-1]) * 1024 * 1024 == request_max_bytes()


def test_nginx_rate_limits_login_posts_but_not_the_login_page(nginx_running):
    Upstream.seen.clear()
    pages = [request(nginx_running, "GET", "/accounts/login/")[0].status for _ in range(30)]
    assert pages == [200] * 30
    statuses, refusal = [], ""
    for _ in range(30):
        response, body = request(nginx_running, "POST", "/accounts/login/", body=b"username=a&password=b")
        statuses.append(response.status)
        if response.status == 429:
            refusal = body
    # The burst (20) passes at once; beyond it, at 20 per minute, the rest are refused.
    assert statuses[:20] == [200] * 20
    assert statuses.count(429) >= 5
    assert "本机提交过于频繁，请稍候一分钟再试。" in refusal


def test_nginx_redirects_plain_http_to_https(nginx_running):
    connection = http.client.HTTPConnection("127.0.0.1", nginx_running["ports"]["http"], timeout=20)
    connection.request("GET", "/tasks/?q=x", headers={"Host": "plans.minhang.example"})
    response = connection.getresponse()
    assert response.status == 301
    assert response.getheader("Location") == "https://plans.minhang.example/tasks/?q=x"


def test_gunicorn_configuration_is_valid_and_fits_nginx():
    env = {**os.environ, "SECRET_KEY": "x" * 50, "DEBUG": "0"}
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", "-c", str(GUNICORN_CONF), "minhang_plans.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    conf = runpy.run_path(str(GUNICORN_CONF))
    assert conf["bind"].startswith("127.0.0.1:")  # reachable only through nginx
    assert conf["worker_class"] == "sync" and conf["timeout"] == 120
    # nginx waits for the app longer than gunicorn lets a worker run.
    assert int(directive("proxy_read_timeout").rstrip("s")) > conf["timeout"]
    assert directive("proxy_request_buffering") == "on" and directive("proxy_buffering") == "on"
    assert directive("proxy_set_header X-Forwarded-For") == "$remote_addr"


def test_nginx_spreads_requests_over_both_app_servers(nginx_running):
    Upstream.seen.clear()
    for _ in range(6):
        response, body = request(nginx_running, "GET", "/tasks/")
        assert (response.status, body) == (200, "ok")
    ports = {nginx_running["ports"][name] for name in UPSTREAMS}
    assert {entry["server"] for entry in Upstream.seen} == ports


def test_with_one_app_server_down_the_other_answers(nginx_running):
    # Last in this module: it stops the second stand-in app server.
    down = nginx_running["upstreams"][1]
    down.shutdown()
    down.server_close()
    Upstream.seen.clear()
    for _ in range(4):
        response, body = request(nginx_running, "GET", "/tasks/")
        assert (response.status, body) == (200, "ok")
    assert {entry["server"] for entry in Upstream.seen} == {nginx_running["ports"]["upstream"]}
