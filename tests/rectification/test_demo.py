"""The demo rectification plan: seed 002 in mid-course, every stage of closure visible."""

from io import StringIO

from django.core.management import call_command

from duban.rectification.models import (
    ClosureState,
    ClosureStatus,
    Feedback,
    Finding,
    LookbackRound,
    Measure,
    RecheckState,
    Relapse,
    RoundState,
)
from duban.supervision.models import PlanKind


def test_demo_rectification_plan_in_mid_course_and_idempotent(db):
    call_command("load_demo", stdout=StringIO())
    measures = Measure.objects.filter(finding__plan__kind=PlanKind.RECTIFICATION)
    states = set(measures.values_list("closure", flat=True))
    assert {ClosureState.OPEN, ClosureState.REQUESTED, ClosureState.REVIEWED, ClosureState.CLOSED} <= states
    # 人事处 at once, four of five branches (one relapsed), and the 建章立制 rule.
    assert measures.filter(closure=ClosureState.CLOSED).count() == 6
    assert Relapse.objects.count() == 1
    relapsed = Relapse.objects.get().measure
    assert relapsed.closure == ClosureState.OPEN and relapsed.relapse_count == 1
    assert relapsed.item.completed_on is None
    assert measures.filter(rechecks__state=RecheckState.HELD).exists()
    round = LookbackRound.objects.get()
    assert round.state == RoundState.CLOSED and round.new_findings.count() == 1
    assert round.report["new_findings"] == [str(round.new_findings.get().pk)]
    assert len(round.report["measures"]["new"]) == 1 and round.report["verdicts"] == {"holds": 4}
    assert Feedback.objects.filter(anonymous=True, sender__isnull=True).exists()
    assert Finding.objects.filter(origin_feedback__isnull=False).exists()
    rule = measures.get(item__title="制定《党支部工作规范》")
    assert rule.has_document and rule.closures.filter(status=ClosureStatus.APPROVED).exists()
    counts = (Finding.objects.count(), Measure.objects.count(), Feedback.objects.count())
    call_command("load_demo", stdout=StringIO())
    assert (Finding.objects.count(), Measure.objects.count(), Feedback.objects.count()) == counts
