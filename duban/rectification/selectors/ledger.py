"""Reads for the ledger pages: the plans list with their counts and one plan's ledger
(findings with their measures), each in a constant number of queries."""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery, Sum

from duban.org.access import Access
from duban.rectification import access as rules
from duban.rectification.models import (
    ClosureRequest,
    ClosureState,
    ClosureStatus,
    Finding,
    Measure,
    MeasureType,
)
from duban.supervision.models import Plan, PlanKind, Status


def rectification_plans():
    return Plan.objects.filter(kind=PlanKind.RECTIFICATION).select_related("owner_unit", "rectification")


def plan_rows(access: Access, plans) -> list[tuple]:
    """(plan, counts) for each plan; measure counts cover the measures the person sees."""
    plans = list(plans)
    ids = [p.pk for p in plans]
    findings = dict(
        rules.findings_visible(access, Finding.objects.filter(plan_id__in=ids))
        .order_by()
        .values("plan_id")
        .annotate(n=Count("id", distinct=True))
        .values_list("plan_id", "n")
    )
    measures = {
        row["finding__plan_id"]: row
        for row in rules.measures_visible(access, Measure.objects.filter(finding__plan_id__in=ids))
        .order_by()
        .values("finding__plan_id")
        .annotate(
            total=Count("pk"),
            closed=Count("pk", filter=Q(closure=ClosureState.CLOSED)),
            overdue=Count("pk", filter=Q(item__state__status=Status.OVERDUE)),
            relapses=Sum("relapse_count"),
        )
    }
    rows = []
    for plan in plans:
        counts = dict(measures.get(plan.pk, {}))
        counts["findings"] = findings.get(plan.pk, 0)
        total, closed = counts.get("total", 0), counts.get("closed", 0)
        counts["percent"] = round(closed * 100 / total) if total else None
        rows.append((plan, counts))
    return rows


@dataclass
class LedgerFilters:
    unit: str = ""
    closure: str = ""
    category: str = ""
    type: str = ""
    overdue: bool = False
    q: str = ""

    @classmethod
    def from_query(cls, query) -> "LedgerFilters":
        return cls(
            unit=query.get("unit", "") if query.get("unit", "").isdecimal() else "",
            closure=query.get("closure", "") if query.get("closure", "") in ClosureState.values else "",
            category=query.get("category", "").strip()[:40],
            type=query.get("type", "") if query.get("type", "") in MeasureType.values else "",
            overdue=query.get("overdue") == "1",
            q=query.get("q", "").strip()[:60],
        )

    @property
    def on_measures(self) -> bool:
        return bool(self.unit or self.closure or self.type or self.overdue)

    @property
    def active(self) -> bool:
        return self.on_measures or bool(self.category or self.q)


PAGE_SIZE = 20  # findings a page (with their measures: some 60 rows)


@dataclass
class Ledger:
    findings: list = field(default_factory=list)  # of the page
    categories: list = field(default_factory=list)
    finding_count: int = 0  # over every page
    measure_count: int = 0
    closed_count: int = 0
    page: object = None  # django.core.paginator.Page


def approved_closures():
    """The latest approved closure of a measure, for 'who approved and when'."""
    return ClosureRequest.objects.filter(measure=OuterRef("pk"), status=ClosureStatus.APPROVED).order_by(
        "-approved_at", "-id"
    )


def ledger_measures(access: Access, queryset):
    approved = approved_closures()
    return (
        rules.measures_visible(access, queryset)
        .select_related("item", "item__lead_unit", "item__responsible_person", "item__patron_leader", "item__state")
        .annotate(
            approver_name=Subquery(approved.values("approved_by__name")[:1]),
            approved_at=Subquery(approved.values("approved_at")[:1]),
        )
        .order_by("item__ordinal", "pk")
    )


def ledger_for(access: Access, plan, filters: LedgerFilters, page=None) -> Ledger:
    """One page of the plan's findings (visible to the person, matching the filters),
    each with `.rows` = its visible measures matching the filters, and `.total` /
    `.closed` over all its measures; the counts cover every page. A constant number of
    queries, and only the page's rows are read."""
    # Restrict by id so the visibility joins do not multiply the annotated sums.
    visible = rules.findings_visible(access, Finding.objects.filter(plan=plan)).values("pk")
    categories = sorted(Finding.objects.filter(pk__in=visible).order_by().values_list("category", flat=True).distinct())
    findings = Finding.objects.filter(pk__in=visible)
    if filters.category:
        findings = findings.filter(category=filters.category)
    measures = rules.measures_visible(access, Measure.objects.filter(finding__plan=plan))
    if filters.unit:
        unit_ids = access.tree.subtree_ids(int(filters.unit))
        measures = measures.filter(Q(item__lead_unit_id__in=unit_ids) | Q(item__co_units__in=unit_ids))
    if filters.closure:
        measures = measures.filter(closure=filters.closure)
    if filters.type:
        measures = measures.filter(type=filters.type)
    if filters.overdue:
        measures = measures.filter(item__state__status=Status.OVERDUE)
    if filters.on_measures:
        findings = findings.filter(pk__in=measures.values("finding_id"))
    if filters.q:
        # A finding matches on its own text (then all its measures show) or through the
        # titles of its measures (then only those show).
        q = filters.q
        text = Q(description__icontains=q) | Q(reference__icontains=q) | Q(category__icontains=q)
        titled = Q(item__title__icontains=q)
        findings = findings.filter(text | Q(pk__in=measures.filter(titled).values("finding_id")))
        measures = measures.filter(titled | Q(finding__in=findings.filter(text).values("pk")))
    measures = Measure.objects.filter(pk__in=measures.values("pk"), finding__in=findings.values("pk"))
    totals = measures.aggregate(n=Count("pk"), closed=Count("pk", filter=Q(closure=ClosureState.CLOSED)))
    listed = (
        findings.select_related("origin_round", "origin_feedback")
        .prefetch_related("units")
        .annotate(
            total=Count("measures", distinct=True),
            closed=Count("measures", filter=Q(measures__closure=ClosureState.CLOSED), distinct=True),
            relapses=Sum("measures__relapse_count"),
        )
        .order_by("ordinal", "pk")
    )
    result = Ledger(categories=categories, measure_count=totals["n"], closed_count=totals["closed"])
    result.page = Paginator(listed, PAGE_SIZE).get_page(page)
    result.finding_count = result.page.paginator.count
    result.findings = list(result.page.object_list)
    by_finding: dict[int, list] = {}
    if result.findings:
        rows = ledger_measures(access, measures.filter(finding_id__in=[f.pk for f in result.findings]))
        for measure in rows:
            by_finding.setdefault(measure.finding_id, []).append(measure)
    for finding in result.findings:
        finding.rows = by_finding.get(finding.pk, [])
    return result
