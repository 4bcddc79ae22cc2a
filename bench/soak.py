"""Soak test: two gunicorn instances on one PostgreSQL, 32 clients reading and writing for N minutes.

A script, not a test. Loopback only (127.0.0.1), bounded in time, stops by itself.

    .venv/bin/python bench/soak.py --minutes 5 --clients 32          # the recorded run (~7 min in all)
    .venv/bin/python bench/soak.py --minutes 0.5 --clients 8         # a smoke run
    .venv/bin/python bench/soak.py --minutes 5 --scale 0.25          # on top of synthetic city data too
    BENCH_REF=ca20fed .venv/bin/python bench/soak.py --minutes 5      # that commit, then this tree, back to back
                                                                      # (each run first waits for the 1-minute
                                                                      # load average to fall under 1.0, 4 min at most)

What it does, all by itself (each step under a timeout):
  1. starts a throwaway PostgreSQL cluster with bin/pg-throwaway (a `bash` child holds it; the cluster is
     stopped and removed when this script exits, however it exits: the child's stdin closes);
  2. migrates, imports the two seed documents (`manage.py import_plan fixtures/000_… fixtures/004_…`),
     optionally `generate_city_data --scale S`, runs collectstatic; production-like env: DEBUG=0, one
     SECRET_KEY, "today" pinned to 2025-06-18 (demo mode's DEMO_TODAY: the seeds' year),
     ALLOWED_HOSTS=127.0.0.1,localhost, no HTTPS redirect or secure cookies, CONN_MAX_AGE=60;
  3. creates 8 liaison accounts (`soak-liaison-0..7`, one unit each: the 8 units that lead most active
     tasks) and 2 office accounts (`soak-office-0..1`);
  4. starts TWO gunicorn instances (2 sync workers each) on two free 127.0.0.1 ports, same database, each with
     its OWN empty MEDIA_ROOT: files go to a bucket on a local S3-compatible server (moto's standalone server,
     the route on-premises object stores take through django-storages), the servers share no directory;
  5. one client alone for --baseline-seconds (pages only): the service time without queueing;
     then runs --clients threads for --minutes (stdlib urllib + http.cookiejar; each thread logs in through
     the real login form with CSRF, then alternates every request between the two servers, so a
     session and a form made on one instance are used on the other). Three of four threads are
     liaisons (thread i -> unit i mod 8), one of four is the office reporting for any of those units'
     lead tasks, so several threads write the same reports and optimistic locking answers 409.
     Each iteration: 65% a page (dashboard, unit, leader, task, search), 35% a write (GET the
     report form, read csrf token + version, POST a unique token as progress_text; 20% drafts; one write
     in ten attaches a small file named by its token);
  6. counts requests, errors (any 5xx or connection error/timeout), acknowledged writes (302 after
     the POST), conflicts (409: expected under contention, not errors), other 4xx, latencies, and the CPU
     per request of the app servers, PostgreSQL, this process (the load generator) and the rest of the
     machine, with how busy it was (bench/cpu_meter.py): on a saturated machine, what bounds the rate;
  7. stops the servers, then checks the database: every acknowledged write's token is in the report
     history for its (task, unit); per report the history versions are 1..N with no gap or
     duplicate and the row's version is N (no lost update); the newest version's text is an
     acknowledged token; no percent outside 0..100; the gunicorn logs hold no traceback; before the servers
     stop, every acknowledged attachment is downloaded through BOTH servers and compared byte for byte,
     and both servers' media directories are still empty;
  8. prints a figures table and appends it to bench/results/soak.txt. Exit 1 if any check failed.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import http.cookiejar
import os
import platform
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import cpu_meter
import pg_statements
from trees import postgres_throwaway, tree_export

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT  # the code the servers run: ROOT, or an exported commit (--tree, for --ref runs)
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
RESULTS = ROOT / "bench" / "results" / "soak.txt"
SEEDS = ["fixtures/000_a62ce10d14304788.txt", "fixtures/004_81e3937e704ee9fc.txt"]
UNITS = 8
PASSWORD = "soak-pw-2025"
SEARCH_TERMS = ("推进", "建设", "科技", "服务", "产业", "改造")
TOKEN_PREFIX = "soak-"
CLIENT_TIMEOUT = 55  # below gunicorn's 60 s worker timeout; queueing on a loaded 2-core box can be long

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_RE = re.compile(r'<input type="hidden" name="version"(?: value="(\d*)")?')


def log(message: str) -> None:
    print(f"== {time.strftime('%H:%M:%S')} {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- setup -----------------------------------------------------------------------------


def multipart(fields: dict[str, str], file_field: str, file: tuple[str, bytes]) -> tuple[bytes, str]:
    """A multipart/form-data body (as a browser sends a form with a file) and its content type."""
    boundary = "----soak" + secrets.token_hex(12)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    name, content = file
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{name}"\r\n'
        f"Content-Type: text/plain\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def start_s3() -> tuple[object, dict[str, str]]:
    """moto's standalone S3 server on a free loopback port with an empty bucket; the settings that use it."""
    import logging

    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    storage = {
        "S3_BUCKET": "minhang-soak",
        "S3_ENDPOINT_URL": f"http://{host}:{port}",
        "S3_ACCESS_KEY_ID": "soak",
        "S3_SECRET_ACCESS_KEY": "soak-secret",
        "S3_PREFIX": "media",
    }
    boto3.client(
        "s3",
        endpoint_url=storage["S3_ENDPOINT_URL"],
        aws_access_key_id=storage["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=storage["S3_SECRET_ACCESS_KEY"],
    ).create_bucket(Bucket=storage["S3_BUCKET"])
    return server, storage


def verify_files(stats: Stats, servers: list[str], media: list[Path]) -> dict[str, int]:
    """Every acknowledged attachment, downloaded through each server, holds what was sent; neither
    server kept a file on its own disk."""
    from tasks.models import ReportAttachment

    names = {f"{token}.txt": token for token in stats.attached}
    found = dict(ReportAttachment.objects.filter(original_name__in=list(names)).values_list("original_name", "pk"))
    reader = Client(-2, servers, "soak-office-0", Stats(), random.Random(0))
    wrong = 0
    if not reader.login():
        wrong = len(found) * len(servers)
    else:
        for name, pk in found.items():
            for _ in servers:  # request() alternates servers: each file once through each
                status, text = reader.request("attachment", f"/attachments/{pk}/")
                if status != 200 or text != f"{names[name]} 附件":
                    wrong += 1
    return {
        "acknowledged attachments": len(names),
        "acknowledged attachments missing": len(names) - len(found),
        "downloads not byte-identical (through either server)": wrong,
        "files left on the servers' own disks": sum(1 for d in media for p in d.rglob("*") if p.is_file()),
    }


def manage(env: dict[str, str], *args: str, timeout: int = 600) -> None:
    log("manage.py " + " ".join(args))
    subprocess.run([PY, "manage.py", *args], cwd=TREE, env=env, check=True, timeout=timeout, stdout=subprocess.DEVNULL)


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(TREE))
    import django

    django.setup()


