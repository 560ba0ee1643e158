"""Exactly-once rules of leave and meetings under real concurrency (PostgreSQL).

Two approvers acting on the same step, a person submitting twice at once, two leave requests
for one invitation, two scans of the door code, two clerks turning the same decision into an
item: one wins, the other gets the ordinary refusal, and nothing is written twice."""

import datetime

import pytest
import time_machine

from duban.leave.models import AbsenceRequest, AbsenceStatus, StepStatus
from duban.leave.services import approvals
from duban.meetings.models import Attendance, Decision, MeetingLeave
from duban.meetings.services import attendance, decisions
from duban.meetings.services import leave as meeting_leave
from duban.notify.models import Message
from duban.supervision.models import Item
from tests.leave.chain_helpers import NOW, ask
from tests.markers import CONCURRENT
from tests.meetings.conftest import meeting  # noqa: F401
from tests.rectification.test_concurrency import race
from tests.supervision.conftest import work  # noqa: F401

pytestmark = [
    CONCURRENT,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_two_hr_clerks_handle_the_same_step_once(frozen, away, people):
    absence, _ = ask(away.deputy, "annual", start=(11, 16), end=(11, 16))
    approvals.act(away.vp, absence.steps.get(status=StepStatus.PENDING), True, "")
    hr = absence.steps.get(status=StepStatus.PENDING)
    results, errors = race(
        lambda: approvals.act(away.hr_clerk, hr, True, ""), lambda: approvals.act(people.outsider, hr, True, "")
    )
    assert len(results) == 1 and len(errors) == 1 and "该环节已由" in str(errors[0])
    absence.refresh_from_db()
    assert absence.status == AbsenceStatus.APPROVED
    # The filing steps after it ran once: the office and the political department are told once each.
    assert Message.objects.filter(recipient=away.office_clerk, title__startswith="请备案").count() == 1
    assert Message.objects.filter(recipient=away.political_clerk, title__startswith="请备案").count() == 1


def test_two_overlapping_submissions_at_once_make_one_request(frozen, away):
    results, errors = race(lambda: ask(away.deputy), lambda: ask(away.deputy))
    assert len(results) == 1 and len(errors) == 1 and "时间重叠" in str(errors[0])
    assert AbsenceRequest.objects.filter(person=away.deputy).count() == 1


def test_two_leave_requests_for_one_invitation(meeting, people):  # noqa: F811
    m = meeting.meeting
    results, errors = race(
        lambda: meeting_leave.request_leave(people.head, m, "出差"),
        lambda: meeting_leave.request_leave(people.head, m, "出差"),
    )
    assert len(results) == 1 and len(errors) == 1
    assert MeetingLeave.objects.filter(invitation=meeting.head).count() == 1


def test_two_scans_keep_the_first_time(meeting, people):  # noqa: F811
    m = meeting.meeting
    with time_machine.travel(m.starts_at - datetime.timedelta(minutes=5), tick=False):
        results, errors = race(
            lambda: attendance.sign_in(people.head, m, m.sign_in_token),
            lambda: attendance.sign_in(people.head, m, m.sign_in_token),
        )
    assert not errors and len(results) == 2
    meeting.head.refresh_from_db()
    assert meeting.head.attendance == Attendance.PRESENT
    assert sum(bool(getattr(r, "first_scan", False)) for r in results) == 1


def test_a_decision_becomes_one_item(meeting, work, people, org):  # noqa: F811
    m = meeting.meeting
    decision = Decision.objects.create(meeting=m, order=1, text="教务处完成课程评估。", lead_unit=org.academic)
    before = Item.objects.filter(plan=work.plan).count()
    results, errors = race(
        lambda: decisions.to_items(people.office, m, [decision.pk], work.plan, datetime.date(2026, 11, 2)),
        lambda: decisions.to_items(people.office, m, [decision.pk], work.plan, datetime.date(2026, 11, 2)),
    )
    assert len(results) == 1 and len(errors) == 1, errors
    assert Item.objects.filter(plan=work.plan).count() == before + 1
