"""Writes in rectification: each service checks who may act and from which state,
writes in one transaction, logs the measure's item timeline and notifies."""

from duban.supervision.services import PermissionDenied, Refused, Stale

__all__ = ["PermissionDenied", "Refused", "Stale"]
