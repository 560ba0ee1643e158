"""The plan dashboard and the leader view: counts by status and unit, the items that
need attention, and reports waiting. All from ItemState and aggregated queries."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.utils.text import Truncator

from duban.org.models import Unit
from duban.supervision.models import Item, ItemState, Plan, PlanStatus, ProgressReport, ReportStatus
from duban.supervision.selectors.palette import (
    COLOUR_ORDER,
    STATUS_LABELS,
    colour_hex,
    colour_words,
    status_legend,
)
from duban.supervision.status import LAGGING, SEVERITY, Policy, Status


@dataclass
class UnitRow:
    """One lead unit's items by status (cells in SEVERITY order)."""

    unit_id: int
    name: str
    order: int
    counts: dict = field(default_factory=lambda: defaultdict(int))
    colours: dict = field(default_factory=lambda: defaultdict(int))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def cells(self) -> list[int]:
        return [self.counts[s] for s in SEVERITY]


@dataclass
class PlanDashboard:
    total: int
    statuses: list[dict]  # status, label, colour, hex, count (worst first)
    units: list[UnitRow]
    totals: list[int]
    attention: list[ItemState]
    attention_total: int
    awaiting_review: int
    missing_reports: int
    chart: dict  # for json_script: the donut and the unit bars


UNIT_SORTS = {"unit": lambda r: (r.order, r.name), "total": lambda r: r.total}
UNIT_SORTS.update({str(s): (lambda r, s=s: r.counts[s]) for s in SEVERITY})


@dataclass
class Tally:
    units: list[UnitRow]
    missing: int  # reports missing
    awaiting: int  # reports awaiting review


def status_by_unit(states, tallies=None) -> Tally:
    """Lead unit × status × colour counts of the given states, and the totals of missing and
    awaiting reports (two queries: the counts, then the units' names). The counts are summed
    from `tallies` (StateTally rows of the same states) when given, else counted from the states
    over the covering index itemstate_plan_tally."""
    if tallies is not None:
        rows = tallies.values("lead_unit_id", "status", "colour").annotate(
            n=Sum("item_count"), missing=Sum("missing_reports"), awaiting=Sum("reports_awaiting")
        )
    else:
        rows = states.values("lead_unit_id", "status", "colour").annotate(
            n=Count("status"), missing=Sum("missing_reports"), awaiting=Sum("reports_awaiting")
        )
    rows = list(rows.order_by())
    units_read = Unit.objects.filter(pk__in={row["lead_unit_id"] for row in rows}).values_list("pk", "name", "order")
    names = {pk: (name, order) for pk, name, order in units_read}
    units: dict[int, UnitRow] = {}
    missing = awaiting = 0
    for row in rows:
        unit_id = row["lead_unit_id"]
        if unit_id not in names:
            continue
        unit = units.get(unit_id)
        if unit is None:
            unit = units[unit_id] = UnitRow(unit_id, *names[unit_id])
        unit.counts[row["status"]] += row["n"]
        unit.colours[row["colour"]] += row["n"]
        missing += row["missing"] or 0
        awaiting += row["awaiting"] or 0
    return Tally(sorted(units.values(), key=UNIT_SORTS["unit"]), missing, awaiting)


def sort_units(units: list[UnitRow], sort: str) -> tuple[list[UnitRow], str]:
    key = sort.lstrip("-")
    if key not in UNIT_SORTS:
        return units, ""
    return sorted(units, key=UNIT_SORTS[key], reverse=sort.startswith("-")), sort


def attention_items(states, limit: int = 50) -> list[ItemState]:
    """Overdue items (most days overdue first), then behind ones (least time left first), ties
    in ledger order; from the given states (a plan's, restricted to what the person may see).
    Each carries `overdue_days` (None unless overdue)."""
    # The first `limit` are chosen in the covering index itemstate_status (status, plan, days
    # left, ledger key, item): a sort of the few overdue and behind index entries, not of
    # their rows joined to items and units. Then only those are read with their items.
    rank = Case(When(status=Status.OVERDUE, then=Value(0)), default=Value(1), output_field=IntegerField())
    order = ("rank", F("days_left").asc(nulls_last=True), "ledger_top", "ledger_sub", "item_id")
    first = states.filter(status__in=LAGGING).annotate(rank=rank).order_by(*order).values("item_id")[:limit]
    states = list(
        ItemState.objects.filter(item_id__in=first)
        .select_related("item", "item__lead_unit", "item__parent")
        .annotate(rank=rank)
        .order_by(*order)
    )
    for state in states:
        late = state.days_left is not None and state.days_left < 0
        state.overdue_days = -state.days_left if late else None
    return states


