"""Benchmark: the browser import at its documented limits.

    # peak memory of reading a dense generated workbook (no database needed)
    .venv/bin/python bench/import_limits.py memory [--rows 20000 --cols 120]

    # upload → preview → confirm of a generated plan through Django's test Client,
    # then a revision of it; DATABASE_URL must point at a database this may migrate
    DATABASE_URL=postgres://… .venv/bin/python bench/import_limits.py confirm --tasks 10000 20000

`memory` writes the workbook, then reads it in a fresh Python process per reader so that
the process's peak resident size (ru_maxrss) belongs to that read alone. `confirm` times
each request the browser makes (the page a gunicorn worker must finish within its timeout).

A script, not a test: figures vary with the machine. Results are appended to
bench/results/import_limits.txt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "import_limits.txt"

TITLE = "2031年区委、区政府重点工作任务分解表"


def _record(line: str) -> None:
    print(line, flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(line + "\n")


def _stamp() -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    now = dt.datetime.now(dt.UTC)
    return f"{now:%Y-%m-%d %H:%M} UTC {platform.node()} python {platform.python_version()} @{commit.strip()}"


# -- generated files ------------------------------------------------------------------


def plan_rows(tasks: int, *, revision: int = 0) -> list[list[str]]:
    """A plan shaped like the real ones: 10 categories, projects, ~30 leaders, ~200 units."""
    rows = []
    for n in range(1, tasks + 1):
        category = f"{'一二三四五六七八九十'[n % 10]}、类别{n % 10}"
        text = f"第{n}项任务：推进重点工作落实，完善工作机制，确保按期完成年度目标。"
        if revision and n % revision == 0:
            text = text.replace("推进", "加快推进")
        leaders = f"张{n % 30}明、李{(n + 7) % 30}华"
        units = f"区单位{n % 200}局、区单位{(n + 13) % 200}局"
        rows.append([str(n), category, f"项目{n % 40}", text, leaders, units, "2031年底"])
    return rows


HEADER = ["序号", "类别", "项目", "任务", "牵头领导", "牵头单位", "完成时限"]


def plan_xlsx(rows: list[list[str]]) -> bytes:
    import io

    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("任务")
    sheet.append([TITLE])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def dense_xlsx(path: Path, rows: int, cols: int) -> None:
    """A small file that expands to many cells: a plan header, then rows of short numbers."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("任务")
    sheet.append([TITLE])
    sheet.append(HEADER + [f"列{c}" for c in range(len(HEADER), cols)])
    for r in range(rows):
        sheet.append([r % 10] * cols)
    workbook.save(path)


# -- memory ---------------------------------------------------------------------------

_CHILD = """
import json, os, resource, sys, time
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minhang_plans.settings")
os.environ.setdefault("DEBUG", "1")
import django
django.setup()
from imports.errors import ImportRefused
from imports.read import read_document
data = open({path!r}, "rb").read()
start = time.perf_counter()
try:
    document = read_document(data, "dense.xlsx")
    outcome = "read %d rows" % sum(len(t.rows) for t in document.tables)
except ImportRefused as refused:
    outcome = "refused: " + str(refused)
print(json.dumps({{"seconds": time.perf_counter() - start,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "outcome": outcome}}))
"""


def memory(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-import-mem-"))
    cases = [("dense", args.rows, args.cols), ("plan", args.plan_tasks, None)]
    for label, rows, cols in cases:
        path = workdir / f"{label}.xlsx"
        if cols:
            dense_xlsx(path, rows, cols)
            what = f"dense workbook {rows} rows x {cols} columns"
        else:
            path.write_bytes(plan_xlsx(plan_rows(rows)))
            what = f"plan workbook {rows} tasks"
        size = path.stat().st_size
        child = _CHILD.format(root=str(ROOT), path=str(path))
        result = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=1800)
        if result.returncode != 0:
            _record(f"{_stamp()} memory: {what} ({size / 1e6:.1f} MB): reader process failed: {result.stderr[-500:]}")
            continue
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        _record(
            f"{_stamp()} memory: {what} ({size / 1e6:.1f} MB file): peak RSS {figures['peak_mb']:.0f} MB, "
            f"{figures['seconds']:.1f} s, {figures['outcome'][:160]}"
        )


