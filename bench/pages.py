"""Benchmark: pages at city scale on PostgreSQL, served by gunicorn, load from 127.0.0.1.

Run by bench/run-all, which sets up the database and gunicorn and exports
DATABASE_URL, the production-like settings (DEBUG off, CONN_MAX_AGE) and
BENCH_BASE_URL (http://127.0.0.1:PORT). By hand, against such a setup:

    .venv/bin/python bench/pages.py [--single 60] [--duration 30] [--rounds 3] [--connections 16]

What it does:
  1. picks the URLs from the data: the dashboard, a category of the biggest annual plan,
     the unit with most tasks, the leader with most tasks, the task with most progress
     reports (longest history), a search term that hits many tasks, and the Django admin's
     task changelist (100 rows) as the reference;
  2. counts SQL queries per page (Django's test Client in this process against the same
     database, CaptureQueriesContext, DEBUG off);
  3. single client: --single sequential requests per page, pages interleaved (one request
     of each page in turn, order rotated every pass), timed with perf_counter around
     urllib on 127.0.0.1 → p50 / p95;
  4. --connections concurrent clients: wrk for --duration s per page, every page in each
     round with the order rotated between rounds, --rounds rounds; median req/s per page
     and the median over rounds of the page's ratio to the admin changelist of the same round.

A script, not a test: the box is shared and noisy, figures vary ±15% and sometimes halve;
compare the interleaved ratios, not absolute numbers. Results: bench/results/pages.txt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "pages.txt"

# Targets from the issue (2-core machine, PostgreSQL, city scale).
MAX_QUERIES = 12
P95_BUDGET_MS = 50.0
RATIO_TARGET_PAGES = ("dashboard", "category", "unit", "leader")
SLOW_MS = 2000.0  # single-client p50 above this: one wrk round only (see concurrent())
SEARCH_CANDIDATES = ("推进", "建设", "加快", "实施", "完善", "提升", "服务", "改造", "管理", "项目")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minhang_plans.settings")
    import django

    django.setup()


@dataclass
class Page:
    key: str
    label: str
    path: str
    note: str = ""
    queries: int = 0
    sql_ms: float = 0.0
    slowest: list[tuple[float, str]] = field(default_factory=list)
    single_ms: list[float] = field(default_factory=list)  # milliseconds
    cold_ms: list[float] = field(default_factory=list)  # the same, each request after a write (cache miss)
    rps: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    wrk_errors: list[str] = field(default_factory=list)


def pick_pages() -> list[Page]:
    """The URLs, chosen from the data (the heaviest instance of each kind of page)."""
    from django.db.models import Count, Q

    from tasks.models import Category, PlanKind, ProgressReport, Task, TaskLeader, TaskUnit

    pages = [Page("dashboard", "dashboard", "/", "own district's plans in full, a summary row per plan")]

    # A category of a big annual plan: the biggest category of the annual plan with most tasks.
    category = (
        Category.objects.filter(plan__kind=PlanKind.ANNUAL)
        .annotate(n=Count("tasks"))
        .select_related("plan")
        .order_by("-n", "pk")
        .first()
    )
    plan_tasks = category.plan.tasks.count()
    pages.append(
        Page(
            "category",
            "category",
            f"/plans/{category.plan_id}/categories/{category.pk}/",
            f"{category.n} of the plan's {plan_tasks} tasks",
        )
    )

    unit_row = TaskUnit.objects.values("unit_id").annotate(n=Count("pk")).order_by("-n", "unit_id").first()
    lead = TaskUnit.objects.filter(unit_id=unit_row["unit_id"], role="lead").count()
    pages.append(
        Page("unit", "unit (most tasks)", f"/units/{unit_row['unit_id']}/", f"{unit_row['n']} tasks, {lead} as lead")
    )

    leader_row = TaskLeader.objects.values("leader_id").annotate(n=Count("pk")).order_by("-n", "leader_id").first()
    pages.append(
        Page("leader", "leader (most tasks)", f"/leaders/{leader_row['leader_id']}/", f"{leader_row['n']} tasks")
    )

    task_row = ProgressReport.objects.values("task_id").annotate(n=Count("pk")).order_by("-n", "task_id").first()
    history = Task.history.filter(id=task_row["task_id"]).count()
    pages.append(
        Page(
            "task",
            "task (longest history)",
            f"/tasks/{task_row['task_id']}/",
            f"{task_row['n']} reports, {history} history rows",
        )
    )

    active = Task.objects.filter(state="active")
    hits = {term: active.filter(Q(text__contains=term) | Q(title__contains=term)).count() for term in SEARCH_CANDIDATES}
    term = max(hits, key=lambda t: (hits[t], t))
    pages.append(
        Page(
            "search",
            "search",
            "/tasks/?" + urllib.parse.urlencode({"q": term}),
            f"q={term}: ≥{hits[term]} active tasks, 50 per page",
        )
    )
    pages.append(Page("admin", "admin task changelist", "/admin/tasks/task/", "reference: 100 rows per page"))
    return pages


def bench_user():
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user, created = User.objects.get_or_create(
        username="bench-superuser", defaults={"is_superuser": True, "is_staff": True}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


# The local sign-in backend as a session names it; commits before 2026-12-04 used Django's own.
SIGN_IN_BACKEND = "accounts.backends.ModelBackend"
EARLIER_SIGN_IN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def session_cookie(user, backend: str = SIGN_IN_BACKEND) -> str:
    """A logged-in session, created directly (no login form, no django-axes involvement). A
    server accepts it only if `backend` is among its AUTHENTICATION_BACKENDS."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def count_queries(pages: list[Page], user) -> None:
    """SQL queries per page, as served (session and user lookups included), via the test Client."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    for page in pages:
        client.get(page.path)  # warm: the first request of a process fills caches (content types, …)
        cache.clear()  # count the page as built from the database, not as served from the fragment cache
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page.path)
        if response.status_code != 200:
            raise SystemExit(f"{page.path}: HTTP {response.status_code} through the test Client")
        page.queries = len(captured.captured_queries)
        timed = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
        page.sql_ms = sum(t for t, _ in timed)
        page.slowest = sorted(timed, reverse=True)[:3]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect (to the login page) is a failure here
        return None


def fetch(opener, url: str, cookie: str) -> float:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    start = time.perf_counter()
    with opener.open(request, timeout=30) as response:
        response.read()
        status = response.status
    elapsed = (time.perf_counter() - start) * 1000
    if status != 200:
        raise SystemExit(f"{url}: HTTP {status}")
    return elapsed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = (len(ordered) - 1) * q
    low, high = int(index), min(int(index) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (index - low)


def single_client(pages: list[Page], base: str, cookie: str, passes: int, budget: float) -> None:
    """`passes` interleaved passes; a page whose samples have taken `budget` seconds in all
    drops out of later passes (a page of several seconds cannot get 60 samples in bounded time)."""
    opener = urllib.request.build_opener(_NoRedirect)
    for page in pages:  # warm-up: both workers, every page
        for _ in range(2):
            fetch(opener, base + page.path, cookie)
    for i in range(passes):
        order = pages[i % len(pages) :] + pages[: i % len(pages)]
        for page in order:
            if sum(page.single_ms) / 1000 < budget or len(page.single_ms) < 3:
                page.single_ms.append(fetch(opener, base + page.path, cookie))


def single_client_cold(pages: list[Page], base: str, cookie: str, passes: int, budget: float) -> None:
    """As single_client, but every request follows a write (the data version bumped, as any
    committed write does through the triggers), so every page is rebuilt from the database."""
    from django.db.models import F

    from tasks.models import DataVersion

    opener = urllib.request.build_opener(_NoRedirect)
    for i in range(passes):
        order = pages[i % len(pages) :] + pages[: i % len(pages)]
        for page in order:
            if sum(page.cold_ms) / 1000 < budget or len(page.cold_ms) < 3:
                DataVersion.objects.filter(pk=1).update(number=F("number") + 1)
                page.cold_ms.append(fetch(opener, base + page.path, cookie))


def drain(base: str) -> float:
    """Wait until the workers have served what wrk left queued (a sync worker still serves a request
    whose client has gone): one cheap request queued behind them. Returns the seconds waited."""
    opener = urllib.request.build_opener(_NoRedirect)
    start = time.perf_counter()
    with opener.open(base + "/accounts/login/", timeout=600) as response:
        response.read()
    return time.perf_counter() - start


_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_NON2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET = re.compile(r"Socket errors:.*")


def wrk(url: str, cookie: str, *, connections: int, duration: int, threads: int) -> tuple[float, str]:
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        f"{duration}s",  # a slow page's queued requests count as timeouts, not resent on new connections
        "-H",
        f"Cookie: {cookie}",
        url,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=True).stdout
    match = _RPS.search(out)
    if not match:
        raise SystemExit(f"wrk printed no Requests/sec for {url}:\n{out}")
    errors = []
    if m := _NON2XX.search(out):
        errors.append(f"{m.group(1)} non-2xx")
    if m := _SOCKET.search(out):
        errors.append(m.group(0).strip())
    return float(match.group(1)), "; ".join(errors)


def concurrent(pages: list[Page], base: str, cookie: str, *, rounds: int, duration: int, connections: int) -> None:
    """wrk per page, interleaved. A page whose single-client p50 is over SLOW_MS runs in the first round only:
    its throughput is a fraction of a request per second, and every run leaves the workers
    `connections` requests of several seconds each to drain."""
    threads = min(2, connections)
    slow = {p.key for p in pages if percentile(p.single_ms, 0.5) > SLOW_MS and p.key != "admin"}
    for r in range(rounds):
        order = pages[r % len(pages) :] + pages[: r % len(pages)]
        this_round: dict[str, float] = {}
        for page in order:
            if r > 0 and page.key in slow:
                continue
            rps, errors = wrk(base + page.path, cookie, connections=connections, duration=duration, threads=threads)
            waited = drain(base)
            if waited > 1:
                errors = (errors + "; " if errors else "") + f"backlog drained in {waited:.0f} s after the run"
            page.rps.append(rps)
            this_round[page.key] = rps
            if errors:
                page.wrk_errors.append(f"round {r + 1}: {errors}")
            print(f"  round {r + 1}/{rounds} {page.key:<10} {rps:8.1f} req/s {errors}", flush=True)
        for key, rps in this_round.items():
            page = next(p for p in pages if p.key == key)
            page.ratios.append(rps / this_round["admin"] if this_round["admin"] else float("nan"))


def machine() -> list[str]:
    def sh(cmd: str) -> str:
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=10).stdout.strip()
        except Exception as exc:  # pragma: no cover - informational only
            return f"({exc})"

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg = cursor.fetchone()[0].split(" on ")[0]
    return [
        f"host {platform.node()}, nproc {sh('nproc')}, {platform.platform()}, python {platform.python_version()}, {pg}",
        "free -h:",
        *["  " + line for line in sh("free -h").splitlines()],
        f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
    ]


def report(pages: list[Page], args, started: dt.datetime, elapsed: float, machine_lines: list[str]) -> str:
    from django.conf import settings

    from tasks.models import Plan, ProgressReport, Task, Unit

    def med(values: list[float]) -> float:
        return statistics.median(values) if values else float("nan")

    def ratio(page: Page) -> float:
        return med(page.ratios) if all(x == x for x in page.ratios) else float("nan")

    lines = [
        f"# Pages at city scale — {started:%Y-%m-%d %H:%M %Z} ({elapsed / 60:.1f} min)",
        *machine_lines,
        f"code: commit {os.environ.get('BENCH_COMMIT', '?')}",
        f"data: {Plan.objects.count()} plans, {Task.objects.count()} tasks, {Unit.objects.count()} units, "
        f"{ProgressReport.objects.count()} progress reports (generate_city_data + the two seeds), ANALYZEd",
        f"server: gunicorn, 2 sync workers, DEBUG={settings.DEBUG}, "
        f"CONN_MAX_AGE={settings.DATABASES['default']['CONN_MAX_AGE']}, PostgreSQL on the same box, 127.0.0.1 only",
        f"single client: up to {args.single} sequential requests per page (urllib, perf_counter; n = samples: a page "
        f"drops out once its samples took {args.single_budget:.0f} s), pages interleaved, order rotated each pass",
        f"{args.connections} clients: wrk -t{min(2, args.connections)} -c{args.connections} -d{args.duration}s "
        "per page, "
        f"{args.rounds} rounds, all pages in every round (order rotated), medians over rounds; ratio = median of "
        f"the per-round ratios to the admin changelist measured in the same round; wrk --timeout = duration, and "
        f"the next run waits until the workers have drained what the previous one left queued",
        "SQL = queries per request (session and user included), SQL ms = their time in one request (test Client),"
        " both for a page built from the database (fragment cache emptied first)",
        "p50/p95: as served (pages repeat, so mostly from the fragment cache, as between writes); cold p50/p95: "
        "each request right after a write (the data version bumped), so rebuilt from the database",
        f"a page whose single-client p50 is over {SLOW_MS / 1000:.0f} s gets one wrk round only (a fraction of a "
        "request per second; each run leaves 16 slow requests queued to drain)",
        "",
        f"{'page':<23} {'SQL':>4} {'SQL ms':>7} {'n':>3} {'p50 ms':>7} {'p95 ms':>7} {'cold p50':>8} {'cold p95':>8} "
        f"{'req/s':>7} {'÷admin':>7}  {'req/s per round':<24} url / what",
    ]
    for page in pages:
        per_round = " ".join(f"{x:.0f}" for x in page.rps)
        lines.append(
            f"{page.label:<23} {page.queries:>4} {page.sql_ms:>7.1f} {len(page.single_ms):>3} "
            f"{percentile(page.single_ms, 0.5):>7.1f} "
            f"{percentile(page.single_ms, 0.95):>7.1f} {percentile(page.cold_ms, 0.5):>8.1f} "
            f"{percentile(page.cold_ms, 0.95):>8.1f} {med(page.rps):>7.1f} {ratio(page):>6.2f}×  "
            + f"{per_round:<24} {page.path} ({page.note})"
        )
    lines += ["", "targets:"]
    for page in pages:
        if page.key == "admin":
            continue
        checks = [
            f"SQL {page.queries} {'≤' if page.queries <= MAX_QUERIES else '>'} {MAX_QUERIES} "
            f"{'met' if page.queries <= MAX_QUERIES else 'MISSED'}",
            f"p95 {percentile(page.single_ms, 0.95):.0f} ms "
            f"{'met' if percentile(page.single_ms, 0.95) < P95_BUDGET_MS else 'MISSED'} (< {P95_BUDGET_MS:.0f}); "
            f"cold p95 {percentile(page.cold_ms, 0.95):.0f} ms "
            f"{'met' if percentile(page.cold_ms, 0.95) < P95_BUDGET_MS else 'missed'}",
        ]
        if page.key in RATIO_TARGET_PAGES:
            ok = ratio(page) >= 1.0
            checks.append(f"throughput {ratio(page):.2f}× admin {'met' if ok else 'MISSED'} (≥ 1.0×)")
        lines.append(f"  {page.label:<23} " + "; ".join(checks))
    errors = [f"  {page.key}: {e}" for page in pages for e in page.wrk_errors]
    if errors:
        lines += [
            "",
            "wrk notes (non-2xx responses, socket errors or timeouts, time the workers took to drain the backlog):",
            *errors,
        ]
    lines += ["", "slowest SQL per page (ms, from the query-count pass, DEBUG off, one request):"]
    for page in pages:
        if page.slowest:
            ms, sql = page.slowest[0]
            lines.append(f"  {page.key:<10} {ms:7.1f}  {sql[:160]}…")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default=os.environ.get("BENCH_BASE_URL", ""))
    parser.add_argument("--single", type=int, default=60, help="sequential requests per page (single client)")
    parser.add_argument("--single-budget", type=float, default=60, help="max seconds of single-client samples per page")
    parser.add_argument("--duration", type=int, default=30, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--quick", action="store_true", default=bool(os.environ.get("BENCH_QUICK")))
    args = parser.parse_args()
    if not args.base_url:
        raise SystemExit("set BENCH_BASE_URL (bench/run-all does) or pass --base-url http://127.0.0.1:PORT")
    host = urllib.parse.urlsplit(args.base_url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("loopback only: the base URL must be on 127.0.0.1")
    if args.quick:
        args.single, args.duration, args.rounds = min(args.single, 20), min(args.duration, 10), 1
        args.single_budget = min(args.single_budget, 15)
    setup_django()
    started, t0 = dt.datetime.now().astimezone(), time.perf_counter()
    machine_lines = machine()
    pages = pick_pages()
    user = bench_user()
    cookie = session_cookie(user)
    for page in pages:
        print(f"  {page.key:<10} {page.path} ({page.note})", flush=True)
    count_queries(pages, user)
    print("single client…", flush=True)
    single_client(pages, args.base_url, cookie, args.single, args.single_budget)
    print("single client, after a write each time (cache misses)…", flush=True)
    single_client_cold(pages, args.base_url, cookie, args.single, args.single_budget)
    print(f"{args.connections} clients, {args.rounds} rounds × {len(pages)} pages × {args.duration} s…", flush=True)
    concurrent(pages, args.base_url, cookie, rounds=args.rounds, duration=args.duration, connections=args.connections)
    text = report(pages, args, started, time.perf_counter() - t0, machine_lines)
    print(text)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
