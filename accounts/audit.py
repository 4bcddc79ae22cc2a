"""The security audit log: append a record, verify the chain, prune past the retention.

Every audited write calls `audit_record` inside its own transaction, so the record commits
(or rolls back) with the action. Records are chained: each hash covers the record and the
previous record's hash, so `audit_verify` finds a changed or deleted record."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from .models import AuditEvent, Outcome

# Serialises appends on PostgreSQL (each needs the previous hash); held until commit.
_CHAIN_LOCK_KEY = 0x41554449  # "AUDI"
# The session setting that lets the retention job (and only it) delete on PostgreSQL.
PRUNE_SETTING = "minhang.audit_prune"


class Action:
    """Action codes and their Chinese names (shown on the audit page)."""

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    LOCKOUT = "lockout"
    PASSWORD_CHANGE = "password_change"
    PASSWORD_RESET = "password_reset"
    ACCOUNT_CREATE = "account_create"
    ACCOUNT_DISABLE = "account_disable"
    ACCOUNT_ENABLE = "account_enable"
    ROLE_ASSIGN = "role_assign"
    UNITS_ASSIGN = "units_assign"
    LEADER_ASSIGN = "leader_assign"
    SESSION_END = "session_end"
    SESSION_TIMEOUT = "session_timeout"
    SSO_ACCOUNT_CREATE = "sso_account_create"
    OTP_ENROL = "otp_enrol"
    OTP_VERIFY = "otp_verify"
    AUDIT_EXPORT = "audit_export"
    AUDIT_PRUNE = "audit_prune"
    # Business actions of the other apps (one call each; see audit_record and audit_download).
    EXPORT = "export"  # a file made from a list or page: ledger, CSV, comparison, bulletin draft
    DOWNLOAD = "download"  # a stored file: attachment, import original, issued bulletin or slip, template
    IMPORT = "import"  # a file uploaded and checked (not yet applied)
    IMPORT_CONFIRM = "import_confirm"
    IMPORT_UNDO = "import_undo"
    REVIEW = "review"
    REVIEW_APPROVE = "review_approve"
    REVIEW_RETURN = "review_return"
    REVIEW_REOPEN = "review_reopen"
    DOCUMENT_ISSUE = "document_issue"  # 督查通报 issued, 督办单 made
    EXTENSION_DECIDE = "extension_decide"  # 延期申请 approved (the task's due date moves) or refused
    CONFIG_CHANGE = "config_change"  # Django admin changes (recorded automatically), templates, settings pages
    # 考评 (assessment app); the codes are those its records were first written with.
    ASSESSMENT_COMPUTE = "assessment.compute"
    ASSESSMENT_FREEZE = "assessment.freeze"
    ASSESSMENT_PUBLISH = "assessment.publish"
    ASSESSMENT_ADJUST = "assessment.adjust"
    ASSESSMENT_RULES = "assessment.rules"
    ASSESSMENT_REPORT_CAP = "assessment.report_cap"


ACTION_LABELS = {
    Action.LOGIN: "登录",
    Action.LOGIN_FAILED: "登录失败",
    Action.LOGOUT: "退出",
    Action.LOCKOUT: "登录锁定",
    Action.PASSWORD_CHANGE: "修改密码",
    Action.PASSWORD_RESET: "重置密码",
    Action.ACCOUNT_CREATE: "创建账号",
    Action.ACCOUNT_DISABLE: "停用账号",
    Action.ACCOUNT_ENABLE: "启用账号",
    Action.ROLE_ASSIGN: "分配角色",
    Action.UNITS_ASSIGN: "分配单位",
    Action.LEADER_ASSIGN: "关联领导",
    Action.SESSION_END: "结束会话",
    Action.SESSION_TIMEOUT: "会话超时",
    Action.SSO_ACCOUNT_CREATE: "统一身份认证新建账号",
    Action.OTP_ENROL: "绑定动态验证码",
    Action.OTP_VERIFY: "动态验证码登录",
    Action.AUDIT_EXPORT: "导出审计记录",
    Action.AUDIT_PRUNE: "清理过期审计记录",
    Action.EXPORT: "导出",
    Action.DOWNLOAD: "下载",
    Action.IMPORT: "上传导入文件",
    Action.IMPORT_CONFIRM: "确认导入",
    Action.IMPORT_UNDO: "回退导入",
    Action.REVIEW: "审核",
    Action.REVIEW_APPROVE: "审核通过",
    Action.REVIEW_RETURN: "审核退回",
    Action.REVIEW_REOPEN: "撤回审核",
    Action.DOCUMENT_ISSUE: "印发文书",
    Action.EXTENSION_DECIDE: "审批延期申请",
    Action.CONFIG_CHANGE: "配置变更",
    Action.ASSESSMENT_COMPUTE: "计算考评得分",
    Action.ASSESSMENT_FREEZE: "考评定稿",
    Action.ASSESSMENT_PUBLISH: "发布考评结果",
    Action.ASSESSMENT_ADJUST: "考评人工调整",
    Action.ASSESSMENT_RULES: "修改考评规则",
    Action.ASSESSMENT_REPORT_CAP: "设置报送频次上限",
}


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def event_hash(event: AuditEvent) -> str:
    """SHA-256 over the record's fields (canonical JSON) and the previous record's hash."""
    payload = [
        _utc(event.at),
        event.user_id,
        event.username,
        event.ip_address,
        event.action,
        event.object_repr,
        event.outcome,
        event.detail,
        event.prev_hash,
    ]
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Whether this database lets us take advisory locks, per (database, role): asked once.
_ADVISORY_LOCKS: dict[tuple[str, str], bool] = {}
_ADVISORY_QUERY = (
    "SELECT CASE WHEN to_regprocedure('pg_advisory_xact_lock(bigint)') IS NULL THEN false "
    "ELSE has_function_privilege(to_regprocedure('pg_advisory_xact_lock(bigint)'), 'EXECUTE') END"
)


def _chain_lock() -> None:
    """One appender at a time until commit (each record needs the previous hash). An advisory
    lock on PostgreSQL; where a PostgreSQL-compatible database lacks it or refuses it to this
    role, a table lock that only other appenders wait for (readers do not)."""
    if connection.vendor != "postgresql":
        return  # SQLite serialises writers itself
    key = (str(connection.settings_dict.get("NAME")), str(connection.settings_dict.get("USER")))
    with connection.cursor() as cursor:
        if key not in _ADVISORY_LOCKS:
            cursor.execute(_ADVISORY_QUERY)
            _ADVISORY_LOCKS[key] = bool(cursor.fetchone()[0])
        if _ADVISORY_LOCKS[key]:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        else:
            cursor.execute(f"LOCK TABLE {AuditEvent._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")


def current_request() -> HttpRequest | None:
    """The request being handled by this thread (simple_history's middleware keeps it), so a
    service called without one still records the user's address."""
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


def _client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    from minhang_plans.login_throttle import client_ip_address

    return client_ip_address(request) or ""


def audit_record(
    *,
    action: str,
    user: User | AnonymousUser | None = None,
    username: str = "",
    request: HttpRequest | None = None,
    object_repr: str = "",
    outcome: str = Outcome.SUCCESS,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one record. Call it inside the audited action's transaction: the record
    commits with the action, or neither does. Without `request`, the request this thread is
    handling (if any) gives the client address and the signed-in user."""
    if action not in ACTION_LABELS:
        # Every record is read by the audit admin in Chinese, and filtered by these codes.
        raise ValueError(f"audit action {action!r} has no entry in ACTION_LABELS")
    if request is None:
        request = current_request()
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    request_user = getattr(request, "user", None)
    if user is None and request_user is not None and request_user.is_authenticated:
        user = request_user
    # Only JSON values, so the hash reads back the same from the database.
    clean_detail = json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str))
    with transaction.atomic():
        _chain_lock()
        previous = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event = AuditEvent(
            at=timezone.now(),
            user_id=user.pk if user is not None else None,
            username=(user.get_username() if user is not None else username)[:150],
            ip_address=_client_ip(request)[:64],
            action=action,
            object_repr=str(object_repr)[:300],
            outcome=outcome,
            detail=clean_detail,
            prev_hash=previous or "",
        )
        event.hash = event_hash(event)
        event.save()
    return event


def query_filters(request: HttpRequest) -> dict[str, Any]:
    """The query string as filters: one value as a string, repeated keys as a list."""
    return {key: values[0] if len(values) == 1 else values for key, values in request.GET.lists()}


def audit_download(
    request: HttpRequest,
    *,
    object_repr: str,
    action: str = Action.EXPORT,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """One line in an export or download view: who took which file, with the page's filters.

    audit_download(request, object_repr=filename)                       # 导出 (a list as a file)
    audit_download(request, action=Action.DOWNLOAD, object_repr=name)   # 下载 (a stored file)
    """
    return audit_record(
        action=action,
        request=request,
        object_repr=object_repr,
        detail={"path": request.path, "filters": query_filters(request), **(detail or {})},
    )


@dataclass(frozen=True)
class ChainProblem:
    event_id: int | None
    message: str


def audit_verify() -> list[ChainProblem]:
    """Every problem in the chain: a record whose content no longer matches its hash (changed),
    or whose predecessor is not the record before it (a record deleted). The oldest remaining
    record may follow records removed by the retention job, which recorded the hash it kept."""
    problems: list[ChainProblem] = []
    anchors = {""}
    for detail in AuditEvent.objects.filter(action=Action.AUDIT_PRUNE).values_list("detail", flat=True):
        if isinstance(detail, dict) and detail.get("through_hash"):
            anchors.add(detail["through_hash"])
    previous: str | None = None
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event_hash(event) != event.hash:
            problems.append(ChainProblem(event.pk, f"记录 #{event.pk} 的内容与摘要不符（已被修改）。"))
        if previous is None:
            if event.prev_hash not in anchors:
                problems.append(ChainProblem(event.pk, f"记录 #{event.pk} 之前的记录缺失（已被删除）。"))
        elif event.prev_hash != previous:
            problems.append(ChainProblem(event.pk, f"记录 #{event.pk} 之前的记录缺失或被修改（链条断开）。"))
        previous = event.hash
    return problems


def retention_days() -> int:
    return settings.AUDIT_RETENTION_DAYS


def audit_prune(*, now: dt.datetime | None = None) -> int:
    """Delete records older than AUDIT_RETENTION_DAYS (never fewer than 180) and record that,
    with the hash of the last record removed (the new start of the chain)."""
    days = max(retention_days(), 180)
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    with transaction.atomic():
        _chain_lock()
        # Only the chain's old prefix: a record kept is never cut out of the middle.
        first_kept = AuditEvent.objects.filter(at__gte=cutoff).order_by("id").values_list("id", flat=True).first()
        doomed = AuditEvent.objects.all() if first_kept is None else AuditEvent.objects.filter(id__lt=first_kept)
        last = doomed.order_by("-id").values_list("id", "hash").first()
        if last is None:
            return 0
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'on', true)", [PRUNE_SETTING])
        # Counted first: on a database without PL/pgSQL the DELETE passes through a rule
        # (migration 0002), and the driver then reports no row count.
        count = doomed.count()
        doomed._prune()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'off', true)", [PRUNE_SETTING])
        audit_record(
            action=Action.AUDIT_PRUNE,
            username="system",
            object_repr=f"{count} 条",
            detail={"deleted": count, "through_hash": last[1], "before": cutoff.isoformat(), "retention_days": days},
        )
    return count
