"""签收: a unit acknowledges the new tasks of a plan it leads."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction

from tasks import permissions
from tasks.models import Plan, Unit

from ..models import AcknowledgedTask, Acknowledgement
from ..selectors import unacknowledged_links


def acknowledge_plan(*, user: User | AnonymousUser, unit: Unit, plan: Plan) -> Acknowledgement:
    """The unit acknowledges every active task of `plan` it leads and has not acknowledged yet."""
    liaison = permissions.require_user(user, permissions.can_acknowledge(user, unit.pk), "只有本单位的联络员可以签收。")
    with transaction.atomic():
        task_ids = list(unacknowledged_links().filter(unit=unit, task__plan=plan).values_list("task_id", flat=True))
        if not task_ids:
            raise ValidationError(f"{plan.title}没有需要{unit.name}签收的新任务。")
        ack = Acknowledgement.objects.create(unit=unit, plan=plan, acknowledged_by=liaison, task_count=len(task_ids))
        # ignore_conflicts: a second tab signing at the same moment covers the same tasks once.
        AcknowledgedTask.objects.bulk_create(
            [AcknowledgedTask(acknowledgement=ack, task_id=task_id, unit=unit) for task_id in task_ids],
            ignore_conflicts=True,
        )
    return ack
