"""The unit league table (单位排名): how each lead unit is doing, by rules written once.

The formulas, reused by the assessment capability (考核):

- **items**: items the unit leads.
- **completed**: items with a completion date.
- **on-time completion rate** (按期完成率) = items completed on or before their
  *original* due date ÷ items that have fallen due, i.e. completed, or not completed
  with an original due date before today. A deferral does not make a late item
  on time. Items with no due date (长期坚持) count as on time once completed.
- **overdue now / behind now**: the cached status (ItemState) today.
- **report punctuality** (按时填报率) = reports submitted (awaiting review or
  accepted) on or before their due date ÷ reports due so far (due date on or before
  today). Returned reports do not count as submitted.
- **missing reports** (缺报): the cached count per item (past due plus the plan's grace
  and still unfinished), summed.
- **deferrals requested / approved**: every request, and those approved.

A rate with nothing to divide by is None ("—"), never 0 or 100%.
"""

import datetime
from dataclasses import dataclass, fields

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font

from duban.lib.xlsx import HeaderColumn, header_write, rows_write
from duban.org.models import Unit
from duban.supervision.models import Deferral, DeferralStatus, Item, Plan, PlanStatus, ProgressReport
from duban.supervision.status import Status


@dataclass
class LeagueRow:
    unit_id: int | None
    unit: str
    unit_order: int = 0
    items: int = 0
    completed: int = 0
    fallen_due: int = 0
    completed_on_time: int = 0
    overdue: int = 0
    behind: int = 0
    reports_due: int = 0
    reports_punctual: int = 0
    missing_reports: int = 0
    deferrals_requested: int = 0
    deferrals_approved: int = 0

    @property
    def on_time_rate(self) -> float | None:
        """Completed on time ÷ fallen due."""
        return _ratio(self.completed_on_time, self.fallen_due)

    @property
    def punctuality(self) -> float | None:
        """Reports submitted by their due date ÷ reports due so far."""
        return _ratio(self.reports_punctual, self.reports_due)


COUNTS = [f.name for f in fields(LeagueRow) if f.name not in ("unit_id", "unit", "unit_order")]


# The same rules in words, for the page footnote and the workbook.
RULES = [
    _(
        "按期完成率 = 在原定完成时限前（含当日）完成的事项数 ÷ 已到期事项数（已完成的，"
        "或原定时限早于今天仍未完成的）；经批准延期后完成的不算按期；长期坚持事项完成即算按期。"
    ),
    _("当前逾期、当前滞后：按今天的事项状态统计。"),
    _(
        "按时填报率 = 在填报截止日前（含当日）提交（待审核或已采纳）的报告数 ÷ 截止日已到的报告数；"
        "被退回的报告不算已提交。"
    ),
    _("缺报次数：填报截止日加宽限天数后仍未提交的报告数。"),
    _("申请延期：全部延期申请数；批准延期：其中已批准的数量。"),
    _("默认排序“最需关注在前”：逾期多、滞后多、缺报多、按期完成率低、按时填报率低的单位在前。"),
]


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _deferrals_add(rows: dict[int, LeagueRow], deferrals) -> None:
    deferrals = deferrals.values("item__lead_unit_id").annotate(
        requested=Count("pk"), approved=Count("pk", filter=Q(status=DeferralStatus.APPROVED))
    )
    for r in deferrals:
        if row := rows.get(r["item__lead_unit_id"]):
            row.deferrals_requested, row.deferrals_approved = r["requested"], r["approved"]


def _in_unit_order(rows: dict[int, LeagueRow]) -> list[LeagueRow]:
    return sorted(rows.values(), key=lambda r: (r.unit_order, r.unit))


