"""Benchmark: server CPU per request under the soak's mix of reads and writes, this tree against an
earlier commit, measured in the same run.

    .venv/bin/python bench/mixed_cpu.py                                  # against BENCH_REF (default HEAD~1)
    BENCH_REF=ca20fed .venv/bin/python bench/mixed_cpu.py --rounds 3 --requests 300
    BENCH_REF=ca20fed .venv/bin/python bench/mixed_cpu.py --postgres   # a throwaway PostgreSQL: its CPU is in
                                                                        # the wall time, not the CPU time

The soak (bench/soak.py) measures requests per second on real servers, which on this shared 2-core
box moves with whatever else runs. This measures what the soak's throughput is made of, the CPU a
request costs, with time.process_time (SQLite in the process, so SQL is included; waiting for a
loaded CPU is not). For each tree (the working tree or BENCH_THIS, and BENCH_REF exported with `git
archive`) it migrates an SQLite database, imports the two seeds, creates 8 liaison accounts (one
unit each: the 8 units that lead most annual tasks), then runs REQUESTS requests of the soak's mix
through Django's test client with the page cache kept between them, as a worker's is: 35% writes
(the report form, then its POST), 65% pages (dashboard, the liaison's unit, a leader, a task twice,
a search), from a fixed random seed, so both trees serve the same sequence. Rounds alternate
(ref, this, ref, this …). Prints the mean CPU ms (and wall ms) per request kind and overall, and the ratios;
appends the table to bench/results/mixed_cpu.txt. A script, not a test.
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

from trees import postgres_throwaway, tree_export

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "mixed_cpu.txt"
SEEDS = ("fixtures/000_a62ce10d14304788.txt", "fixtures/004_81e3937e704ee9fc.txt")

CHILD = r"""
import json, os, random, re, sys, time
root, db, requests = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, root)
os.chdir(root)
# A pinned "today" inside the seeds' year (demo mode's clock): reports go to the current period.
os.environ.update(DJANGO_SETTINGS_MODULE="minhang_plans.settings",
                  DATABASE_URL=db if db.startswith("postgres") else "sqlite:///" + db,
                  SECRET_KEY="bench", DEBUG="0", ALLOWED_HOSTS="testserver", SECURE_SSL_REDIRECT="0",
                  DEMO_MODE="1", DEMO_TODAY="2025-06-18")
import django
django.setup()
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db.models import Count, Q
from django.test import Client
from tasks.models import Leader, TaskUnit, Unit, UserProfile

