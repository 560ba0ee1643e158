"""Selectors of the weekly summary (周报汇总), the meeting pack (调度会材料) and the
ledger (督办台账): read-only, over an Item queryset already restricted by
`duban.supervision.access.items_visible`, with a fixed number of queries whatever
the number of items.

Status words come from the cached ItemState (status.evaluate() is the one rule); what
a report says comes from the report the unit submitted for the week.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Exists, F, Min, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from duban.lib.dates import cn_date
from duban.org.models import Unit
from duban.supervision.models import (
    Indicator,
    IndicatorReading,
    Item,
    ItemState,
    Plan,
    ProgressReport,
    ReportStatus,
    Status,
)
from duban.supervision.schedule import MAX_INTERVAL_DAYS
from duban.supervision.status import LAGGING, SEVERITY

WEEK = datetime.timedelta(days=7)
# What the unit has handed in (drafts and returned reports are still the unit's own).
FILED = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)

# How the week's report was filed: key -> (word, tag colour).
FILING = {
    "on_time": ("按时报送", "green"),
    "late": ("迟报", "yellow"),
    "missing": ("缺报", "red"),
    "pending": ("未报送", "grey"),
    "none": ("无需填报", "grey"),
}


# --- Weeks --------------------------------------------------------------------------


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def last_completed_week(today: datetime.date) -> datetime.date:
    """The Monday of the last week (Monday to Sunday) that is over."""
    return monday_of(today) - WEEK


def week_from_param(text: str, today: datetime.date) -> datetime.date:
    """The Monday of ?week=YYYY-MM-DD (any day of that week), or the last completed week."""
    try:
        return monday_of(datetime.date.fromisoformat((text or "").strip()))
    except ValueError:
        return last_completed_week(today)


def week_range_text(start: datetime.date, end: datetime.date) -> str:
    """11月16日—11月22日 (with years when the week crosses into a new year)."""
    if start.year != end.year:
        return f"{cn_date(start, full=True)}—{cn_date(end, full=True)}"
    return f"{start.month}月{start.day}日—{end.month}月{end.day}日"


# --- Ledger numbers -----------------------------------------------------------------


def ledger_number(ordinal: int, parent_ordinal: int | None) -> str:
    """An item's number in the ledger: "2", or "2.3" for the third measure of item 2."""
    return f"{parent_ordinal}.{ordinal}" if parent_ordinal is not None else str(ordinal)


def ledger_key(ordinal: int, parent_ordinal: int | None) -> tuple[int, int]:
    """An item's place in ledger order as two integers (kept on ItemState): the same order as
    sorting by (project's ordinal, is a measure, ordinal), as _ledger_ordered does."""
    if parent_ordinal is None:
        return ordinal, 0
    return parent_ordinal, ordinal + 1


def ledger_numbers(plan: Plan) -> dict[int, str]:
    """Every item's ledger number (one query)."""
    rows = {pk: (parent, ordinal) for pk, parent, ordinal in plan.items.values_list("pk", "parent_id", "ordinal")}
    return {
        pk: ledger_number(ordinal, rows[parent][1] if parent in rows else None)
        for pk, (parent, ordinal) in rows.items()
    }


def number_key(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split(".") if part.isdecimal())


def ledger_filter(items, *, status: str = "", unit: str = "", q: str = ""):
    """The plan page's filters (views/plans.py plan_detail): status, lead unit, text."""
    if status in Status.values:
        items = items.filter(state__status=status)
    if unit.isdecimal():
        items = items.filter(lead_unit_id=int(unit))
    q = (q or "").strip()
    if q:
        items = items.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return items


# --- The weekly summary -------------------------------------------------------------


@dataclass
class WeekRow:
    """One item and its report for the week."""

    item: Item
    number: str
    report: ProgressReport | None
    filing: str

    @property
    def filing_label(self) -> str:
        return FILING[self.filing][0]

    @property
    def filing_colour(self) -> str:
        return FILING[self.filing][1]

    @property
    def filed(self) -> ProgressReport | None:
        """The report when the unit handed it in (its text may be shown), else None."""
        return self.report if self.report is not None and self.report.status in FILED else None

    @property
    def lagging(self) -> bool:
        return self.item.state.status in LAGGING or self.filing == "missing"

    @property
    def reasons(self) -> list[str]:
        return lag_reasons(self)


