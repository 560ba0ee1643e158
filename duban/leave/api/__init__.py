"""JSON API of leave and travel under /api/leave/: the same rules as the pages
(duban.leave.access), writes through duban.leave.services."""

from ninja import Router

from duban.leave.api import away, requests

router = Router()
router.add_router("/", requests.router)
router.add_router("/", away.router)

__all__ = ["router"]
