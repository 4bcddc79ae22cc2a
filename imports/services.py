"""Writes of the browser import flow: keep an upload between preview and
confirm, apply it, and undo the last import of a plan."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import Action, audit_record
from notifications.assignments import import_assignments_send
from tasks.models import Leader, Plan, ProgressReport, TaskLeader, TaskUnit, Unit
from tasks.permissions import can_import, require_user

from .columns import ROLE_CHOICES
from .errors import ImportRefused
from .models import ImportOutcome, ImportRecord, PendingImport
from .pipeline import ImportReport, plan_import
from .selectors import import_added_tasks, import_unused_names

PENDING_LIFETIME = dt.timedelta(hours=24)


def _require_admin(user: User | AnonymousUser) -> User:
    """The signed-in 系统管理员 (who the import records), else PermissionDenied."""
    return require_user(user, can_import(user), "只有系统管理员可以导入任务分解表。")


def pending_import_create(
    *, user: User | AnonymousUser, file_name: str, data: bytes
) -> tuple[PendingImport, ImportReport]:
    """Dry-run the upload; keep it only if it can be imported (a refusal raises
    ImportRefused and stores nothing)."""
    admin = _require_admin(user)
    if len(data) > settings.IMPORT_MAX_UPLOAD_BYTES:
        raise ImportRefused(f"文件大小超过上限 {settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024)} MB。")
    report = plan_import(data=data, file_name=file_name, user=admin, dry_run=True)
    PendingImport.objects.filter(expires_at__lt=timezone.now()).delete()
    with transaction.atomic():
        pending = PendingImport.objects.create(
            user=admin,
            file_name=file_name[:255],
            content=data,
            sha256=hashlib.sha256(data).hexdigest(),
            expires_at=timezone.now() + PENDING_LIFETIME,
        )
        audit_record(
            action=Action.IMPORT,
            user=admin,
            object_repr=pending.file_name,
            detail={"pending": pending.pk, "sha256": pending.sha256, "bytes": len(data)},
        )
    return pending, report


class PendingImportGone(Exception):
    """The pending upload can no longer be previewed or confirmed. `record_id` is
    set when it was confirmed (the import it became; None if nothing changed)."""

    def __init__(self, message: str, *, confirmed: bool = False, record_id: int | None = None):
        super().__init__(message)
        self.message = message
        self.confirmed = confirmed
        self.record_id = record_id


PENDING_MISSING = "该上传不存在或已过期（上传后 24 小时内有效），请重新上传。"
PENDING_EXPIRED = "该上传已过期（上传后 24 小时内有效），未导入任何数据，请重新上传。"
PENDING_CONFIRMED = "该文件已经确认导入，不会重复导入。"


def _pending_usable(pending: PendingImport | None) -> PendingImport:
    if pending is None:
        raise PendingImportGone(PENDING_MISSING)
    if pending.confirmed_at is not None:
        raise PendingImportGone(PENDING_CONFIRMED, confirmed=True, record_id=pending.record_id)
    if pending.expires_at < timezone.now():
        raise PendingImportGone(PENDING_EXPIRED)
    return pending


def pending_import_get(*, user: User | AnonymousUser, token: str) -> PendingImport:
    """The user's own pending upload; PendingImportGone if it is missing (or
    another user's), expired or already confirmed."""
    admin = _require_admin(user)
    return _pending_usable(PendingImport.objects.filter(token=token, user=admin).first())


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
        column_roles=pending.column_roles or None,
        plan_choice=pending.plan_choice,
    )


def pending_import_update(
    *,
    user: User | AnonymousUser,
    pending: PendingImport,
    overrides: dict[str, Any],
    unit_mapping: dict[str, str],
    leader_mapping: dict[str, str],
    column_roles: dict[str, str] | None = None,
    plan_choice: str = "",
    district: str = "",
) -> PendingImport:
    """Keep the admin's corrections. `column_roles` ({header: role}, every
    column) is given when the admin changed a column's role; confirming then
    saves it as the layout for this header. `plan_choice` is the plan the file
    updates ("" as recognised, "new", or a plan's id); `district` the district
    the file was recognised as (its units and leaders are the ones names map to)."""
    admin = _require_admin(user)
    if pending.user_id != admin.pk:
        raise PermissionDenied("只能修改自己上传的文件。")
    if plan_choice not in ("", "new") and not (
        plan_choice.isdigit() and Plan.objects.filter(pk=int(plan_choice)).exists()
    ):
        raise ValidationError("所选的“导入到”规划不存在。")
    district = district or settings.DISTRICT_NAME
    existing_units = set(
        Unit.objects.filter(district=district, name__in=unit_mapping.values()).values_list("name", flat=True)
    )
    existing_leaders = set(
        Leader.objects.filter(district=district, name__in=leader_mapping.values()).values_list("name", flat=True)
    )
    unknown = [v for v in unit_mapping.values() if v not in existing_units]
    unknown += [v for v in leader_mapping.values() if v not in existing_leaders]
    if unknown:
        raise ValidationError(f"对应的单位或领导不存在：{'、'.join(unknown)}")
    pending.overrides = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in overrides.items()}
    pending.unit_mapping = unit_mapping
    pending.leader_mapping = leader_mapping
    pending.plan_choice = plan_choice
    if column_roles is not None:
        unknown_roles = sorted(set(column_roles.values()) - {role for role, _ in ROLE_CHOICES})
        if unknown_roles:
            raise ValidationError(f"未知的列用途：{'、'.join(unknown_roles)}")
        pending.column_roles = column_roles
    pending.save(update_fields=["overrides", "unit_mapping", "leader_mapping", "column_roles", "plan_choice"])
    return pending


