"""The demo meetings and leave: a past scheduling meeting with its filed agenda, attendance and
decisions turned into items; next week's meeting announced, with the head's approved travel
proposing a meeting leave; the 述职评议会 linked to the open review session; leave around today
through the real approval chains. Loaded on the demo institution, time frozen."""

import datetime

import pytest
import time_machine

from duban.assessment import demo as assessment_demo
from duban.assessment.models import ReviewSession, SessionState
from duban.leave import demo as leave_demo
from duban.leave.models import AbsenceRequest, AbsenceStatus, Delegation, LeaveBalance
from duban.meetings import demo
from duban.meetings.models import Attendance, Meeting, MeetingKind, MeetingLeave, MeetingStatus
from duban.meetings.pack import meeting_pack_docx
from duban.notify.models import Message
from duban.org import demo as org_demo
from duban.supervision import demo as supervision_demo
from tests.assessment.test_demo import media  # noqa: F401

NOW = datetime.datetime(2026, 11, 2, 1, 0, tzinfo=datetime.UTC)  # Monday 09:00 in Shanghai
TODAY = datetime.date(2026, 11, 2)


@pytest.fixture
def loaded(db, media, django_capture_on_commit_callbacks):  # noqa: F811
    with time_machine.travel(NOW, tick=False):
        org_demo.load_demo()
        supervision_demo.load_demo(TODAY)
        assessment_demo.load_demo(TODAY)
        leave_demo.load_demo(TODAY)
        demo.load_demo(TODAY)
        leave_demo.load_demo(TODAY)  # idempotent
        demo.load_demo(TODAY)


def test_past_scheduling_meeting_has_its_pack_attendance_and_decisions(loaded):
    past = Meeting.objects.get(title__endswith=demo.PAST_TITLE)
    assert past.status == MeetingStatus.CLOSED and past.kind == MeetingKind.SCHEDULING
    slots = list(past.slots.select_related("unit"))
    assert slots and all(s.filed_at for s in slots)
    pack = meeting_pack_docx(past)
    assert pack[:2] == b"PK"
    marks = set(past.invitations.values_list("attendance", flat=True))
    assert {Attendance.PRESENT, Attendance.LATE, Attendance.LEAVE, Attendance.ABSENT} <= marks
    assert Attendance.UNKNOWN not in marks
    decisions = list(past.decisions.order_by("order"))
    assert len(decisions) == 3 and decisions[0].item is not None and decisions[2].item is None
    assert decisions[0].item.plan.kind == "meeting"
    # Invited as a draft: nobody was sent a 会议通知 about a meeting three weeks ago.
    assert not Message.objects.filter(title=f"会议通知：{past.title}").exists()
    assert Message.objects.filter(title__startswith="会议通知：").exists()


def test_next_meeting_announced_with_a_proposed_leave(loaded):
    upcoming = Meeting.objects.get(title__endswith=demo.NEXT_TITLE)
    assert upcoming.status == MeetingStatus.ANNOUNCED
    filed = upcoming.slots.exclude(filed_at=None).count()
    assert 0 < filed < upcoming.slots.count()
    proposed = MeetingLeave.objects.filter(invitation__meeting=upcoming, proposed=True)
    assert proposed.filter(invitation__person__username="unithead").exists()


def test_review_meeting_linked_to_the_open_session(loaded):
    session = ReviewSession.objects.get(state=SessionState.OPEN)
    assert session.meeting is not None and session.meeting.kind == MeetingKind.REVIEW
    assert session.meeting.invitations.count() >= 22


def test_leave_around_today(loaded):
    assert LeaveBalance.objects.filter(year=2026).exists()
    statuses = set(AbsenceRequest.objects.values_list("status", flat=True))
    assert {AbsenceStatus.APPROVED, AbsenceStatus.PENDING, AbsenceStatus.WITHDRAWN} <= statuses
    annual = AbsenceRequest.objects.get(absence_type__code="annual")
    assert annual.status == AbsenceStatus.APPROVED
    assert [s.status for s in annual.steps.order_by("order")] == ["done"] * 4
    assert Delegation.objects.count() == 1
