"""Writes in supervision: each service checks who may act and from which state, writes
in one transaction, logs the item's timeline and refreshes the cached status."""

from django.core.exceptions import PermissionDenied, ValidationError


class Refused(ValidationError):
    """A rule refused the action; the message is for the user, in Chinese."""


__all__ = ["PermissionDenied", "Refused"]
