"""StateTally: a plan's states counted by unit, status, colour and week verdict, kept in step by
every path that writes states, and read by the dashboard, the league table and the weekly
summary for whoever sees every item (with the same figures as counting the states)."""

import datetime

import pytest
import time_machine

from duban.org.access import access_for
from duban.supervision.access import tallies_visible
from duban.supervision.models import Item, ItemState, ProgressReport, ReportStatus, StateTally, Status
from duban.supervision.reminders import sweep
from duban.supervision.selectors import dashboards, league
from duban.supervision.services import reports as report_services
from duban.supervision.services.items import item_complete, item_save
from duban.supervision.state import states_refresh
from duban.supervision.summaries import last_completed_week, weekly_page
from duban.supervision.tallies import tallies_drift, tallies_rebuild, tallies_refresh
from tests.concurrency import race
from tests.markers import CONCURRENT

FROZEN = time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False)


def tallies_of(plan):
    return StateTally.objects.filter(plan=plan)


def count_of(plan, unit, status):
    return sum(tallies_of(plan).filter(lead_unit=unit, status=status).values_list("item_count", flat=True))


def test_the_fixture_plan_is_tallied(work, org):
    assert tallies_drift(work.plan.pk) == []
    assert sum(tallies_of(work.plan).values_list("item_count", flat=True)) == 4
    assert sum(tallies_of(work.plan).filter(lead_unit=org.academic).values_list("item_count", flat=True)) == 3


@FROZEN
def test_reports_and_completion_recount_their_group(work, people, org):
    report = ProgressReport.objects.filter(item=work.labs, status=ReportStatus.OPEN).order_by("period_start")[0]
    report_services.report_fill(acting_user=people.head, report=report, progress_text="补报", percent=10, submit=True)
    assert tallies_drift(work.plan.pk) == []
    awaiting = tallies_of(work.plan).filter(lead_unit=org.academic).values_list("reports_awaiting", flat=True)
    assert sum(awaiting) == 1
    report_services.report_accept(acting_user=people.office, report=report)
    assert tallies_drift(work.plan.pk) == []
    item_complete(acting_user=people.office, item=work.labs, on=datetime.date(2026, 11, 2))
    assert tallies_drift(work.plan.pk) == []
    assert count_of(work.plan, org.academic, Status.COMPLETED) == 1


@FROZEN
def test_a_new_lead_unit_takes_the_item_out_of_the_old_units_group(work, people, org):
    before = sum(tallies_of(work.plan).filter(lead_unit=org.academic).values_list("item_count", flat=True))
    item = Item.objects.get(pk=work.courses.pk)
    item.lead_unit = org.hr
    item_save(acting_user=people.office, item=item, today=work.today)
    assert tallies_drift(work.plan.pk) == []
    after = sum(tallies_of(work.plan).filter(lead_unit=org.academic).values_list("item_count", flat=True))
    assert after == before - 1


def test_a_refresh_that_changes_nothing_leaves_the_tallies_alone(work):
    ids = set(tallies_of(work.plan).values_list("pk", flat=True))
    states_refresh(Item.objects.filter(pk=work.teaching.pk), work.today)
    assert set(tallies_of(work.plan).values_list("pk", flat=True)) == ids  # not deleted and rewritten


def test_the_sweep_mends_a_tally_written_around(work):
    ItemState.objects.filter(item=work.talent).update(status=Status.OVERDUE)  # not through the services
    assert tallies_drift(work.plan.pk) != []
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        sweep(work.today)
    assert tallies_drift(work.plan.pk) == []


def test_groups_of_other_plans_and_units_are_left_as_they_are(work, org):
    StateTally.objects.filter(plan=work.plan, lead_unit=org.hr).update(item_count=99)  # a stale group
    tallies_refresh({(work.plan.pk, org.academic.pk)})
    assert sum(tallies_of(work.plan).filter(lead_unit=org.hr).values_list("item_count", flat=True)) == 99
    tallies_rebuild([work.plan.pk])
    assert tallies_drift(work.plan.pk) == []


