"""The secret link of a person's iCalendar feed (日历订阅): create or reset, revoke.
Only an HMAC-SHA256 digest of the token is kept; the token is shown once."""

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from duban.leave.models import FeedToken


def feed_digest(token: str) -> str:
    # A key of its own, derived from SECRET_KEY (not SECRET_KEY itself).
    return salted_hmac("duban.leave.feed", token, algorithm="sha256").hexdigest()


@transaction.atomic
def feed_token_reset(*, person) -> str:
    """A new secret link for the person (the old one, if any, stops working). Returns the token."""
    token = secrets.token_urlsafe(32)
    FeedToken.objects.update_or_create(
        person=person, defaults={"digest": feed_digest(token), "created_at": timezone.now(), "last_used_at": None}
    )
    return token


@transaction.atomic
def feed_token_revoke(*, person) -> bool:
    deleted, _ = FeedToken.objects.filter(person=person).delete()
    return bool(deleted)


def feed_person(token: str):
    """The person whose feed `token` opens (and note the use), or None."""
    row = FeedToken.objects.filter(digest=feed_digest(token)).select_related("person").first()
    if row is None or not row.person.is_active:
        return None
    FeedToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.person