@dataclass
class Plan:
    units: list[tuple[int, str]]  # (unit id, name) of the 8 liaison units
    lead_tasks: dict[int, list[int]]  # unit id -> active tasks it leads
    task_ids: list[int]
    unit_ids: list[int]
    leader_ids: list[int]


def create_accounts() -> Plan:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count, Q

    from tasks.models import Leader, Role, Task, TaskState, TaskUnit, Unit, UnitRole, UserProfile
    from tasks.services import roles_ensure

    groups = roles_ensure()
    lead = Q(task_links__role=UnitRole.LEAD, task_links__task__state=TaskState.ACTIVE)
    units = list(
        Unit.objects.annotate(n=Count("task_links", filter=lead))
        .filter(n__gt=0)
        .order_by("-n", "pk")[:UNITS]
        .values_list("pk", "name")
    )
    lead_tasks: dict[int, list[int]] = {}
    for unit_id, _ in units:
        lead_tasks[unit_id] = list(
            TaskUnit.objects.filter(unit_id=unit_id, role=UnitRole.LEAD, task__state=TaskState.ACTIVE)
            .order_by("task_id")
            .values_list("task_id", flat=True)
        )
    user_model = get_user_model()
    for index, (unit_id, _) in enumerate(units):
        user = user_model.objects.create_user(f"soak-liaison-{index}", password=PASSWORD)
        user.groups.add(groups[Role.LIAISON.value])
        UserProfile.objects.create(user=user).units.set([unit_id])
    for index in range(2):
        user = user_model.objects.create_user(f"soak-office-{index}", password=PASSWORD)
        user.groups.add(groups[Role.OFFICE.value])
        UserProfile.objects.create(user=user)
    plan = Plan(
        units=units,
        lead_tasks=lead_tasks,
        task_ids=list(Task.objects.filter(state=TaskState.ACTIVE).values_list("pk", flat=True)[:2000]),
        unit_ids=list(Unit.objects.values_list("pk", flat=True)[:500]),
        leader_ids=list(Leader.objects.values_list("pk", flat=True)[:500]),
    )
    connection.close()
    return plan