@dataclass
class IndicatorTotal:
    """An indicator name and unit of measure summed across the plan's items."""

    name: str
    unit: str
    items: int = 0
    target: Decimal = Decimal(0)
    current: Decimal | None = None
    previous: Decimal | None = None

    @property
    def change(self) -> Decimal | None:
        if self.current is None:
            return None
        return self.current - (self.previous or 0)

    @property
    def rate(self) -> int | None:
        if self.current is None or not self.target:
            return None
        return round(self.current / self.target * 100)


@dataclass
class LaggingUnit:
    unit_id: int
    name: str
    order: int
    rows: list[WeekRow] = field(default_factory=list)


@dataclass
class WeeklySummary:
    plan: Plan
    start: datetime.date
    end: datetime.date
    number: int
    today: datetime.date
    rows: list[WeekRow]
    indicators: list[IndicatorTotal]
    lagging: list[LaggingUnit]
    status_counts: list[tuple[str, str, str, int]]  # status, word, colour, count (worst first)
    filing_counts: list[tuple[str, str, str, int]]  # filing, word, colour, count

    @property
    def range_text(self) -> str:
        return week_range_text(self.start, self.end)

    @property
    def title(self) -> str:
        return f"{self.plan.title}第{self.number}周工作进展汇总（{self.range_text}）"

    @property
    def total(self) -> int:
        return len(self.rows)


def filing_of(report: ProgressReport | None, today: datetime.date, grace: int) -> str:
    if report is None:
        return "none"
    if report.status in FILED:
        return "late" if report.is_late else "on_time"
    return "missing" if report.is_missing(today, grace) else "pending"


def week_number(plan: Plan, start: datetime.date) -> int:
    """Week N of the plan, counted from the week it (or its first item) started; the
    ISO week number for weeks before that."""
    anchor = plan.start_date
    if anchor is None:
        anchor = plan.items.order_by("start_date").values_list("start_date", flat=True).first()
    if anchor is None or start < monday_of(anchor):
        return start.isocalendar().week
    return (start - monday_of(anchor)).days // 7 + 1


# What filing_of reads of a report (states_refresh loads no more).
FILING_FIELDS = ("item_id", "period_start", "status", "due_date", "submitted_at")


def week_reports(items, start: datetime.date, end: datetime.date, fields=()) -> dict[int, ProgressReport]:
    """Per item, the report whose period covers the week (the latest if several); with
    `fields`, only those are loaded."""
    reports = ProgressReport.objects.filter(
        item__in=items.values("pk"), period_start__lte=end, period_end__gte=start
    ).order_by("item_id", "period_start")
    if fields:
        reports = reports.only(*fields)
    return {report.item_id: report for report in reports}


def latest_accepted(day: datetime.date) -> Subquery:
    """An indicator's latest accepted reading as of `day` (for annotating Indicators)."""
    accepted = IndicatorReading.objects.filter(indicator=OuterRef("pk")).filter(
        Q(report__isnull=True) | Q(report__status=ReportStatus.ACCEPTED)
    )
    return Subquery(accepted.filter(period_end__lte=day).order_by("-period_end", "-recorded_at").values("value")[:1])


