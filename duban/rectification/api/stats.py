"""Rectification statistics through the API (duban.rectification.selectors.stats)."""

from ninja import Field, Query, Router, Schema

from duban.rectification.api.common import ONE_ERRORS, access_of, plan_get
from duban.rectification.api.schemas import RectificationStatsOut
from duban.rectification.selectors.stats import rectification_stats

router = Router(tags=["整改统计"])


class RectificationStatsFilter(Schema):
    plan_id: int | None = Field(None, description="整改方案；不填为全部方案")


@router.get("/rectification/stats", response={200: RectificationStatsOut, **ONE_ERRORS}, summary="整改统计")
def stats(request, filters: Query[RectificationStatsFilter]):
    """按牵头单位、问题来源、问题类别和措施类型统计完成率、销号率、逾期数和反弹次数，
    以及逐月销号和反弹数。只统计调用者可见的措施。"""
    access = access_of(request)
    plan = plan_get(filters.plan_id).plan if filters.plan_id is not None else None
    return rectification_stats(access, plan=plan)
