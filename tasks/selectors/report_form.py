"""落实情况 on the report form: the instructions (批示) the unit's report answers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, Subquery

from ..models import ProgressReport, Task


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

    reply = InstructionReply.objects.filter(instruction_id=OuterRef("pk"), unit_id=unit_id)
    rows = (
        Instruction.objects.filter(task=task)
        .annotate(
            reply_report=Subquery(reply.values("report_id")[:1]),
            reply_text=Subquery(reply.values("text")[:1]),
            answered=Exists(reply),
        )
        .filter(Q(answered=False) | Q(reply_report=report.pk if report is not None and report.pk else -1))
        .select_related("leader")
        .order_by("created_at", "pk")
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
