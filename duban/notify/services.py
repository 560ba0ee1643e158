"""Sending messages: the inbox row is written in the caller's transaction; e-mail goes
out only after commit, and every attempt is recorded as a Delivery."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from duban.notify.mail import mail_setup
from duban.notify.models import Channel, Delivery, Message, MessageKind

log = logging.getLogger(__name__)


def message_send(
    *, recipients, title: str, body: str = "", url: str = "", kind: str = MessageKind.SYSTEM
) -> list[Message]:
    """Put a message in each recipient's inbox (once per person) and e-mail those with an address."""
    return messages_send([{"recipients": recipients, "title": title, "body": body, "url": url, "kind": kind}])[0]


def messages_send(batch: list[dict]) -> list[list[Message]]:
    """message_send for many messages at once (the reminder sweep sends tens of thousands):
    `batch` holds message_send's keyword arguments; returns the messages of each, in two
    inserts in all."""
    rows, sizes = [], []
    for spec in batch:
        recipients = spec["recipients"]
        people = list({p.pk: p for p in recipients if p is not None and p.is_active}.values())
        title, body, url = spec["title"][:200], spec.get("body", ""), spec.get("url", "")
        kind = spec.get("kind", MessageKind.SYSTEM)
        rows += [(Message(recipient=p, kind=kind, title=title, body=body, url=url), p) for p in people]
        sizes.append(len(people))
    messages = Message.objects.bulk_create([m for m, _ in rows])
    Delivery.objects.bulk_create([Delivery(message=m, channel=Channel.INBOX, address=p.username) for m, p in rows])
    for message, person in rows:
        if person.email:
            transaction.on_commit(lambda m=message, a=person.email: _email(m.pk, a))
    result, start = [], 0
    for size in sizes:
        result.append(messages[start : start + size])
        start += size
    return result


def _email(message_id: int, address: str) -> None:
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return
    link = f"\n\n{settings.SITE_URL}{message.url}" if message.url else ""
    try:
        connection, sender = mail_setup()
        send_mail(message.title, message.body + link, sender, [address], fail_silently=False, connection=connection)
    except Exception as error:  # any transport failure is recorded, never raised into the request
        log.warning("e-mail to %s failed: %s", address, error)
        Delivery.objects.create(
            message=message, channel=Channel.EMAIL, address=address, ok=False, error=str(error)[:300]
        )
    else:
        Delivery.objects.create(message=message, channel=Channel.EMAIL, address=address)


def message_mark_read(*, person, message_ids=None) -> int:
    """Mark some (or all) of a person's unread messages read; returns how many."""
    unread = Message.objects.filter(recipient=person, read_at__isnull=True)
    if message_ids is not None:
        unread = unread.filter(pk__in=list(message_ids))
    count = 0
    now = timezone.now()
    # Message is not an audited model, so a bulk update is fine here.
    count = unread.update(read_at=now)
    return count
