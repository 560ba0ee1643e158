"""JSON API of supervision: plans, items, progress reports and deferrals.

Thin like the pages (duban.supervision.views) and with the same rules: authorize with
duban.supervision.access, validate with the pages' forms fed the JSON body, write
through duban.supervision.services inside `acting(request)` so the history names the
caller. Lists cost a fixed number of queries whatever their length. Endpoint and schema
docstrings are in Chinese: ninja publishes them as the API documentation.
"""

from ninja import Router

from duban.supervision.api import deferrals, items, plans, reports

router = Router()
router.add_router("/", plans.router)
router.add_router("/", items.router)
router.add_router("/", reports.router)
router.add_router("/", deferrals.router)

__all__ = ["router"]