def plan_dashboard(plan: Plan, states, *, tallies=None, sort: str = "") -> PlanDashboard:
    """Everything the plan dashboard shows, in three queries whatever the item count:
    `states` are the states of the plan's items the person may see; `tallies`, when given,
    their counts (access.tallies_visible)."""
    policy = plan.policy()
    tally = status_by_unit(states, tallies)
    units, _sort = sort_units(tally.units, sort)
    legend = status_legend(policy)
    counts = defaultdict(int)
    for unit in units:
        for status, n in unit.counts.items():
            counts[status] += n
    statuses = [dict(entry, count=counts[entry["status"]]) for entry in legend]
    return PlanDashboard(
        total=sum(counts.values()),
        statuses=statuses,
        units=units,
        totals=[counts[s] for s in SEVERITY],
        attention=attention_items(states),
        attention_total=counts[Status.OVERDUE] + counts[Status.BEHIND],
        awaiting_review=tally.awaiting,
        missing_reports=tally.missing,
        chart=_chart_data(policy, statuses, units),
    )


def _chart_data(policy: Policy, statuses: list[dict], units: list[UnitRow]) -> dict:
    words = colour_words(policy)
    by_name = sorted(units, key=UNIT_SORTS["unit"])
    return {
        "donut": [{"name": s["label"], "value": s["count"], "hex": s["hex"]} for s in statuses if s["count"]],
        "units": [u.name for u in by_name],
        "series": [
            {"name": words[c], "hex": colour_hex(c), "colour": str(c), "data": [u.colours[c] for u in by_name]}
            for c in COLOUR_ORDER
            if any(u.colours[c] for u in by_name)
        ],
    }


# --- The leader view ----------------------------------------------------------------


@dataclass
class PlanGroup:
    plan: Plan
    items: list[Item]
    counts: dict = field(default_factory=lambda: defaultdict(int))


def leader_items(items, excerpt_chars: int = 80) -> list[PlanGroup]:
    """Items (already restricted to one patron leader) grouped by active plan, each with
    its cached state and an excerpt of the latest accepted report (one query)."""
    latest = ProgressReport.objects.filter(item=OuterRef("pk"), status=ReportStatus.ACCEPTED).order_by("-period_start")
    rows = (
        items.filter(plan__status=PlanStatus.ACTIVE)
        .select_related("plan", "lead_unit", "state", "parent")
        .annotate(
            latest_text=Subquery(latest.values("progress_text")[:1]),
            latest_period=Subquery(latest.values("period_end")[:1]),
        )
        .order_by("plan__year", "plan_id", "ordinal", "id")
    )
    groups: dict[int, PlanGroup] = {}
    for item in rows:
        group = groups.setdefault(item.plan_id, PlanGroup(item.plan, []))
        item.excerpt = Truncator(item.latest_text or "").chars(excerpt_chars)
        state = getattr(item, "state", None)
        item.status_label = STATUS_LABELS.get(state.status, "") if state else ""
        group.items.append(item)
        if state:
            group.counts[state.status] += 1
    return list(groups.values())


def plans_summary(states, tallies=None) -> list[dict]:
    """Per active plan: the given states by status (worst first) and the total (two queries),
    summed from `tallies` (their StateTally rows) when given."""
    if tallies is not None:
        rows = tallies.filter(plan__status=PlanStatus.ACTIVE).values("plan_id", "status").annotate(n=Sum("item_count"))
    else:
        rows = states.filter(plan__status=PlanStatus.ACTIVE).values("plan_id", "status").annotate(n=Count("status"))
    counts: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for row in rows.order_by():
        counts[row["plan_id"]][row["status"]] += row["n"]
    plans = Plan.objects.filter(status=PlanStatus.ACTIVE).order_by("-year", "-id")
    return [
        {
            "plan": plan,
            "cells": [counts[plan.pk][s] for s in SEVERITY],
            "total": sum(counts[plan.pk].values()),
            "attention": counts[plan.pk][Status.OVERDUE] + counts[plan.pk][Status.BEHIND],
        }
        for plan in plans
    ]
