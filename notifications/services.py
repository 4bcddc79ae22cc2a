"""The one sending interface: every message the product sends goes through `message_send`.

A message is written in the database first (inside the caller's transaction), then e-mailed
once that transaction commits. The unique key (event_key, recipient) makes sending idempotent:
whoever inserts first sends; a rerun, a second worker or another app server finds the row and
sends nothing. Later channels (SMS, 政务微信…) belong in `_deliver`, beside e-mail."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import EVENT_KEY_MAX, LINK_MAX, TITLE_MAX, Message, MessageKind

if TYPE_CHECKING:
    from tasks.models import Task

logger = logging.getLogger(__name__)


def unit_liaisons(*, unit_ids: list[int]) -> QuerySet[User]:
    """The active accounts that report for these units: who a unit's messages go to."""
    return User.objects.filter(profile__units__in=unit_ids, is_active=True).distinct()


def message_send(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str,
    event_key: str,
    task: Task | None = None,
    link: str = "",
) -> list[Message]:
    """One message per active recipient for this event, unless that recipient already has it;
    returns the messages created now (an empty list on a rerun). E-mails go after commit."""
    if kind not in MessageKind.values:
        raise ValueError(f"unknown message kind {kind!r}")
    if not title or len(title) > TITLE_MAX:
        raise ValueError("a message needs a title of at most 200 characters")
    if not event_key or len(event_key) > EVENT_KEY_MAX or len(link) > LINK_MAX:
        raise ValueError("event_key (≤200) and link (≤300) are too long or missing")
    people = {user.pk: user for user in recipients if user.is_active}
    created: list[Message] = []
    with transaction.atomic():
        already = set(
            Message.objects.filter(event_key=event_key, recipient_id__in=people).values_list("recipient_id", flat=True)
        )
        for user_id, user in people.items():
            if user_id in already:
                continue
            try:
                # A savepoint per row: a concurrent sender that inserted first makes this one a no-op.
                with transaction.atomic():
                    created.append(
                        Message.objects.create(
                            recipient=user,
                            kind=kind,
                            title=title,
                            body=body,
                            task=task,
                            link=link,
                            event_key=event_key,
                        )
                    )
            except IntegrityError:
                continue
        if created:
            ids = [m.pk for m in created]
            transaction.on_commit(lambda: _deliver(message_ids=ids), robust=True)
    return created


def _deliver(*, message_ids: list[int]) -> int:
    """E-mail the committed messages whose recipients have an address (Django's mail backend).

    Each message is claimed before it is sent (emailed_at set by an UPDATE only one sender can
    win), so a retry running beside the first delivery never sends it again; a message whose
    sending fails is released for messages_email_retry. Returns how many went out."""
    messages = list(
        Message.objects.filter(pk__in=message_ids, emailed_at__isnull=True)
        .exclude(recipient__email="")
        .select_related("recipient")
    )
    sent = 0
    if not messages:
        return sent
    with get_connection() as connection:
        for message in messages:
            if not Message.objects.filter(pk=message.pk, emailed_at__isnull=True).update(emailed_at=timezone.now()):
                continue  # another sender has it
            try:
                connection.send_messages([_email_of(message)])
            except Exception:
                # The in-app message stands; the e-mail waits for the retry (emailed_at empty again).
                logger.exception("e-mail of message %s failed", message.pk)
                Message.objects.filter(pk=message.pk).update(emailed_at=None)
                continue
            sent += 1
    return sent


RETRY_AFTER = dt.timedelta(minutes=10)  # leave a fresh message to its own delivery
RETRY_WITHIN = dt.timedelta(days=2)  # after that an e-mail is stale: the message is in the product


def messages_email_retry() -> int:
    """E-mail the messages whose e-mail failed (the schedule runs this hourly)."""
    now = timezone.now()
    ids = list(
        Message.objects.filter(
            emailed_at__isnull=True, created_at__lt=now - RETRY_AFTER, created_at__gt=now - RETRY_WITHIN
        )
        .exclude(recipient__email="")
        .values_list("pk", flat=True)
    )
    return _deliver(message_ids=ids) if ids else 0


def _email_of(message: Message) -> EmailMessage:
    text = message.body
    if message.link:
        text = f"{text}\n\n查看：{settings.SITE_URL}{message.link}"
    text = f"{text}\n\n（此邮件由闵行区规划任务跟踪系统发送，请登录系统查看站内消息。）"
    return EmailMessage(
        subject=f"【任务跟踪】{message.title}",
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient.email],
    )


def message_mark_read(*, user: User | AnonymousUser, message_ids: list[int] | None = None) -> int:
    """Mark the user's own messages read (all unread ones when `message_ids` is None); returns how many.
    Ids of other people's messages are ignored: nobody can mark someone else's inbox."""
    if not isinstance(user, User):  # nobody signed in has no inbox (the views require a login anyway)
        return 0
    qs = Message.objects.filter(recipient=user, read_at__isnull=True)
    if message_ids is not None:
        qs = qs.filter(pk__in=message_ids)
    return qs.update(read_at=timezone.now())