def indicator_totals(indicators, end: datetime.date, *, kept: bool = False) -> list[IndicatorTotal]:
    """Per indicator name and unit (in the order their first indicator was created): the sum of the latest
    accepted readings as of `end` and a week before, against the sum of targets. With `kept`,
    the readings supervision.state keeps on each indicator are summed in the database when
    all of them are for the week ending `end` (one query); otherwise each indicator's
    readings are looked up (a second query). `indicators`: the visible items' Indicators."""
    if kept:
        start = end - datetime.timedelta(days=6)
        groups = list(
            indicators.values("name", "unit_of_measure")
            .annotate(
                n=Count("pk"),
                target_sum=Sum("target"),
                current=Sum("week_value"),
                previous=Sum("week_previous"),
                first=Min("pk"),
                stale=Count("pk", filter=Q(week_start__isnull=True) | ~Q(week_start=start)),
            )
            .order_by("first")
        )
        if not any(group["stale"] for group in groups):
            return [
                IndicatorTotal(g["name"], g["unit_of_measure"], g["n"], g["target_sum"], g["current"], g["previous"])
                for g in groups
            ]
    rows = (
        indicators.annotate(current=latest_accepted(end), previous=latest_accepted(end - WEEK))
        .order_by("pk")
        .values_list("name", "unit_of_measure", "target", "current", "previous")
    )
    totals: dict[tuple[str, str], IndicatorTotal] = {}
    for name, unit, target, current, previous in rows:
        total = totals.setdefault((name, unit), IndicatorTotal(name, unit))
        total.items += 1
        total.target += target
        if current is not None:
            total.current = (total.current or 0) + current
        if previous is not None:
            total.previous = (total.previous or 0) + previous
    return list(totals.values())


def status_counts(plan: Plan, by_status: dict[str, int]) -> list[tuple[str, str, str, int]]:
    """(status, label, the plan's colour for it, count) for each status counted."""
    policy = plan.policy()
    return [(s, str(Status(s).label), policy.colour(s), n) for s, n in by_status.items()]


def filing_counts(by_filing: dict[str, int]) -> list[tuple[str, str, str, int]]:
    """(filing, label, colour, count) for each filing verdict counted."""
    return [(f, FILING[f][0], FILING[f][1], n) for f, n in by_filing.items()]


def weekly_summary(plan: Plan, items, start: datetime.date, today: datetime.date | None = None) -> WeeklySummary:
    """The week from Monday `start` to Sunday, for the items given (a visible queryset)."""
    today = today or timezone.localdate()
    end = start + datetime.timedelta(days=6)
    numbers = ledger_numbers(plan)
    listed = list(Item.objects.filter(pk__in=items.values("pk")).select_related("state", "lead_unit"))
    listed.sort(key=lambda item: (number_key(numbers.get(item.pk, "")), item.pk))
    reports = week_reports(items, start, end)
    grace = plan.report_grace_days
    rows = []
    for item in listed:
        if not hasattr(item, "state"):
            item.state = ItemState(item=item)  # not evaluated yet: 未开始, until the next refresh
        report = reports.get(item.pk)
        rows.append(WeekRow(item, numbers.get(item.pk, str(item.ordinal)), report, filing_of(report, today, grace)))

    by_status = dict.fromkeys(SEVERITY, 0)
    by_filing = dict.fromkeys(FILING, 0)
    units: dict[int, LaggingUnit] = {}
    for row in rows:
        by_status[row.item.state.status] += 1
        by_filing[row.filing] += 1
        if row.lagging:
            unit = row.item.lead_unit
            units.setdefault(unit.pk, LaggingUnit(unit.pk, unit.name, unit.order)).rows.append(row)
    return WeeklySummary(
        plan=plan,
        start=start,
        end=end,
        number=week_number(plan, start),
        today=today,
        rows=rows,
        indicators=indicator_totals(Indicator.objects.filter(item__in=items.values("pk")), end),
        lagging=sorted(units.values(), key=lambda u: (u.order, u.unit_id)),
        status_counts=status_counts(plan, by_status),
        filing_counts=filing_counts(by_filing),
    )


# --- The weekly summary page ------------------------------------------------------
# The page summarises every item in SQL and lists them a page at a time (a plan can hold
# 30,000 items); the .xlsx and .docx downloads still hold every row (weekly_summary).

PER_PAGE = 50


