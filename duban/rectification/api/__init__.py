"""JSON API of rectification under /api/rectification/: plans, findings, measures,
closure against the ledger, re-checks, look-back rounds, disclosure, staff feedback and statistics.

Thin like the pages and with the same rules: authorize with duban.rectification.access,
validate, write through duban.rectification.services inside `acting(request)` so the
history names the caller. Lists cost a fixed number of queries whatever their length.
Endpoint and schema docstrings are in Chinese: ninja publishes them as the API documentation.
"""

from ninja import Router

from duban.rectification.api import closure, disclosure, findings, lookback, plans, stats, watch

router = Router()
router.add_router("/", plans.router)
router.add_router("/", findings.router)
router.add_router("/", closure.router)
router.add_router("/", watch.router)
router.add_router("/", lookback.router)
router.add_router("/", disclosure.router)
router.add_router("/", stats.router)

__all__ = ["router"]