# -- confirm --------------------------------------------------------------------------


def confirm(args: argparse.Namespace) -> None:
    if "DATABASE_URL" not in os.environ:
        sys.exit("confirm needs DATABASE_URL (a database this script may migrate and fill)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minhang_plans.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("IMPORT_MAX_ROWS", "20000")
    os.environ.setdefault("TWO_FACTOR_ROLES", "")  # the bench's admin signs in without an authenticator
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from imports.models import ImportRecord
    from tasks.models import Plan

    call_command("migrate", verbosity=0)
    admin, _ = get_user_model().objects.get_or_create(
        username="bench-import-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(admin)
    vendor = connection.vendor
    if vendor == "postgresql":
        vendor += f" {connection.cursor().connection.info.server_version}"

    def timed(call):
        start = time.perf_counter()
        response = call()
        return time.perf_counter() - start, response

    def run_import(data: bytes, name: str) -> dict[str, float]:
        up_s, response = timed(lambda: client.post("/imports/upload/", {"file": SimpleUploadedFile(name, data)}))
        assert response.status_code == 302, response.content.decode()[:2000]
        url = response["Location"]
        preview_s, response = timed(lambda: client.get(url))
        assert response.status_code == 200, response.status_code
        confirm_s, response = timed(lambda: client.post(url, {"action": "confirm"}))
        if response.status_code != 302:
            alert = re.search(r'role="alert">(.*?)</div>', response.content.decode(), re.S)
            sys.exit(f"confirm answered {response.status_code}: {alert.group(1) if alert else ''}")
        return {"upload": up_s, "preview": preview_s, "confirm": confirm_s}

    for tasks in args.tasks:
        if tasks > settings.IMPORT_MAX_ROWS:
            sys.exit(f"{tasks} tasks is over IMPORT_MAX_ROWS={settings.IMPORT_MAX_ROWS}")
        Plan.objects.filter(year_start=2031).delete()
        first = plan_xlsx(plan_rows(tasks))
        new = run_import(first, f"bench-{tasks}.xlsx")
        revised_rows = plan_rows(tasks, revision=10)[: tasks - tasks // 100]  # 10% changed, 1% withdrawn
        revision = run_import(plan_xlsx(revised_rows), f"bench-{tasks}-rev.xlsx")
        # One task inserted at the top: every other task's position moves.
        first_row = revised_rows[0]
        inserted = [["0", first_row[1], first_row[2], "新增的第一项任务。", *first_row[4:]], *revised_rows]
        shifted = run_import(plan_xlsx(inserted), f"bench-{tasks}-insert.xlsx")
        undo_s, _ = timed(lambda: client.post(f"/imports/{ImportRecord.objects.order_by('-pk').first().pk}/undo/"))
        _record(
            f"{_stamp()} {vendor}: {tasks} tasks ({len(first) / 1e6:.1f} MB xlsx), seconds per request — "
            f"new plan: upload {new['upload']:.1f}, preview {new['preview']:.1f}, confirm {new['confirm']:.1f}; "
            f"revision (10% changed, 1% withdrawn): upload {revision['upload']:.1f}, preview "
            f"{revision['preview']:.1f}, confirm {revision['confirm']:.1f}; one task inserted at the top "
            f"(every position moves): upload {shifted['upload']:.1f}, preview {shifted['preview']:.1f}, "
            f"confirm {shifted['confirm']:.1f}; rollback of that (POST) {undo_s:.1f}"
        )
        Plan.objects.filter(year_start=2031).delete()


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    mem = sub.add_parser("memory")
    mem.add_argument("--rows", type=int, default=20000)
    mem.add_argument("--cols", type=int, default=120)
    mem.add_argument("--plan-tasks", type=int, default=20000)
    mem.set_defaults(run=memory)
    con = sub.add_parser("confirm")
    con.add_argument("--tasks", type=int, nargs="+", default=[10000, 20000])
    con.set_defaults(run=confirm)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