if requests == 0:
    call_command("migrate", verbosity=0)
    call_command("import_plan", *sys.argv[4:], verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    lead = Q(task_links__role="lead", task_links__task__plan__kind="annual")
    units = Unit.objects.annotate(n=Count("task_links", filter=lead)).order_by("-n", "pk")[:8]
    for i, unit in enumerate(units):
        user = User.objects.create(username=f"mix-{i}")
        user.groups.add(Group.objects.get(name="单位联络员"))
        UserProfile.objects.get_or_create(user=user)[0].units.add(unit)
    sys.exit(0)
rng = random.Random(2025)
clients = []
for i in range(8):
    user = User.objects.get(username=f"mix-{i}")
    unit = user.profile.units.get()
    client = Client()
    client.force_login(user)
    led = TaskUnit.objects.filter(unit=unit, role="lead", task__plan__kind="annual")
    tasks = list(led.values_list("task_id", flat=True))
    clients.append((client, unit, tasks))
leaders = list(Leader.objects.order_by("pk").values_list("pk", flat=True))
VERSION = re.compile(r'name="version"(?: value="(\d*)")?')
times = {}
walls = {}
def timed(kind, call):
    started, wall = time.process_time(), time.perf_counter()
    response = call()
    times.setdefault(kind, []).append((time.process_time() - started) * 1000)
    walls.setdefault(kind, []).append((time.perf_counter() - wall) * 1000)
    return response
for n in range(requests):
    client, unit, tasks = rng.choice(clients)
    if rng.random() < 0.35:
        path = f"/tasks/{rng.choice(tasks)}/report/{unit.pk}/"
        form = timed("report-form", lambda: client.get(path))
        version = VERSION.search(form.content.decode())
        percent = rng.randint(1, 99)
        data = {"version": (version.group(1) or "") if version else "", "status": "in_progress",
                "percent": str(percent), "progress_text": f"mix {n}: 按计划推进，完成{percent}%。",
                "problems": "进度按计划。", "next_steps": "继续推进。",
                "action": "draft" if rng.random() < 0.2 else "submit"}
        response = timed("report-post", lambda: client.post(path, data))
        assert response.status_code in (302, 409), (response.status_code, response.content.decode()[:800])
    else:
        kind = rng.choice(["dashboard", "unit", "leader", "task", "task", "search"])
        path = {"dashboard": "/", "unit": f"/units/{unit.pk}/", "leader": f"/leaders/{rng.choice(leaders)}/",
                "task": f"/tasks/{rng.choice(tasks)}/",
                "search": "/tasks/?q=" + rng.choice(["推进", "建设", "科技", "服务", "产业", "改造"])}[kind]
        response = timed(kind, lambda: client.get(path))
        assert response.status_code == 200, (path, response.status_code)
print(json.dumps({"cpu": times, "wall": walls}))
"""


def run_child(tree: Path, db: Path, requests: int) -> dict:
    python = ROOT / ".venv" / "bin" / "python"
    done = subprocess.run(
        [str(python), "-c", CHILD, str(tree), str(db), str(requests), *SEEDS],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        sys.exit(f"mixed_cpu: {tree} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]) if requests else {}


def _fresh_database(url: str, name: str) -> str:
    base = url.rsplit("/", 1)[0]
    for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", "-q", f"{base}/postgres", "-c", sql], check=True, capture_output=True)
    return f"{base}/{name}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL instead of SQLite")
    options = parser.parse_args()
    ref = os.environ.get("BENCH_REF", "HEAD~1")
    ref_commit = subprocess.check_output(["git", "rev-parse", "--short", ref], cwd=ROOT, text=True).strip()
    this = os.environ.get("BENCH_THIS", "")
    head = subprocess.check_output(["git", "rev-parse", "--short", this or "HEAD"], cwd=ROOT, text=True).strip()
    cluster, url = postgres_throwaway() if options.postgres else (None, "")
    try:
        with tempfile.TemporaryDirectory(prefix="mixed-cpu-") as tmp:
            trees = {
                "ref": (tree_export(commit=ref_commit, tree=Path(tmp) / "ref"), Path(tmp) / "ref.sqlite3"),
                "this": (
                    tree_export(commit=head, tree=Path(tmp) / "this") if this else ROOT,
                    Path(tmp) / "this.sqlite3",
                ),
            }
            samples: dict[str, dict[str, dict[str, list[float]]]] = {"ref": {}, "this": {}}
            for _ in range(options.rounds):
                for label, (tree, db) in trees.items():
                    # A fresh database every round: both trees serve the same sequence from the same start.
                    db.unlink(missing_ok=True)
                    target = _fresh_database(url, f"mixed_{label}") if url else str(db)
                    run_child(tree, target, 0)
                    for measure, kinds in run_child(tree, target, options.requests).items():
                        for kind, values in kinds.items():
                            samples[label].setdefault(measure, {}).setdefault(kind, []).extend(values)
    finally:
        if cluster is not None:
            assert cluster.stdin is not None
            cluster.stdin.close()  # the bash child's `read` returns; its EXIT trap removes the cluster
            cluster.wait(timeout=60)

    def mean(label: str, measure: str, kind: str | None = None) -> float:
        kinds = samples[label][measure]
        return statistics.fmean(kinds[kind] if kind else [v for values in kinds.values() for v in values])

    database = "PostgreSQL 15 (throwaway cluster; wall time includes the server's)" if url else "SQLite"
    lines = [
        f"## {dt.datetime.now():%Y-%m-%d %H:%M} — CPU per request, the soak's mix, {head} against {ref_commit}",
        f"Command: BENCH_REF={ref}{' BENCH_THIS=' + this if this else ''} .venv/bin/python bench/mixed_cpu.py "
        f"--rounds {options.rounds} --requests {options.requests}{' --postgres' if url else ''}  ({database}, the "
        "two seeds, 8 liaisons, 35% writes, page cache kept between requests, rounds interleaved)",
        "",
        f"| request | n | {ref_commit} CPU ms | {head} CPU ms | ratio "
        f"| {ref_commit} wall ms | {head} wall ms | ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind in sorted(samples["this"]["cpu"]):
        cells = [kind, str(len(samples["this"]["cpu"][kind]))]
        for measure in ("cpu", "wall"):
            before, after = mean("ref", measure, kind), mean("this", measure, kind)
            cells += [f"{before:.1f}", f"{after:.1f}", f"{before / after:.2f}×"]
        lines.append("| " + " | ".join(cells) + " |")
    cells = ["**all**", ""]
    for measure in ("cpu", "wall"):
        before, after = mean("ref", measure), mean("this", measure)
        cells += [f"**{before:.1f}**", f"**{after:.1f}**", f"**{before / after:.2f}×**"]
    lines.append("| " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write(text + "\n")


if __name__ == "__main__":
    main()
