"""Seeing it through the API: the plan dashboard, the unit league table (per plan and
across plans), the battle map (挂图作战) and an item's indicator series.

The same selectors as the pages (duban.supervision.selectors) over the caller's
visible items, so a unit head counts only the items they see; each answers in a fixed
number of queries whatever the number of items.
"""

import datetime
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from duban.org.api import UnitRef
from duban.supervision.access import counted_visible, items_visible
from duban.supervision.api.common import ONE_ERRORS, READ_ERRORS, access_of, item_get, plan_get
from duban.supervision.models import Item, PlanKind
from duban.supervision.selectors import battlemap, dashboards, league
from duban.supervision.selectors.indicators import indicator_series
from duban.supervision.status import SEVERITY, Colour, Status

router = Router(tags=["看板与排名"])


# --- Schemas ------------------------------------------------------------------------
class StatusLegend(Schema):
    status: Status
    label: str
    colour: Colour
    hex: str = Field(description="图表颜色")


class StatusCount(StatusLegend):
    count: int


class UnitStatusOut(Schema):
    unit_id: int
    name: str
    total: int
    counts: dict[str, int] = Field(description="按状态的事项数（逾期、滞后……的顺序）")
    colours: dict[str, int] = Field(description="按颜色的事项数")


class AttentionOut(Schema):
    """需要关注的事项（逾期的在前，其次滞后的）。"""

    item_id: int
    title: str
    ordinal: int
    parent_id: int | None
    lead_unit: UnitRef
    status: Status
    status_label: str
    colour: Colour
    reason: str
    progress: int
    expected: int | None
    days_left: int | None
    overdue_days: int | None = Field(description="逾期天数（未逾期为 null）")
    missing_reports: int


class DonutSlice(Schema):
    name: str
    value: int
    hex: str


class ChartSeries(Schema):
    name: str
    hex: str
    colour: Colour
    data: list[int]


class ChartOut(Schema):
    donut: list[DonutSlice] = Field(description="按状态的环形图")
    units: list[str] = Field(description="柱状图的单位名称")
    series: list[ChartSeries] = Field(description="柱状图按颜色的系列，与 units 对应")


class DashboardOut(Schema):
    plan_id: int
    total: int
    statuses: list[StatusCount] = Field(description="按状态计数（最严重的在前）")
    units: list[UnitStatusOut] = Field(description="各牵头单位按状态计数")
    totals: list[int] = Field(description="各状态合计，与 statuses 顺序相同")
    attention: list[AttentionOut] = Field(description="需要关注的事项（最多 50 项）")
    attention_total: int = Field(description="逾期和滞后事项总数")
    awaiting_review: int = Field(description="待审核的报告数")
    missing_reports: int = Field(description="缺报次数合计")
    chart: ChartOut
    sort: str = Field(description="实际采用的单位排序")


class DashboardFilter(Schema):
    sort: str = Field("", max_length=30, description="单位排序：unit、total 或状态（如 overdue），前加 - 为降序")


class LeagueRowOut(Schema):
    unit_id: int | None = Field(description="合计行为 null")
    unit: str
    items: int
    completed: int
    fallen_due: int = Field(description="已到期事项数")
    completed_on_time: int
    on_time_rate: float | None = Field(description="按期完成率（0–1）；无已到期事项为 null")
    overdue: int = Field(description="当前逾期")
    behind: int = Field(description="当前滞后")
    reports_due: int = Field(description="截止日已到的报告数")
    reports_punctual: int = Field(description="按时提交的报告数")
    punctuality: float | None = Field(description="按时填报率（0–1）；无到期报告为 null")
    missing_reports: int
    deferrals_requested: int
    deferrals_approved: int


class LeagueOut(Schema):
    rows: list[LeagueRowOut]
    total: LeagueRowOut = Field(description="合计行（比率按合计重新计算）")
    sort: str = Field(description="实际采用的排序；空为“最需关注在前”")
    rules: list[str] = Field(description="计算规则")


class LeagueFilter(Schema):
    sort: str = Field("", max_length=30, description="按列排序（如 overdue、-on_time_rate）；不填为最需关注在前")


class LeagueAllFilter(LeagueFilter):
    scope: Literal["active", "all"] = Field("active", description="active 推进中的计划；all 含已结束的计划")
    year: int | None = Field(None, description="年度")
    kind: PlanKind | None = Field(None, description="计划类型")


class BattleRowOut(Schema):
    id: int
    number: str = Field(description="台账序号，如 2.3")
    title: str
    depth: int = Field(description="层级（0 为顶层事项）")
    unit: str = Field(description="牵头单位")
    start: datetime.date
    due: datetime.date | None
    original_due: datetime.date | None = Field(description="延期前的原定完成时限（未延期为 null）")
    completed_on: datetime.date | None
    status: Status
    status_label: str
    colour: Colour
    hex: str
    reason: str
    progress: int
    expected: int | None
    url: str = Field(description="事项的网页地址")


class BattleNodeOut(Schema):
    row: int = Field(description="所在行（rows 的下标）")
    title: str
    due: datetime.date
    done_on: datetime.date | None
    late: bool


class BattleMapOut(Schema):
    plan: str
    today: datetime.date
    min: datetime.date = Field(description="时间轴起点")
    max: datetime.date = Field(description="时间轴终点")
    total: int = Field(description="符合条件的事项数（各页合计）")
    projects: int = Field(description="符合条件的一级事项数（按它分页）")
    page: int
    pages: int
    rows: list[BattleRowOut]
    nodes: list[BattleNodeOut]
    legend: list[StatusLegend]


