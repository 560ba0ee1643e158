"""Relapse watch services: a re-check holds, or finds a relapse that reopens the measure;
the guards; and the sweep that tells the liaison group once per due re-check."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from duban.notify.models import Message
from duban.rectification.models import ClosureState, Recheck, RecheckState, Relapse
from duban.rectification.services import Refused
from duban.rectification.services.closure import closure_approve, closure_request, closure_review
from duban.rectification.services.watch import (
    ERR_NO_DESCRIPTION,
    ERR_NOT_SCHEDULED,
    ERR_NOT_YET,
    recheck_hold,
    recheck_relapse,
    rechecks_sweep,
)
from duban.supervision.models import Item, ItemLog, ItemState, LogKind, Status
from tests.rectification.conftest import FROZEN, pdf

pytestmark = pytest.mark.django_db

DAY_30 = datetime.date(2026, 12, 2)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture
def closed(rect, people):
    """rect.deadline (教务处, 第一联络组) and rect.at_once (人事处, no group), both closed today."""
    request = closure_request(
        acting_user=people.liaison,
        measure=rect.deadline,
        statement="已修订",
        evidence={"statement": "已召开", "proof": pdf()},
    )
    closure_review(acting_user=people.taskforce, closure=request)
    closure_approve(acting_user=people.office, closure=request, today=rect.today)
    other = closure_request(
        acting_user=people.outsider, measure=rect.at_once, statement="已纠正", evidence={"statement": "已纠正"}
    )
    closure_approve(acting_user=people.office, closure=other, today=rect.today)
    rect.closure = request
    Message.objects.all().delete()
    return rect


def recheck(rect, days=30, measure=None):
    return Recheck.objects.get(measure=measure or rect.deadline, offset_days=days)


def test_recheck_holds(closed, people):
    first = recheck(closed)
    held = recheck_hold(acting_user=people.taskforce, recheck=first, remark="执行良好", today=DAY_30)
    assert held.state == RecheckState.HELD and held.checked_by == people.taskforce and held.remark == "执行良好"
    closed.deadline.refresh_from_db()
    assert closed.deadline.closure == ClosureState.CLOSED and closed.deadline.relapse_count == 0
    assert ItemLog.objects.filter(item_id=closed.deadline.pk, text__contains="巩固良好").exists()
    assert recheck(closed, 90).state == RecheckState.SCHEDULED


def test_recheck_relapse_reopens_and_counts(closed, people, org):
    first = recheck(closed)
    relapse = recheck_relapse(acting_user=people.taskforce, recheck=first, description="记录又不全了", today=DAY_30)
    first.refresh_from_db()
    measure = closed.deadline
    measure.refresh_from_db()
    assert first.state == RecheckState.RELAPSED and first.remark == "记录又不全了"
    assert relapse.recheck == first and relapse.closure == closed.closure and relapse.unit == org.academic
    assert relapse.found_on == DAY_30 and relapse.found_by == people.taskforce
    assert measure.closure == ClosureState.OPEN and measure.closed_on is None and measure.closed_by is None
    assert measure.relapse_count == 1
    item = Item.objects.get(pk=measure.pk)
    assert item.completed_on is None
    assert ItemState.objects.get(item=item).status != Status.COMPLETED
    assert ItemLog.objects.filter(item=item, kind=LogKind.REOPENED, text__contains="记录又不全了").exists()
    # The later re-checks of the undone closure are cancelled.
    assert {r.offset_days: r.state for r in Recheck.objects.filter(measure=measure)} == {
        30: RecheckState.RELAPSED,
        90: RecheckState.CANCELLED,
        180: RecheckState.CANCELLED,
    }
    # The unit (head, liaison, responsible person) and the office are told.
    told = set(Message.objects.filter(title__contains="整改出现反弹").values_list("recipient__username", flat=True))
    assert {"head", "liaison", "office"} <= told and "taskforce" not in told
    # The finding is open again (it was open anyway: 建章立制 is not closed) and the other
    # measure's watch is untouched.
    assert recheck(closed, 30, closed.at_once).state == RecheckState.SCHEDULED


def test_a_relapse_reopens_a_closed_finding(closed, people):
    ongoing = closure_request(
        acting_user=people.liaison,
        measure=closed.ongoing,
        statement="已建立全程纪实制度",
        evidence={"mechanism": "每次选任全程纪实", "proof": pdf()},
    )
    closure_review(acting_user=people.taskforce, closure=ongoing)
    closure_approve(acting_user=people.office, closure=ongoing, today=closed.today)
    finding = closed.at_once.finding
    finding.refresh_from_db()
    assert finding.closed_on == closed.today
    recheck_relapse(
        acting_user=people.office, recheck=recheck(closed, 30, closed.at_once), description="又犯", today=DAY_30
    )
    finding.refresh_from_db()
    assert finding.closed_on is None
    assert Relapse.objects.filter(measure=closed.at_once).count() == 1


def test_a_recheck_not_yet_due_is_refused(closed, people):
    first = recheck(closed)
    with pytest.raises(Refused) as error:
        recheck_hold(acting_user=people.taskforce, recheck=first, today=DAY_30 - datetime.timedelta(days=1))
    assert error.value.messages == [ERR_NOT_YET.format(due="2026-12-02")]
    with pytest.raises(Refused):
        recheck_relapse(acting_user=people.taskforce, recheck=first, description="x", today=closed.today)
    first.refresh_from_db()
    assert first.state == RecheckState.SCHEDULED


def test_a_recheck_is_recorded_once(closed, people):
    first = recheck(closed)
    recheck_hold(acting_user=people.taskforce, recheck=first, today=DAY_30)
    with pytest.raises(Refused) as error:
        recheck_relapse(acting_user=people.taskforce, recheck=first, description="反弹", today=DAY_30)
    assert error.value.messages == [ERR_NOT_SCHEDULED]
    closed.deadline.refresh_from_db()
    assert closed.deadline.closure == ClosureState.CLOSED


def test_a_relapse_needs_a_description(closed, people):
    with pytest.raises(Refused) as error:
        recheck_relapse(acting_user=people.taskforce, recheck=recheck(closed), description="  ", today=DAY_30)
    assert error.value.messages == [ERR_NO_DESCRIPTION]
    assert recheck(closed).state == RecheckState.SCHEDULED and not Relapse.objects.exists()


@pytest.mark.parametrize("persona", ["liaison", "head", "leader", "discipline", "outsider", "staff"])
def test_only_the_liaison_group_or_the_office_rechecks(closed, people, persona):
    with pytest.raises(PermissionDenied):
        recheck_hold(acting_user=getattr(people, persona), recheck=recheck(closed), today=DAY_30)
    assert recheck(closed).state == RecheckState.SCHEDULED


def test_the_office_may_recheck_a_unit_without_liaison_group(closed, people):
    done = recheck_hold(acting_user=people.office, recheck=recheck(closed, 30, closed.at_once), today=DAY_30)
    assert done.state == RecheckState.HELD
    with pytest.raises(PermissionDenied):  # 第一联络组 does not cover 人事处
        recheck_hold(acting_user=people.taskforce, recheck=recheck(closed, 90, closed.at_once), today=DAY_30)


def test_sweep_sends_once_per_due_recheck(closed, people):
    assert rechecks_sweep(today=DAY_30 - datetime.timedelta(days=1)) == 0
    assert not Message.objects.exists()
    assert rechecks_sweep(today=DAY_30) == 2
    deadline_msgs = Message.objects.filter(title__contains="规范组织生活会流程")
    assert list(deadline_msgs.values_list("recipient__username", flat=True)) == ["taskforce"]
    # 人事处 has no liaison group: the office is told.
    assert list(Message.objects.filter(title__contains="立即纠正").values_list("recipient__username", flat=True)) == [
        "office"
    ]
    assert recheck(closed).notified_on == DAY_30
    # Idempotent: the same day again, and the next day, send nothing more.
    assert rechecks_sweep(today=DAY_30) == 0
    assert rechecks_sweep(today=DAY_30 + datetime.timedelta(days=1)) == 0
    assert Message.objects.count() == 2


def test_sweep_skips_rechecks_already_done_or_cancelled(closed, people):
    recheck_hold(acting_user=people.taskforce, recheck=recheck(closed), today=DAY_30)
    recheck_relapse(
        acting_user=people.office, recheck=recheck(closed, 30, closed.at_once), description="又犯", today=DAY_30
    )
    Message.objects.all().delete()
    assert rechecks_sweep(today=DAY_30 + datetime.timedelta(days=200)) == 2  # deadline's 90 and 180 only
    assert Message.objects.filter(title__contains="立即纠正").count() == 0
