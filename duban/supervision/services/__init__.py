"""Writes in supervision: each service checks who may act and from which state, writes
in one transaction, logs the item's timeline and refreshes the cached status."""

from django.core.exceptions import PermissionDenied, ValidationError


class Refused(ValidationError):
    """A rule refused the action; the message is for the user, in Chinese."""


class Stale(Refused):
    """Someone saved the record after the editor loaded it (its version moved on)."""

    def __init__(self, current_version: int):
        self.current_version = current_version
        super().__init__("该记录已被他人修改，请核对后再保存。")


__all__ = ["PermissionDenied", "Refused", "Stale"]
