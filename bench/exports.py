"""Benchmark: the ledger and the documents at city scale; and the seed documents as pictures.

Run by bench/run-all against the city-scale PostgreSQL database (DATABASE_URL in the environment):

    .venv/bin/python bench/exports.py [--runs 3] [--tasks 20000] [--today 2025-11-30]

- the Excel ledger (`tasks.exports.ledger_xlsx`) of 20,000 tasks: its rows as the download builds
  them (`tasks.selectors.export_rows`, every task of the city data cycled to 20,000) and the renderer,
  timed apart and together (target < 10 s);
- the 督查通报 (`documents.services.bulletin_render`: the figures from the status selectors, then the
  Word template filled in) of the seed 2025 plan (190 tasks) and of the generated plan nearest 190
  tasks (target < 2 s each), and of the unit with most tasks;
- a 督办单 for a unit's overdue tasks (`documents.slip`); the PDF conversion when LibreOffice is installed.

Medians over --runs; results to bench/results/exports.txt. A script, not a test.

    .venv/bin/python bench/exports.py --screenshots

makes the pictures in docs/screenshots/ instead: a throwaway SQLite database with the two seed
plans and a deterministic month of progress reports (2025-06), the bulletin, a task slip, a unit
slip and the ledger of the 2025 plan, converted by LibreOffice to PDF and by pdftoppm to PNG
(60 dpi, the first pages). Needs soffice (writer and calc) and pdftoppm.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

RESULTS = ROOT / "bench" / "results" / "exports.txt"
SCREENSHOTS = ROOT / "docs" / "screenshots"
XLSX_TARGET_S, DOCX_TARGET_S = 10.0, 2.0


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minhang_plans.settings")
    import django

    django.setup()


CPU: list[float] = []  # this process's CPU seconds of the last timed() call (median)


def timed(fn, runs: int) -> tuple[float, object]:
    """Median wall-clock seconds over `runs`, and the last result; the median CPU time of this
    process goes to CPU[-1] (the machine is shared: CPU time shows what contention adds)."""
    times, cpu, result = [], [], None
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU.append(statistics.median(cpu))
    return statistics.median(times), result


def verdict(seconds: float, target: float) -> str:
    return f"target < {target:.0f} s {'met' if seconds < target else 'MISSED'}"


def bench(args: argparse.Namespace) -> None:
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from documents import pdf, selectors, services
    from tasks.exports import ledger_xlsx
    from tasks.models import Plan, Role, Task, TaskUnit
    from tasks.selectors import Clock, export_rows

    clock = Clock(today=args.today)
    now = dt.datetime.now()
    commit = os.environ.get("BENCH_COMMIT", "")
    load = os.getloadavg()[0]
    lines = [
        f"# Exports at city scale — {now:%Y-%m-%d %H:%M}{' at ' + commit if commit else ''}, "
        f"medians of {args.runs} runs, data as of {args.today}",
        f"# {Task.objects.count()} tasks, {Plan.objects.count()} plans; {os.cpu_count()} cores, load average "
        f"{load:.1f} at the start (wall-clock seconds, this process's CPU seconds in brackets)",
        "# command: .venv/bin/python bench/exports.py (bench/run-all runs it against the city-scale PostgreSQL)",
    ]
    if load > (os.cpu_count() or 1):
        lines.append(
            "# the machine was busy (more runnable processes than cores): wall-clock figures include waiting for a "
            "CPU, and on an idle machine come close to the CPU seconds plus PostgreSQL's share"
        )

    ids = list(Task.objects.order_by("plan_id", "position").values_list("pk", flat=True))
    build_s, rows = timed(lambda: list(export_rows(ids=ids, clock=clock)), max(1, args.runs - 1))
    build_cpu = CPU[-1]
    rows = (rows * (args.tasks // len(rows) + 1))[: args.tasks]
    render_s, _ = timed(
        lambda: ledger_xlsx(rows=rows, title="任务台账", filters="全部", generated_at=now, with_plan=True).close(),
        max(1, args.runs - 1),
    )
    render_cpu = CPU[-1]
    out = ledger_xlsx(rows=rows, title="任务台账", filters="全部", generated_at=now, with_plan=True)
    size = len(out.read())
    scale = args.tasks / len(ids)
    total = build_s * scale + render_s
    lines.append(
        f"xlsx ledger, {len(rows)} tasks: renderer (tasks.exports.ledger_xlsx) {render_s:.2f} s [{render_cpu:.2f}], "
        f"{size / 1e6:.1f} MB — {verdict(render_s, XLSX_TARGET_S)}"
    )
    lines.append(
        f"  with its rows as the download builds them (selectors.export_rows, {len(ids)} tasks in {build_s:.2f} s "
        f"[{build_cpu:.2f}], scaled to {len(rows)}): {total:.2f} s in all [{build_cpu * scale + render_cpu:.2f}] — "
        f"{verdict(total, XLSX_TARGET_S)}"
    )

    def bulletin(scope) -> tuple[float, int]:
        period = selectors.period_find(scope=scope, today=args.today, value=None)
        seconds, content = timed(
            lambda: services.bulletin_render(
                scope=scope, period=period, number="1", year=args.today.year, issued=args.today, reply_by=args.today
            ),
            args.runs,
        )
        return seconds, len(content)

    plans = Plan.objects.annotate(n=Count("tasks")).order_by("pk")
    seed = Plan.objects.filter(kind="annual", district=os.environ.get("DISTRICT_NAME", "闵行区")).order_by("pk").first()
    generated = min(
        (p for p in plans if p.district != getattr(seed, "district", None)), key=lambda p: abs(p.n - 190), default=None
    )
    for plan in (p for p in (seed, generated) if p is not None):
        n = plan.tasks.count()
        seconds, size = bulletin(selectors.Scope(kind="plan", plan=plan))
        lines.append(
            f"docx 督查通报, plan “{plan.title}” ({n} tasks, figures + template): {seconds:.2f} s [{CPU[-1]:.2f}], "
            f"{size / 1e3:.0f} kB — {verdict(seconds, DOCX_TARGET_S)}"
        )
    unit_row = (
        TaskUnit.objects.filter(role="lead").values("unit_id").annotate(n=Count("pk")).order_by("-n", "unit_id").first()
    )
    if unit_row:
        from tasks.models import Unit

        unit = Unit.objects.get(pk=unit_row["unit_id"])
        seconds, size = bulletin(selectors.Scope(kind="unit", unit=unit))
        lines.append(
            f"docx 督查通报, unit {unit.name} (leads {unit_row['n']} tasks, all plans): {seconds:.2f} s, "
            f"{size / 1e3:.0f} kB"
        )
        user, _ = get_user_model().objects.get_or_create(username="bench-office")
        from django.contrib.auth.models import Group

        user.groups.add(Group.objects.get_or_create(name=Role.OFFICE.value)[0])
        overdue = selectors.unit_overdue_ids(unit=unit, clock=clock)
        if overdue:
            seconds, slip = timed(lambda: services.slip_create(user=user, unit=unit, clock=clock), 1)
            lines.append(
                f"docx 督办单, {unit.name}'s {len(overdue)} overdue tasks: {seconds:.2f} s (numbered, rendered, stored)"
            )
            if pdf.pdf_available():
                seconds, _ = timed(lambda: pdf.docx_to_pdf(bytes(slip.docx)), 1)
                lines.append(f"PDF of that slip by LibreOffice (headless, fresh profile): {seconds:.1f} s")
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text)


# -- pictures of the seed documents --------------------------------------------------------------

TODAY = dt.date(2025, 6, 15)


def progress_demo() -> None:
    """A deterministic month of approved reports on the 2025 plan (as in tests/test_bulletin.py,
    with a random mix): some tasks overdue or due soon, most lead units reporting."""
    from tasks.models import Plan, ProgressReport, ProgressStatus, ReviewState, Task, TaskUnit
    from tasks.services import task_status_refresh

    rng = random.Random(2025)
    plan = Plan.objects.get(kind="annual")
    reports = []
    for task in Task.objects.filter(plan=plan).order_by("position"):
        draw = rng.random()
        if draw < 0.06:
            task.due_date = TODAY - dt.timedelta(days=rng.randint(5, 40))
        elif draw < 0.14:
            task.due_date = TODAY + dt.timedelta(days=rng.randint(3, 25))
        task.save(update_fields=["due_date"])
        for link in TaskUnit.objects.filter(task=task, role="lead").select_related("unit"):
            if rng.random() < 0.15:
                continue
            status = rng.choices(
                [
                    ProgressStatus.BEHIND,
                    ProgressStatus.DONE,
                    ProgressStatus.IN_PROGRESS,
                    ProgressStatus.NOT_STARTED,
                    ProgressStatus.ONGOING,
                ],
                [8, 6, 60, 8, 10],
            )[0]
            reports.append(
                ProgressReport(
                    task=task,
                    unit=link.unit,
                    period=dt.date(2025, 6, 1),
                    status=status,
                    percent={ProgressStatus.DONE: 100, ProgressStatus.NOT_STARTED: 0}.get(status, rng.randint(20, 90)),
                    progress_text="已完成阶段性工作，正按计划推进。",
                    problems="资金到位较慢，需协调解决。" if status == ProgressStatus.BEHIND else "",
                    next_steps="加快推进。",
                    review_state=ReviewState.APPROVED,
                    reported_at=dt.datetime(2025, 6, 10, 2, tzinfo=dt.UTC),
                )
            )
    ProgressReport.objects.bulk_create(reports)
    task_status_refresh(task_ids=list(Task.objects.values_list("pk", flat=True)))


def to_png(source: Path, name: str, pages: int, work: Path, *, annex: bool = False) -> list[Path]:
    """source (.docx/.xlsx) → PDF (LibreOffice, the app's own conversion settings) → PNG of the
    first pages (name-1.png …), and with `annex` the first annex page (name-annex.png)."""
    from documents.pdf import docx_to_pdf

    pdf_path = work / f"{name}.pdf"
    pdf_path.write_bytes(docx_to_pdf(source.read_bytes()) if source.suffix == ".docx" else _calc_pdf(source, work))
    for old in SCREENSHOTS.glob(f"{name}-*.png"):
        old.unlink()
    out = []
    chosen = [(n, str(n)) for n in range(1, pages + 1)]
    if annex:
        chosen.append((_first_page_starting(pdf_path, "附件1"), "annex"))
    for number, label in chosen:
        target = SCREENSHOTS / f"{name}-{label}"
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-singlefile",
                "-f",
                str(number),
                "-l",
                str(number),
                str(pdf_path),
                str(target),
            ],
            check=True,
        )
        out.append(target.with_suffix(".png"))
    return out


def _first_page_starting(pdf_path: Path, text: str) -> int:
    number = 1
    while True:
        page = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), str(pdf_path), "-"], capture_output=True, text=True
        )
        if page.returncode != 0:
            raise SystemExit(f"no page of {pdf_path.name} starts with {text}")
        if "".join(page.stdout.split()).startswith(text):
            return number
        number += 1


def _calc_pdf(source: Path, work: Path) -> bytes:
    """A spreadsheet's print layout (its page setup: landscape, fitted to the width) as PDF."""
    from documents.pdf import FONTCONFIG, soffice_path

    env = {**os.environ, "HOME": str(work), "FONTCONFIG_FILE": str(FONTCONFIG)}
    subprocess.run(
        [
            soffice_path(),
            f"-env:UserInstallation=file://{work}/profile-calc",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ],
        env=env,
        capture_output=True,
        check=True,
        timeout=180,
    )
    return (work / f"{source.stem}.pdf").read_bytes()


def screenshots() -> None:
    from documents.pdf import pdf_available

    if not pdf_available() or not shutil.which("pdftoppm"):
        sys.exit(
            "screenshots need soffice (libreoffice-writer-nogui, libreoffice-calc-nogui) and pdftoppm (poppler-utils)"
        )
    with tempfile.TemporaryDirectory(prefix="minhang-shots-") as tmp:
        work = Path(tmp)
        os.environ["DATABASE_URL"] = f"sqlite:///{work}/db.sqlite3"
        os.environ.setdefault("DEBUG", "1")
        setup_django()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command(
            "import_plan",
            str(ROOT / "fixtures/000_a62ce10d14304788.txt"),
            str(ROOT / "fixtures/004_81e3937e704ee9fc.txt"),
        )
        progress_demo()

        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        from documents import selectors, services
        from tasks.exports import ledger_title, ledger_xlsx
        from tasks.models import Plan, Role, Task, Unit
        from tasks.selectors import Clock, export_rows

        clock = Clock(today=TODAY)
        office = get_user_model().objects.create_user(username="office")
        office.groups.add(Group.objects.get_or_create(name=Role.OFFICE.value)[0])
        plan = Plan.objects.get(kind="annual")
        scope = selectors.Scope(kind="plan", plan=plan)
        period = selectors.period_find(scope=scope, today=TODAY, value=None)
        (work / "bulletin.docx").write_bytes(
            services.bulletin_render(
                scope=scope, period=period, number="6", year=2025, issued=TODAY, reply_by=TODAY + dt.timedelta(days=7)
            )
        )
        task = Task.objects.filter(plan=plan, current__status="behind").order_by("position").first()
        (work / "slip.docx").write_bytes(bytes(services.slip_create(user=office, task=task, clock=clock).docx))
        unit = max(Unit.objects.all(), key=lambda u: (len(selectors.unit_overdue_ids(unit=u, clock=clock)), -u.pk))
        (work / "slip-unit.docx").write_bytes(bytes(services.slip_create(user=office, unit=unit, clock=clock).docx))
        ids = list(Task.objects.filter(plan=plan).order_by("position").values_list("pk", flat=True))
        ledger = ledger_xlsx(
            rows=list(export_rows(ids=ids, clock=clock)),
            title=ledger_title(plan=plan.title),
            filters=f"规划：{plan.title}",
            generated_at=dt.datetime(2025, 6, 15, 10, 30),
        )
        (work / "ledger.xlsx").write_bytes(ledger.read())
        made = []
        for name, pages in (("bulletin", 3), ("slip", 1), ("slip-unit", 1), ("ledger", 2)):
            suffix = ".xlsx" if name == "ledger" else ".docx"
            made += to_png(work / f"{name}{suffix}", name, pages, work, annex=name == "bulletin")
        for path in made:
            print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} kB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=20_000)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2025, 11, 30))
    parser.add_argument("--screenshots", action="store_true")
    args = parser.parse_args()
    if args.screenshots:
        screenshots()
    else:
        bench(args)


if __name__ == "__main__":
    main()
