"""Benchmark: the CPU cost of a page rebuilt right after a write (a cold cache), this tree
against an earlier commit, measured in the same run.

    .venv/bin/python bench/cold_pages.py                       # against BENCH_REF (default: HEAD~1)
    BENCH_REF=ca20fed .venv/bin/python bench/cold_pages.py --rounds 5 --requests 15
    BENCH_REF=ca20fed BENCH_THIS=HEAD .venv/bin/python bench/cold_pages.py   # a commit, not the working tree

For each tree (the working tree, and BENCH_REF exported with `git archive`) it migrates an
SQLite database in a temporary directory and imports the two seed documents, then in ROUNDS
alternating rounds (ref, this, ref, this …: the box is shared, so the two are compared under
the same load) serves each page REQUESTS times through Django's test client (the office's pages,
and a liaison's 我的待办 where the tree has it), emptying the page cache before every request,
and records the process CPU time of each request (time.process_time: SQLite runs in the
process, so SQL is included; waiting for a loaded CPU is not). Prints per page the median over
all requests, the query count, and the ratio, and appends the table to
bench/results/cold_pages.txt. A script, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from trees import tree_export

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "cold_pages.txt"
SEEDS = ("fixtures/000_a62ce10d14304788.txt", "fixtures/004_81e3937e704ee9fc.txt")
# What the pages are made of: an uncommitted edit here is named in the results.
APPS = ("tasks", "supervision", "minhang_plans", "templates")

CHILD = r"""
import json, os, statistics, sys, time
root, db, requests = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, root)
os.chdir(root)
os.environ.update(DJANGO_SETTINGS_MODULE="minhang_plans.settings", DATABASE_URL="sqlite:///" + db,
                  SECRET_KEY="bench", DEBUG="0", ALLOWED_HOSTS="testserver", SECURE_SSL_REDIRECT="0")
import django
django.setup()
from django.core.management import call_command
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.contrib.auth.models import Group, User
from tasks.models import Category, Leader, Plan, Task, Unit, UserProfile

if requests == 0:
    call_command("migrate", verbosity=0)
    call_command("import_plan", *sys.argv[4:], verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    user = User.objects.create(username="bench")
    user.groups.add(Group.objects.get(name="督查室"))
    liaison = User.objects.create(username="bench-liaison")
    liaison.groups.add(Group.objects.get(name="单位联络员"))
    # The liaison of the unit that leads most annual tasks (its 我的待办 is the longest).
    leads = Count("task_links", filter=Q(task_links__role="lead", task_links__task__plan__kind="annual"))
    UserProfile.objects.get_or_create(user=liaison)[0].units.add(
        Unit.objects.annotate(n=leads).order_by("-n", "pk").first()
    )
    sys.exit(0)
client = Client()
client.force_login(User.objects.get(username="bench"))
liaison_client = Client()
liaison_client.force_login(User.objects.get(username="bench-liaison"))
category = Category.objects.annotate(n=Count("tasks")).order_by("-n", "pk").first()
unit = Unit.objects.annotate(n=Count("task_links")).order_by("-n", "pk").first()
leader = Leader.objects.annotate(n=Count("task_links")).order_by("-n", "pk").first()
task = Task.objects.annotate(n=Count("unit_links")).order_by("-n", "pk").first()
pages = {
    "dashboard": reverse("tasks:dashboard"),
    "category": reverse("tasks:category", args=[category.plan_id, category.pk]),
    "unit": reverse("tasks:unit", args=[unit.pk]),
    "leader": reverse("tasks:leader", args=[leader.pk]),
    "task": reverse("tasks:task", args=[task.pk]),
    "search": reverse("tasks:task_search") + "?q=%E6%8E%A8%E8%BF%9B",
}
try:  # a tree from before 我的待办 has no such page
    pages["todo (liaison)"] = reverse("supervision:todo")
except NoReverseMatch:
    pass
out = {}
for name, url in pages.items():
    reader = liaison_client if name.endswith("(liaison)") else client
    times = []
    for _ in range(requests):
        cache.clear()
        started = time.process_time()
        response = reader.get(url)
        times.append((time.process_time() - started) * 1000)
        assert response.status_code == 200, (name, response.status_code)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        reader.get(url)
    out[name] = {"times": times, "queries": len(queries)}
print(json.dumps(out))
"""


def run_child(tree: Path, db: Path, requests: int) -> dict:
    python = ROOT / ".venv" / "bin" / "python"
    args = [str(python), "-c", CHILD, str(tree), str(db), str(requests), *SEEDS]
    done = subprocess.run(args, cwd=tree, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        sys.exit(f"cold_pages: {tree} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]) if requests else {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--requests", type=int, default=10)
    options = parser.parse_args()
    ref = os.environ.get("BENCH_REF", "HEAD~1")
    ref_commit = subprocess.check_output(["git", "rev-parse", "--short", ref], cwd=ROOT, text=True).strip()
    this = os.environ.get("BENCH_THIS", "")
    head = subprocess.check_output(["git", "rev-parse", "--short", this or "HEAD"], cwd=ROOT, text=True).strip()
    dirty = not this and subprocess.run(["git", "diff", "--quiet", "HEAD", "--", *APPS], cwd=ROOT).returncode != 0
    with tempfile.TemporaryDirectory(prefix="cold-pages-") as tmp:
        ref_tree = tree_export(commit=ref_commit, tree=Path(tmp) / "ref")
        this_tree = tree_export(commit=head, tree=Path(tmp) / "this") if this else ROOT
        trees = {"ref": (ref_tree, Path(tmp) / "ref.sqlite3"), "this": (this_tree, Path(tmp) / "this.sqlite3")}
        for tree, db in trees.values():
            run_child(tree, db, 0)
        samples: dict[str, dict[str, list[float]]] = {"ref": {}, "this": {}}
        queries: dict[str, dict[str, int]] = {"ref": {}, "this": {}}
        for _ in range(options.rounds):
            for label, (tree, db) in trees.items():
                for page, data in run_child(tree, db, options.requests).items():
                    samples[label].setdefault(page, []).extend(data["times"])
                    queries[label][page] = data["queries"]
    lines = [
        f"## {dt.datetime.now():%Y-%m-%d %H:%M} — cold page CPU, {head}{' + uncommitted edits' if dirty else ''} "
        f"against {ref_commit}",
        f"Command: BENCH_REF={ref}{' BENCH_THIS=' + this if this else ''} .venv/bin/python bench/cold_pages.py "
        f"--rounds {options.rounds} "
        f"--requests {options.requests}  (SQLite, the two seeds, {options.rounds * options.requests} cold requests "
        "per page and tree, rounds interleaved)",
        "",
        f"| page | {ref_commit} CPU ms (median) | queries | {head} CPU ms (median) | queries | ratio |",
        "|---|---|---|---|---|---|",
    ]
    for page in samples["this"]:
        if page not in samples["ref"]:
            after = statistics.median(samples["this"][page])
            lines.append(f"| {page} | — | — | {after:.1f} | {queries['this'][page]} | |")
            continue
        before, after = statistics.median(samples["ref"][page]), statistics.median(samples["this"][page])
        lines.append(
            f"| {page} | {before:.1f} | {queries['ref'][page]} | {after:.1f} | {queries['this'][page]} "
            f"| {before / after:.2f}× |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write(text + "\n")


if __name__ == "__main__":
    main()