def start_gunicorn(env: dict[str, str], port: int, logfile: Path) -> subprocess.Popen:
    handle = open(logfile, "w")  # noqa: SIM115 - gunicorn writes it until it stops
    return subprocess.Popen(
        [
            GUNICORN,
            "minhang_plans.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--timeout",
            "60",
            "--log-level",
            "warning",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=TREE,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )


def wait_up(base: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=2).read()
            return
        except Exception:
            time.sleep(0.2)
    raise SystemExit(f"soak: {base} did not come up")


# -- clients ---------------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: collections.Counter = field(default_factory=collections.Counter)  # kind -> n
    statuses: collections.Counter = field(default_factory=collections.Counter)  # status -> n
    per_server: collections.Counter = field(default_factory=collections.Counter)
    latencies: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    errors: list[str] = field(default_factory=list)
    acked: list[tuple[int, int, str]] = field(default_factory=list)  # (task, unit, token)
    uncertain: list[tuple[int, int, str]] = field(default_factory=list)  # POST whose answer was lost
    conflicts: int = 0
    attached: set[str] = field(default_factory=set)  # tokens whose write carried a file
    invalid: list[str] = field(default_factory=list)  # 400 bodies (first lines)
    logins: int = 0

    def record(self, kind: str, server: int, status: int, seconds: float) -> None:
        with self.lock:
            self.requests[kind] += 1
            self.statuses[status] += 1
            self.per_server[server] += 1
            self.latencies[kind].append(seconds)


class Client:
    def __init__(self, index: int, servers: list[str], username: str, stats: Stats, rng: random.Random):
        self.index = index
        self.servers = servers
        self.username = username
        self.stats = stats
        self.rng = rng
        self.turn = index % len(servers)
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)
        self.seq = 0
        self.location = ""

    def _next_server(self) -> int:
        self.turn = (self.turn + 1) % len(self.servers)
        return self.turn

    def _csrf_cookie(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(
        self, kind: str, path: str, data: dict[str, str] | None = None, file: tuple[str, bytes] | None = None
    ) -> tuple[int, str]:
        """One request to the next server; (status, body). status 0 = connection error/timeout.
        `file`: (name, content) sent as the form's `attachment`, multipart like a browser."""
        server = self._next_server()
        url = self.servers[server] + path
        headers = {"User-Agent": f"soak/{self.index}"}
        body = None
        if data is not None and file is not None:
            body, headers["Content-Type"] = multipart(data, "attachment", file)
            headers["Referer"] = url
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Referer"] = url
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.location = ""
        try:
            req = urllib.request.Request(url, data=body, headers=headers)
            with self.opener.open(req, timeout=CLIENT_TIMEOUT) as resp:
                status, text = resp.status, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode("utf-8", "replace")
            self.location = exc.headers.get("Location", "")
        except Exception as exc:  # connection refused/reset, timeout
            status, text = 0, f"{type(exc).__name__}: {exc}"
        elapsed = time.perf_counter() - started
        self.stats.record(kind, server, status, elapsed)
        if status == 0 or status >= 500:
            with self.stats.lock:
                self.stats.errors.append(f"{kind} {url} -> {status} {text[:200]!r}")
        return status, text

    def login(self) -> bool:
        for _ in range(3):
            status, text = self.request("login-form", "/accounts/login/")
            match = CSRF_RE.search(text)
            if status != 200 or not match:
                continue
            status, _ = self.request(
                "login",
                "/accounts/login/",
                {"csrfmiddlewaretoken": match.group(1), "username": self.username, "password": PASSWORD, "next": "/"},
            )
            if status == 302:
                with self.stats.lock:
                    self.stats.logins += 1
                return True
        return False

    def write(self, task_id: int, unit_id: int) -> None:
        path = f"/tasks/{task_id}/report/{unit_id}/"
        status, text = self.request("report-form", path)
        if status != 200:
            if status not in (0,) and status < 500:
                with self.stats.lock:
                    self.stats.invalid.append(f"GET {path} -> {status}")
            return
        csrf = CSRF_RE.search(text)
        version = VERSION_RE.search(text)
        if not csrf or not version:
            with self.stats.lock:
                self.stats.errors.append(f"form without csrf/version at {path}")
            return
        self.seq += 1
        token = f"{TOKEN_PREFIX}{self.index}-{self.seq}-{secrets.token_hex(4)}"
        draft = self.rng.random() < 0.2
        status_choice = self.rng.choice(["in_progress", "in_progress", "ongoing", "done"])
        percent = 100 if status_choice == "done" else self.rng.randint(1, 99)
        data = {
            "csrfmiddlewaretoken": csrf.group(1),
            "version": version.group(1) or "",
            "status": status_choice,
            "percent": str(percent),
            "progress_text": f"{token} 压力测试：按计划推进，完成{percent}%。",
            "problems": "暂无。",  # required when the task is past due (a reason), harmless otherwise
            "next_steps": "继续推进。",
            "action": "draft" if draft else "submit",
        }
        file = (f"{token}.txt", f"{token} 附件".encode()) if self.rng.random() < 0.1 else None
        status, text = self.request("report-post", path, data, file=file)
        with self.stats.lock:
            # Acknowledged = redirected to the task page (a redirect to the login page would be a lost session).
            if status == 302 and self.location.split("?")[0].endswith(f"/tasks/{task_id}/"):
                self.stats.acked.append((task_id, unit_id, token))
                if file is not None:
                    self.stats.attached.add(token)
            elif status == 409:
                self.stats.conflicts += 1
            elif status == 0 or status >= 500:
                self.stats.uncertain.append((task_id, unit_id, token))
            else:
                errs = re.findall(r'class="errors"[^>]*>(.*?)</', text)
                self.stats.invalid.append(f"POST {path} -> {status} {errs[:2]}")

    def page(self, plan: Plan) -> None:
        kind = self.rng.choice(["dashboard", "unit", "leader", "task", "task", "search"])
        if kind == "dashboard":
            path = "/"
        elif kind == "unit":
            path = f"/units/{self.rng.choice(plan.unit_ids)}/"
        elif kind == "leader":
            path = f"/leaders/{self.rng.choice(plan.leader_ids)}/"
        elif kind == "task":
            path = f"/tasks/{self.rng.choice(plan.task_ids)}/"
        else:
            path = "/tasks/?" + urllib.parse.urlencode({"q": self.rng.choice(SEARCH_TERMS)})
        status, _ = self.request(kind, path)
        if status != 200 and 0 < status < 500:
            with self.stats.lock:
                self.stats.invalid.append(f"GET {path} -> {status}")


def run_client(client: Client, plan: Plan, office: bool, unit_index: int, stop_at: float) -> None:
    if not client.login():
        with client.stats.lock:
            client.stats.errors.append(f"client {client.index} ({client.username}) could not log in")
        return
    unit_id = plan.units[unit_index][0]
    pairs = [(t, u) for u, tasks in plan.lead_tasks.items() for t in tasks]
    while time.monotonic() < stop_at:
        if client.rng.random() < 0.35:
            if office:
                task_id, target_unit = client.rng.choice(pairs)
            else:
                task_id, target_unit = client.rng.choice(plan.lead_tasks[unit_id]), unit_id
            client.write(task_id, target_unit)
        else:
            client.page(plan)


# -- checks ----------------------------------------------------------------------------


def verify(stats: Stats) -> dict[str, int]:
    from django.db import connection

    from tasks.models import ProgressReport

    history = ProgressReport.history.model
    rows = list(
        history.objects.filter(progress_text__startswith=TOKEN_PREFIX).values_list(
            "id", "task_id", "unit_id", "version", "progress_text"
        )
    )
    by_token: dict[str, list[tuple[int, int, int]]] = collections.defaultdict(list)
    per_key: dict[tuple[int, int], list[tuple[int, str]]] = collections.defaultdict(list)
    for _, task_id, unit_id, version, text in rows:
        token = text.split(" ", 1)[0]
        by_token[token].append((task_id, unit_id, version))
        per_key[(task_id, unit_id)].append((version, token))
    acked_tokens = {token for _, _, token in stats.acked}
    uncertain_tokens = {token for _, _, token in stats.uncertain}
    missing = sum(1 for t, u, token in stats.acked if not any(k[:2] == (t, u) for k in by_token.get(token, [])))
    duplicated = sum(1 for token in acked_tokens if len(by_token.get(token, [])) > 1)
    unknown_rows = sum(1 for token in by_token if token not in acked_tokens and token not in uncertain_tokens)
    unacked_committed = sum(1 for token in by_token if token in uncertain_tokens)

    current = {
        (r.task_id, r.unit_id): r
        for r in ProgressReport.objects.filter(progress_text__startswith=TOKEN_PREFIX).only(
            "task_id", "unit_id", "version", "progress_text", "percent"
        )
    }
    version_gaps = 0
    stale_rows = 0
    for key, entries in per_key.items():
        versions = sorted(v for v, _ in entries)
        if versions != list(range(1, len(versions) + 1)):
            version_gaps += 1
        report = current.get(key)
        newest = max(entries)[1]
        if report is None or report.version != versions[-1] or not report.progress_text.startswith(newest + " "):
            stale_rows += 1
    out_of_range = ProgressReport.objects.exclude(percent__gte=0, percent__lte=100).count()
    connection.close()
    return {
        "history rows with soak tokens": len(rows),
        "reports written (task, unit)": len(per_key),
        "acknowledged writes missing from history": missing,
        "acknowledged tokens stored twice": duplicated,
        "history rows nobody sent": unknown_rows,
        "committed though the answer was lost": unacked_committed,
        "reports whose versions are not 1..N": version_gaps,
        "reports whose row ≠ newest history version": stale_rows,
        "reports with percent outside 0..100": out_of_range,
    }


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def _cst_now() -> dt.datetime:
    # The runs' own headers are in Django's TIME_ZONE (Asia/Shanghai); the comparison's too.
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))


