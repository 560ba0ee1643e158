"""The weekly summary (周报汇总) of a plan through the API: the same selector as the
page (duban.supervision.summaries.weekly_summary) over the caller's visible items, in a
fixed number of queries whatever the number of items.

What a report says is shown only once the unit handed it in (submitted or accepted):
drafts and returned reports are still the unit's own, as on the page.
"""

import datetime

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from duban.org.api import UnitRef
from duban.supervision import summaries
from duban.supervision.access import items_visible
from duban.supervision.api.common import ONE_ERRORS, access_of, plan_get
from duban.supervision.models import Item, ReportStatus
from duban.supervision.status import Colour, Status

router = Router(tags=["周报汇总"])


class WeekStatusCount(Schema):
    status: Status
    label: str
    colour: Colour
    count: int


class FilingCount(Schema):
    filing: str = Field(description="on_time 按时报送、late 迟报、missing 缺报、pending 未报送、none 无需填报")
    label: str
    colour: str
    count: int


class IndicatorTotalOut(Schema):
    """同名同单位的指标在各事项间合计，按截至周末已采纳的读数。"""

    name: str
    unit: str
    items: int = Field(description="设置该指标的事项数")
    target: float = Field(description="目标合计")
    current: float | None = Field(description="截至本周")
    previous: float | None = Field(description="截至上周")
    change: float | None = Field(description="本周新增")
    rate: int | None = Field(description="完成率（%）")


class WeekReportOut(Schema):
    """单位已报送（待审核或已采纳）的本周报告。"""

    id: int
    status: ReportStatus
    progress_text: str
    problems: str
    next_steps: str
    percent: int | None
    submitted_at: datetime.datetime | None


class WeekStateOut(Schema):
    status: Status
    status_label: str
    colour: Colour
    reason: str
    progress: int


class WeekRowOut(Schema):
    item_id: int
    number: str = Field(description="台账序号，如 2.3")
    title: str
    lead_unit: UnitRef
    filing: str = Field(description="本周进展的报送情况（见 filing_counts）")
    filing_label: str
    report: WeekReportOut | None = Field(description="单位已报送的本周报告；未报送为 null")
    state: WeekStateOut = Field(description="截至今天的状态")
    lagging: bool = Field(description="逾期、滞后或本周缺报")
    reasons: list[str] = Field(description="滞后原因")


class LaggingUnitRowsOut(Schema):
    unit_id: int
    name: str
    item_ids: list[int] = Field(description="该单位滞后的事项（见 rows）")


class WeeklyOut(Schema):
    plan_id: int
    title: str
    number: int = Field(description="计划的第几周")
    start: datetime.date = Field(description="周一")
    end: datetime.date = Field(description="周日")
    range_text: str
    today: datetime.date
    previous_week: datetime.date
    next_week: datetime.date | None = Field(description="下一周；已是本周时为 null")
    total: int
    status_counts: list[WeekStatusCount] = Field(description="按状态（最严重的在前）")
    filing_counts: list[FilingCount] = Field(description="本周进展按报送情况")
    indicators: list[IndicatorTotalOut]
    lagging: list[LaggingUnitRowsOut] = Field(description="滞后单位（按单位顺序）")
    rows: list[WeekRowOut] = Field(description="各事项，按台账顺序")


class WeeklyFilter(Schema):
    week: datetime.date | None = Field(None, description="该周任意一天（YYYY-MM-DD）；不填为上一个完整的周")


def _row(row: summaries.WeekRow) -> dict:
    item, state = row.item, row.item.state
    return {
        "item_id": item.pk,
        "number": row.number,
        "title": item.title,
        "lead_unit": item.lead_unit,
        "filing": row.filing,
        "filing_label": row.filing_label,
        "report": row.filed,
        "state": {
            "status": state.status,
            "status_label": str(state.get_status_display()),
            "colour": state.colour,
            "reason": state.reason,
            "progress": state.progress,
        },
        "lagging": row.lagging,
        "reasons": row.reasons,
    }


@router.get("/plans/{int:plan_id}/weekly", response={200: WeeklyOut, **ONE_ERRORS}, summary="周报汇总")
def weekly_summary(request, plan_id: int, filters: Query[WeeklyFilter]):
    """某一周（周一至周日）的进展汇总，与网页的周报汇总相同：总体情况、指标完成情况、滞后单位及
    问题、各项目进展。只含调用者可见的事项；报告内容仅在单位已报送后显示。"""
    access = access_of(request)
    plan = plan_get(access, plan_id)
    items = items_visible(access, Item.objects.filter(plan=plan))
    today = timezone.localdate()
    start = summaries.monday_of(filters.week) if filters.week else summaries.last_completed_week(today)
    summary = summaries.weekly_summary(plan, items, start, today)
    latest = summaries.last_completed_week(today)
    return {
        "plan_id": plan.pk,
        "title": summary.title,
        "number": summary.number,
        "start": summary.start,
        "end": summary.end,
        "range_text": summary.range_text,
        "today": today,
        "previous_week": summary.start - summaries.WEEK,
        "next_week": summary.start + summaries.WEEK if summary.start <= latest else None,
        "total": summary.total,
        "status_counts": [
            {"status": s, "label": label, "colour": colour, "count": n} for s, label, colour, n in summary.status_counts
        ],
        "filing_counts": [
            {"filing": f, "label": label, "colour": colour, "count": n} for f, label, colour, n in summary.filing_counts
        ],
        "indicators": [
            {
                "name": t.name,
                "unit": t.unit,
                "items": t.items,
                "target": t.target,
                "current": t.current,
                "previous": t.previous,
                "change": t.change,
                "rate": t.rate,
            }
            for t in summary.indicators
        ],
        "lagging": [
            {"unit_id": unit.unit_id, "name": unit.name, "item_ids": [row.item.pk for row in unit.rows]}
            for unit in summary.lagging
        ],
        "rows": [_row(row) for row in summary.rows],
    }
