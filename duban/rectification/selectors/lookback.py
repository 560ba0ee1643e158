"""Reads for the look-back pages: a round's measures with their state at the snapshot and
now, its progress, and the closing report turned back into objects."""

from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Count

from duban.org.access import ALL, Access
from duban.org.models import Role
from duban.rectification import access as rules
from duban.rectification.models import (
    ClosureState,
    Finding,
    LookbackReview,
    LookbackRound,
    Measure,
    ReviewVerdict,
    RoundState,
)
from duban.rectification.selectors.snapshot import compare, ledger_snapshot

VERDICT_COLOURS = {
    ReviewVerdict.HOLDS: "green",
    ReviewVerdict.PROGRESSING: "blue",
    ReviewVerdict.LAGGING: "yellow",
    ReviewVerdict.RELAPSED: "red",
}
CLOSURE_COLOURS = {
    ClosureState.OPEN: "grey",
    ClosureState.REQUESTED: "blue",
    ClosureState.REVIEWED: "blue",
    ClosureState.CLOSED: "green",
}
# The report's buckets, in reading order, with their titles and what they mean.
BUCKETS = [
    ("reopened", "出现反弹、重新打开", "回头看开始时已销号，期间被重新打开（含重新打开后又销号的）。", "red"),
    ("still_open", "仍在整改", "开始时未销号，结束时仍未销号。", "yellow"),
    ("closed_since", "期间销号", "开始时未销号，回头看期间完成销号。", "green"),
    ("new", "新增措施", "回头看期间新加入台账的措施。", "blue"),
    ("still_closed", "保持销号", "开始和结束时均已销号，未出现反弹。", "grey"),
]


def closure_label(value: str | None) -> str:
    if not value:
        return "—"
    try:
        return str(ClosureState(value).label)
    except ValueError:
        return value


@dataclass
class Row:
    """One measure of the round's plan as the detail page shows it."""

    measure: Measure
    before: str | None  # closure state at the opening snapshot (None: added since)
    review: LookbackReview | None
    can_review: bool

    @property
    def before_label(self) -> str:
        return closure_label(self.before) if self.before else "（新增）"

    @property
    def before_colour(self) -> str:
        return CLOSURE_COLOURS.get(self.before, "blue") if self.before else "blue"

    @property
    def now_colour(self) -> str:
        return CLOSURE_COLOURS.get(self.measure.closure, "grey")

    @property
    def changed(self) -> bool:
        return self.before != self.measure.closure

    @property
    def verdict_colour(self) -> str:
        return VERDICT_COLOURS.get(self.review.verdict, "grey") if self.review else "grey"


@dataclass
class Progress:
    total: int = 0
    reviewed: int = 0
    verdicts: list = field(default_factory=list)  # (value, label, colour, count)

    @property
    def unreviewed(self) -> int:
        return self.total - self.reviewed

    @property
    def percent(self) -> int:
        return round(100 * self.reviewed / self.total) if self.total else 0


def grid_units(access: Access) -> set[int] | None:
    """The units a liaison group member covers (None when the person is in no group)."""
    scope = access.scope(Role.TASKFORCE)
    if scope == ALL or not scope:
        return None
    return scope


def round_progress(round: LookbackRound) -> Progress:
    """Reviewed / total over the whole plan, and the count per verdict (two queries)."""
    total = Measure.objects.filter(finding__plan_id=round.plan_id).count()
    counts = dict(round.reviews.values("verdict").annotate(n=Count("pk")).values_list("verdict", "n"))
    verdicts = [(v.value, v.label, VERDICT_COLOURS[v], counts.get(v.value, 0)) for v in ReviewVerdict]
    return Progress(total=total, reviewed=sum(counts.values()), verdicts=verdicts)