def _week_reports_of(start: datetime.date, end: datetime.date):
    """Reports whose period covers the week and that are the latest such of their item
    (what _week_reports keeps)."""
    # Probed per item on report_item_period_end from the week's start: for recent weeks (the
    # usual ones) that is the item's last report or two, as no slot opens ahead of time. The
    # upper bound is implied (no period is longer than MAX_INTERVAL_DAYS) and keeps an old
    # week's probe to a year of reports, not the item's whole later history.
    latest = end + datetime.timedelta(days=MAX_INTERVAL_DAYS - 1)
    covering = ProgressReport.objects.filter(period_end__range=(start, latest), period_start__lte=end)
    later = covering.filter(item=OuterRef("item"), period_start__gt=OuterRef("period_start"))
    return covering.filter(~Exists(later))


def _ledger_ordered(items):
    """Items in ledger-number order ("2" < "2.1" < "2.3" < "3"), with the number's parts."""
    return items.annotate(
        top=Coalesce("parent__ordinal", "ordinal"),
        is_child=Case(When(parent__isnull=True, then=Value(0)), default=Value(1)),
    ).order_by("top", "is_child", "ordinal", "pk")


class _LaggingByUnit:
    """The ids of the lagging states in the page's order (unit order, then ledger order), for
    the paginator: a slice sorts only the states of the units it falls on (their counts are
    known), not all of a 30,000-item plan's lagging ones. One query for the units' order, one
    for the slice."""

    def __init__(self, states, per_unit: dict):
        self.states = states
        self.per_unit = {unit: n for unit, n in per_unit.items() if unit is not None and n}

    def __len__(self) -> int:
        return sum(self.per_unit.values())

    def __getitem__(self, page: slice) -> list[int]:
        units = Unit.objects.filter(pk__in=self.per_unit).order_by("order", "pk").values_list("pk", flat=True)
        covered, before, position = [], 0, 0
        for unit in units:
            n = self.per_unit[unit]
            if position + n <= page.start:
                before += n
            elif position < page.stop:
                covered.append(unit)
            position += n
        offset = page.start - before
        ordered = self.states.filter(lead_unit_id__in=covered).order_by(
            "lead_unit__order", "lead_unit_id", "ledger_top", "ledger_sub", "item_id"
        )
        return list(ordered.values_list("item_id", flat=True)[offset : offset + page.stop - page.start])


# What the page shows of a row's item and report (the weekly rows in supervision_tables,
# lag_reasons, filing_of); loading only these halves the time to build a page's rows.
# tests/perf/test_query_counts.py fails if a row reads a field left out (one query per row).
ROW_ITEM_FIELDS = (
    "title",
    "ordinal",
    "lead_unit__name",
    "lead_unit__order",
    "state__status",
    "state__colour",
    "state__reason",
)
ROW_REPORT_FIELDS = (*FILING_FIELDS, "progress_text", "problems", "next_steps", "percent")


def _week_rows(ids, start, end, today, grace) -> list[WeekRow]:
    """WeekRows for the items of one page, in the order of their ids. (The page's ids are
    sorted first, alone: sorting whole rows of a 30,000-item plan took several times longer.)"""
    position = {pk: i for i, pk in enumerate(ids)}
    listed = sorted(
        Item.objects.filter(pk__in=ids)
        .select_related("state", "lead_unit")
        .only(*ROW_ITEM_FIELDS)
        .annotate(parent_ordinal=F("parent__ordinal")),
        key=lambda item: position[item.pk],
    )
    reports = week_reports(Item.objects.filter(pk__in=ids), start, end, ROW_REPORT_FIELDS)
    rows = []
    for item in listed:
        if not hasattr(item, "state"):
            item.state = ItemState(item=item)  # not evaluated yet: 未开始, until the next refresh
        number = ledger_number(item.ordinal, item.parent_ordinal)
        report = reports.get(item.pk)
        rows.append(WeekRow(item, number, report, filing_of(report, today, grace)))
    return rows


@dataclass
class WeeklyPage:
    """What the weekly summary page shows: counts over all items, one page of lagging
    rows and one page of items."""

    plan: Plan
    start: datetime.date
    end: datetime.date
    number: int
    today: datetime.date
    total: int
    indicators: list[IndicatorTotal]
    status_counts: list[tuple[str, str, str, int]]
    filing_counts: list[tuple[str, str, str, int]]
    lagging_units: int  # units with at least one lagging item
    lagging: list[LaggingUnit]  # this page of lagging rows, by unit
    lagging_page: Page
    rows: list[WeekRow]  # this page of items
    page: Page

    @property
    def range_text(self) -> str:
        return week_range_text(self.start, self.end)

    @property
    def title(self) -> str:
        return f"{self.plan.title}第{self.number}周工作进展汇总（{self.range_text}）"


