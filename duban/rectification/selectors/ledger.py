"""Reads for the ledger pages: the plans list with their counts and one plan's ledger
(findings with their measures), each in a constant number of queries."""

from dataclasses import dataclass, field

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
            unit=query.get("unit", "") if query.get("unit", "").isdigit() else "",
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


@dataclass
class Ledger:
    findings: list = field(default_factory=list)
    categories: list = field(default_factory=list)
    measure_count: int = 0
    closed_count: int = 0


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


def ledger_for(access: Access, plan, filters: LedgerFilters) -> Ledger:
    """The plan's findings (visible to the person), each with `.rows` = its visible
    measures matching the filters, and `.total` / `.closed` over all its measures."""
    # Restrict by id so the visibility joins do not multiply the annotated sums.
    visible = rules.findings_visible(access, Finding.objects.filter(plan=plan)).values("pk")
    findings = (
        Finding.objects.filter(pk__in=visible)
        .select_related("origin_round", "origin_feedback")
        .prefetch_related("units")
        .annotate(
            total=Count("measures", distinct=True),
            closed=Count("measures", filter=Q(measures__closure=ClosureState.CLOSED), distinct=True),
            relapses=Sum("measures__relapse_count"),
        )
        .order_by("ordinal")
    )
    categories = sorted(set(Finding.objects.filter(pk__in=visible).values_list("category", flat=True)))
    if filters.category:
        findings = findings.filter(category=filters.category)
    measures = ledger_measures(access, Measure.objects.filter(finding__plan=plan))
    if filters.unit:
        unit_ids = access.tree.subtree_ids(int(filters.unit))
        measures = measures.filter(Q(item__lead_unit_id__in=unit_ids) | Q(item__co_units__in=unit_ids)).distinct()
    if filters.closure:
        measures = measures.filter(closure=filters.closure)
    if filters.type:
        measures = measures.filter(type=filters.type)
    if filters.overdue:
        measures = measures.filter(item__state__status=Status.OVERDUE)
    by_finding: dict[int, list] = {}
    for measure in measures:
        by_finding.setdefault(measure.finding_id, []).append(measure)
    q = filters.q.lower()
    result = Ledger(categories=categories)
    for finding in findings:
        finding.rows = by_finding.get(finding.pk, [])
        if filters.on_measures and not finding.rows:
            continue
        if q:
            hit = q in finding.description.lower() or q in finding.reference.lower() or q in finding.category.lower()
            if not hit:
                finding.rows = [m for m in finding.rows if q in m.item.title.lower()]
                if not finding.rows:
                    continue
        result.findings.append(finding)
        result.measure_count += len(finding.rows)
        result.closed_count += sum(1 for m in finding.rows if m.closure == ClosureState.CLOSED)
    return result
