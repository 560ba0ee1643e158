"""Reads of the inbox."""

from duban.notify.models import Message


def messages_for(person, *, unread_only: bool = False):
    """A person's messages, newest first (index message_recipient_new)."""
    messages = Message.objects.filter(recipient=person)
    if unread_only:
        messages = messages.filter(read_at__isnull=True)
    return messages.order_by("-created_at", "-id")


def unread_count(person) -> int:
    """Unread messages of a person (partial index message_unread)."""
    if person is None or not person.is_authenticated:
        return 0
    return Message.objects.filter(recipient=person, read_at__isnull=True).count()
