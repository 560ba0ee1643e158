"""Meeting leave: asking, deciding, withdrawing, and proposals from approved travel or leave."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from duban.leave.models import AbsenceRequest, AbsenceStatus, AbsenceType
from duban.leave.signals import absence_approved
from duban.meetings.models import Attendance, Invitation, LeaveStatus, MeetingLeave, MeetingStatus
from duban.meetings.services import leave as svc
from duban.notify.models import Message
from duban.supervision.services import Refused

pytestmark = pytest.mark.django_db


def travel(moment):
    return time_machine.travel(moment, tick=False)


def absence(person, unit, starts_on, ends_on, status=AbsenceStatus.APPROVED, code="travel"):
    kind, _ = AbsenceType.objects.get_or_create(code=code, defaults={"name": "出差"})
    return AbsenceRequest.objects.create(
        person=person,
        unit=unit,
        absence_type=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        days=1,
        reason="赴京参加教育部会议",
        status=status,
    )


def test_request_before_the_start(meeting, people):
    leave = svc.request_leave(people.head, meeting.meeting, "  赴京开会  ")
    assert leave.status == LeaveStatus.PENDING
    assert leave.reason == "赴京开会" and not leave.is_late and not leave.proposed
    note = Message.objects.get(recipient=people.office)
    assert note.title == "会议请假待审批：赵处长"
    assert "事由：赴京开会" in note.body
    assert note.url == f"/meetings/{meeting.meeting.pk}/attendance/"


def test_request_after_the_start_is_late(meeting, people):
    with travel(meeting.meeting.starts_at + datetime.timedelta(minutes=1)):
        leave = svc.request_leave(people.head, meeting.meeting, "临时接待上级检查")
    assert leave.is_late
    assert "会后补假" in Message.objects.get(recipient=people.office).body


def test_request_rules(meeting, people):
    m = meeting.meeting
    with pytest.raises(Refused, match="您不在本次会议的参会名单中"):
        svc.request_leave(people.staff, m, "事由")
    with pytest.raises(Refused, match="请填写请假事由"):
        svc.request_leave(people.head, m, "   ")
    svc.request_leave(people.head, m, "出差")
    with pytest.raises(Refused, match="您已提交过请假申请"):
        svc.request_leave(people.head, m, "再次请假")
    assert MeetingLeave.objects.count() == 1


def test_no_leave_once_signed_in(meeting, people):
    meeting.head.attendance = Attendance.PRESENT
    meeting.head.save()
    with pytest.raises(Refused, match="您已签到，不能再请假"):
        svc.request_leave(people.head, meeting.meeting, "出差")


@pytest.mark.parametrize(
    "status, message",
    [
        (MeetingStatus.CANCELLED, "会议已取消，无需请假"),
        (MeetingStatus.CLOSED, "会议已结束，不能再请假"),
        (MeetingStatus.DRAFT, "会议尚未发出通知"),
    ],
)
def test_no_leave_for_cancelled_or_closed(meeting, people, status, message):
    meeting.meeting.status = status
    meeting.meeting.save()
    with pytest.raises(Refused, match=message):
        svc.request_leave(people.head, meeting.meeting, "出差")


def test_substitute_rules(meeting, people):
    m = meeting.meeting
    with pytest.raises(Refused, match="本次会议不允许委托他人参会"):
        svc.request_leave(people.head, m, "出差", substitute=people.staff)
    m.allows_substitute = True
    m.save()
    with pytest.raises(Refused, match="代为参会人不能是本人"):
        svc.request_leave(people.head, m, "出差", substitute=people.head)
    with pytest.raises(Refused, match="代为参会人本身也在参会名单中"):
        svc.request_leave(people.head, m, "出差", substitute=people.liaison)
    people.staff.is_active = False
    people.staff.save()
    with pytest.raises(Refused, match="代为参会人的账号已停用"):
        svc.request_leave(people.head, m, "出差", substitute=people.staff)
    people.staff.is_active = True
    people.staff.save()
    leave = svc.request_leave(people.head, m, "出差", substitute=people.staff)
    assert leave.substitute == people.staff
    assert "委托吴职工代为参会" in Message.objects.get(recipient=people.office).body


def test_approve_sets_leave_and_substitute(meeting, people):
    m = meeting.meeting
    m.allows_substitute = True
    m.save()
    leave = svc.request_leave(people.head, m, "出差", substitute=people.staff)
    leave = svc.decide(people.office, leave, True, "")
    assert leave.status == LeaveStatus.APPROVED and leave.decided_by == people.office
    meeting.head.refresh_from_db()
    assert meeting.head.attendance == Attendance.LEAVE
    assert meeting.head.substitute == people.staff
    assert Message.objects.get(recipient=people.head).title == "会议请假已准假：第十二次重点工作调度会"


def test_approve_after_sign_in_keeps_presence(meeting, people):
    leave = svc.request_leave(people.head, meeting.meeting, "出差")
    Invitation.objects.filter(pk=meeting.head.pk).update(attendance=Attendance.LATE)
    svc.decide(people.office, leave, True)
    meeting.head.refresh_from_db()
    assert meeting.head.attendance == Attendance.LATE


def test_refuse_needs_a_note(meeting, people):
    leave = svc.request_leave(people.head, meeting.meeting, "出差")
    with pytest.raises(Refused, match="不准假须说明理由"):
        svc.decide(people.office, leave, False, " ")
    leave = svc.decide(people.office, leave, False, "本次会议须主要负责人参加")
    assert leave.status == LeaveStatus.REFUSED
    meeting.head.refresh_from_db()
    assert meeting.head.attendance == Attendance.UNKNOWN
    message = Message.objects.get(recipient=people.head)
    assert message.title.startswith("会议请假不准假") and message.body == "本次会议须主要负责人参加"
    with pytest.raises(Refused, match="该请假申请已处理过"):
        svc.decide(people.office, leave, True)


def test_only_managers_decide(meeting, people):
    leave = svc.request_leave(people.head, meeting.meeting, "出差")
    with pytest.raises(PermissionDenied):
        svc.decide(people.head, leave, True)
    with pytest.raises(PermissionDenied):
        svc.decide(people.liaison, leave, True)


def test_withdraw(meeting, people):
    leave = svc.request_leave(people.head, meeting.meeting, "出差")
    with pytest.raises(PermissionDenied):
        svc.withdraw(people.liaison, leave)
    assert svc.withdraw(people.head, leave).status == LeaveStatus.WITHDRAWN
    with pytest.raises(Refused, match="只有待审批的请假申请可以撤回"):
        svc.withdraw(people.head, leave)
    # A new request is possible once the old one is withdrawn.
    assert svc.request_leave(people.head, meeting.meeting, "改为病假").status == LeaveStatus.PENDING


def test_approved_absence_proposes_leave(meeting, org, people):
    day = timezone.localdate(meeting.meeting.starts_at)
    away = absence(people.head, org.academic, day - datetime.timedelta(days=1), day + datetime.timedelta(days=1))
    absence_approved.send(sender=AbsenceRequest, absence=away)
    leave = MeetingLeave.objects.get()
    assert leave.invitation == meeting.head
    assert leave.proposed and leave.status == LeaveStatus.PENDING and leave.absence == away
    start, end = day - datetime.timedelta(days=1), day + datetime.timedelta(days=1)
    assert leave.reason == f"出差：{start.month}月{start.day}日至{end.month}月{end.day}日"
    assert Message.objects.get(recipient=people.office).title == "会议请假待审批（系统建议）：赵处长"
    # Idempotent: the signal sent again proposes nothing more.
    absence_approved.send(sender=AbsenceRequest, absence=away)
    assert MeetingLeave.objects.count() == 1


def test_absence_not_covering_the_meeting_proposes_nothing(meeting, org, people):
    day = timezone.localdate(meeting.meeting.starts_at)
    before = absence(people.head, org.academic, day - datetime.timedelta(days=3), day - datetime.timedelta(days=1))
    absence_approved.send(sender=AbsenceRequest, absence=before)
    pending = absence(people.liaison, org.academic, day, day, status=AbsenceStatus.PENDING)
    absence_approved.send(sender=AbsenceRequest, absence=pending)
    assert not MeetingLeave.objects.exists()


def test_no_proposal_over_an_open_request_or_for_closed_meetings(meeting, org, people):
    day = timezone.localdate(meeting.meeting.starts_at)
    svc.request_leave(people.head, meeting.meeting, "本人已请假")
    absence_approved.send(sender=AbsenceRequest, absence=absence(people.head, org.academic, day, day))
    assert MeetingLeave.objects.get().proposed is False
    meeting.meeting.status = MeetingStatus.CLOSED
    meeting.meeting.save()
    absence_approved.send(sender=AbsenceRequest, absence=absence(people.liaison, org.academic, day, day))
    assert MeetingLeave.objects.count() == 1


def test_propose_at_announce(meeting, org, people):
    day = timezone.localdate(meeting.meeting.starts_at)
    absence(people.liaison, org.academic, day, day, code="sick")
    absence(people.outsider, org.hr, day, day, status=AbsenceStatus.REFUSED)
    assert svc.propose_for_meeting(meeting.meeting) == 1
    leave = MeetingLeave.objects.get()
    assert leave.invitation == meeting.liaison and leave.proposed
    assert svc.propose_for_meeting(meeting.meeting) == 0
    meeting.meeting.status = MeetingStatus.CANCELLED
    meeting.meeting.save()
    assert svc.propose_for_meeting(meeting.meeting) == 0
