"""Keeping ItemState (the cached status) in step with the facts.

`item_state_refresh` runs after every change of an item's facts; `states_refresh`
re-evaluates many items at once (the periodic sweep, as days pass). Both call
status.evaluate(), the single rule, and recount the tallies (StateTally) of the states
they change.
"""

import datetime
from collections import defaultdict

from django.db.models import BooleanField, Count, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.utils import timezone

from duban.lib.bulk import rows_insert, rows_update
from duban.supervision.models import Indicator, Item, ItemState, Plan, ProgressReport, ReportStatus, TimeNode
from duban.supervision.status import Facts, Node, Verdict, evaluate
from duban.supervision.summaries import (
    FILING_FIELDS,
    WEEK,
    filing_of,
    last_completed_week,
    latest_accepted,
    ledger_key,
    week_reports,
)
from duban.supervision.tallies import tallies_refresh

# The item columns the evaluation reads (the rest are left unloaded).
FACT_FIELDS = ["plan", "lead_unit", "parent", "ordinal", "start_date", "due_date", "original_due_date", "completed_on"]
STATE_FIELDS = [
    "status",
    "colour",
    "progress",
    "expected",
    "reason",
    "days_left",
    "computed_on",
    "last_report_on",
    "missing_reports",
    "plan_id",
    "lead_unit_id",
    "fallen_due",
    "on_time",
    "reports_due",
    "reports_punctual",
    "reports_awaiting",
    "week_start",
    "week_filing",
    "ledger_top",
    "ledger_sub",
]
INDICATOR_WEEK_FIELDS = ["week_start", "week_value", "week_previous"]


def facts_for(item: Item, nodes, progress: int | None) -> Facts:
    return _facts(item, tuple(Node(n.due_date, n.done_on, n.target_percent, n.title) for n in nodes), progress)


def _facts(item: Item, nodes: tuple[Node, ...], progress: int | None) -> Facts:
    return Facts(
        start=item.start_date,
        due=item.due_date,
        completed_on=item.completed_on,
        progress=progress,
        nodes=nodes,
        deferred=item.is_deferred,
    )


def item_verdict(item: Item, today: datetime.date | None = None) -> Verdict:
    """Evaluate one item live (detail pages)."""
    today = today or timezone.localdate()
    latest = (
        ProgressReport.objects.filter(item=item, status=ReportStatus.ACCEPTED)
        .order_by("-period_start")
        .values_list("percent", flat=True)
        .first()
    )
    return evaluate(facts_for(item, item.nodes.all(), latest), today, item.plan.policy())


def item_state_refresh(item: Item, today: datetime.date | None = None) -> ItemState:
    """Re-evaluate one item and store the result."""
    states_refresh(Item.objects.filter(pk=item.pk), today)
    return ItemState.objects.get(item=item)


def measures_ledger_follow(project: Item) -> None:
    """The measures of a project keep its ordinal in their ledger key (item_save calls this,
    so that a project renumbered takes its measures with it)."""
    measures = ItemState.objects.filter(item__parent=project).exclude(ledger_top=project.ordinal)
    measures.update(ledger_top=project.ordinal)