class BattleMapFilter(Schema):
    lead_unit_id: int | None = Field(None, description="牵头单位")
    status: Status | None = Field(None, description="缓存的状态")
    page: int = Field(1, ge=1, description="页码：每页 30 个一级事项及其子事项，超出末页时为末页")


class IndicatorSeriesOut(Schema):
    id: int
    name: str
    unit: str = Field(description="计量单位")
    direction: str
    direction_label: str
    baseline: int | float
    target: int | float
    points: list[tuple[datetime.date, int | float]] = Field(description="[日期, 数值]，仅已采纳的读数")
    latest: int | float | None
    latest_on: datetime.date | None
    reached: bool | None = Field(description="最近读数是否达到目标；没有读数为 null")


# --- Helpers ------------------------------------------------------------------------
def _plan_items(request, plan_id: int):
    """The plan and the part of its items the caller may see."""
    access = access_of(request)
    plan = plan_get(access, plan_id)
    return plan, items_visible(access, Item.objects.filter(plan=plan))


def _counted(request, **of_plans):
    return counted_visible(access_of(request), **of_plans)


def _attention(state) -> dict:
    item = state.item
    return {
        "item_id": item.pk,
        "title": item.title,
        "ordinal": item.ordinal,
        "parent_id": item.parent_id,
        "lead_unit": item.lead_unit,
        "status": state.status,
        "status_label": str(Status(state.status).label),
        "colour": state.colour,
        "reason": state.reason,
        "progress": state.progress,
        "expected": state.expected,
        "days_left": state.days_left,
        "overdue_days": state.overdue_days,
        "missing_reports": state.missing_reports,
    }


def _league(counted, sort: str) -> dict:
    rows, sort = league.league_sort(league.league_rows_current(*counted), sort)
    return {"rows": rows, "total": league.league_total(rows), "sort": sort, "rules": [str(r) for r in league.RULES]}


# --- Endpoints ----------------------------------------------------------------------
@router.get("/plans/{int:plan_id}/dashboard", response={200: DashboardOut, **ONE_ERRORS}, summary="计划看板")
def plan_dashboard(request, plan_id: int, filters: Query[DashboardFilter]):
    """计划看板的数据：调用者可见事项按状态、按牵头单位的计数，需要关注的事项，待审核的报告数，
    缺报次数合计和图表数据（与网页相同）。"""
    plan = plan_get(access_of(request), plan_id)
    states, tallies = _counted(request, plan=plan)
    board = dashboards.plan_dashboard(plan, states, tallies=tallies, sort=filters.sort)
    sort = filters.sort if filters.sort.lstrip("-") in dashboards.UNIT_SORTS else ""
    return {
        "plan_id": plan.pk,
        "total": board.total,
        "statuses": board.statuses,
        "units": [
            {
                "unit_id": unit.unit_id,
                "name": unit.name,
                "total": unit.total,
                "counts": {str(s): unit.counts[s] for s in SEVERITY},
                "colours": {str(c): n for c, n in unit.colours.items()},
            }
            for unit in board.units
        ],
        "totals": board.totals,
        "attention": [_attention(state) for state in board.attention],
        "attention_total": board.attention_total,
        "awaiting_review": board.awaiting_review,
        "missing_reports": board.missing_reports,
        "chart": board.chart,
        "sort": sort,
    }


@router.get("/plans/{int:plan_id}/league", response={200: LeagueOut, **ONE_ERRORS}, summary="计划的单位排名")
def league_table(request, plan_id: int, filters: Query[LeagueFilter]):
    """计划中各牵头单位的事项数、按期完成率、当前逾期和滞后、按时填报率、缺报和延期，计算规则见
    rules（与网页的单位排名相同），只统计调用者可见的事项。"""
    plan = plan_get(access_of(request), plan_id)
    return _league(_counted(request, plan=plan), filters.sort)


@router.get("/league", response={200: LeagueOut, **READ_ERRORS}, summary="各单位督办排名")
def league_all(request, filters: Query[LeagueAllFilter]):
    """跨计划的单位排名（默认只含推进中的计划），可按年度、计划类型筛选；公式与计划的单位排名相同。"""
    plans = league.plans_chosen(scope=filters.scope, year=filters.year, kind=filters.kind)
    return _league(_counted(request, plan__in=plans), filters.sort)


@router.get("/plans/{int:plan_id}/battle-map", response={200: BattleMapOut, **ONE_ERRORS}, summary="挂图作战")
def battle_map(request, plan_id: int, filters: Query[BattleMapFilter]):
    """甘特图数据（与网页的 battle-map.json 相同，分页）：可见事项按台账顺序（子事项在上级事项之后），
    时间节点（late 为逾期未完成或晚于时限完成），延期事项的原定时限，今天和时间轴范围。"""
    plan, items = _plan_items(request, plan_id)
    status = filters.status or ""
    return battlemap.battle_map(
        plan, items, timezone.localdate(), lead_unit=filters.lead_unit_id, status=status, page=filters.page
    )


@router.get(
    "/items/{int:item_id}/indicators", response={200: list[IndicatorSeriesOut], **ONE_ERRORS}, summary="事项的指标"
)
def item_indicators(request, item_id: int):
    """事项各指标的基准值、目标值和读数序列（只含已采纳报告中的和直接录入的读数），最近读数及是否
    达标。看不到的事项返回 404。"""
    return indicator_series(item_get(access_of(request), item_id))