def round_rows(
    round: LookbackRound, access: Access, *, units=None, reviewed: str = "", verdict: str = ""
) -> list[tuple[Finding, list[Row]]]:
    """The measures of the round's plan the person may see, grouped by finding, with the
    snapshot state, the round's review and whether the person may review it. A constant
    number of queries whatever the size of the ledger."""
    measures = rules.measures_visible(access, Measure.objects.filter(finding__plan_id=round.plan_id))
    if units:
        measures = measures.filter(item__lead_unit_id__in=units)
    reviews = {r.measure_id: r for r in round.reviews.select_related("reviewer")}
    if reviewed == "yes":
        measures = measures.filter(pk__in=list(reviews))
    elif reviewed == "no":
        measures = measures.exclude(pk__in=list(reviews))
    if verdict:
        measures = measures.filter(pk__in=[pk for pk, r in reviews.items() if r.verdict == verdict])
    measures = measures.select_related("item__lead_unit", "item__state", "finding").order_by(
        "finding__ordinal", "item__ordinal", "pk"
    )
    before = round.snapshot.get("measures", {})
    open_round = round.state == RoundState.OPEN
    rows = [
        Row(
            measure=m,
            before=(before.get(str(m.pk)) or {}).get("closure"),
            review=reviews.get(m.pk),
            can_review=open_round and rules.can_review_lookback(access, m),
        )
        for m in measures
    ]
    return [(finding, list(group)) for finding, group in groupby(rows, key=lambda r: r.measure.finding)]


def plan_lead_units(round: LookbackRound) -> list[tuple[int, str]]:
    """(id, name) of the units leading a measure of the plan, for the unit filter."""
    pairs = (
        Measure.objects.filter(finding__plan_id=round.plan_id)
        .values_list("item__lead_unit_id", "item__lead_unit__name", "item__lead_unit__order")
        .distinct()
    )
    return [(pk, name) for pk, name, _ in sorted(set(pairs), key=lambda p: (p[2], p[1]))]


@dataclass
class Bucket:
    key: str
    title: str
    help: str
    colour: str
    count: int
    measures: list  # visible Measure objects
    hidden: int  # how many the person may not see


def round_report(round: LookbackRound, access: Access) -> dict:
    """The comparison: stored at close, or computed live (a preview) while the round is open.
    Measures and findings the person may not see are counted but not listed."""
    if round.state == RoundState.CLOSED and round.report:
        report = round.report
    else:
        report = compare(round.snapshot, ledger_snapshot(round.plan))
        reviewed = Counter(round.reviews.values_list("verdict", flat=True))
        report["verdicts"] = dict(reviewed)
        report["reviewed"] = sum(reviewed.values())
        report["measures_total"] = sum(len(v) for k, v in report["measures"].items() if k != "removed")
        report["round_findings"] = sorted(round.new_findings.values_list("pk", flat=True))
    ids = {int(pk) for key, pks in report["measures"].items() if key != "removed" for pk in pks}
    visible = {
        m.pk: m
        for m in rules.measures_visible(access, Measure.objects.filter(pk__in=ids)).select_related(
            "item__lead_unit", "finding"
        )
    }
    buckets = []
    for key, title, help_text, colour in BUCKETS:
        pks = [int(pk) for pk in report["measures"].get(key, [])]
        shown = [visible[pk] for pk in pks if pk in visible]
        shown.sort(key=lambda m: (m.finding.ordinal, m.item.ordinal, m.pk))
        buckets.append(Bucket(key, title, help_text, colour, len(pks), shown, len(pks) - len(shown)))
    finding_ids = {int(pk) for pk in report.get("new_findings", [])} | set(report.get("round_findings", []))
    findings = list(
        rules.findings_visible(access, Finding.objects.filter(pk__in=finding_ids))
        .select_related("origin_round")
        .prefetch_related("units")
        .annotate(measure_count=Count("measures", distinct=True))
        .order_by("ordinal")
    )
    counts = report.get("verdicts", {})
    verdicts = [(v.label, VERDICT_COLOURS[v], counts.get(v.value, 0)) for v in ReviewVerdict]
    removed = [
        (round.snapshot.get("measures", {}).get(pk) or {}).get("title", pk)
        for pk in report["measures"].get("removed", [])
    ]
    return {
        "buckets": buckets,
        "findings": findings,
        "findings_count": len(finding_ids),
        "verdicts": verdicts,
        "reviewed": report.get("reviewed", 0),
        "total": report.get("measures_total", 0),
        "unreviewed": max(0, report.get("measures_total", 0) - report.get("reviewed", 0)),
        "removed": removed,
        "live": round.state == RoundState.OPEN,
    }
