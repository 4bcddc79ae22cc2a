"""A unit's score sheet: its total and every line with the event behind it and a link to it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, F
from django.urls import reverse

from accounts.names import person_name
from tasks.choices import UnitRole
from tasks.models import Unit
from tasks.periods import period_label

from ..models import LineKind, RuleVersion, ScoreLine, ScoreRun
from ..rules import figures_of


@dataclass(frozen=True)
class SheetLine:
    kind: str
    kind_label: str
    points: Decimal
    what: str  # the event in words
    link: str  # where it happened ("" when nowhere)
    period_label: str
    role_label: str


@dataclass(frozen=True)
class Sheet:
    unit_id: int
    unit_name: str
    base: Decimal
    total: Decimal
    deducted: Decimal
    added: Decimal
    rank: int
    lines: list[SheetLine]
    rule_label: str  # the rule version the run was computed with
    rules: list[tuple[str, str]]  # its figures in words (RuleVersion's field names), for the trace


def rule_figures(*, version: RuleVersion) -> list[tuple[str, str]]:
    """Every figure of a rule version as (its field's name, value): what a sheet's lines apply.
    Read from the model's own fields, so a figure added to the rules is listed without an edit here."""
    shown = []
    for field in RuleVersion._meta.concrete_fields:
        if not isinstance(field, DecimalField):
            continue
        value = getattr(version, field.attname)
        number = "" if value is None else f"{value.normalize():f}"  # 30.00 → 30, 0.50 → 0.5
        text = "不设上限" if value is None else (number if field.name.endswith("weight") else f"{number}分")
        shown.append((str(field.verbose_name), text))
    return shown


def sheet_of(*, run: ScoreRun, unit: Unit) -> Sheet | None:
    """A unit's total and every line behind it, each with its event and a link to it (2 queries)."""
    sheet = run.sheets.filter(unit=unit).first()
    if sheet is None:
        return None
    lines = (
        ScoreLine.objects.filter(run=run, unit=unit)
        .select_related("task", "instruction__leader", "adjustment__created_by")
        # The 封顶 lines (no period) after the lines they cap, on every database.
        .order_by(F("period").asc(nulls_last=True), "kind", "task__position", "pk")
    )
    reporting = run.plan.reporting_period
    caps = figures_of(run.rule_version).caps
    kinds = dict(LineKind.choices)
    roles = dict(UnitRole.choices)
    shown = []
    for line in lines:
        task = line.task
        task_name = f"第{task.number}项 {task.title}" if task else ""
        link = reverse("tasks:task", args=[task.pk]) if task else ""
        what = task_name
        if line.kind == LineKind.MISSING:
            what = f"{task_name}：本期未报送"
        elif line.kind == LineKind.LATE and line.report_id:
            what = f"{task_name}：报告在截止日后报送"
            link = f"{link}#report-{line.report_id}"
        elif line.kind == LineKind.RETURNED and line.report_id:
            what = f"{task_name}：报告被督查室退回"
            link = f"{link}#report-{line.report_id}"
        elif line.kind == LineKind.OVERDUE:
            what = f"{task_name}：期末已过截止日期仍未完成"
        elif line.kind == LineKind.EARLY:
            what = f"{task_name}：在截止日期前完成"
            if line.report_id:
                link = f"{link}#report-{line.report_id}"
        elif line.kind == LineKind.PRAISE and line.instruction:
            what = f"{task_name}：{line.instruction.leader.name}批示表扬"
            link = f"{link}#supervision"
        elif line.kind in (LineKind.UNFINISHED, LineKind.MOSTLY_DONE):
            what = f"{task_name}：年终办结状态为{'未完成' if line.kind == LineKind.UNFINISHED else '基本完成'}"
        elif line.kind == LineKind.CAP:
            capped = {
                "missing": "缺报",
                "late": "逾期报送",
                "returned": "退回",
                "overdue": "逾期未完成",
                "yearend": "年终未完成",
                "early": "提前完成",
                "praise": "表扬",
            }.get(line.capped_kind, line.capped_kind)
            cap = caps.get(line.capped_kind)
            limit = f"（上限{cap.normalize():f}分）" if cap is not None else ""
            what = f"{capped}超过上限{limit}的部分不计"
        elif line.kind == LineKind.MANUAL:
            who = person_name(line.adjustment.created_by) if line.adjustment else ""
            what = f"督查室人工调整（{who}）：{line.note}"
        shown.append(
            SheetLine(
                kind=line.kind,
                kind_label=kinds.get(line.kind, line.kind),
                points=line.points,
                what=what,
                link=link,
                period_label=period_label(reporting_period=reporting, start=line.period) if line.period else "",
                role_label=roles.get(line.role, ""),
            )
        )
    return Sheet(
        unit_id=unit.pk,
        unit_name=unit.name,
        base=run.rule_version.base,
        total=sheet.total,
        deducted=sheet.deducted,
        added=sheet.added,
        rank=sheet.rank,
        lines=shown,
        rule_label=f"{run.rule_version.rule_set.name}第{run.rule_version.number}版",
        rules=rule_figures(version=run.rule_version),
    )