def league_rows(items, today: datetime.date) -> list[LeagueRow]:
    """One row per lead unit of the given items as of any day (three queries), in unit order.
    Counts every report: the pages read league_rows_current instead."""
    ids = items.values("pk")
    done = Q(completed_on__isnull=False)
    item_rows = (
        Item.objects.filter(pk__in=ids)
        .values("lead_unit_id", "lead_unit__name", "lead_unit__order")
        .annotate(
            items=Count("pk"),
            completed=Count("pk", filter=done),
            fallen_due=Count("pk", filter=Item.fallen_due_filter(today)),
            completed_on_time=Count("pk", filter=Item.on_time_filter()),
            overdue=Count("pk", filter=Q(state__status=Status.OVERDUE)),
            behind=Count("pk", filter=Q(state__status=Status.BEHIND)),
            missing_reports=Coalesce(Sum("state__missing_reports"), 0),
        )
    )
    rows: dict[int, LeagueRow] = {}
    for r in item_rows:
        rows[r["lead_unit_id"]] = LeagueRow(
            unit_id=r["lead_unit_id"],
            unit=r["lead_unit__name"],
            unit_order=r["lead_unit__order"],
            **{k: r[k] for k in ("items", "completed", "fallen_due", "completed_on_time", "overdue", "behind")},
            missing_reports=r["missing_reports"],
        )
    reports = (
        ProgressReport.objects.filter(item__in=ids, due_date__lte=today)
        .values("item__lead_unit_id")
        .annotate(due=Count("pk"), punctual=Count("pk", filter=ProgressReport.punctual_filter()))
    )
    for r in reports:
        if row := rows.get(r["item__lead_unit_id"]):
            row.reports_due, row.reports_punctual = r["due"], r["punctual"]
    _deferrals_add(rows, Deferral.objects.filter(item__in=ids))
    return _in_unit_order(rows)


def league_rows_current(states, tallies=None) -> list[LeagueRow]:
    """The same rows, today, from the items' cached states (ItemState keeps each item's facts
    by the same rules; states_refresh updates them on every change and in the periodic sweep):
    a pass over one row per item instead of every report, or over their StateTally rows when
    `tallies` are given (access.tallies_visible). Three queries."""
    if tallies is not None:
        counts = _tallies_summed(tallies)
    else:
        counts = _states_counted(states)
    counts = {r.pop("lead_unit_id"): r for r in counts}
    rows = {
        unit.pk: LeagueRow(unit_id=unit.pk, unit=unit.name, unit_order=unit.order, **counts[unit.pk])
        for unit in Unit.objects.filter(pk__in=counts).only("name", "order")
    }
    # From the (few) deferrals, each checked against the states, not from every state.
    _deferrals_add(rows, Deferral.objects.filter(Exists(states.filter(item_id=OuterRef("item_id")))))
    return _in_unit_order(rows)


def _tallies_summed(tallies):
    def of(status):
        return Coalesce(Sum("item_count", filter=Q(status=status)), 0)

    return (
        tallies.values("lead_unit_id")
        .annotate(
            items=Sum("item_count"),
            completed=of(Status.COMPLETED),
            fallen_due=Sum("fallen_due"),
            completed_on_time=Sum("on_time"),
            overdue=of(Status.OVERDUE),
            behind=of(Status.BEHIND),
            missing_reports=Sum("missing_reports"),
            reports_due=Sum("reports_due"),
            reports_punctual=Sum("reports_punctual"),
        )
        .order_by()
    )


def _states_counted(states):
    # Count "status", not the primary key: item_id is not in the covering index itemstate_plan_tally.
    return (
        states.values("lead_unit_id")
        .annotate(
            items=Count("status"),
            completed=Count("status", filter=Q(status=Status.COMPLETED)),
            fallen_due=Count("status", filter=Q(fallen_due=True)),
            completed_on_time=Count("status", filter=Q(on_time=True)),
            overdue=Count("status", filter=Q(status=Status.OVERDUE)),
            behind=Count("status", filter=Q(status=Status.BEHIND)),
            missing_reports=Sum("missing_reports"),
            reports_due=Sum("reports_due"),
            reports_punctual=Sum("reports_punctual"),
        )
        .order_by()
    )


