"""The task page's 批示与催办 panel (批示 with their 落实情况, 催办, 申请延期 in one UNION query)
and the leader page's list of their 批示."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, QuerySet, Value, When

from accounts.names import person_name_sql
from minhang_plans.compiled import compiled_rows
from tasks import permissions
from tasks.choices import Role
from tasks.models import Leader, Task

from ..models import Chase, ChaseItem, ExtensionRequest, Instruction, InstructionReply
from .panel_rows import PanelChase, PanelExtension, PanelInstruction, PanelReply, TaskPanel

_PANEL_COLUMNS = (
    "p_kind",
    "p_pk",
    "p_parent",
    "p_at",
    "p_body",
    "p_who",
    "p_name",
    "p_unit",
    "p_flag",
    "p_day",
    "p_answer",
    "p_answered",
    "p_answerer",
    "p_day2",
    "p_day3",
    "p_state",
    "p_slip",
    "p_ref",
)


def _panel_part(qs: QuerySet[Any], kind: str, **columns: Any) -> QuerySet[Any]:
    """One branch of the panel's UNION: every column an annotation, in one order (a UNION
    matches columns by position); empty columns are typed NULLs (PostgreSQL will not guess)."""
    from django.db.models import BooleanField as B
    from django.db.models import CharField, DateField, DateTimeField, IntegerField, TextField
    from django.db.models.functions import Cast

    nulls = {
        "parent": Value(0, output_field=IntegerField()),
        "at": Cast(Value(None), output_field=DateTimeField()),
        "body": Value("", output_field=TextField()),
        "who": Value("", output_field=CharField()),
        "name": Value("", output_field=CharField()),
        "unit": Value(0, output_field=IntegerField()),
        "flag": Value(False, output_field=B()),
        "day": Cast(Value(None), output_field=DateField()),
        "answer": Value("", output_field=TextField()),
        "answered": Cast(Value(None), output_field=DateTimeField()),
        "answerer": Value("", output_field=CharField()),
        "day2": Cast(Value(None), output_field=DateField()),
        "day3": Cast(Value(None), output_field=DateField()),
        "state": Value("", output_field=CharField()),
        "slip": Value(0, output_field=IntegerField()),
        "ref": Value("", output_field=CharField()),
    }
    qs = qs.order_by().annotate(p_kind=Value(kind, output_field=CharField()), p_pk=F("pk"))
    for name in _PANEL_COLUMNS[2:]:
        short = name.removeprefix("p_")
        qs = qs.annotate(**{name: columns.get(short, nulls[short])})
    return qs.values_list(*_PANEL_COLUMNS)


def task_panel(*, task: Task, user: User | AnonymousUser | None = None) -> TaskPanel:
    """批示 with their 落实情况, 催办 and 申请延期 of a task, newest first, in ONE query (a UNION;
    for a leader one more branch: their own leader id)."""
    from django.db.models.functions import Coalesce

    parts = [
        _panel_part(
            Instruction.objects.filter(task=task),
            "i",
            at=F("created_at"),
            body=F("text"),
            who=person_name_sql("written_by__"),
            name=F("leader__name"),
            flag=F("on_behalf"),
            state=Case(When(praise=True, then=Value("praise")), default=Value(""), output_field=CharField()),
        ),
        _panel_part(
            InstructionReply.objects.filter(instruction__task=task),
            "r",
            parent=F("instruction_id"),
            at=F("created_at"),
            body=F("text"),
            name=F("unit__name"),
            unit=F("unit_id"),
        ),
        _panel_part(
            Chase.objects.filter(Exists(ChaseItem.objects.filter(chase_id=OuterRef("pk"), task=task))),
            "c",
            at=F("created_at"),
            body=F("note"),
            who=person_name_sql("created_by__"),
            name=F("unit__name"),
            unit=F("unit_id"),
            day=F("reply_by"),
            answer=F("reply_text"),
            answered=F("replied_at"),
            answerer=person_name_sql("replied_by__"),
            slip=Coalesce(F("slip__pk"), Value(0)),
            ref=Coalesce(F("slip__number"), Value("")),
        ),
    ]
    parts.append(
        _panel_part(
            ExtensionRequest.objects.filter(task=task),
            "e",
            at=F("created_at"),
            body=F("reason"),
            who=person_name_sql("requested_by__"),
            name=F("unit__name"),
            unit=F("unit_id"),
            day=F("requested_date"),
            answer=F("decision_reason"),
            answered=F("decided_at"),
            answerer=person_name_sql("decided_by__"),
            day2=F("granted_date"),
            day3=F("original_due_date"),
            state=F("state"),
        )
    )
    if isinstance(user, User) and permissions.user_role(user) == Role.LEADER:
        from tasks.models import UserProfile

        parts.append(
            _panel_part(UserProfile.objects.filter(user_id=user.pk), "p", unit=Coalesce(F("leader_id"), Value(0)))
        )
    rows = list(parts[0].union(*parts[1:], all=True))
    instructions: dict[int, PanelInstruction] = {}
    replies: list[tuple[int, PanelReply]] = []
    chases: list[PanelChase] = []
    leader_id = None
    extensions: list[PanelExtension] = []
    for row in rows:
        k, pk, parent, at, body, who, name, unit, flag, day, answer, answered, answerer, day2, day3, state = row[:16]
        slip, ref = row[16:]
        if k == "i":
            instructions[pk] = PanelInstruction(
                pk=pk,
                leader_name=name,
                text=body,
                on_behalf=bool(flag),
                written_by=who,
                at=at,
                praise=state == "praise",
            )
        elif k == "r":
            replies.append((parent, PanelReply(unit_id=unit, unit_name=name, text=body, at=at)))
        elif k == "c":
            chases.append(
                PanelChase(
                    pk=pk,
                    unit_id=unit,
                    unit_name=name,
                    note=body,
                    created_by=who,
                    at=at,
                    reply_by=day,
                    reply_text=answer,
                    replied_at=answered,
                    replied_by=answerer,
                    slip_id=slip or None,
                    slip_number=ref,
                )
            )
        elif k == "e":
            extensions.append(
                PanelExtension(
                    pk=pk,
                    unit_id=unit,
                    unit_name=name,
                    reason=body,
                    requested_by=who,
                    at=at,
                    requested_date=day,
                    decision_reason=answer,
                    decided_at=answered,
                    decided_by=answerer,
                    granted_date=day2,
                    original_due_date=day3,
                    state=state,
                )
            )
        else:
            leader_id = unit or None
    for parent, reply in sorted(replies, key=lambda r: r[1].at):
        if parent in instructions:
            instructions[parent].replies.append(reply)
    return TaskPanel(
        instructions=sorted(instructions.values(), key=lambda i: (i.at, i.pk), reverse=True),
        chases=sorted(chases, key=lambda c: (c.at, c.pk), reverse=True),
        extensions=sorted(extensions, key=lambda e: (e.at, e.pk), reverse=True),
        leader_id=leader_id,
    )


def leader_instructions(*, leader: Leader, limit: int = 50) -> list[Instruction]:
    """A leader's instructions, newest first, with their tasks (one query, compiled once: the
    leader is its parameter)."""
    return compiled_rows(
        key=("leader_instructions", limit),
        build=lambda leader_id: (
            Instruction.objects.filter(leader_id=leader_id)
            .select_related("task", "written_by")
            .annotate(n_replies=Count("replies"))
            .order_by("-created_at", "-pk")[:limit]
        ),
        ids={"leader_id": leader.pk},
    )
