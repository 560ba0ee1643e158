"""Placeholder: being written."""

from ninja import Router

router = Router(tags=["请销假"])
