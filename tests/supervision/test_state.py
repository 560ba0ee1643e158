import datetime

import time_machine

from duban.supervision.models import ItemState, Status
from duban.supervision.state import states_refresh


def test_fixture_items_have_cached_states(work):
    states = {s.item_id: s for s in ItemState.objects.all()}
    assert len(states) == 4
    # The teaching project's node (due 10月15日) is late on 11月2日.
    assert states[work.teaching.pk].status == Status.BEHIND
    assert "完成方案论证" in states[work.teaching.pk].reason


def test_refresh_follows_the_calendar(work):
    states_refresh(type(work.labs).objects.all(), datetime.date(2027, 1, 5))
    assert ItemState.objects.get(item=work.labs).status == Status.OVERDUE
    assert ItemState.objects.get(item=work.labs).colour == "red"


@time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_states_keep_the_league_facts(work, people):
    """states_refresh stores each item's plan, lead unit and league tallies; submitting,
    accepting and returning a report refresh them at once (not only at the nightly sweep)."""
    from duban.supervision.models import ProgressReport, ReportStatus
    from duban.supervision.services import reports as report_services

    state = ItemState.objects.get(item=work.teaching)
    assert (state.plan_id, state.lead_unit_id) == (work.plan.pk, work.teaching.lead_unit_id)
    due = ProgressReport.objects.filter(item=work.teaching, due_date__lte=datetime.date(2026, 11, 2)).count()
    assert (state.reports_due, state.reports_punctual, state.reports_awaiting) == (due, 0, 0)
    assert state.missing_reports > 0 and not state.on_time and not state.fallen_due
    # The open report of this week (due 11月6日): handed in early, on time.
    report = ProgressReport.objects.filter(item=work.teaching, status=ReportStatus.OPEN).order_by("-period_start")[0]
    report_services.report_fill(acting_user=people.head, report=report, progress_text="进行中", percent=20, submit=True)
    report.refresh_from_db()
    assert report.submitted_on == datetime.date(2026, 11, 2)
    state.refresh_from_db()
    assert state.reports_awaiting == 1 and state.reports_punctual == 0  # not due yet: not counted
    report_services.report_return(acting_user=people.office, report=report, reason="数据不全")
    state.refresh_from_db()
    assert state.reports_awaiting == 0
    # A late report of an earlier week, handed in now and accepted: due, not punctual, no longer missing.
    late = ProgressReport.objects.filter(item=work.teaching, status=ReportStatus.OPEN).order_by("period_start")[0]
    missing = state.missing_reports
    report_services.report_fill(acting_user=people.head, report=late, progress_text="补报", percent=10, submit=True)
    report_services.report_accept(acting_user=people.office, report=late)
    state.refresh_from_db()
    assert (state.reports_punctual, state.missing_reports, state.reports_awaiting) == (0, missing - 1, 0)


@time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_completion_counts_on_time_against_the_original_date(work, people):
    from duban.supervision.services.items import item_complete

    item_complete(acting_user=people.office, item=work.teaching, on=datetime.date(2026, 11, 2))
    state = ItemState.objects.get(item=work.teaching)
    assert state.status == Status.COMPLETED and state.fallen_due and state.on_time
