"""JSON API of supervision: plans, items, progress reports, deferrals, supervision
actions (urge, notices, warnings, accountability, instructions, circulars), dashboards,
the league table, the battle map, the weekly summary and the reminder ladder.

Thin like the pages (duban.supervision.views) and with the same rules: authorize with
duban.supervision.access, validate with the pages' forms fed the JSON body, write
through duban.supervision.services inside `acting(request)` so the history names the
caller. Lists cost a fixed number of queries whatever their length. Endpoint and schema
docstrings are in Chinese: ninja publishes them as the API documentation.
"""

from ninja import Router

from duban.supervision.api import (
    actions,
    circulars,
    dashboards,
    deferrals,
    items,
    ladder,
    notices,
    plans,
    reports,
    summaries,
)

router = Router()
router.add_router("/", plans.router)
router.add_router("/", items.router)
router.add_router("/", reports.router)
router.add_router("/", deferrals.router)
router.add_router("/", actions.router)
router.add_router("/", notices.router)
router.add_router("/", circulars.router)
router.add_router("/", dashboards.router)
router.add_router("/", summaries.router)
router.add_router("/", ladder.router)

__all__ = ["router"]
