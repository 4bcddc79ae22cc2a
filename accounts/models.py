"""The security audit log (安全审计), password history and the users' sessions.

The audit log is separate from the business history (simple_history): it records who did
what to accounts and security settings, and is append-only and hash-chained."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

IMMUTABLE_MESSAGE = "审计记录只能追加，不能修改或删除。"
ROLE_CONFLICT_MESSAGE = "系统管理员、安全管理员、审计管理员三者分立，一个账号只能担任其中一个。"


class AuditQuerySet(models.QuerySet):
    # Bulk writes bypass save()/delete(); the retention job deletes through audit.audit_prune.
    def update(self, **kwargs: Any) -> int:
        raise ValidationError(IMMUTABLE_MESSAGE)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValidationError(IMMUTABLE_MESSAGE)

    def _prune(self) -> int:
        count, _ = super().delete()
        return count


class Outcome(models.TextChoices):
    SUCCESS = "success", "成功"
    FAILURE = "failure", "失败"
    DENIED = "denied", "拒绝"


class AuditEvent(models.Model):
    """One audited action. `hash` covers every other field and the previous record's hash."""

    at = models.DateTimeField("时间", db_index=True)
    # No foreign-key constraint: deleting an account must not touch (or be blocked by) its records.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="用户",
    )
    username = models.CharField("用户名", max_length=150, blank=True, db_index=True)
    ip_address = models.CharField("客户端地址", max_length=64, blank=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_repr = models.CharField("对象", max_length=300, blank=True)
    outcome = models.CharField("结果", max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS)
    detail = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField("上一条摘要", max_length=64, blank=True)
    hash = models.CharField("摘要", max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "安全审计记录"
        verbose_name_plural = "安全审计记录"
        ordering = ["-id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValidationError(IMMUTABLE_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValidationError(IMMUTABLE_MESSAGE)

    @property
    def action_label(self) -> str:
        from .audit import ACTION_LABELS

        return ACTION_LABELS.get(self.action, self.action)


class PasswordHistory(models.Model):
    """Hashes of a user's recent passwords (for "not one of the last N")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=256)
    created = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created:%Y-%m-%d}"


class PasswordState(models.Model):
    """When the password was last set, and whether the user must change it at the next login
    (a password issued or reset by the security admin)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_state")
    changed_at = models.DateTimeField()
    must_change = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.user_id} {self.changed_at:%Y-%m-%d}"


class UserSession(models.Model):
    """A signed-in session of a user, so they can see and end their own sessions. The session
    itself lives in Django's session store; ending one deletes it there."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="active_sessions")
    session_key = models.CharField(max_length=64, unique=True)
    ip_address = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    started = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.ip_address}"
