"""The demo plan: seed 001's nine projects with weeks of history, statuses that tell a story."""

import datetime
from io import StringIO

from django.core.management import call_command

from duban.supervision.models import Item, ItemState, Plan, PlanKind, ProgressReport, ReportStatus, Status


def test_demo_plan_is_alive_and_idempotent(db):
    call_command("load_demo", stdout=StringIO())
    plan = Plan.objects.get(kind=PlanKind.BREAKTHROUGH)
    items = Item.objects.filter(plan=plan)
    assert items.count() == 9
    statuses = set(ItemState.objects.values_list("status", flat=True))
    assert {Status.ON_TRACK, Status.BEHIND, Status.OVERDUE, Status.DEFERRED, Status.COMPLETED} <= statuses
    assert ProgressReport.objects.filter(status=ReportStatus.ACCEPTED).count() >= 9 * 8
    assert items.get(title="智慧校园一期建设").is_deferred
    counts = (Item.objects.count(), ProgressReport.objects.count())
    call_command("load_demo", stdout=StringIO())
    assert (Item.objects.count(), ProgressReport.objects.count()) == counts


def test_demo_reports_were_on_time(db):
    call_command("load_demo", stdout=StringIO())
    accepted = ProgressReport.objects.filter(status=ReportStatus.ACCEPTED, item__plan__kind=PlanKind.BREAKTHROUGH)
    assert not [r for r in accepted if r.is_late]
    assert all(r.period_start.weekday() == 0 for r in accepted)
    assert min(r.period_start for r in accepted) < datetime.date.today() - datetime.timedelta(weeks=8)
