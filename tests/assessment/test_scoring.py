"""Unit assessment: scores computed from supervision and rectification data by published rules,
and recomputable by anyone from the parts shown."""

import datetime
import re
from decimal import Decimal

import pytest

from duban.assessment.models import AssessmentPeriod, Band, Example, ExampleKind, Metric, PeriodState, ScoringRule
from duban.assessment.scoring import compute, q
from duban.assessment.services import PermissionDenied, Refused
from duban.assessment.services.periods import (
    ERR_NOT_ASSESSOR,
    ERR_RULES_LOCKED,
    manual_score_set,
    period_close,
    period_publish,
    period_save,
    period_unpublish,
    rule_save,
)
from duban.supervision.models import Accountability, AccountabilityKind, Item
from duban.supervision.selectors.league import league_rows
from tests.supervision.conftest import work  # noqa: F401  (fixture)

TODAY = datetime.date(2026, 11, 2)


@pytest.fixture
def period(work, org, people):  # noqa: F811
    # Facts: 教务处 finished one item on time; another fell due on 10-01 and is still open.
    Item.objects.filter(pk=work.teaching.pk).update(completed_on=datetime.date(2026, 10, 1))
    Item.objects.filter(pk=work.labs.pk).update(original_due_date=datetime.date(2026, 10, 1))
    for n in range(3):
        Accountability.objects.create(
            item=work.talent,
            unit=org.hr,
            kind=AccountabilityKind.TALK,
            reason=f"进度滞后{n}",
            decided_on=datetime.date(2026, 6, 1 + n),
            recorded_by=people.office,
        )
    Accountability.objects.create(
        item=work.talent,
        unit=org.hr,
        kind=AccountabilityKind.TALK,
        reason="上一年度",
        decided_on=datetime.date(2025, 6, 1),
        recorded_by=people.office,
    )
    Example.objects.create(
        kind=ExampleKind.GOOD, title="课程建设成效突出", summary="…", unit=org.academic, recognised_on=TODAY
    )
    period = period_save(
        acting_user=people.office,
        period=AssessmentPeriod(
            title="2026年度督查督办工作考核",
            year=2026,
            start=datetime.date(2026, 1, 1),
            end=datetime.date(2026, 12, 31),
            base_score=Decimal(60),
        ),
        units=[org.academic, org.hr],
        plans=[work.plan],
        assessors=[people.leader, people.discipline],
    )
    rules = [
        (Metric.ON_TIME_RATE, Decimal(20), None),
        (Metric.REPORT_PUNCTUALITY, Decimal(10), None),
        (Metric.ACCOUNTABILITY, Decimal(-2), Decimal(5)),
        (Metric.GOOD_EXAMPLES, Decimal(3), Decimal(6)),
        (Metric.OVERDUE_ITEMS, Decimal(-1), None),
        (Metric.MANUAL, Decimal(10), None),
    ]
    for order, (metric, points, cap) in enumerate(rules, start=1):
        rule_save(
            acting_user=people.office,
            rule=ScoringRule(period=period, order=order, metric=metric, points=points, cap=cap),
        )
    for label, minimum in (("优秀", 90), ("良好", 80), ("一般", 0)):
        Band.objects.create(period=period, label=label, min_score=minimum)
    return period


def parts_of(row):
    return {p.metric: p for p in row.parts}


def test_scores_follow_the_rules(period, org, people):
    period_publish(acting_user=people.office, period=period)
    manual = period.rules.get(metric=Metric.MANUAL)
    manual_score_set(acting_user=people.leader, rule=manual, unit=org.academic, score="8")
    manual_score_set(acting_user=people.discipline, rule=manual, unit=org.academic, score="9")
    rows = {r.unit: r for r in compute(period, TODAY)}
    academic, hr = rows["教务处"], rows["人事处"]
    a = parts_of(academic)
    assert a[Metric.ON_TIME_RATE].value == "1/2 = 50.00%"
    assert a[Metric.ON_TIME_RATE].points == Decimal("10.00")
    assert a[Metric.GOOD_EXAMPLES].points == Decimal("3.00")
    assert a[Metric.MANUAL].value == "评分 8.00、9.00，平均 8.50"
    h = parts_of(hr)
    # Three records this year at −2 each, limited to 5; last year's does not count.
    assert h[Metric.ACCOUNTABILITY].value == "3 次"
    assert h[Metric.ACCOUNTABILITY].points == Decimal("-5.00")
    assert h[Metric.ACCOUNTABILITY].note == "已达上限 5.00 分"
    assert h[Metric.ON_TIME_RATE].note == "无应考核事项，按满分计"
    assert h[Metric.MANUAL].note == "尚无评分"
    league = {r.unit_id: r for r in league_rows(Item.objects.filter(plan=work_plan(period)), TODAY)}
    punctual = league[org.academic.pk]
    if punctual.reports_due:
        assert a[Metric.REPORT_PUNCTUALITY].value.startswith(f"{punctual.reports_punctual}/{punctual.reports_due}")


