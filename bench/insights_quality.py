"""Measure plan intelligence against the hand-checked answer keys, on a fresh
SQLite database with both seed documents imported through the real pipeline:

- link suggestions (2025 annual items → 14th Five-Year Plan tasks), against
  fixtures/insights/links_2025_to_fyp.csv: precision of the top suggestion
  (items whose first suggestion is a hand-checked link) and recall in the top 3
  (hand-checked links found among their item's three suggestions);
- target extraction on the five-year table, against
  fixtures/insights/targets_fyp.csv: a target counts as found when task, value
  and unit agree; direction and year are reported for the found ones.

    .venv/bin/python bench/insights_quality.py

Results are appended to bench/results/insights_quality.txt.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import sys
import tempfile
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
KEYS = ROOT / "fixtures" / "insights"


def load_links() -> dict[str, set[str]]:
    gold: dict[str, set[str]] = defaultdict(set)
    with (KEYS / "links_2025_to_fyp.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            gold[row["annual_number"]].add(row["five_year_number"])
    return gold


def load_targets() -> list[dict]:
    with (KEYS / "targets_fyp.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def link_quality(suggested: dict[str, list[str]], gold: dict[str, set[str]]) -> dict:
    """suggested: annual number → five-year numbers, best first."""
    top1_hits = sum(1 for item, links in gold.items() if suggested.get(item, [])[:1] and suggested[item][0] in links)
    total_links = sum(len(links) for links in gold.values())
    top3_hits = sum(len(links & set(suggested.get(item, [])[:3])) for item, links in gold.items())
    return {
        "items": len(gold),
        "links": total_links,
        "top1_hits": top1_hits,
        "precision_at_1": top1_hits / len(gold),
        "top3_hits": top3_hits,
        "recall_at_3": top3_hits / total_links,
    }


def extraction_quality(found: list[tuple[str, Decimal, str, str, int]], gold: list[dict]) -> dict:
    """found: (task number, value, unit, direction, year). Matched as multisets on (task, value, unit)."""
    want = Counter((row["five_year_number"], Decimal(row["value"]), row["unit"]) for row in gold)
    got = Counter((number, value, unit) for number, value, unit, _, _ in found)
    matched = sum((want & got).values())
    attributes = {(row["five_year_number"], Decimal(row["value"]), row["unit"]): row for row in gold}
    same_attrs = sum(
        1
        for number, value, unit, direction, year in found
        if (row := attributes.get((number, value, unit))) and row["direction"] == direction and int(row["year"]) == year
    )
    return {
        "gold": sum(want.values()),
        "extracted": sum(got.values()),
        "matched": matched,
        "precision": matched / max(sum(got.values()), 1),
        "recall": matched / sum(want.values()),
        "direction_and_year_right": same_attrs,
    }


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="bench-insights-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minhang_plans.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command

    from imports.pipeline import plan_import
    from insights.models import Indicator, TaskLink
    from insights.services import indicators_extract, link_suggestions_refresh
    from tasks.models import Plan, PlanKind

    call_command("migrate", verbosity=0)
    for name in ("000_a62ce10d14304788.txt", "004_81e3937e704ee9fc.txt"):
        path = ROOT / "fixtures" / name
        plan_import(data=path.read_bytes(), file_name=path.name)
    five_year = Plan.objects.get(kind=PlanKind.FIVE_YEAR, year_start=2021)
    annual = Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2025)

    link_suggestions_refresh(annual_plan=annual)
    suggested: dict[str, list[str]] = defaultdict(list)
    for link in (
        TaskLink.objects.filter(annual_task__plan=annual)
        .select_related("annual_task", "five_year_task")
        .order_by("annual_task__position", "rank")
    ):
        suggested[link.annual_task.number].append(link.five_year_task.number)
    links = link_quality(suggested, load_links())

    indicators_extract(plan=five_year)
    found = [
        (i.task.number, i.target_value.normalize(), i.unit, i.direction, i.target_year)
        for i in Indicator.objects.filter(task__plan=five_year).select_related("task")
    ]
    targets = extraction_quality(found, load_targets())

    lines = [
        f"{dt.datetime.now():%Y-%m-%d %H:%M} insights quality (SQLite, seeds via the import pipeline)",
        f"  links 2025→14th FYP: precision@1 {links['precision_at_1']:.1%} "
        f"({links['top1_hits']}/{links['items']} items); recall@3 {links['recall_at_3']:.1%} "
        f"({links['top3_hits']}/{links['links']} hand-checked links)",
        f"  targets in 14th FYP: precision {targets['precision']:.1%} ({targets['matched']}/{targets['extracted']} "
        f"extracted); recall {targets['recall']:.1%} ({targets['matched']}/{targets['gold']} hand-checked); "
        f"direction and year right for {targets['direction_and_year_right']}/{targets['matched']} found",
    ]
    print("\n".join(lines))
    results = ROOT / "bench" / "results" / "insights_quality.txt"
    results.parent.mkdir(exist_ok=True)
    with results.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
