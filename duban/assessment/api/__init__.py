"""JSON API of review sessions, unit assessment and typical examples under /api/assessment/.

Same rules as the pages (duban.assessment.access), writes through duban.assessment.services.
Ballots are cast only on the ballot page (/v/): there is deliberately no API to cast a ballot,
so the anonymity rules have one entry point.
"""

from ninja import Router

from duban.assessment.api import examples, periods, sessions

router = Router()
router.add_router("/", sessions.router)
router.add_router("/", periods.router)
router.add_router("/", examples.router)

__all__ = ["router"]