def pending_import_confirm(*, user: User | AnonymousUser, pending: PendingImport) -> ImportReport:
    """Apply the whole file atomically, once.

    The pending row is locked first and checked again under the lock: a second
    confirm of the same upload (a double click, two tabs) waits for the first and
    is then told it was applied, instead of applying it again."""
    admin = _require_admin(user)
    if pending.user_id != admin.pk:
        raise PermissionDenied("只能确认自己上传的文件。")
    with transaction.atomic():
        locked = _pending_usable(PendingImport.objects.select_for_update().filter(pk=pending.pk).first())
        report = plan_import(
            data=bytes(locked.content),
            file_name=locked.file_name,
            user=admin,
            overrides=_overrides(locked.overrides),
            unit_mapping=locked.unit_mapping,
            leader_mapping=locked.leader_mapping,
            column_roles=locked.column_roles or None,
            plan_choice=locked.plan_choice,
        )
        if report.record_id is not None:
            # 任务交办 to the units given new tasks, in this transaction: a refused or rolled-back import tells nobody.
            import_assignments_send(record=ImportRecord.objects.select_related("plan").get(pk=report.record_id))
        locked.confirmed_at = timezone.now()
        locked.record_id = report.record_id
        locked.content = b""  # the import record keeps the original bytes
        locked.save(update_fields=["confirmed_at", "record", "content"])
        audit_record(
            action=Action.IMPORT_CONFIRM,
            user=admin,
            object_repr=locked.file_name,
            detail={"pending": locked.pk, "record": report.record_id},
        )
    return report


def _overrides(stored: dict[str, Any]) -> dict[str, Any]:
    values = dict(stored)
    if isinstance(values.get("doc_date"), str):
        values["doc_date"] = dt.date.fromisoformat(values["doc_date"])
    return values


# -- undo (回退) ---------------------------------------------------------------------
# 回退, not 撤销: in this product 撤销 means a withdrawn task.


PLAN_GONE = "该导入对应的规划已被删除。"


def import_undo_blocker(*, record: ImportRecord) -> str | None:
    """Why this import cannot be rolled back, in words for the page; None if it can."""
    if record.outcome != ImportOutcome.APPLIED:
        return "该导入已回退。"
    if record.plan_id is None:
        return PLAN_GONE
    later = ImportRecord.objects.filter(plan_id=record.plan_id, outcome=ImportOutcome.APPLIED, pk__gt=record.pk)
    if later.exists():
        return "只能回退该规划最近一次的导入；之后已有新的导入。"
    if ProgressReport.objects.filter(task__in=import_added_tasks(record=record)).exists():
        return "本次导入新增的任务已有进展报告，回退会丢失这些进展，因此不能回退。如需调整，请导入修订后的文件。"
    return None


def import_undo(*, user: User | AnonymousUser, record: ImportRecord) -> None:
    """Return the plan to its state before `record`: tasks, links, aliases.
    Recorded progress is never deleted (a rollback that would is refused)."""
    admin = _require_admin(user)
    with transaction.atomic():
        record = ImportRecord.objects.select_for_update().get(pk=record.pk)
        # Lock the tasks this deletes before looking for progress on them. A
        # liaison's report locks its task row first (report_save), so the two
        # take turns: a report saved first is seen below and refuses the
        # rollback; one saved after waits and then finds its task gone, instead
        # of failing at commit on a deleted task.
        if record.plan_id is not None:
            list(import_added_tasks(record=record).select_for_update().order_by("pk").values_list("pk", flat=True))
        blocker = import_undo_blocker(record=record)
        if blocker or record.plan_id is None:  # the blocker refuses a record without a plan, too
            raise ValidationError(blocker or PLAN_GONE)
        plan = Plan.objects.get(pk=record.plan_id)
        district = plan.district
        if record.before_csv:
            # Back into this very plan, whatever its title was before (the import may have changed it).
            plan_import(
                data=record.before_csv.encode(),
                file_name=f"回退：{record.file_name}",
                user=admin,
                plan_choice=str(plan.pk),
            )
            added = import_added_tasks(record=record)
            TaskLeader.objects.filter(task__in=added).delete()
            TaskUnit.objects.filter(task__in=added).delete()
            added.delete()
        else:
            plan.delete()  # the import created the plan; nothing recorded against it
        units, leaders, aliases = import_unused_names(record=record, district=district)
        aliases.delete()
        units.delete()
        leaders.delete()
        record.outcome = ImportOutcome.UNDONE
        record.undone_at = timezone.now()
        record.undone_by = admin
        record.save(update_fields=["outcome", "undone_at", "undone_by"])
        audit_record(action=Action.IMPORT_UNDO, user=admin, object_repr=record.file_name, detail={"record": record.pk})