def plans_chosen(*, scope: str = "", year: int | None = None, kind: str = ""):
    """The plans of the all-plans league table: active ones (scope "all": closed ones too),
    of a year and a kind when given."""
    statuses = [PlanStatus.ACTIVE, PlanStatus.CLOSED] if scope == "all" else [PlanStatus.ACTIVE]
    plans = Plan.objects.filter(status__in=statuses)
    if year:
        plans = plans.filter(year=year)
    if kind:
        plans = plans.filter(kind=kind)
    return plans


def league_total(rows: list[LeagueRow]) -> LeagueRow:
    """The totals row: counts summed, rates recomputed from the sums."""
    total = LeagueRow(unit_id=None, unit="合计")
    for row in rows:
        for name in COUNTS:
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total


def _rate_key(rate: float | None) -> float:
    # No rate sorts as if perfect: a unit with nothing due yet is not "worst".
    return 1.0 if rate is None else rate


def worst_first(row: LeagueRow):
    """The default order: most overdue, most behind, most missing reports, lowest rates."""
    return (
        -row.overdue,
        -row.behind,
        -row.missing_reports,
        _rate_key(row.on_time_rate),
        _rate_key(row.punctuality),
        row.unit_order,
        row.unit,
    )


SORTS = {
    "unit": lambda r: (r.unit_order, r.unit),
    "items": lambda r: r.items,
    "completed": lambda r: r.completed,
    "on_time_rate": lambda r: _rate_key(r.on_time_rate),
    "overdue": lambda r: r.overdue,
    "behind": lambda r: r.behind,
    "punctuality": lambda r: _rate_key(r.punctuality),
    "missing_reports": lambda r: r.missing_reports,
    "deferrals_requested": lambda r: r.deferrals_requested,
    "deferrals_approved": lambda r: r.deferrals_approved,
}


def league_sort(rows: list[LeagueRow], sort: str) -> tuple[list[LeagueRow], str]:
    """Sort by a column ("overdue", "-overdue"); anything else: worst first ("")."""
    key = sort.lstrip("-")
    if key not in SORTS:
        return sorted(rows, key=worst_first), ""
    return sorted(rows, key=lambda r: (SORTS[key](r), r.unit_order), reverse=sort.startswith("-")), sort


COLUMNS = [
    HeaderColumn("排名", 8, required=True),
    HeaderColumn("牵头单位", 24, required=True),
    HeaderColumn("事项数", 10, required=True),
    HeaderColumn("已完成", 10, required=True),
    HeaderColumn("按期完成率", 12, required=True),
    HeaderColumn("当前逾期", 10, required=True),
    HeaderColumn("当前滞后", 10, required=True),
    HeaderColumn("按时填报率", 12, required=True),
    HeaderColumn("缺报次数", 10, required=True),
    HeaderColumn("申请延期", 10, required=True),
    HeaderColumn("批准延期", 10, required=True),
]
RATE_COLUMNS = (5, 8)


def _cells(rank, row: LeagueRow) -> list:
    return [
        rank,
        row.unit,
        row.items,
        row.completed,
        row.on_time_rate,
        row.overdue,
        row.behind,
        row.punctuality,
        row.missing_reports,
        row.deferrals_requested,
        row.deferrals_approved,
    ]


def league_workbook(rows: list[LeagueRow], *, title: str, note: str = "") -> Workbook:
    """The table as a workbook: a styled header, one row per unit, a totals row, rates
    as percentages and the rules in a second sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "单位排名"
    header_write(sheet, COLUMNS)
    data = [_cells(rank, row) for rank, row in enumerate(rows, start=1)]
    data.append(_cells("", league_total(rows)))
    rows_write(sheet, data, COLUMNS)
    for offset in range(len(data)):
        for column in RATE_COLUMNS:
            sheet.cell(row=offset + 2, column=column).number_format = "0.0%"
    for cell in sheet[len(data) + 1]:
        cell.font = Font(bold=True)
    rules = workbook.create_sheet("计算规则")
    rules.column_dimensions["A"].width = 120
    for index, line in enumerate(filter(None, [title, note, *RULES]), start=1):
        rules.cell(row=index, column=1, value=str(line))
    return workbook
