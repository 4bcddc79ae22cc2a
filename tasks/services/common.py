"""What every write on a task's reports shares: the conflict it may raise (ReportConflict), the
locks taken in their one order (the task, then the report), and the history note (who and why)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone

from minhang_plans.compiled import compiled_rows

from ..models import ProgressReport, Task


class ReportConflict(Exception):
    """Somebody else saved the report since it was opened; nothing was overwritten."""

    def __init__(self, current: ProgressReport):
        self.current = current
        who = current.reported_by.get_username() if current.reported_by is not None else "其他用户"
        super().__init__(
            f"保存失败：该报告已被{who}于{timezone.localtime(current.updated_at):%Y-%m-%d %H:%M}"
            f"修改（版本{current.version}）。"
            "请查看对方的内容后再保存，您的修改未被写入。"
        )


def _task_lock(*, task_id: int) -> str | None:
    """Lock the task row for the rest of the transaction and return its state (None: gone).

    Every write on a task's reports takes this lock first (then the report's), in that one
    order, so that two writers never deadlock. An import being undone locks the tasks it
    deletes: a report waits for it and then finds the task gone, instead of inserting a
    report whose task disappears under it (a foreign-key error at commit, a 500)."""
    # Compiled once, the id its parameter (minhang_plans.compiled): every report's write takes it.
    found = compiled_rows(
        key="task_lock",
        build=lambda task_id: (
            Task.objects.select_for_update().filter(pk=task_id).order_by("pk").values_list("state", flat=True)[:1]
        ),
        ids={"task_id": task_id},
    )
    return found[0] if found else None


TASK_GONE_MESSAGE = "该任务已不存在（所属导入可能已被回退），进展未保存。请返回规划页面查看。"
REPORT_GONE_MESSAGE = "该报告已不存在，请刷新页面。"


def _report_lock(*, report: ProgressReport) -> tuple[str, ProgressReport]:
    """The task's state and the current report, both locked (task first); a report whose task
    was deleted meanwhile (an import rolled back) is a clear error, not a 500."""
    state = _task_lock(task_id=report.task_id)
    current = ProgressReport.objects.select_for_update(of=("self",)).filter(pk=report.pk).first()
    if state is None or current is None:
        raise ValidationError(REPORT_GONE_MESSAGE)
    return state, current


def history_note(obj: Model, *, user: User, reason: str) -> None:
    """Who and why, read by django-simple-history when `obj` is next saved (also outside a
    web request, where its middleware does not run). setattr: these are the library's
    attributes on the instance, not model fields."""
    setattr(obj, "_change_reason", reason)  # noqa: B010
    setattr(obj, "_history_user", user)  # noqa: B010
