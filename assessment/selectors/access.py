"""Who may see which 考评 pages: the office everything; a liaison their units' sheets; a leader
the published rankings and the sheets of the units on the tasks they lead."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef

from tasks import permissions
from tasks.choices import Role, TaskState
from tasks.models import TaskUnit

from ..models import ScoreRun


def leader_unit_ids(*, user: User | AnonymousUser, plan_id: int | None = None) -> set[int]:
    """The units on the tasks a leader leads (their own units)."""
    leader_id = permissions.user_leader_id(user)
    if leader_id is None:
        return set()
    links = TaskUnit.objects.filter(task__leader_links__leader_id=leader_id, task__state=TaskState.ACTIVE)
    if plan_id is not None:
        links = links.filter(task__plan_id=plan_id)
    return set(links.values_list("unit_id", flat=True))


def leader_sheet_filter(*, leader_id: int) -> Exists:
    """The sheets a leader may open, as a filter on ScoreSheet: its unit is on an open task the
    leader leads in the sheet's own plan (can_see_sheet's rule, for the lists that link to them)."""
    return Exists(
        TaskUnit.objects.filter(
            unit_id=OuterRef("unit_id"),
            task__plan_id=OuterRef("run__plan_id"),
            task__leader_links__leader_id=leader_id,
            task__state=TaskState.ACTIVE,
        )
    )


def can_see_ranking(*, user: User | AnonymousUser, run: ScoreRun) -> bool:
    if permissions.can_review(user):
        return True
    return permissions.user_role(user) == Role.LEADER and run.published_at is not None


def can_see_sheet(*, user: User | AnonymousUser, run: ScoreRun, unit_id: int) -> bool:
    """The office: every sheet; a liaison: their own units'; a leader: their own units'."""
    if permissions.can_review(user):
        return True
    if unit_id in permissions.user_unit_ids(user):
        return True
    return unit_id in leader_unit_ids(user=user, plan_id=run.plan_id)