def weekly_page(
    plan: Plan,
    items,
    states,
    start: datetime.date,
    today: datetime.date | None = None,
    *,
    indicators=None,
    tallies=None,
    page: str | int | None = None,
    lagging_page: str | int | None = None,
    per_page: int | None = None,
    use_kept: bool = True,
) -> WeeklyPage:
    """The weekly summary for the page: the same figures as weekly_summary, the lists paged.
    `items` are the plan's items the person may see, `states` their cached states and
    `indicators` their indicators (by default, read through `items`); `tallies`, when given,
    the states' StateTally rows (access.tallies_visible), summed instead of counting the states.

    For the last week that is over (the page's default), the week's verdicts and indicator
    readings kept on the states and indicators (supervision.state, refreshed on every report
    event and by the sweep) are counted instead of the reports, and the lists are paged along
    the ledger key kept on the states, when every state is for that week; otherwise, or with
    use_kept=False, everything is worked out from the reports and the items (the same figures:
    tests/supervision/test_summaries.py)."""
    today = today or timezone.localdate()
    per_page = per_page or PER_PAGE
    end = start + datetime.timedelta(days=6)
    grace = plan.report_grace_days
    if indicators is None:
        indicators = Indicator.objects.filter(item__in=items.values("pk"))
    mine = Item.objects.filter(pk__in=items.values("pk"))
    total = items.count()  # items_visible is distinct where a join could repeat an item
    # 1. Counts by status (an item not evaluated yet counts as 未开始), and what the states
    # keep of the week: verdicts, and lagging ones by unit. One pass over the states, grouped
    # in the order of the index itemstate_plan_week (so that no sort is needed).
    by_status = dict.fromkeys(SEVERITY, 0)
    kept_filing = dict.fromkeys(FILING, 0)
    kept_lagging: dict[int | None, int] = {}
    fresh = 0
    if tallies is not None:  # grouped in the order of the index statetally_key
        grouped = ("lead_unit_id", "status", "colour", "week_start", "week_filing")
        counted = (
            tallies.values_list(*grouped)
            .annotate(n=Sum("item_count"))
            .values_list("week_start", "week_filing", "status", "lead_unit_id", "n")
        )
    else:
        counted = states.values_list("week_start", "week_filing", "status", "lead_unit_id").annotate(n=Count("*"))
    for week, filing, status, unit, n in counted.order_by():
        by_status[status] += n
        if week == start:
            kept_filing[filing] += n
            fresh += n
        if status in LAGGING or filing == "missing":
            kept_lagging[unit] = kept_lagging.get(unit, 0) + n
    default_week = use_kept and start == last_completed_week(today)
    kept = default_week and fresh == total == sum(by_status.values())
    by_status[Status.NOT_STARTED] += total - sum(by_status.values())
    if kept:
        # 2.-4. from the states alone (supervision.state keeps them by the same rules).
        by_filing = kept_filing
        per_unit = kept_lagging
        lagging_ids = _LaggingByUnit(states.filter(Q(status__in=LAGGING) | Q(week_filing="missing")), per_unit)
        all_ids = states.order_by("ledger_top", "ledger_sub", "item_id").values_list("item_id", flat=True)
    else:
        by_filing = _filing_counts(items, start, end, today, grace, total)
        # 3. Lagging: overdue or behind now, or this week's report missing; by unit, in ledger order.
        missing = _week_reports_of(start, end).filter(ProgressReport.missing_filter(today, grace), item=OuterRef("pk"))
        lagging_items = mine.filter(Q(state__status__in=LAGGING) | Exists(missing))
        per_unit = dict(lagging_items.values_list("lead_unit_id").annotate(n=Count("pk")).order_by())
        lagging_ids = (
            _ledger_ordered(lagging_items)
            .order_by("lead_unit__order", "lead_unit_id", "top", "is_child", "ordinal", "pk")
            .values_list("pk", flat=True)
        )
        all_ids = _ledger_ordered(mine).values_list("pk", flat=True)
    lagging_paginator = Paginator(lagging_ids, per_page)
    lagging_paginator.count = sum(per_unit.values())  # counted above: no second COUNT query
    lagging_paged = lagging_paginator.get_page(lagging_page)
    units: dict[int, LaggingUnit] = {}
    for row in _week_rows(list(lagging_paged.object_list), start, end, today, grace):
        unit = row.item.lead_unit
        units.setdefault(unit.pk, LaggingUnit(unit.pk, unit.name, unit.order)).rows.append(row)
    # 4. This page of all items.
    paginator = Paginator(all_ids, per_page)
    paginator.count = total  # counted by status above
    paged = paginator.get_page(page)
    return WeeklyPage(
        plan=plan,
        start=start,
        end=end,
        number=week_number(plan, start),
        today=today,
        total=total,
        indicators=indicator_totals(indicators, end, kept=default_week),
        status_counts=status_counts(plan, by_status),
        filing_counts=filing_counts(by_filing),
        lagging_units=len(per_unit),
        lagging=list(units.values()),
        lagging_page=lagging_paged,
        rows=_week_rows(list(paged.object_list), start, end, today, grace),
        page=paged,
    )


