"""Writes of the browser import flow: keep an upload between preview and
confirm, apply it, and undo the last import of a plan."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tasks.models import Leader, Plan, ProgressReport, Task, TaskLeader, TaskUnit, Unit, UnitAlias
from tasks.permissions import can_import

from .errors import ImportRefused
from .models import ImportOutcome, ImportRecord, PendingImport
from .pipeline import ImportReport, plan_import

PENDING_LIFETIME = dt.timedelta(hours=24)


def _require_admin(user: Any) -> None:
    if not can_import(user):
        raise PermissionDenied("只有系统管理员可以导入任务分解表。")


def pending_import_create(*, user: Any, file_name: str, data: bytes) -> tuple[PendingImport, ImportReport]:
    """Dry-run the upload; keep it only if it can be imported (a refusal raises
    ImportRefused and stores nothing)."""
    _require_admin(user)
    if len(data) > settings.IMPORT_MAX_UPLOAD_BYTES:
        raise ImportRefused(f"文件大小超过上限 {settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024)} MB。")
    report = plan_import(data=data, file_name=file_name, user=user, dry_run=True)
    PendingImport.objects.filter(expires_at__lt=timezone.now()).delete()
    pending = PendingImport.objects.create(
        user=user,
        file_name=file_name[:255],
        content=data,
        sha256=hashlib.sha256(data).hexdigest(),
        expires_at=timezone.now() + PENDING_LIFETIME,
    )
    return pending, report


def pending_import_get(*, user: Any, token: str) -> PendingImport | None:
    """The user's own pending upload, if it has not expired."""
    _require_admin(user)
    return PendingImport.objects.filter(token=token, user=user, expires_at__gte=timezone.now()).first()


def pending_import_preview(*, pending: PendingImport) -> ImportReport:
    """Dry run against the database as it is now, with the choices made so far."""
    return plan_import(
        data=bytes(pending.content),
        file_name=pending.file_name,
        user=pending.user,
        dry_run=True,
        overrides=_overrides(pending.overrides),
        unit_mapping=pending.unit_mapping,
        leader_mapping=pending.leader_mapping,
    )


def pending_import_update(
    *,
    user: Any,
    pending: PendingImport,
    overrides: dict[str, Any],
    unit_mapping: dict[str, str],
    leader_mapping: dict[str, str],
) -> PendingImport:
    _require_admin(user)
    if pending.user_id != user.pk:
        raise PermissionDenied("只能修改自己上传的文件。")
    existing_units = set(Unit.objects.filter(name__in=unit_mapping.values()).values_list("name", flat=True))
    existing_leaders = set(Leader.objects.filter(name__in=leader_mapping.values()).values_list("name", flat=True))
    unknown = [v for v in unit_mapping.values() if v not in existing_units]
    unknown += [v for v in leader_mapping.values() if v not in existing_leaders]
    if unknown:
        raise ValidationError(f"对应的单位或领导不存在：{'、'.join(unknown)}")
    pending.overrides = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in overrides.items()}
    pending.unit_mapping = unit_mapping
    pending.leader_mapping = leader_mapping
    pending.save(update_fields=["overrides", "unit_mapping", "leader_mapping"])
    return pending


def pending_import_confirm(*, user: Any, pending: PendingImport) -> ImportReport:
    """Apply the whole file atomically, then forget the pending upload."""
    _require_admin(user)
    if pending.user_id != user.pk:
        raise PermissionDenied("只能确认自己上传的文件。")
    with transaction.atomic():
        report = plan_import(
            data=bytes(pending.content),
            file_name=pending.file_name,
            user=user,
            overrides=_overrides(pending.overrides),
            unit_mapping=pending.unit_mapping,
            leader_mapping=pending.leader_mapping,
        )
        pending.delete()
    return report


def _overrides(stored: dict[str, Any]) -> dict[str, Any]:
    values = dict(stored)
    if isinstance(values.get("doc_date"), str):
        values["doc_date"] = dt.date.fromisoformat(values["doc_date"])
    return values


# -- undo -----------------------------------------------------------------------


def import_undo_blocker(*, record: ImportRecord) -> str | None:
    """Why this import cannot be undone, in words for the page; None if it can."""
    if record.outcome != ImportOutcome.APPLIED:
        return "该导入已撤销。"
    if record.plan_id is None:
        return "该导入对应的规划已被删除。"
    later = ImportRecord.objects.filter(plan_id=record.plan_id, outcome=ImportOutcome.APPLIED, pk__gt=record.pk)
    if later.exists():
        return "只能撤销该规划最近一次的导入；之后已有新的导入。"
    added = _added_tasks(record)
    if ProgressReport.objects.filter(task__in=added).exists():
        return "本次导入新增的任务已有进展报告，撤销会丢失这些进展，因此不能撤销。如需调整，请导入修订后的文件。"
    return None


def _added_tasks(record: ImportRecord) -> Any:
    numbers = record.changes.get("added", [])
    return Task.objects.filter(plan_id=record.plan_id, number__in=numbers)


def import_undo(*, user: Any, record: ImportRecord) -> None:
    """Return the plan to its state before `record`: tasks, links, aliases.
    Recorded progress is never deleted (an undo that would is refused)."""
    _require_admin(user)
    with transaction.atomic():
        record = ImportRecord.objects.select_for_update().get(pk=record.pk)
        blocker = import_undo_blocker(record=record)
        if blocker:
            raise ValidationError(blocker)
        plan = Plan.objects.get(pk=record.plan_id)
        if record.before_csv:
            plan_import(data=record.before_csv.encode(), file_name=f"撤销：{record.file_name}", user=user)
            added = _added_tasks(record)
            TaskLeader.objects.filter(task__in=added).delete()
            TaskUnit.objects.filter(task__in=added).delete()
            added.delete()
        else:
            plan.delete()  # the import created the plan; nothing recorded against it
        _drop_unused_names(record)
        record.outcome = ImportOutcome.UNDONE
        record.undone_at = timezone.now()
        record.undone_by = user
        record.save(update_fields=["outcome", "undone_at", "undone_by"])


def _drop_unused_names(record: ImportRecord) -> None:
    """Units, leaders and aliases the undone import created, unless used since."""
    changes = record.changes
    UnitAlias.objects.filter(name__in=list(changes.get("new_aliases", {}))).delete()
    Unit.objects.filter(name__in=list(changes.get("new_units", {}))).filter(
        ~Q(pk__in=TaskUnit.objects.values("unit_id")), ~Q(pk__in=ProgressReport.objects.values("unit_id"))
    ).exclude(liaisons__isnull=False).delete()
    Leader.objects.filter(name__in=changes.get("new_leaders", [])).exclude(
        pk__in=TaskLeader.objects.values("leader_id")
    ).exclude(accounts__isnull=False).delete()
