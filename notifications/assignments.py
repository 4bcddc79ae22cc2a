"""任务交办: the message a unit gets when an import assigns it tasks (a new plan, new tasks, or a
unit added to a task). Sent from the import's own transaction: an import that is refused or
rolled back sends nothing, and each unit's liaisons get it once per import (the event key)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import F, Q
from django.urls import reverse

from imports.diff import DiffSummary
from imports.models import ImportRecord
from tasks.models import TaskState, TaskUnit, UnitRole

from .models import TITLE_MAX, MessageKind
from .services import message_send

SUPPORT_MARK = "（配合）"  # how the import's diff marks a supporting unit (imports/diff/snapshots.py, _show_task_field)


@dataclass
class _Assigned:
    unit_name: str
    lead: int = 0
    support: int = 0


def _new_links(record: ImportRecord) -> Q | None:
    """The task-unit links `record` created: every link of the tasks it added, and on the tasks it
    changed, the units that were not on them before. None when there are none."""
    changes: DiffSummary = record.changes
    found: list[Q] = []
    if changes.get("added"):
        found.append(Q(task__number__in=changes["added"]))
    for change in changes.get("changed", []):
        for field in change["changes"]:
            if field["field"] != "units":
                continue
            before = {name.removesuffix(SUPPORT_MARK) for name in field["before"].split("、") if name}
            after = {name.removesuffix(SUPPORT_MARK) for name in field["after"].split("、") if name}
            if after - before:
                found.append(Q(task__number=change["number"], unit__name__in=sorted(after - before)))
    if not found:
        return None
    new = found[0]
    for more in found[1:]:
        new |= more
    return new


def import_assignments_send(*, record: ImportRecord) -> int:
    """One 任务交办 message to the liaisons of each unit that leads or supports tasks `record`
    newly assigned to it: the plan, how many tasks, and a link to 我的待办 (where 签收 is).
    Returns how many units were told. Two queries, then message_send per unit."""
    if record.plan_id is None:
        return 0
    new = _new_links(record)
    if new is None:
        return 0
    assigned: dict[int, _Assigned] = {}
    for unit_id, unit_name, role in (
        TaskUnit.objects.filter(new, task__plan_id=record.plan_id, task__state=TaskState.ACTIVE)
        .order_by("unit__name", "task__position")
        .values_list("unit_id", "unit__name", "role")
    ):
        counts = assigned.setdefault(unit_id, _Assigned(unit_name=unit_name))
        if role == UnitRole.LEAD:
            counts.lead += 1
        else:
            counts.support += 1
    if not assigned:
        return 0
    liaisons: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(profile__units__in=list(assigned), is_active=True).annotate(
        for_unit=F("profile__units")
    ):
        liaisons[user.for_unit].append(user)
    plan_title = record.plan.title if record.plan else ""
    told = 0
    for unit_id, counts in assigned.items():
        total = counts.lead + counts.support
        parts = [f"牵头{counts.lead}项"] if counts.lead else []
        if counts.support:
            parts.append(f"配合{counts.support}项")
        body = f"导入《{plan_title}》后，{counts.unit_name}新增{total}项任务（{'、'.join(parts)}）。"
        if counts.lead:
            body += "请在“我的待办”中签收牵头任务。"
        message_send(
            recipients=liaisons.get(unit_id, []),
            kind=MessageKind.ASSIGNMENT,
            title=f"任务交办：《{plan_title}》新增{total}项任务"[:TITLE_MAX],
            body=body,
            event_key=f"imports:assignment:{record.pk}:{unit_id}",
            link=reverse("supervision:todo"),
        )
        told += 1
    return told