# --- The pages count the same from the tallies as from the states ----------------------


def _varied(work):
    ItemState.objects.filter(item=work.talent).update(status=Status.OVERDUE, colour="red", missing_reports=3)
    ItemState.objects.filter(item=work.labs).update(status=Status.COMPLETED, fallen_due=True, on_time=True)
    ItemState.objects.filter(item=work.courses).update(week_filing="missing", reports_awaiting=2)
    tallies_rebuild([work.plan.pk])


def test_the_dashboard_counts_the_same_either_way(work):
    _varied(work)
    states = ItemState.objects.filter(plan=work.plan)
    live = dashboards.plan_dashboard(work.plan, states)
    kept = dashboards.plan_dashboard(work.plan, states, tallies=tallies_of(work.plan))
    assert kept == live
    assert kept.total == 4 and kept.missing_reports == live.missing_reports > 0
    summary = dashboards.plans_summary(ItemState.objects.all(), StateTally.objects.all())
    assert summary == dashboards.plans_summary(ItemState.objects.all())


def test_the_league_table_counts_the_same_either_way(work):
    _varied(work)
    states = ItemState.objects.filter(plan=work.plan)
    live = league.league_rows_current(states)
    kept = league.league_rows_current(states, tallies_of(work.plan))
    assert kept == live
    assert sum(r.completed for r in kept) == 1 and sum(r.overdue for r in kept) == 1


def test_the_weekly_summary_counts_the_same_either_way(work):
    _varied(work)
    today = work.today
    start = last_completed_week(today)
    items = Item.objects.filter(plan=work.plan)
    states = ItemState.objects.filter(plan=work.plan)
    live = weekly_page(work.plan, items, states, start, today)
    kept = weekly_page(work.plan, items, states, start, today, tallies=tallies_of(work.plan))
    for name in ("total", "status_counts", "filing_counts", "lagging_units"):
        assert getattr(kept, name) == getattr(live, name), name
    assert [u.unit_id for u in kept.lagging] == [u.unit_id for u in live.lagging]


def test_only_those_who_see_every_item_read_the_tallies(work, people):
    tallies = tallies_of(work.plan)
    assert tallies_visible(access_for(people.office), tallies) is tallies
    assert tallies_visible(access_for(people.head), tallies) is None  # counts their own states


@pytest.mark.parametrize("who", ["office", "head"])
def test_the_pages_render_from_tallies_and_from_states(work, people, client_for, who):
    """The office reads the tallies and the unit head their states: the pages render either way,
    and the office's league table has every unit's row."""
    client = client_for(getattr(people, who))
    for name in ("dashboard", "league", "weekly"):
        response = client.get(f"/supervision/plans/{work.plan.pk}/{name}/")
        assert response.status_code == 200, name
    league_page = client_for(people.office).get(f"/supervision/plans/{work.plan.pk}/league/").content.decode()
    assert "人事处" in league_page and "教务处" in league_page


# --- Concurrency (PostgreSQL) ------------------------------------------------------------


@CONCURRENT
@pytest.mark.django_db(transaction=True)
def test_two_refreshes_of_one_unit_at_once_leave_the_tally_exact(work):
    """Two transactions change states of the same plan and unit at the same moment; each
    recounts the group. Without the plan's lock the later recount could miss the earlier
    change (its snapshot predates that commit) and leave the tally one item short."""
    from django.db import transaction

    def complete(item):
        def call():
            with transaction.atomic():
                Item.objects.filter(pk=item.pk).update(completed_on=datetime.date(2026, 11, 2))
                states_refresh(Item.objects.filter(pk=item.pk), work.today)

        return call

    results, errors = race(complete(work.teaching), complete(work.labs))
    assert errors == []
    assert tallies_drift(work.plan.pk) == []
    assert count_of(work.plan, work.teaching.lead_unit, Status.COMPLETED) == 2
