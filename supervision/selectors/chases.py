"""催办 as 我的待办 reads them: the open ones (no reply, something still owed), listed with their
unit, tasks and 督办单 number."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, QuerySet

from tasks.choices import ProgressStatus, UnitRole
from tasks.models import TaskUnit
from tasks.querysets import current_work

from ..models import Chase, ChaseItem


def chases_open() -> QuerySet[Chase]:
    """Chases with no reply whose unit still owes the report on at least one chased task
    (active, not finished, no report of its own for the period chased)."""
    reported = TaskUnit.objects.filter(
        task_id=OuterRef("task_id"),
        unit_id=OuterRef("unit_id"),
        role=UnitRole.LEAD,
        reported_period__gte=OuterRef("period"),
    )
    pending = (
        ChaseItem.objects.filter(current_work("task__"), chase_id=OuterRef("pk"))
        .exclude(task__current__status=ProgressStatus.DONE)  # nothing is owed on a finished task
        .exclude(Exists(reported))
    )
    return Chase.objects.filter(replied_at__isnull=True).filter(Exists(pending))


def _chase_list(qs: QuerySet[Chase]) -> list[Chase]:
    """Chases of `qs` with their unit, tasks and 督办单 number, newest first, in one query (over
    their items; the slip's number and id only, never its file)."""
    chases: dict[int, Chase] = {}
    for item in (
        ChaseItem.objects.filter(chase__in=qs)
        .select_related("chase", "chase__unit", "task")
        .annotate(chase_slip_id=F("chase__slip__pk"), chase_slip_number=F("chase__slip__number"))
        .order_by("-chase__created_at", "-chase_id", "task__plan_id", "task__position")
    ):
        chase = chases.setdefault(item.chase_id, item.chase)
        if not hasattr(chase, "item_list"):
            chase.item_list = []
            chase.slip_id = item.chase_slip_id  # the annotations above
            chase.slip_number = item.chase_slip_number or ""
        chase.item_list.append(item)
    return list(chases.values())
