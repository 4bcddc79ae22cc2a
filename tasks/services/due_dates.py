"""Edits of a task by the office: its due date (kept in the task's history)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Task
from .common import history_note

# The dates a due date may take: the plan years the importer accepts (2000–2100).
DUE_DATE_FIRST = dt.date(2000, 1, 1)
DUE_DATE_LAST = dt.date(2100, 12, 31)


def due_date_check(*, day: dt.date, label: str = "截止日期") -> None:
    """Refuse a due date outside DUE_DATE_FIRST..DUE_DATE_LAST, naming the field (`label`): the
    office's edit and both sides of an extension (its request and its approval) share this bound."""
    if not DUE_DATE_FIRST <= day <= DUE_DATE_LAST:
        raise ValidationError(f"{label}应在{DUE_DATE_FIRST:%Y-%m-%d}至{DUE_DATE_LAST:%Y-%m-%d}之间。")


def task_due_date_set(*, user: User | AnonymousUser, task: Task, due_date: dt.date | None) -> bool:
    """The office may change a task's due date (None clears it); the change is kept in its
    history. Returns whether anything changed: saving the date the task already has writes
    nothing and logs nothing."""
    from ..permissions import can_edit_tasks, require_user

    editor = require_user(user, can_edit_tasks(user), "只有督查室可以修改任务。")
    if due_date is not None:
        try:
            due_date_check(day=due_date)
        except ValidationError as error:
            raise ValidationError({"due_date": error.messages}) from None
    with transaction.atomic():
        current = Task.objects.select_for_update().filter(pk=task.pk).first()
        if current is None:
            raise ValidationError("该任务已不存在。")
        task.due_date = current.due_date
        if current.due_date == due_date:
            return False
        current.due_date = due_date
        history_note(current, user=editor, reason="修改截止日期" if due_date else "清除截止日期")
        current.save(update_fields=["due_date", "updated_at"])
    task.due_date = due_date
    return True
