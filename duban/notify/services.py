"""Sending messages: the inbox row is written in the caller's transaction; e-mail goes
out only after commit, and every attempt is recorded as a Delivery."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from duban.notify.models import Channel, Delivery, Message, MessageKind

log = logging.getLogger(__name__)


def message_send(
    *, recipients, title: str, body: str = "", url: str = "", kind: str = MessageKind.SYSTEM
) -> list[Message]:
    """Put a message in each recipient's inbox (once per person) and e-mail those with an address."""
    unique = {person.pk: person for person in recipients if person is not None and person.is_active}
    messages = []
    for person in unique.values():
        message = Message.objects.create(recipient=person, kind=kind, title=title[:200], body=body, url=url)
        Delivery.objects.create(message=message, channel=Channel.INBOX, address=person.username)
        messages.append(message)
        if person.email:
            transaction.on_commit(lambda m=message, a=person.email: _email(m.pk, a))
    return messages


def _email(message_id: int, address: str) -> None:
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return
    link = f"\n\n{settings.SITE_URL}{message.url}" if message.url else ""
    try:
        send_mail(message.title, message.body + link, None, [address], fail_silently=False)
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
