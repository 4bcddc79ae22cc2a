"""Benchmark: the export renderers at city scale (tasks/exports.py).

Run by bench/run-all against the city-scale PostgreSQL database (DATABASE_URL in the environment):

    .venv/bin/python bench/exports.py [--runs 3]

- the Excel ledger (`ledger_xlsx`) of 20,000 tasks (every task of the city data, cycled to 20,000);
- the Word circulated report (`bulletin_docx`) of the plan nearest 200 tasks, and of the unit with most tasks.

The ExportRows are built here from the database in a few bulk queries (latest report per task by
DISTINCT ON, leaders and units joined in Python), so the figures time the renderers; the time to
build the rows is printed beside them for information. Medians over --runs. Results are written to
bench/results/exports.txt. A script, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pages as page_bench  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "exports.txt"
XLSX_TARGET_S, DOCX_TARGET_S = 10.0, 2.0
LIGHTS = {"done": "green", "behind": "red", "in_progress": "green", "ongoing": "green", "not_started": "yellow"}


def build_rows(task_ids: list[int] | None = None):
    from tasks.exports import ExportRow
    from tasks.models import ProgressReport, ProgressStatus, Task, TaskLeader, TaskUnit
    from tasks.selectors import Light

    tasks = Task.objects.select_related("plan", "category", "project").order_by("plan_id", "position")
    if task_ids is not None:
        tasks = tasks.filter(pk__in=task_ids)
    tasks = list(tasks)
    ids = [t.pk for t in tasks]
    leaders, units, lead_units = defaultdict(list), defaultdict(list), defaultdict(list)
    for link in TaskLeader.objects.filter(task_id__in=ids).select_related("leader").order_by("task_id", "position"):
        leaders[link.task_id].append(link.leader.name)
    for link in TaskUnit.objects.filter(task_id__in=ids).select_related("unit").order_by("task_id", "position"):
        units[link.task_id].append(link.unit.name)
        if link.role == "lead":
            lead_units[link.task_id].append(link.unit.name)
    latest = {
        r.task_id: r
        for r in ProgressReport.objects.filter(task_id__in=ids, review_state="approved")
        .select_related("unit")
        .order_by("task_id", "-period")
        .distinct("task_id")
    }
    labels = dict(ProgressStatus.choices)
    rows = []
    for task in tasks:
        report = latest.get(task.pk)
        light = LIGHTS.get(report.status, "grey") if report else "grey"
        status = labels.get(report.status, report.status) if report else "未报送"
        rows.append(
            ExportRow(
                plan=task.plan.title,
                category=str(task.category),
                project=task.project.name if task.project else "",
                number=task.number,
                text=task.text,
                leaders="、".join(leaders[task.pk]),
                units="、".join(units[task.pk]),
                status=status,
                light=light,
                light_label=Light.LABELS.get(light, light),
                percent=report.percent if report else None,
                progress_text=report.progress_text if report else "",
                problems=report.problems if report else "",
                next_steps=report.next_steps if report else "",
                reported_at=report.reported_at if report else None,
                reviewer="",
                unit_progress=[(name, status, report.progress_text if report else "") for name in lead_units[task.pk]],
            )
        )
    return rows


def timed(fn, runs: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        size = len(out.read())
        times.append(time.perf_counter() - start)
        out.close()
    return statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=20_000)
    args = parser.parse_args()
    page_bench.setup_django()
    from django.db.models import Count

    from tasks.exports import BulletinInput, bulletin_docx, ledger_xlsx
    from tasks.models import Plan, TaskUnit

    now = dt.datetime.now()
    lines = [f"# Exports at city scale — {now:%Y-%m-%d %H:%M}, medians of {args.runs} runs (renderer only)"]

    start = time.perf_counter()
    all_rows = build_rows()
    build_s = time.perf_counter() - start
    rows = (all_rows * (args.tasks // len(all_rows) + 1))[: args.tasks]
    seconds, size = timed(
        lambda: ledger_xlsx(rows=rows, title="台账", filters="全部", generated_at=now), max(1, args.runs - 1)
    )
    ok = "met" if seconds < XLSX_TARGET_S else "MISSED"
    lines.append(
        f"xlsx ledger, {len(rows)} tasks: {seconds:.2f} s, {size / 1e6:.1f} MB — target < {XLSX_TARGET_S:.0f} s {ok} "
        f"(rows built from the DB in {build_s:.1f} s for {len(all_rows)} tasks, cycled to {len(rows)})"
    )

    plans = Plan.objects.annotate(n=Count("tasks")).order_by("pk")
    plan = min(plans, key=lambda p: (abs(p.n - 200), p.pk))
    unit_row = TaskUnit.objects.values("unit_id", "unit__name").annotate(n=Count("pk")).order_by("-n", "unit_id")[0]
    for scope, ids, target in (
        (f"plan “{plan.title}” ({plan.n} tasks)", list(plan.tasks.values_list("pk", flat=True)), DOCX_TARGET_S),
        (
            f"unit {unit_row['unit__name']} (most tasks: {unit_row['n']})",
            list(TaskUnit.objects.filter(unit_id=unit_row["unit_id"]).values_list("task_id", flat=True)),
            None,
        ),
    ):
        start = time.perf_counter()
        scoped = build_rows(ids)
        build_s = time.perf_counter() - start
        data = BulletinInput(
            title="重点工作推进情况通报",
            scope=scope,
            period=f"{now.year}年{now.month}月",
            rows=scoped,
            silent_units=sorted({u for r in scoped if r.light == "grey" for u, _, _ in r.unit_progress})[:40],
            issued=now.date(),
        )
        seconds, size = timed(lambda data=data: bulletin_docx(data=data), args.runs)
        verdict = f" — target < {target:.0f} s {'met' if seconds < target else 'MISSED'}" if target else ""
        lines.append(
            f"docx report, {scope}: {seconds:.2f} s, {size / 1e3:.0f} kB{verdict} (rows built in {build_s:.2f} s)"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
