"""What changed in a report since the unit's previous one: the review queue and the report form."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..choices import ProgressStatus
from ..models import ProgressReport
from ..periods import period_label

# A text is compared clause by clause (a clause ends at Chinese punctuation or a line break):
# readable in Chinese, where a word-level diff has no words, and linear enough for the queue.
_CLAUSE = re.compile(r"[^，。；：！？、,;\n]+[，。；：！？、,;\n]*|[，。；：！？、,;\n]+")


@dataclass(frozen=True)
class DiffPart:
    kind: str  # "same", "del" or "ins"
    text: str


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    before: str
    after: str
    parts: tuple[DiffPart, ...] = ()  # texts only: the clauses kept, removed and added


@dataclass(frozen=True)
class ReportChanges:
    """The report against the unit's previous sent report on the task."""

    previous_label: str  # "2025年5月"; empty when there is no previous report
    changes: tuple[FieldChange, ...]

    @property
    def first(self) -> bool:
        return not self.previous_label

    @property
    def unchanged(self) -> bool:
        return bool(self.previous_label) and not self.changes


def text_diff(before: str, after: str) -> tuple[DiffPart, ...]:
    old, new = _CLAUSE.findall(before), _CLAUSE.findall(after)
    parts: list[DiffPart] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(DiffPart("same", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            parts.append(DiffPart("del", "".join(old[i1:i2])))
        if j2 > j1:
            parts.append(DiffPart("ins", "".join(new[j1:j2])))
    return tuple(parts)


REPORT_TEXT_FIELDS = (("progress_text", "进展情况"), ("problems", "存在问题"), ("next_steps", "下步计划"))


def report_changes(
    *,
    previous_label: str,
    before: dict[str, Any] | None,
    after: dict[str, Any],
) -> ReportChanges:
    """What changed from `before` (the previous report's status, percent and texts; None: there
    is none) to `after` (the same keys; texts not given are not compared)."""
    if before is None:
        return ReportChanges(previous_label="", changes=())
    changes: list[FieldChange] = []
    status_labels = dict(ProgressStatus.choices)
    old_status, new_status = str(before.get("status") or ""), str(after.get("status") or "")
    if old_status != new_status:
        changes.append(
            FieldChange("status", "进展状态", status_labels.get(old_status, "无"), status_labels.get(new_status, "无"))
        )
    if str(before.get("percent")) != str(after.get("percent")):
        changes.append(FieldChange("percent", "完成百分比", f"{before.get('percent')}%", f"{after.get('percent')}%"))
    for name, label in REPORT_TEXT_FIELDS:
        if name not in after:
            continue
        old, new = (before.get(name) or "").strip(), (str(after.get(name) or "")).strip()
        if old != new:
            changes.append(FieldChange(name, label, old, new, text_diff(old, new)))
    return ReportChanges(previous_label=previous_label, changes=tuple(changes))


COMPARED_FIELDS = ("status", "percent", *dict(REPORT_TEXT_FIELDS))


def report_form_changes(
    *, previous: ProgressReport | None, reporting_period: str, values: dict[str, Any]
) -> ReportChanges:
    """The report form's 与上期相比: the unit's previous report against what the form holds now
    (`values`: the form's status, percent and texts, as typed or as it starts)."""
    if previous is None:
        return report_changes(previous_label="", before=None, after=values)
    return report_changes(
        previous_label=period_label(reporting_period=reporting_period, start=previous.period),
        before={name: getattr(previous, name) for name in COMPARED_FIELDS},
        after=values,
    )


def report_pending_changes(*, reports: Iterable[ProgressReport]) -> dict[int, ReportChanges]:
    """Each queued report (from report_pending_list) against the unit's previous one: status,
    percent and 进展情况."""
    result: dict[int, ReportChanges] = {}
    for r in reports:
        prev_period = getattr(r, "prev_period", None)
        before = (
            None
            if prev_period is None
            else {
                "status": getattr(r, "prev_status", None),
                "percent": getattr(r, "prev_percent", None),
                "progress_text": getattr(r, "prev_progress_text", ""),
            }
        )
        label = period_label(reporting_period=r.task.plan.reporting_period, start=prev_period) if prev_period else ""
        result[r.pk] = report_changes(
            previous_label=label,
            before=before,
            after={"status": r.status, "percent": r.percent, "progress_text": r.progress_text},
        )
    return result
