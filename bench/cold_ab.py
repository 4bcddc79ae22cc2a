"""Benchmark: the pages right after a write, this tree against an earlier commit, in one run.

    BENCH_REF=e7efb06 .venv/bin/python bench/cold_ab.py [--samples 40]

Run beside `BENCH_SETUP_ONLY=1 BENCH_HOLD=3600 bench/run-all` (city scale on PostgreSQL; source
/tmp/minhang-bench.env first). It exports BENCH_REF and the working tree's HEAD (git archive),
starts gunicorn for each on its own 127.0.0.1 port against that same database (2 sync workers,
as run-all), and then takes the pages of bench/pages.py one request at a time, alternating the
two servers: before every request the shared data version is bumped (as an import or an admin
edit does: every page rebuilt from the database) — or, with --task-write, one task the page
shows gets a new status version (as a report on it does). p50/p95 per page and server, and the
ratio, measured with the same data, the same machine and the same moments: the box is shared
and noisy, so only the ratio between the two means much. Results: bench/results/cold_ab.txt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pages import (  # noqa: E402
    EARLIER_SIGN_IN_BACKEND,
    SIGN_IN_BACKEND,
    _NoRedirect,
    bench_user,
    fetch,
    percentile,
    pick_pages,
    session_cookie,
    setup_django,
)
from trees import tree_export  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "cold_ab.txt"
BUDGETS_MS = {"dashboard": 80.0, "search": 80.0}  # the cold targets; 50 ms for the others


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(tree: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "TWO_FACTOR_ROLES": ""}
    subprocess.run(
        [str(tree / ".venv/bin/python"), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=tree,
        env=env,
        check=True,
        timeout=300,
    )
    command = [str(tree / ".venv/bin/gunicorn"), "minhang_plans.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    proc = subprocess.Popen(
        [*command, "--workers", "2", "--timeout", "300", "--log-level", "warning"],
        cwd=tree,
        env=env,
    )
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5).read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"gunicorn for {tree} did not answer")


def a_task_of(page_key: str, path: str) -> int:
    """One task the page shows (its scope's version then moves, as a report on it moves it)."""
    from tasks.models import Task, TaskLeader, TaskUnit

    parts = [p for p in path.split("?")[0].split("/") if p]
    if page_key == "category":
        return Task.objects.filter(category_id=int(parts[3])).values_list("pk", flat=True).first()
    if page_key == "unit":
        return TaskUnit.objects.filter(unit_id=int(parts[1])).values_list("task_id", flat=True).first()
    if page_key == "leader":
        return TaskLeader.objects.filter(leader_id=int(parts[1])).values_list("task_id", flat=True).first()
    if page_key == "task":
        return int(parts[1])
    return Task.objects.values_list("pk", flat=True).first()  # dashboard, search: any task shows on them


def accepted_cookie(opener, url: str, cookies: list[str]) -> str:
    """The first of these sessions the server at `url` signs in (the others redirect to the login)."""
    for cookie in cookies:
        try:
            fetch(opener, url + "/", cookie)
        except urllib.error.HTTPError:
            continue
        return cookie
    raise SystemExit(f"{url}: none of the bench's sessions is signed in there")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=40, help="cold requests per page and server")
    parser.add_argument("--task-write", action="store_true", help="bump one shown task's version, not all")
    args = parser.parse_args()
    ref = os.environ.get("BENCH_REF")
    if not ref or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set BENCH_REF and source /tmp/minhang-bench.env (bench/run-all's held setup)")
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    ref_short = subprocess.run(["git", "rev-parse", "--short", ref], cwd=ROOT, capture_output=True, text=True).stdout
    os.environ["TWO_FACTOR_ROLES"] = ""
    setup_django()
    from django.db.models import F

    from tasks.models import DataVersion, TaskStatus

    pages = [p for p in pick_pages() if p.key != "admin"]
    # One session per sign-in backend: a server accepts the one its settings name (they changed).
    user = bench_user()
    cookies = [session_cookie(user, backend=backend) for backend in (SIGN_IN_BACKEND, EARLIER_SIGN_IN_BACKEND)]
    base = Path(tempfile.mkdtemp(prefix="cold-ab-"))
    servers: dict[str, subprocess.Popen] = {}
    try:
        trees = {ref_short.strip(): tree_export(commit=ref, tree=base / "ref")}
        trees[head.strip()] = tree_export(commit="HEAD", tree=base / "head")
        urls = {}
        for name, tree in trees.items():
            port = free_port()
            servers[name] = serve(tree, port)
            urls[name] = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(_NoRedirect)
        cookie_of = {name: accepted_cookie(opener, url, cookies) for name, url in urls.items()}
        samples: dict[tuple[str, str], list[float]] = {}
        tasks = {page.key: a_task_of(page.key, page.path) for page in pages}
        for name, url in urls.items():  # warm: both workers of each server, every page
            for page in pages:
                for _ in range(2):
                    fetch(opener, url + page.path, cookie_of[name])
        started = dt.datetime.now().astimezone()
        for i in range(args.samples):
            for page in pages[i % len(pages) :] + pages[: i % len(pages)]:
                order = list(urls.items()) if i % 2 == 0 else list(urls.items())[::-1]
                for name, url in order:
                    if args.task_write:
                        TaskStatus.objects.filter(task_id=tasks[page.key]).update(version=F("version") + 1)
                    else:
                        DataVersion.objects.filter(pk=1).update(number=F("number") + 1)
                    samples.setdefault((page.key, name), []).append(fetch(opener, url + page.path, cookie_of[name]))
        load = os.getloadavg()
        names = list(urls)
        write = "one shown task's status version bumped" if args.task_write else "the shared data version bumped"
        lines = [
            f"$ BENCH_REF={ref} .venv/bin/python bench/cold_ab.py --samples {args.samples}"
            + (" --task-write" if args.task_write else ""),
            f"{started:%Y-%m-%d %H:%M %Z}: city scale (bench/run-all's held setup), PostgreSQL, gunicorn 2 sync "
            f"workers per tree; before each request: {write}; {args.samples} requests per page and tree, "
            f"alternating; load average after {load[0]:.1f}",
            "",
            f"{'page':<10} {names[0] + ' p50':>12} {names[0] + ' p95':>12} {names[1] + ' p50':>12} "
            f"{names[1] + ' p95':>12} {'p95 ratio':>9}  target p95",
        ]
        for page in pages:
            a, b = samples[(page.key, names[0])], samples[(page.key, names[1])]
            target = BUDGETS_MS.get(page.key, 50.0)
            lines.append(
                f"{page.key:<10} {percentile(a, 0.5):>12.1f} {percentile(a, 0.95):>12.1f} "
                f"{percentile(b, 0.5):>12.1f} {percentile(b, 0.95):>12.1f} "
                f"{percentile(a, 0.95) / percentile(b, 0.95):>8.2f}×  < {target:.0f} ms "
                f"{'met' if percentile(b, 0.95) < target else 'missed'}  {page.path}"
            )
        text = "\n".join(lines) + "\n"
        print(text)
        with RESULTS.open("a") as out:
            out.write(text + "\n")
    finally:
        for proc in servers.values():
            proc.terminate()
        for proc in servers.values():
            proc.wait(timeout=30)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
