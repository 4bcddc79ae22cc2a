"""What the report form shows besides the report itself: where it starts from, the 落实情况 of the
instructions (批示) it answers, the 阶段目标 it can mark met, and what it says once saved."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from minhang_plans.compiled import compiled_rows

from ..choices import ProgressStatus, ReviewState
from ..milestones import milestone_rows
from ..models import ProgressReport, Task
from ..periods import period_label


@dataclass(frozen=True)
class FormInstruction:
    """An instruction the unit answers in this report: not answered yet, or answered in this
    same report (`answer`, revisable with it)."""

    pk: int
    leader_name: str
    text: str
    on_behalf: bool
    created_at: datetime.datetime
    answer: str


def report_form_instructions(*, task: Task, unit_id: int, report: ProgressReport | None) -> list[FormInstruction]:
    """The task's instructions (批示) the unit's report form asks 落实情况 for, oldest first (one query)."""
    from supervision.models import Instruction, InstructionReply

    def build(task_id: int, unit_id: int, report_id: int) -> QuerySet[Instruction]:
        reply = InstructionReply.objects.filter(instruction_id=OuterRef("pk"), unit_id=unit_id)
        return (
            Instruction.objects.filter(task=task_id)
            .annotate(
                reply_report=Subquery(reply.values("report_id")[:1]),
                reply_text=Subquery(reply.values("text")[:1]),
                answered=Exists(reply),
            )
            .filter(Q(answered=False) | Q(reply_report=report_id))
            .select_related("leader")
            .order_by("created_at", "pk")
        )

    # On every report form and its POST: compiled once (minhang_plans.compiled), the ids its parameters.
    report_id = report.pk if report is not None and report.pk else -1  # -1: no report, no reply of it
    rows: list[Any] = compiled_rows(
        key="report_form_instructions",
        build=build,
        ids={"task_id": task.pk, "unit_id": unit_id, "report_id": report_id},
    )
    return [
        FormInstruction(
            pk=i.pk,
            leader_name=i.leader.name,
            text=i.text,
            on_behalf=i.on_behalf,
            created_at=i.created_at,
            answer=getattr(i, "reply_text", None) or "",
        )
        for i in rows
    ]


def report_form_initial(*, current: ProgressReport | None, previous: ProgressReport | None) -> dict[str, object]:
    """The form's starting values: this period's report when there is one, else the unit's previous
    report (most of it still holds), else in progress at 0%."""
    initial: dict[str, object] = {
        "version": current.version if current else None,
        "status": ProgressStatus.IN_PROGRESS,
        "percent": 0,
    }
    source = current or previous
    if source:
        initial.update(
            status=source.status,
            percent=source.percent,
            progress_text=source.progress_text,
            problems=source.problems,
            next_steps=source.next_steps,
        )
    if current is not None:
        initial["milestones_met"] = list(current.milestones_met.values_list("pk", flat=True))
    return initial


def report_form_milestones(*, task: Task, today: datetime.date) -> list[tuple[int, str]]:
    """The 阶段目标 the report can mark met, as (id, label) choices."""
    return [
        (m.pk, f"{m.due_date:%Y-%m-%d} {m.target}" + ("（已确认完成）" if m.met else ""))
        for m in milestone_rows(task=task, today=today)
    ]


def report_saved_text(
    *, report: ProgressReport, unit_name: str, task: Task, period: datetime.date, answered: int
) -> str:
    """What the unit is told once its report is saved (submitted or kept as a draft)."""
    submitted = report.review_state == ReviewState.SUBMITTED
    state = "已提交，等待督查室审核" if submitted else "已保存草稿"
    if submitted and answered:
        state += f"，并报送了{answered}条批示的落实情况"
    elif answered:
        state += "（落实情况随提交审核一并报送，草稿不保存落实情况）"
    label = period_label(reporting_period=task.plan.reporting_period, start=period)
    return f"{unit_name}对第{task.number}项的{label}进展{state}。"
