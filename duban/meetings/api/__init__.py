"""JSON API of meetings under /api/meetings/: the same rules as the pages
(duban.meetings.access), writes through duban.meetings.services."""

from ninja import Router

from duban.meetings.api import attendance, meetings

router = Router()
router.add_router("/", meetings.router)
router.add_router("/", attendance.router)

__all__ = ["router"]
