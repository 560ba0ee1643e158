"""Unit assessment scores, computed from the data by rules written once and shown beside the result.

For each assessed unit and each rule a `Part` holds the fact (a rate with its numerator and
denominator, a count, or the assessors' scores) and the points it earns:

- rate rules:   points = rule points × rate (a unit with nothing to measure earns the full points
  and the part says so: "无应考核事项，按满分计");
- count rules:  points = rule points × count, limited to ± cap;
- manual rules: points = the mean of the assessors' scores (each between 0 and rule points);
  a unit nobody scored earns 0 and the part says so.

total = base score + Σ points; the grade is the highest band whose minimum the total reaches.

The facts (see duban.supervision.selectors.league for the item and report formulas):
- 按期完成率, 按时填报率, 逾期事项数, 缺报次数, 批准延期次数: the league table's rules over the items of the
  period's plans (all plans when none is chosen) that the unit leads, as of the period's end (or
  today, if earlier).
- 整改措施销号数: measures the unit leads closed within the period.
- 整改反弹次数: relapses of the unit found within the period.
- 回头看未通过数: look-back reviews within the period of the unit's measures with the verdict
  进展滞后 or 出现反弹.
- 问责记录数: accountability records of the unit decided within the period.
- 正面/反面典型数: typical examples of the unit recognised within the period.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.utils import timezone

from duban.assessment.models import AssessmentPeriod, ExampleKind, ManualScore, Metric, ScoringRule

TWO = Decimal("0.01")


def q(value) -> Decimal:
    return Decimal(value).quantize(TWO, rounding=ROUND_HALF_UP)


@dataclass
class Part:
    rule_id: int
    title: str
    metric: str
    value: str  # the fact in words: "18/20 = 90.00%", "3 次", "评分 85.00、90.00，平均 87.50"
    points: Decimal
    note: str = ""

    def as_dict(self):
        return {
            "rule": self.rule_id,
            "title": self.title,
            "metric": self.metric,
            "value": self.value,
            "points": str(self.points),
            "note": self.note,
        }


@dataclass
class UnitScore:
    unit_id: int
    unit: str
    parts: list = field(default_factory=list)
    total: Decimal = Decimal(0)
    band: str = ""
    rank: int | None = None

    def as_dict(self):
        return {
            "unit": self.unit_id,
            "name": self.unit,
            "parts": [p.as_dict() for p in self.parts],
            "total": str(self.total),
            "band": self.band,
            "rank": self.rank,
        }


def as_of(period: AssessmentPeriod, today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return min(period.end, today)


def _items(period: AssessmentPeriod):
    from duban.supervision.models import Item

    plans = list(period.plans.values_list("pk", flat=True))
    items = Item.objects.filter(lead_unit__in=period.units.all())
    return items.filter(plan__in=plans) if plans else items


def _count_by_unit(queryset, unit_field: str) -> dict:
    return {r[unit_field]: r["n"] for r in queryset.values(unit_field).annotate(n=Count("pk"))}


def facts(period: AssessmentPeriod, today: datetime.date | None = None) -> dict:
    """{metric: {unit_id: (numerator, denominator) for rates, or count}} for every metric."""
    from duban.rectification.models import LookbackReview, Measure, Relapse, ReviewVerdict
    from duban.supervision.models import Accountability
    from duban.supervision.selectors.league import league_rows

    day = as_of(period, today)
    start, end = period.start, period.end
    units = period.units.all()
    league = {r.unit_id: r for r in league_rows(_items(period), day)}
    result = {
        Metric.ON_TIME_RATE: {u: (r.completed_on_time, r.fallen_due) for u, r in league.items()},
        Metric.REPORT_PUNCTUALITY: {u: (r.reports_punctual, r.reports_due) for u, r in league.items()},
        Metric.OVERDUE_ITEMS: {u: r.overdue for u, r in league.items()},
        Metric.MISSING_REPORTS: {u: r.missing_reports for u, r in league.items()},
        Metric.DEFERRALS: {u: r.deferrals_approved for u, r in league.items()},
    }
    result[Metric.MEASURES_CLOSED] = _count_by_unit(
        Measure.objects.filter(item__lead_unit__in=units, closed_on__range=(start, end)), "item__lead_unit"
    )
    result[Metric.RELAPSES] = _count_by_unit(
        Relapse.objects.filter(unit__in=units, found_on__range=(start, end)), "unit"
    )
    result[Metric.LOOKBACK_FAILURES] = _count_by_unit(
        LookbackReview.objects.filter(
            measure__item__lead_unit__in=units,
            reviewed_at__date__range=(start, end),
            verdict__in=[ReviewVerdict.LAGGING, ReviewVerdict.RELAPSED],
        ),
        "measure__item__lead_unit",
    )
    result[Metric.ACCOUNTABILITY] = _count_by_unit(
        Accountability.objects.filter(unit__in=units, decided_on__range=(start, end)), "unit"
    )
    from duban.assessment.models import Example

    examples = Example.objects.filter(unit__in=units, recognised_on__range=(start, end))
    result[Metric.GOOD_EXAMPLES] = _count_by_unit(examples.filter(kind=ExampleKind.GOOD), "unit")
    result[Metric.BAD_EXAMPLES] = _count_by_unit(examples.filter(kind=ExampleKind.BAD), "unit")
    return result


def _manual(period: AssessmentPeriod) -> dict:
    """{(rule_id, unit_id): [scores]}"""
    scores = {}
    for s in ManualScore.objects.filter(rule__period=period).order_by("assessor_id"):
        scores.setdefault((s.rule_id, s.unit_id), []).append(s.score)
    return scores


def part_for(rule: ScoringRule, unit_id: int, fact, manual: list | None) -> Part:
    points = Decimal(rule.points)
    if rule.is_rate:
        numerator, denominator = fact or (0, 0)
        if not denominator:
            return Part(rule.pk, rule.title, rule.metric, "—", q(points), "无应考核事项，按满分计")
        rate = Decimal(numerator) / Decimal(denominator)
        return Part(rule.pk, rule.title, rule.metric, f"{numerator}/{denominator} = {q(rate * 100)}%", q(points * rate))
    if rule.is_manual:
        if not manual:
            return Part(rule.pk, rule.title, rule.metric, "—", q(0), "尚无评分")
        mean = sum(manual, Decimal(0)) / len(manual)
        shown = "、".join(str(q(s)) for s in manual)
        return Part(rule.pk, rule.title, rule.metric, f"评分 {shown}，平均 {q(mean)}", q(mean))
    count = int(fact or 0)
    earned = points * count if count else Decimal(0)
    note = ""
    if rule.cap is not None and abs(earned) > rule.cap:
        earned = rule.cap if earned > 0 else -rule.cap
        note = f"已达上限 {q(rule.cap)} 分"
    return Part(rule.pk, rule.title, rule.metric, f"{count} 次", q(earned), note)


def band_for(total: Decimal, bands: list) -> str:
    for label, minimum in bands:  # highest minimum first
        if total >= minimum:
            return label
    return ""


def compute(period: AssessmentPeriod, today: datetime.date | None = None) -> list[UnitScore]:
    """Every assessed unit's score with its parts, ranked (ties share a rank)."""
    rules = list(period.rules.order_by("order", "id"))
    all_facts = facts(period, today)
    manual = _manual(period)
    bands = list(period.bands.order_by("-min_score").values_list("label", "min_score"))
    scores = []
    for unit in period.units.order_by("order", "name"):
        row = UnitScore(unit.pk, unit.name)
        for rule in rules:
            fact = None if rule.is_manual else all_facts[rule.metric].get(unit.pk)
            row.parts.append(part_for(rule, unit.pk, fact, manual.get((rule.pk, unit.pk))))
        row.total = q(Decimal(period.base_score) + sum((p.points for p in row.parts), Decimal(0)))
        row.band = band_for(row.total, bands)
        scores.append(row)
    ranked = sorted(scores, key=lambda r: r.total, reverse=True)
    previous, rank = None, 0
    for position, row in enumerate(ranked, start=1):
        if row.total != previous:
            rank, previous = position, row.total
        row.rank = rank
    return scores


def result_units(period: AssessmentPeriod, today: datetime.date | None = None) -> list[dict]:
    """The result as it stands: the snapshot fixed at close, or computed now while published."""
    from duban.assessment.models import PeriodState

    if period.state == PeriodState.CLOSED and period.result is not None:
        return period.result["units"]
    return [row.as_dict() for row in compute(period, today)]
