"""The demo: last year's closed 述职评议 with its result, this year's open one, a published unit
assessment period and typical examples. Loaded on the demo institution only (fast)."""

import datetime

import pytest

from duban.assessment import demo
from duban.assessment.models import (
    AssessmentPeriod,
    Ballot,
    BallotCode,
    BallotSource,
    Example,
    ManualScore,
    PendingBallot,
    PeriodState,
    ReportMode,
    ReviewSession,
    SessionState,
)
from duban.org import demo as org_demo

TODAY = datetime.date(2026, 11, 2)


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


def test_demo_sessions_period_and_examples(db, media):
    org_demo.load_demo()
    demo.load_demo(TODAY)
    closed = ReviewSession.objects.get(state=SessionState.CLOSED)
    assert closed.year == 2025 and closed.held_on == datetime.date(2026, 1, 7)
    assert closed.subjects.count() == 22
    assert closed.subjects.filter(report_mode=ReportMode.ONSITE).count() == 8
    assert all(s.report for s in closed.subjects.all())
    assert closed.result["ballots"] == {"valid": 32, "invalid": 0, "online": 30, "paper": 2}
    assert Ballot.objects.filter(session=closed, source=BallotSource.PAPER).count() == 2
    assert PendingBallot.objects.count() == 0
    ranks = [row["rank"] for row in closed.result["subjects"]]
    assert min(ranks) == 1 and all(ranks)
    opened = ReviewSession.objects.get(state=SessionState.OPEN)
    assert opened.year == 2026 and opened.subjects.count() == 22
    assert not BallotCode.objects.filter(session=opened).exists()  # the office generates them to try
    period = AssessmentPeriod.objects.get()
    assert period.state == PeriodState.PUBLISHED and period.rules.count() == 12
    assert ManualScore.objects.filter(rule__period=period).count() == 8
    assert Example.objects.filter(published=True).count() == 3
    # Idempotent.
    demo.load_demo(TODAY)
    assert ReviewSession.objects.count() == 2 and AssessmentPeriod.objects.count() == 1
