"""How faithfully a document is imported, field by field, against the result
a person read off it (fixtures/import_corpus/expected/<stem>.json). Used by
tests/test_import_corpus.py and bench/import_fidelity.py; a dry run, nothing
is written.

Every corpus document is another district's: it is imported as such (the
`district` override), so this installation's unit aliases do not apply, as
they would not to a new district's file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ImportRefused
from .pipeline import ImportReport, plan_import

FIELDS = (
    "text",
    "number",
    "category",
    "project",
    "leaders",
    "lead_units",
    "supporting_units",
    "deadline_text",
    "extras",
)
CORPUS_DISTRICT = "外区文件"
# The year a user gives (--year-start) when the document states none.
_YEAR_GIVEN = 2020


@dataclass
class FileFidelity:
    name: str
    expected_tasks: int
    found_tasks: int = 0
    refused: str = ""
    # The document should be refused (a scanned PDF): the expected reason.
    refusal_expected: str = ""
    title_ok: bool = False
    year_ok: bool = False
    correct: dict[str, int] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)


def expected_for(path: Path) -> dict | None:
    expected = path.parent / "expected" / f"{path.stem}.json"
    return json.loads(expected.read_text(encoding="utf-8")) if expected.exists() else None


def corpus_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and expected_for(p) is not None)


def import_dry(path: Path, expected: dict) -> ImportReport:
    """A dry run as an admin would do it: as is, and with kind and year given
    when the document does not state them."""
    overrides: dict[str, Any] = {"district": CORPUS_DISTRICT}
    try:
        return plan_import(data=path.read_bytes(), file_name=path.name, dry_run=True, overrides=overrides)
    except ImportRefused as refused:
        if "无法从文件标题判断规划类型和年份" not in str(refused):
            raise
    year = expected.get("year") or _YEAR_GIVEN
    overrides |= {"kind": "annual", "year_start": year, "year_end": year}
    return plan_import(data=path.read_bytes(), file_name=path.name, dry_run=True, overrides=overrides)


def found_tasks(report: ImportReport) -> list[dict]:
    parsed = report.parsed
    names = {c.order: c.name for c in parsed.categories}
    out = []
    for task in parsed.tasks:
        out.append(
            {
                "number": task.number,
                "text": task.text,
                "category": None if names.get(task.category_order) == "未分类" else names.get(task.category_order),
                "project": task.project,
                "leaders": task.leaders,
                "lead_units": [u.name for u in task.units if u.role == "lead"],
                "supporting_units": [u.name for u in task.units if u.role == "support"],
                "deadline_text": task.deadline_text or None,
                "extras": task.extras,
            }
        )
    return out


def file_fidelity(path: Path) -> FileFidelity:
    expected = expected_for(path)
    assert expected is not None
    result = FileFidelity(name=path.name, expected_tasks=len(expected["tasks"]))
    result.correct = dict.fromkeys(FIELDS, 0)
    result.refusal_expected = expected.get("refused") or ""
    try:
        report = import_dry(path, expected)
    except ImportRefused as refused:
        result.refused = str(refused)
        if result.refusal_expected and result.refusal_expected not in result.refused:
            result.mismatches.append(f"{path.name} 拒绝理由: 应含 {result.refusal_expected!r}，得到 {result.refused!r}")
        return result
    if result.refusal_expected:
        read = len(report.parsed.tasks)
        result.mismatches.append(f"{path.name}: 应拒绝（{result.refusal_expected}），却读出了 {read} 条")
        return result
    result.title_ok = (expected.get("title") or "") == (report.meta.title if expected.get("title") else "")
    result.year_ok = expected.get("year") is None or report.meta.year_start == expected.get("year")
    if not result.title_ok:
        result.mismatches.append(f"{path.name} 标题: 应为 {expected.get('title')!r}，得到 {report.meta.title!r}")
    if not result.year_ok:
        result.mismatches.append(f"{path.name} 年份: 应为 {expected.get('year')!r}，得到 {report.meta.year_start!r}")
    found = found_tasks(report)
    result.found_tasks = len(found)
    for index, want in enumerate(expected["tasks"]):
        got = found[index] if index < len(found) else None
        for name in FIELDS:
            expected_value = want.get(name)
            if name == "deadline_text":
                expected_value = expected_value or None
            value = got.get(name) if got else "（缺失）"
            if value == expected_value:
                result.correct[name] += 1
            else:
                result.mismatches.append(f"{path.name} 第{index + 1}条 {name}: 应为 {expected_value!r}，得到 {value!r}")
    return result


def fidelity_table(results: list[FileFidelity]) -> str:
    """Per field: correct / expected over the corpus, as a percentage."""
    total = sum(r.expected_tasks for r in results)
    lines = [f"{'字段':<18}{'正确':>6}{'应有':>6}{'比例':>9}"]
    for name in FIELDS:
        correct = sum(r.correct.get(name, 0) for r in results)
        lines.append(f"{name:<20}{correct:>6}{total:>6}{correct / total * 100 if total else 0:>8.1f}%")
    # Title and year over the documents that should be read (not those that
    # should be refused); a refusal is right when its reason is the expected one.
    readable = [r for r in results if not r.refusal_expected]
    titles = sum(r.title_ok for r in readable)
    years = sum(r.year_ok for r in readable)
    for label, right in (("title", titles), ("year", years)):
        share = right / len(readable) * 100 if readable else 0
        lines.append(f"{label:<20}{right:>6}{len(readable):>6}{share:>8.1f}%")
    to_refuse = [r for r in results if r.refusal_expected]
    refused_right = [r for r in to_refuse if r.refused and r.refusal_expected in r.refused]
    if to_refuse:
        lines.append(f"{'refused as expected':<20}{len(refused_right):>6}{len(to_refuse):>6}")
    refused = [r for r in results if r.refused and not r.refusal_expected]
    lines.append(
        f"文件 {len(results)} 个（应拒绝 {len(to_refuse)} 个），意外拒绝 {len(refused)} 个"
        + "".join(f"\n  拒绝 {r.name}：{r.refused}" for r in refused)
    )
    return "\n".join(lines)