def work_plan(period):
    return period.plans.get()


RATE = re.compile(r"^(\d+)/(\d+) = ")
COUNT = re.compile(r"^(\d+) 次$")
MANUAL = re.compile(r"^评分 (.+)，平均")


def test_every_total_is_recomputable_from_its_published_parts(period, org, people):
    """What the result page shows (rules + parts) is enough to recompute each total."""
    period_publish(acting_user=people.office, period=period)
    manual = period.rules.get(metric=Metric.MANUAL)
    manual_score_set(acting_user=people.leader, rule=manual, unit=org.hr, score="7.5")
    rules = {r.pk: r for r in period.rules.all()}
    bands = list(period.bands.order_by("-min_score").values_list("label", "min_score"))
    for row in compute(period, TODAY):
        total = Decimal(period.base_score)
        for part in row.parts:
            rule = rules[part.rule_id]
            if m := RATE.match(part.value):
                expected = q(rule.points * Decimal(m[1]) / Decimal(m[2]))
            elif part.value == "—":
                expected = q(rule.points) if rule.is_rate else q(0)
            elif m := COUNT.match(part.value):
                expected = rule.points * int(m[1])
                if rule.cap is not None:
                    expected = max(min(expected, rule.cap), -rule.cap)
                expected = q(expected)
            elif m := MANUAL.match(part.value):
                scores = [Decimal(s) for s in m[1].split("、")]
                expected = q(sum(scores) / len(scores))
            else:
                raise AssertionError(f"unreadable part {part.value}")
            assert part.points == expected, (row.unit, part.title)
            total += part.points
        assert row.total == q(total)
        assert row.band == next(label for label, minimum in bands if row.total >= minimum)


def test_rules_are_fixed_once_published(period, people):
    period_publish(acting_user=people.office, period=period)
    rule = period.rules.first()
    rule.points = Decimal(50)
    with pytest.raises(Refused, match=ERR_RULES_LOCKED):
        rule_save(acting_user=people.office, rule=rule)
    period.base_score = Decimal(0)
    with pytest.raises(Refused, match=ERR_RULES_LOCKED):
        period_save(acting_user=people.office, period=period)


def test_only_assessors_score_within_range(period, org, people):
    manual = period.rules.get(metric=Metric.MANUAL)
    with pytest.raises(Refused, match="公布后才能评分"):
        manual_score_set(acting_user=people.leader, rule=manual, unit=org.academic, score="8")
    period_publish(acting_user=people.office, period=period)
    with pytest.raises(PermissionDenied, match=ERR_NOT_ASSESSOR):
        manual_score_set(acting_user=people.office, rule=manual, unit=org.academic, score="8")
    with pytest.raises(Refused, match="0 到 10.00 之间"):
        manual_score_set(acting_user=people.leader, rule=manual, unit=org.academic, score="11")
    with pytest.raises(Refused, match="请填写数字"):
        manual_score_set(acting_user=people.leader, rule=manual, unit=org.academic, score="八分")
    with pytest.raises(Refused, match="由系统按数据计算"):
        manual_score_set(
            acting_user=people.leader, rule=period.rules.get(metric=Metric.ON_TIME_RATE), unit=org.academic, score=1
        )
    manual_score_set(acting_user=people.leader, rule=manual, unit=org.academic, score="8")
    manual_score_set(acting_user=people.leader, rule=manual, unit=org.academic, score="6")
    assert manual.manual_scores.get().score == Decimal(6)
    with pytest.raises(Refused, match="已有评分人打分"):
        period_unpublish(acting_user=people.office, period=period)


def test_close_fixes_the_result(period, org, people):
    period_publish(acting_user=people.office, period=period)
    closed = period_close(acting_user=people.office, period=period, today=TODAY)
    assert closed.state == PeriodState.CLOSED
    names = [u["name"] for u in closed.result["units"]]
    assert names == ["教务处", "人事处"]
    assert all(u["rank"] for u in closed.result["units"])
    fixed = [u["total"] for u in closed.result["units"]]
    # Later facts do not move a fixed result, though a fresh computation would.
    Example.objects.create(kind=ExampleKind.GOOD, title="又一例", summary="…", unit=org.hr, recognised_on=TODAY)
    closed.refresh_from_db()
    assert [u["total"] for u in closed.result["units"]] == fixed
    assert [str(r.total) for r in compute(closed, TODAY)] != fixed
    with pytest.raises(Refused, match="已确定"):
        manual_score_set(acting_user=people.leader, rule=period.rules.get(metric=Metric.MANUAL), unit=org.hr, score="5")


@pytest.mark.parametrize("persona", ["leader", "head", "staff", "outsider"])
def test_only_the_office_sets_up_periods(period, people, persona):
    with pytest.raises(PermissionDenied):
        period_publish(acting_user=getattr(people, persona), period=period)
