"""Writes in review sessions: each service checks who may act and from which state, writes in
one transaction and records what the office did (never anything about a single ballot)."""

from duban.supervision.services import PermissionDenied, Refused

__all__ = ["PermissionDenied", "Refused"]