def states_refresh(items, today: datetime.date | None = None, chunk: int = 2000) -> int:
    """Re-evaluate the given items (a queryset) in chunks; returns how many changed."""
    today = today or timezone.localdate()
    latest_percent = (
        ProgressReport.objects.filter(item=OuterRef("pk"), status=ReportStatus.ACCEPTED)
        .order_by("-period_start")
        .values("percent")[:1]
    )
    latest_period = (
        ProgressReport.objects.filter(item=OuterRef("pk"), status=ReportStatus.ACCEPTED)
        .order_by("-period_start")
        .values("period_end")[:1]
    )
    week = last_completed_week(today)  # the weekly summary's default week, kept on each state
    week_end = week + datetime.timedelta(days=6)
    changed = 0
    groups = set()  # the (plan, lead unit) groups of the states written, before and after
    ids = list(items.values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        batch_ids = ids[start : start + chunk]
        batch = list(
            Item.objects.filter(pk__in=batch_ids)
            .only(*FACT_FIELDS)
            .annotate(
                parent_ordinal=F("parent__ordinal"),
                latest_percent=Subquery(latest_percent),
                latest_period=Subquery(latest_period),
                fallen_due=ExpressionWrapper(Item.fallen_due_filter(today), output_field=BooleanField()),
                on_time=ExpressionWrapper(Item.on_time_filter(), output_field=BooleanField()),
            )
        )
        plans = {plan.pk: plan for plan in Plan.objects.filter(pk__in={item.plan_id for item in batch})}
        policies = {pk: plan.policy() for pk, plan in plans.items()}
        nodes = defaultdict(list)
        node_rows = TimeNode.objects.filter(item_id__in=batch_ids).order_by("due_date")
        for item_id, *node in node_rows.values_list("item_id", "due_date", "done_on", "target_percent", "title"):
            nodes[item_id].append(Node(*node))
        tallies = _report_tallies(batch, plans, today)
        week_filed = week_reports(Item.objects.filter(pk__in=batch_ids), week, week_end, FILING_FIELDS)
        _indicators_refresh(batch_ids, week, week_end)
        existing = {s.item_id: s for s in ItemState.objects.filter(item_id__in=batch_ids)}
        to_create, to_update = [], []
        for item in batch:
            top, sub = ledger_key(item.ordinal, item.parent_ordinal if item.parent_id else None)
            verdict = evaluate(_facts(item, tuple(nodes[item.pk]), item.latest_percent), today, policies[item.plan_id])
            values = {
                "status": verdict.status,
                "colour": verdict.colour,
                "progress": 100 if item.completed_on else (item.latest_percent or 0),
                "expected": verdict.expected,
                "reason": verdict.reason[:120],
                "days_left": verdict.days_left,
                "computed_on": today,
                "last_report_on": item.latest_period,
                "plan_id": item.plan_id,
                "lead_unit_id": item.lead_unit_id,
                "fallen_due": bool(item.fallen_due),  # NULL (unknown) in SQL: not matched
                "on_time": bool(item.on_time),
                **tallies.get(item.pk, NO_REPORTS),
                "week_start": week,
                "week_filing": filing_of(week_filed.get(item.pk), today, plans[item.plan_id].report_grace_days),
                "ledger_top": top,
                "ledger_sub": sub,
            }
            state = existing.get(item.pk)
            if state is None:
                to_create.append({"item_id": item.pk, **values})
                groups.add((item.plan_id, item.lead_unit_id))
                changed += 1
            elif any(getattr(state, k) != v for k, v in values.items()):
                groups |= {(state.plan_id, state.lead_unit_id), (item.plan_id, item.lead_unit_id)}
                for key, value in values.items():
                    setattr(state, key, value)
                to_update.append(state)
                changed += 1
        # ItemState is a cache, not audited: bulk writes are fine here.
        rows_insert(ItemState, to_create, ignore_conflicts=True)
        rows_update(ItemState, to_update, STATE_FIELDS)
    tallies_refresh(groups)
    return changed


def _indicators_refresh(item_ids, week: datetime.date, week_end: datetime.date) -> None:
    """Keep on each indicator of these items its latest accepted reading as of the end of
    `week` and a week before (summaries.indicator_totals reads them for that week)."""
    indicators = Indicator.objects.filter(item_id__in=item_ids).annotate(
        current=latest_accepted(week_end), previous=latest_accepted(week_end - WEEK)
    )
    stale = []
    for indicator in indicators.only("pk", *INDICATOR_WEEK_FIELDS):
        values = (week, indicator.current, indicator.previous)
        if (indicator.week_start, indicator.week_value, indicator.week_previous) != values:
            indicator.week_start, indicator.week_value, indicator.week_previous = values
            stale.append(indicator)
    # A cache like ItemState, not audited.
    rows_update(Indicator, stale, INDICATOR_WEEK_FIELDS)


NO_REPORTS = {"missing_reports": 0, "reports_due": 0, "reports_punctual": 0, "reports_awaiting": 0}


def _report_tallies(items, plans, today) -> dict[int, dict[str, int]]:
    """Per item: reports missing (past due plus the plan's grace and unfinished), due so far,
    handed in on time, and awaiting review; one grouped query per grace period."""
    result: dict[int, dict[str, int]] = {}
    by_grace = defaultdict(list)
    for item in items:
        by_grace[plans[item.plan_id].report_grace_days].append(item.pk)
    for grace, ids in by_grace.items():
        rows = (
            ProgressReport.objects.filter(Q(due_date__lte=today) | Q(status=ReportStatus.SUBMITTED), item_id__in=ids)
            .values("item_id")
            .annotate(
                missing_reports=Count("id", filter=ProgressReport.missing_filter(today, grace)),
                reports_due=Count("id", filter=Q(due_date__lte=today)),
                reports_punctual=Count("id", filter=ProgressReport.punctual_filter() & Q(due_date__lte=today)),
                reports_awaiting=Count("id", filter=Q(status=ReportStatus.SUBMITTED)),
            )
        )
        result.update({row.pop("item_id"): row for row in rows})
    return result