COOL_LOAD = 1.0  # the 1-minute load average each run of a comparison waits for
COOL_MAX_SECONDS = 240


def cool_down() -> float:
    """Wait until the machine's 1-minute load average is under COOL_LOAD (at most COOL_MAX_SECONDS):
    without it the second run of a comparison started with the first one's load still on the two
    cores (2.8-2.9 against 1.2-1.5 for the first, in every recorded run), a bias against it."""
    deadline = time.monotonic() + COOL_MAX_SECONDS
    while os.getloadavg()[0] >= COOL_LOAD and time.monotonic() < deadline:
        time.sleep(5)
    return os.getloadavg()[0]


def compare(args: argparse.Namespace) -> int:
    """Soak the --ref commit, then this tree, back to back on this machine with the same options, and
    compare requests per second: the shared box's load moves both figures, their ratio much less.
    Both run with --shared-media, since an earlier commit may not have the S3 storage."""
    ref = subprocess.check_output(["git", "rev-parse", "--short", args.ref], cwd=ROOT, text=True).strip()
    head = subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True).strip()
    dirty = subprocess.run(["git", "diff", "--quiet", "HEAD"], cwd=ROOT).returncode != 0
    this = f"{head}{'+changes' if dirty else ''}"
    options = ["--minutes", f"{args.minutes:g}", "--clients", str(args.clients), "--seed", str(args.seed)]
    options += ["--baseline-seconds", f"{args.baseline_seconds:g}", "--shared-media", "--no-record", "--ref", ""]
    if args.scale:
        options += ["--scale", f"{args.scale:g}"]
    runs: dict[str, tuple[int, str]] = {}
    with tempfile.TemporaryDirectory(prefix="soak-ref-") as tmp:
        tree = tree_export(commit=ref, tree=Path(tmp) / "ref")
        for label, served in ((ref, tree), (this, ROOT)):
            settled = cool_down()
            log(f"soak of {label} ({served}); load average (1 min) {settled:.1f} at its start")
            done = subprocess.run(
                [PY, str(Path(__file__).resolve()), *options, "--tree", str(served)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=int(args.minutes * 60) + 1800,
            )
            report = done.stdout[done.stdout.find("## soak") :] if "## soak" in done.stdout else done.stdout[-3000:]
            print(report, flush=True)
            if done.returncode not in (0, 1):
                print(done.stderr[-3000:], file=sys.stderr)
            runs[label] = (done.returncode, report.strip())

    def rate(report: str) -> float:
        found = re.search(r"^requests/s\s+([\d.]+)$", report, re.MULTILINE)
        return float(found.group(1)) if found else 0.0

    before, after = rate(runs[ref][1]), rate(runs[this][1])
    ratio = after / before if before else 0.0
    verdicts = {label: ("PASS" if code == 0 else "FAIL") for label, (code, _) in runs.items()}
    summary = [
        f"## soak comparison {_cst_now():%Y-%m-%d %H:%M} CST: {this} against {ref}, back to back",
        f"command: BENCH_REF={args.ref} .venv/bin/python bench/soak.py --minutes {args.minutes:g} "
        f"--clients {args.clients}" + (f" --scale {args.scale:g}" if args.scale else ""),
        f"requests/s: {ref} {before:.1f} ({verdicts[ref]}), {this} {after:.1f} ({verdicts[this]}); ratio {ratio:.2f}×",
        "",
    ]
    text = "\n".join(summary + [f"### {label}\n{report}\n" for label, (_, report) in runs.items()])
    print("\n".join(summary))
    if not args.no_record:
        with RESULTS.open("a") as handle:
            handle.write(text + "\n")
        log(f"appended to {RESULTS.relative_to(ROOT)}")
    return 0 if all(code == 0 for code, _ in runs.values()) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--scale", type=float, default=0.0, help="also generate_city_data --scale S (0 = seeds only)")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--baseline-seconds", type=float, default=20, help="one client alone first (0 = skip)")
    parser.add_argument("--no-record", action="store_true", help="print only, do not append to bench/results/soak.txt")
    parser.add_argument(
        "--ref",
        default=os.environ.get("BENCH_REF", ""),
        help="also soak this commit, back to back with this tree, and compare (default: $BENCH_REF)",
    )
    parser.add_argument("--tree", type=Path, default=ROOT, help=argparse.SUPPRESS)  # --ref's runs: the code served
    parser.add_argument(
        "--pg-statements",
        action="store_true",
        help="also print PostgreSQL's most expensive statements of the load (pg_stat_statements; costs a little)",
    )
    parser.add_argument(
        "--shared-media",
        action="store_true",
        help="both servers on one media directory, no S3 (--ref runs: an older commit may have no S3 storage)",
    )
    args = parser.parse_args()
    if not 0 < args.minutes <= 60 or not 1 <= args.clients <= 128:
        parser.error("--minutes in (0, 60], --clients in [1, 128]")
    if args.ref:
        return compare(args)
    global TREE
    TREE = args.tree.resolve()

    procs: list[subprocess.Popen] = []
    server_options = "-c max_connections=200 -c shared_buffers=128MB"
    if args.pg_statements:
        server_options += " " + pg_statements.SERVER_OPTIONS
    pg, database_url = postgres_throwaway(extra_opts=server_options)
    logs = [Path(f"/tmp/soak-gunicorn-{os.getpid()}-{i}.log") for i in range(2)]
    try:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "minhang_plans.settings",
            "DEBUG": "0",
            "SECRET_KEY": "soak-only-" + secrets.token_hex(16),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "CONN_MAX_AGE": "60",
            "LOG_LEVEL": "WARNING",
            # The seeds' plans end with 2025 and take no report for a later period: "today" is pinned
            # inside their year, as the quick start's demo pins it (DEMO_TODAY applies in demo mode only).
            "DEMO_MODE": "1",
            "DEMO_TODAY": "2025-06-18",
        }
        manage(env, "migrate", "--noinput", "-v0", timeout=300)
        manage(env, "import_plan", *SEEDS, timeout=300)
        if args.scale > 0:
            manage(env, "generate_city_data", "--scale", str(args.scale), timeout=900)
        manage(env, "collectstatic", "--noinput", "-v0", timeout=300)
        setup_django(env)
        plan = create_accounts()
        log("liaison units: " + "、".join(f"{name}({len(plan.lead_tasks[uid])})" for uid, name in plan.units))

        ports = [free_port(), free_port()]
        while ports[1] == ports[0]:
            ports[1] = free_port()
        servers = [f"http://127.0.0.1:{p}" for p in ports]
        if args.shared_media:
            storage: dict[str, str] = {}
            media = [Path(tempfile.mkdtemp(prefix="soak-media-"))] * 2
        else:
            s3, storage = start_s3()
            # Each server its own empty media directory: files must go through the shared S3 storage.
            media = [Path(tempfile.mkdtemp(prefix=f"soak-media-{i}-")) for i in range(2)]
        for port, logfile, own in zip(ports, logs, media, strict=True):
            procs.append(start_gunicorn({**env, **storage, "MEDIA_ROOT": str(own)}, port, logfile))
        for base in servers:
            wait_up(base, time.monotonic() + 60)
        log(f"gunicorn x2 (2 sync workers each) on {', '.join(servers)}; {args.clients} clients for {args.minutes} min")

        # Service time at rest: one client, pages only, before the load (queueing comes on top of it).
        baseline = Stats()
        if args.baseline_seconds > 0:
            solo = Client(-1, servers, "soak-office-1", baseline, random.Random(args.seed + 1))
            if solo.login():
                solo_stop = time.monotonic() + args.baseline_seconds
                while time.monotonic() < solo_stop:
                    solo.page(plan)
            log(f"baseline: {sum(baseline.requests.values())} sequential requests by one client")
        load_before = os.getloadavg()
        database_pid = cpu_meter.postmaster_of(int(urllib.parse.urlsplit(database_url).port or 5432))
        cpu_before = cpu_meter.read(servers=[p.pid for p in procs], database=database_pid)
        if args.pg_statements:
            pg_statements.reset()  # the load's statements only, not the setup's or the baseline's
        stats = Stats()
        rng = random.Random(args.seed)
        threads = []
        started = time.monotonic()
        stop_at = started + args.minutes * 60
        for i in range(args.clients):
            office = i % 4 == 3
            unit_index = i % len(plan.units)
            username = f"soak-office-{i % 2}" if office else f"soak-liaison-{unit_index}"
            client = Client(i, servers, username, stats, random.Random(rng.random()))
            thread = threading.Thread(target=run_client, args=(client, plan, office, unit_index, stop_at), daemon=True)
            threads.append(thread)
            thread.start()
        while any(t.is_alive() for t in threads):
            time.sleep(5)
            if time.monotonic() > stop_at + 60:
                break
            done = sum(stats.requests.values())
            print(
                f"   {time.monotonic() - started:6.0f} s  {done} requests, {len(stats.acked)} acked, "
                f"{stats.conflicts} conflicts, {len(stats.errors)} errors",
                flush=True,
            )
        wall = time.monotonic() - started
        load_after = os.getloadavg()
        cpu_after = cpu_meter.read(servers=[p.pid for p in procs], database=database_pid)
        statements = pg_statements.top(requests=sum(stats.requests.values())) if args.pg_statements else []
        alive = [p.poll() is None for p in procs]
        file_checks = verify_files(stats, servers, [] if args.shared_media else media)
    finally:
        for proc in procs:
            proc.terminate()
        if "s3" in locals():
            s3.stop()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()

    try:
        checks = verify(stats)
    finally:
        pg.stdin.close()  # the bash child's `read` returns, its EXIT trap stops and removes the cluster
        pg.wait(timeout=60)
    log_text = "\n".join(p.read_text(errors="replace") for p in logs if p.exists())
    tracebacks = log_text.count("Traceback")
    worker_timeouts = log_text.count("WORKER TIMEOUT")
    for p in logs:
        p.unlink(missing_ok=True)

    total = sum(stats.requests.values())
    five = sum(n for s, n in stats.statuses.items() if s >= 500)
    conn_errors = stats.statuses.get(0, 0)
    pages = [k for k in ("dashboard", "unit", "leader", "task", "search")]
    posts = stats.requests["report-post"]
    lines = [
        f"## soak {dt.datetime.now():%Y-%m-%d %H:%M} · {args.minutes:g} min · {args.clients} clients · "
        f"2 gunicorn × 2 sync workers · PostgreSQL · seeds{f' + city data x{args.scale:g}' if args.scale else ''} · "
        f"{platform.node()} ({os.cpu_count()} cores, shared)",
        f"command: .venv/bin/python bench/soak.py --minutes {args.minutes:g} --clients {args.clients}"
        + (f" --scale {args.scale:g}" if args.scale else "")
        + (" --shared-media" if args.shared_media else "")
        + (f"  (code served: {args.tree})" if TREE != ROOT else ""),
        "",
        f"{'figure':<46} {'value':>10}",
        f"{'-' * 46} {'-' * 10}",
    ]

    def row(name: str, value: object) -> None:
        lines.append(f"{name:<46} {value!s:>10}")

    row("wall time (s)", f"{wall:.0f}")
    row("load average (1 min) before / after", f"{load_before[0]:.1f}/{load_after[0]:.1f}")
    row("requests", total)
    row("requests/s", f"{total / wall:.1f}")
    for name, value in cpu_meter.split_lines(cpu_before, cpu_after, requests=total):
        row(name, value)
    lines.extend(statements)
    row("  to server A / B", f"{stats.per_server[0]}/{stats.per_server[1]}")
    row("  page views", sum(stats.requests[k] for k in pages))
    row("  report form GETs", stats.requests["report-form"])
    row("  report POSTs", posts)
    row("  logins", f"{stats.logins}/{args.clients}")
    row("errors (5xx + connection errors)", five + conn_errors)
    row("  5xx", five)
    row("  connection errors / timeouts", conn_errors)
    row("acknowledged writes (302 after POST)", len(stats.acked))
    row("conflicts (409, expected)", stats.conflicts)
    row("other 4xx (invalid/refused)", len(stats.invalid))
    for kind in [*pages, "report-form", "report-post"]:
        vals = stats.latencies.get(kind, [])
        row(
            f"latency {kind} p50/p95/max (ms)",
            f"{pct(vals, 0.5):.0f}/{pct(vals, 0.95):.0f}/{max(vals, default=0) * 1000:.0f}",
        )
    if baseline.requests:
        solo = ", ".join(f"{k} {pct(baseline.latencies.get(k, []), 0.5):.0f}" for k in pages)
        lines.append(f"one client alone before the load, p50 ms: {solo}")
        lines.append(f"  ({sum(baseline.requests.values())} requests, {len(baseline.errors)} errors)")
    lines.append("")
    lines.append("database checks after the run (want 0 except the first two):")
    for name, value in checks.items():
        row("  " + name, value)
    row("  gunicorn tracebacks / worker timeouts", f"{tracebacks}/{worker_timeouts}")
    row("  servers alive at the end", f"{sum(alive)}/2")
    lines.append(
        "shared storage (one directory for both servers) after the run (want 0 except the first):"
        if args.shared_media
        else "shared storage (S3, no shared directory) after the run (want 0 except the first):"
    )
    for name, value in file_checks.items():
        row("  " + name, value)

    failed = (
        five + conn_errors
        or baseline.errors
        or checks["acknowledged writes missing from history"]
        or checks["acknowledged tokens stored twice"]
        or checks["history rows nobody sent"]
        or checks["reports whose versions are not 1..N"]
        or checks["reports whose row ≠ newest history version"]
        or checks["reports with percent outside 0..100"]
        or file_checks["acknowledged attachments missing"]
        or file_checks["downloads not byte-identical (through either server)"]
        or file_checks["files left on the servers' own disks"]
        or tracebacks
        or worker_timeouts
        or not all(alive)
        or stats.logins < args.clients
        or not stats.acked
    )
    lines.append("")
    lines.append(f"verdict: {'FAIL' if failed else 'PASS'}")
    if stats.errors:
        lines.append("first errors:")
        lines.extend("  " + e for e in stats.errors[:10])
    if stats.invalid:
        lines.append("first other 4xx:")
        lines.extend(f"  {m} ×{n}" for m, n in collections.Counter(stats.invalid).most_common(5))
    lines.append("")
    text = "\n".join(lines)
    print(text)
    if not args.no_record:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        with RESULTS.open("a") as handle:
            handle.write(text + "\n")
        log(f"appended to {RESULTS.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
