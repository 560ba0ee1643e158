"""JSON API of meetings under /api/meetings/: the same rules as the pages
(duban.meetings.access), writes through duban.meetings.services."""

from ninja import Router

from duban.meetings.api import attendance, meetings

router = Router()
# attendance first: its /meetings/attendance-stats must match before meetings' /meetings/{pk}.
router.add_router("/", attendance.router)
router.add_router("/", meetings.router)

__all__ = ["router"]