def _filing_counts(items, start, end, today, grace, total) -> dict[str, int]:
    """Counts by filing verdict, from the week's reports of the items."""
    week = _week_reports_of(start, end).filter(item__in=items.values("pk"))
    filed = Q(status__in=FILED)
    counted = week.aggregate(
        reports=Count("pk"),
        late=Count("pk", filter=filed & Q(submitted_on__gt=F("due_date"))),
        filed=Count("pk", filter=filed),
        missing=Count("pk", filter=ProgressReport.missing_filter(today, grace)),
    )
    return {
        "on_time": counted["filed"] - counted["late"],
        "late": counted["late"],
        "missing": counted["missing"],
        "pending": counted["reports"] - counted["filed"] - counted["missing"],
        "none": total - counted["reports"],
    }


def lag_reasons(row: WeekRow) -> list[str]:
    """Why a row counts as lagging, in words."""
    reasons = []
    if row.item.state.status in LAGGING:
        reasons.append(f"{row.item.state.get_status_display()}：{row.item.state.reason}")
    if row.filing == "missing":
        reasons.append("本周进展缺报")
    return reasons


# --- The meeting pack ---------------------------------------------------------------


@dataclass
class PackEntry:
    item: Item
    number: str
    report: ProgressReport | None


@dataclass
class PackUnit:
    unit_id: int
    name: str
    order: int
    entries: list[PackEntry] = field(default_factory=list)


def meeting_pack(plan: Plan, items) -> list[PackUnit]:
    """Per lead unit (in unit order), each of its items with the latest report the unit
    handed in (three queries)."""
    latest = (
        ProgressReport.objects.filter(item=OuterRef("pk"), status__in=FILED).order_by("-period_start").values("pk")[:1]
    )
    listed = list(
        Item.objects.filter(pk__in=items.values("pk"))
        .select_related("state", "lead_unit")
        .annotate(latest_report=Subquery(latest))
    )
    reports = ProgressReport.objects.in_bulk([i.latest_report for i in listed if i.latest_report])
    numbers = ledger_numbers(plan)
    units: dict[int, PackUnit] = {}
    for item in sorted(listed, key=lambda i: (number_key(numbers.get(i.pk, "")), i.pk)):
        unit = units.setdefault(
            item.lead_unit_id, PackUnit(item.lead_unit_id, item.lead_unit.name, item.lead_unit.order)
        )
        unit.entries.append(PackEntry(item, numbers.get(item.pk, str(item.ordinal)), reports.get(item.latest_report)))
    return sorted(units.values(), key=lambda u: (u.order, u.unit_id))
