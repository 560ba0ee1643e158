"""Writes in supervision: each service checks who may act and from which state, writes
in one transaction, logs the item's timeline and refreshes the cached status."""

from django.core.exceptions import PermissionDenied

# Shared by every app's services; re-exported here, where they have always been imported from.
from duban.lib.refusals import Refused, Stale

__all__ = ["PermissionDenied", "Refused", "Stale"]
