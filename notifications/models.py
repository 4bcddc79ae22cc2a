"""站内消息: what the product tells a person, kept in the product and optionally e-mailed.

Each message belongs to one recipient. `event_key` names the event it reports (a report
returned, a reminder for one unit and period, a finished job…): the pair (event_key, recipient)
is unique, so a rerun, a second worker or a second app server can never deliver it twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models

TITLE_MAX = 200
LINK_MAX = 300
EVENT_KEY_MAX = 200


class MessageKind(models.TextChoices):
    REMINDER = "reminder", "报送提醒"
    ESCALATION = "escalation", "逾期催报"
    DIGEST = "digest", "汇总"
    REVIEW = "review", "审核结果"
    CHASE = "chase", "催办"
    INSTRUCTION = "instruction", "批示"
    EXTENSION = "extension", "延期申请"
    ASSIGNMENT = "assignment", "任务交办"
    JOB = "job", "后台任务"
    ASSESSMENT = "assessment", "考评"


class Message(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox", verbose_name="收件人"
    )
    kind = models.CharField("类型", max_length=16, choices=MessageKind.choices)
    title = models.CharField("标题", max_length=TITLE_MAX)
    body = models.TextField("内容", blank=True)
    # Kept with the task it is about (if any); the task page can list them.
    task = models.ForeignKey(
        "tasks.Task", on_delete=models.CASCADE, null=True, blank=True, related_name="messages", verbose_name="任务"
    )
    # Where the message leads (a path on this site: a form, a download, a list).
    link = models.CharField("链接", max_length=LINK_MAX, blank=True)
    event_key = models.CharField("事件标识", max_length=EVENT_KEY_MAX)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    # Set once the e-mail went out; empty when the recipient has no address or sending failed.
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event_key", "recipient"], name="message_once_per_event_and_recipient"),
        ]
        indexes = [
            # The header badge: a user's unread count on every page.
            models.Index(fields=["recipient", "read_at"], name="message_inbox_unread"),
        ]

    def __str__(self) -> str:
        return self.title
