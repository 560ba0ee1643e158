"""Sign-in at the door, the clerk's ticks and closing the meeting."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from duban.meetings.models import Attendance, LeaveStatus, MeetingLeave, MeetingStatus
from duban.meetings.services import attendance as svc
from duban.supervision.services import Refused

pytestmark = pytest.mark.django_db

MIN = datetime.timedelta(minutes=1)


def travel(moment):
    return time_machine.travel(moment, tick=False)


def test_sign_in_on_time_is_present(meeting, people):
    m = meeting.meeting
    with travel(m.starts_at - 10 * MIN):
        inv = svc.sign_in(people.head, m, m.sign_in_token)
    inv.refresh_from_db()
    assert inv.attendance == Attendance.PRESENT
    assert inv.signed_in_at == m.starts_at - 10 * MIN
    assert inv.signed_in_by == people.head


def test_window_opens_sixty_minutes_before(meeting, people):
    m = meeting.meeting
    with travel(m.starts_at - 61 * MIN), pytest.raises(Refused, match="签到尚未开始：会前 60 分钟（08:00）起开放签到"):
        svc.sign_in(people.head, m, m.sign_in_token)
    with travel(m.starts_at - 60 * MIN):
        assert svc.sign_in(people.head, m, m.sign_in_token).attendance == Attendance.PRESENT


def test_window_closes_at_the_end(meeting, people):
    m = meeting.meeting
    with travel(m.ends_at + MIN), pytest.raises(Refused, match="会议已结束，签到已关闭"):
        svc.sign_in(people.head, m, m.sign_in_token)


def test_late_after_the_grace_minutes(meeting, people):
    m = meeting.meeting
    m.late_after_minutes = 5
    m.save()
    with travel(m.starts_at + 5 * MIN):
        assert svc.sign_in(people.head, m, m.sign_in_token).attendance == Attendance.PRESENT
    with travel(m.starts_at + 6 * MIN):
        assert svc.sign_in(people.liaison, m, m.sign_in_token).attendance == Attendance.LATE


def test_wrong_token_refused(meeting, people):
    m = meeting.meeting
    with travel(m.starts_at), pytest.raises(Refused, match="签到二维码无效"):
        svc.sign_in(people.head, m, "not-the-token")
    meeting.head.refresh_from_db()
    assert meeting.head.attendance == Attendance.UNKNOWN


def test_not_invited_refused(meeting, people):
    m = meeting.meeting
    with travel(m.starts_at), pytest.raises(Refused, match="您不在本次会议的参会名单中，请联系会务人员。"):
        svc.sign_in(people.staff, m, m.sign_in_token)


@pytest.mark.parametrize(
    "status, message",
    [
        (MeetingStatus.CANCELLED, "会议已取消"),
        (MeetingStatus.CLOSED, "会议已结束"),
        (MeetingStatus.DRAFT, "尚未发出通知"),
    ],
)
def test_only_announced_meetings_take_sign_in(meeting, people, status, message):
    m = meeting.meeting
    m.status = status
    m.save()
    with travel(m.starts_at), pytest.raises(Refused, match=message):
        svc.sign_in(people.head, m, m.sign_in_token)


def test_second_scan_keeps_the_first_time(meeting, people):
    m = meeting.meeting
    with travel(m.starts_at - 5 * MIN):
        first = svc.sign_in(people.head, m, m.sign_in_token)
    assert first.first_scan is True
    with travel(m.starts_at + 30 * MIN):
        again = svc.sign_in(people.head, m, m.sign_in_token)
    assert again.first_scan is False
    again.refresh_from_db()
    assert again.attendance == Attendance.PRESENT
    assert again.signed_in_at == m.starts_at - 5 * MIN


def test_person_on_leave_who_comes_is_present(meeting, people):
    m = meeting.meeting
    meeting.head.attendance = Attendance.LEAVE
    meeting.head.save()
    MeetingLeave.objects.create(invitation=meeting.head, reason="出差", status=LeaveStatus.APPROVED)
    with travel(m.starts_at):
        assert svc.sign_in(people.head, m, m.sign_in_token).attendance == Attendance.PRESENT


def test_clerk_ticks_names(meeting, people):
    m = meeting.meeting
    with travel(m.starts_at + 20 * MIN):
        inv = svc.mark(people.office, meeting.liaison, Attendance.LATE)
    assert inv.attendance == Attendance.LATE
    assert inv.signed_in_by == people.office
    assert inv.signed_in_at == m.starts_at + 20 * MIN
    with travel(m.starts_at + 21 * MIN):
        inv = svc.mark(people.office, meeting.liaison, Attendance.ABSENT)
    assert inv.attendance == Attendance.ABSENT and inv.signed_in_at is None


def test_tick_rules(meeting, people):
    m = meeting.meeting
    with travel(m.starts_at - 2 * datetime.timedelta(hours=1)):
        with pytest.raises(Refused, match="签到尚未开始，现在只能登记请假"):
            svc.mark(people.office, meeting.head, Attendance.PRESENT)
        assert svc.mark(people.office, meeting.head, Attendance.LEAVE).attendance == Attendance.LEAVE
    with travel(m.starts_at), pytest.raises(Refused, match="出勤状态无效"):
        svc.mark(people.office, meeting.head, "bogus")


def test_only_managers_tick(meeting, people):
    with travel(meeting.meeting.starts_at), pytest.raises(PermissionDenied):
        svc.mark(people.head, meeting.head, Attendance.PRESENT)


def test_close_marks_absent_or_leave(meeting, people):
    m = meeting.meeting
    MeetingLeave.objects.create(invitation=meeting.outsider, reason="出差", status=LeaveStatus.APPROVED)
    with travel(m.starts_at):
        svc.sign_in(people.head, m, m.sign_in_token)
    with travel(m.ends_at):
        closed = svc.close(people.office, m)
    assert closed.status == MeetingStatus.CLOSED and closed.closed_at == m.ends_at
    got = {i.person_id: i.attendance for i in m.invitations.all()}
    assert got == {
        people.head.pk: Attendance.PRESENT,
        people.liaison.pk: Attendance.ABSENT,
        people.outsider.pk: Attendance.LEAVE,
    }
    assert svc.summary(m) == {
        "invited": 3,
        "present": 1,
        "late": 0,
        "leave": 1,
        "absent": 1,
        "unknown": 0,
        "arrived": 1,
    }


def test_close_refusals(meeting, people):
    m = meeting.meeting
    with travel(m.starts_at - MIN), pytest.raises(Refused, match="会议尚未开始，不能结束"):
        svc.close(people.office, m)
    with travel(m.starts_at), pytest.raises(PermissionDenied):
        svc.close(people.head, m)
    with travel(m.starts_at):
        svc.close(people.office, m)
        with pytest.raises(Refused, match="会议已经结束"):
            svc.close(people.office, m)
    m.status = MeetingStatus.CANCELLED
    m.save()
    with travel(m.starts_at), pytest.raises(Refused, match="只有已通知的会议可以结束"):
        svc.close(people.office, m)


def test_closed_meeting_can_be_corrected(meeting, people):
    m = meeting.meeting
    with travel(m.ends_at):
        svc.close(people.office, m)
        inv = svc.mark(people.office, meeting.liaison, Attendance.LATE)
        assert inv.attendance == Attendance.LATE
        assert inv.signed_in_at == m.ends_at
        with pytest.raises(Refused, match="会议已结束，出勤须登记为出席、迟到、请假或缺席"):
            svc.mark(people.office, meeting.liaison, Attendance.UNKNOWN)


def test_correction_is_in_record_history(meeting, people):
    from auditlog.models import LogEntry

    m = meeting.meeting
    with travel(m.starts_at):
        svc.mark(people.office, meeting.head, Attendance.PRESENT)
    entry = LogEntry.objects.get_for_object(meeting.head).latest("timestamp")
    assert entry.changes_dict["attendance"] == ["unknown", "present"]
