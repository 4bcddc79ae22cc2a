"""Stage 4, check: what was found against what the document states, and the
anomalies a person must see. A repeated task number refuses the file (the plan
could not say what the document says); everything else is a warning."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TypedDict

from .errors import ImportRefused, ImportWarning
from .records import ParsedPlan, ParsedTask


class CountLineData(TypedDict):
    """A count line as an import record keeps it (ImportRecord.counts, JSON)."""

    label: str
    found: int
    stated: int | None
    matches: bool


@dataclass
class CountLine:
    label: str
    found: int
    stated: int | None

    @property
    def matches(self) -> bool:
        return self.stated is None or self.stated == self.found

    def as_dict(self) -> CountLineData:
        return {"label": self.label, "found": self.found, "stated": self.stated, "matches": self.matches}


@dataclass
class CheckResult:
    counts: list[CountLine]
    warnings: list[ImportWarning] = field(default_factory=list)


# Longest value each field may hold (the model's max_length); a longer cell is
# not a name but a misplaced paragraph, so the file is refused, not truncated.
LIMITS = {"序号": 20, "类别": 200, "项目": 200, "牵头领导": 50, "牵头单位": 100, "完成时限": 100}


def plan_check(parsed: ParsedPlan) -> CheckResult:
    warnings: list[ImportWarning] = []
    _refuse_overlong(parsed)
    _refuse_duplicate_numbers(parsed, warnings)
    meta = parsed.meta
    per_category = Counter(task.category_order for task in parsed.tasks)
    counts = [
        CountLine("类别", len(parsed.categories), meta.stated_categories),
        CountLine("项目", len(parsed.projects), meta.stated_projects),
        CountLine("任务", len(parsed.tasks), meta.stated_tasks),
        CountLine("市级任务（*）", sum(t.city_level for t in parsed.tasks), meta.stated_city_level),
    ]
    for category in parsed.categories:
        found = per_category[category.order]
        counts.append(CountLine(f"类别{category.order}：{category.name}", found, category.stated_count))
        if category.stated_count is not None and category.stated_count != found:
            warnings.append(
                ImportWarning(
                    "category_count_mismatch",
                    f"类别“{category.name}”注明{category.stated_count}项，实际识别{found}项",
                    column="类别",
                )
            )
    for line in counts[:4]:
        if not line.matches:
            warnings.append(
                ImportWarning("total_mismatch", f"文件注明{line.label}共{line.stated}，实际识别{line.found}")
            )
    stated_sum = sum(c.stated_count for c in parsed.categories if c.stated_count is not None)
    if meta.stated_tasks is None and all(c.stated_count is not None for c in parsed.categories) and parsed.categories:
        counts[2].stated = stated_sum  # the categories' own counts add up to the stated total
    return CheckResult(counts=counts, warnings=warnings)


def _refuse_duplicate_numbers(parsed: ParsedPlan, warnings: list[ImportWarning]) -> None:
    seen: dict[str, int] = {}
    kept: list[ParsedTask] = []
    for task in parsed.tasks:
        if task.number in seen:
            first = kept[seen[task.number]]
            if (first.text, first.leaders, [u.name for u in first.units]) == (
                task.text,
                task.leaders,
                [u.name for u in task.units],
            ):
                # The same row printed twice across a page break.
                warnings.append(
                    ImportWarning(
                        "repeated_row",
                        f"与第{first.row}行完全相同，已忽略重复行",
                        row=task.row,
                        column="序号",
                        raw=task.number,
                        number=task.number,
                    )
                )
                continue
            raise ImportRefused(
                f"序号重复：与第{first.row}行相同，但内容不同。", row=task.row, column="序号", raw=task.number
            )
        seen[task.number] = len(kept)
        kept.append(task)
    parsed.tasks[:] = kept
    for position, task in enumerate(parsed.tasks, start=1):
        task.position = position


def _refuse_overlong(parsed: ParsedPlan) -> None:
    def refuse(column: str, value: str, row: int | None) -> None:
        raise ImportRefused(
            f"内容过长（{len(value)} 字，上限 {LIMITS[column]} 字）。", row=row, column=column, raw=value
        )

    if len(parsed.meta.title) > 200:
        raise ImportRefused(f"标题过长（{len(parsed.meta.title)} 字，上限 200 字）。", raw=parsed.meta.title)
    for category in parsed.categories:
        if len(category.name) > LIMITS["类别"]:
            refuse("类别", category.name, None)
    for task in parsed.tasks:
        checks = [("序号", task.number), ("项目", task.project or ""), ("完成时限", task.deadline_text)]
        checks += [("牵头领导", name) for name in task.leaders] + [("牵头单位", unit.name) for unit in task.units]
        for column, value in checks:
            if len(value) > LIMITS[column]:
                refuse(column, value, task.row)
