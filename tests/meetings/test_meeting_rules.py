"""Rules found in review: who sees others' attendance, proposals after announce, the
substitute rule in the service, and state refusals shared by pages and services."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duban.leave.models import AbsenceRequest, AbsenceStatus, AbsenceType
from duban.meetings.models import Attendance, Decision, Invitation, LeaveStatus, Meeting, MeetingLeave, MeetingStatus
from duban.meetings.services import attendance as attendance_services
from duban.meetings.services import decisions as decision_services
from duban.meetings.services import leave as leave_services
from duban.meetings.services import meetings as meeting_services
from duban.notify.models import Message
from duban.org.models import Person
from duban.supervision.services import Refused
from duban.supervision.services import plans as plan_services
from tests.meetings.conftest import at
from tests.supervision.conftest import work  # noqa: F401


def url(name, *args):
    return reverse(f"meetings:{name}", args=args)


# --- 1. Others' attendance and notes on the invitees page ----------------------------------------


def test_invitees_page_hides_others_attendance_and_notes(client_for, people, meeting):
    Invitation.objects.filter(pk=meeting.head.pk).update(attendance=Attendance.LEAVE, response_note="赴京开会另有安排")
    Invitation.objects.filter(pk=meeting.outsider.pk).update(response_note="本人说明文字")
    page = url("invitees", meeting.meeting.pk)
    html = client_for(people.outsider).get(page).content.decode()
    assert "赵处长" in html
    assert "赴京开会另有安排" not in html and '<td class="small">请假</td>' not in html
    assert "本人说明文字" in html
    for persona in (people.office, people.leader):
        html = client_for(persona).get(page).content.decode()
        assert "赴京开会另有安排" in html and '<td class="small">请假</td>' in html


# --- 2. Proposals: announced meetings only, and for people invited later -------------------------


def _absence(person, unit, day):
    kind, _ = AbsenceType.objects.get_or_create(code="travel", defaults={"name": "出差"})
    return AbsenceRequest.objects.create(
        person=person,
        unit=unit,
        absence_type=kind,
        starts_on=day,
        ends_on=day,
        days=1,
        reason="赴京参加教育部会议",
        status=AbsenceStatus.APPROVED,
    )


def _draft(org, people):
    return Meeting.objects.create(
        title="筹备中的推进会",
        starts_at=at(5, 9),
        ends_at=at(5, 10),
        place="三楼会议室",
        host_unit=org.office,
        organiser=people.office,
    )


def test_no_proposal_for_a_draft(org, people):
    draft = _draft(org, people)
    Invitation.objects.create(meeting=draft, person=people.head)
    away = _absence(people.head, org.academic, at(5).date())
    leave_services.propose_for_absence(away)
    assert leave_services.propose_for_meeting(draft) == 0
    assert not MeetingLeave.objects.exists()


def test_people_invited_after_announce_get_proposals(meeting, org, people):
    day = meeting.meeting.starts_at.date()
    _absence(people.staff, org.academic, day)
    _absence(people.norole, org.hr, day)
    meeting_services.people_invite(acting_user=people.office, meeting=meeting.meeting, people=[people.staff])
    leave = MeetingLeave.objects.get(invitation__person=people.staff)
    assert leave.proposed and leave.reason.startswith("出差：")
    leave_services.withdraw(people.staff, leave)
    meeting_services.unit_invite_add(acting_user=people.office, meeting=meeting.meeting, unit=org.hr, scope="all")
    assert MeetingLeave.objects.filter(invitation__person=people.norole, proposed=True).count() == 1
    # The withdrawn proposal is not made again for someone invited earlier.
    assert not MeetingLeave.objects.filter(invitation__person=people.staff, status=LeaveStatus.PENDING).exists()


# --- 3. The substitute rule lives in the service ---------------------------------------------------


def test_substitute_must_be_of_ones_own_unit(meeting, people):
    m = meeting.meeting
    m.allows_substitute = True
    m.save()
    with pytest.raises(Refused, match=leave_services.ERR_SUBSTITUTE_UNIT):
        leave_services.request_leave(people.head, m, "出差", substitute=people.norole)
    assert not MeetingLeave.objects.exists()
    assert list(leave_services.substitutes_for(m, people.head)) == [people.staff]


# --- 4. State refusals shared by the pages and the services ----------------------------------------


def test_respond_refusal(meeting, org, people, client_for):
    m = meeting.meeting
    assert meeting_services.respond_refusal(m) is None
    assert meeting_services.respond_refusal(m, now=m.starts_at) == meeting_services.ERR_STARTED
    assert meeting_services.respond_refusal(_draft(org, people)) == meeting_services.ERR_NOT_OPEN
    with time_machine.travel(m.starts_at, tick=False):
        html = client_for(people.head).get(url("meeting_detail", m.pk)).content.decode()
        with pytest.raises(Refused, match=meeting_services.ERR_STARTED):
            meeting_services.invitation_respond(acting_user=people.head, meeting=m, accept=True)
    assert meeting_services.ERR_STARTED in html and 'name="answer"' not in html


def test_close_refusal(meeting, people, client_for):
    m = meeting.meeting
    assert attendance_services.close_refusal(m) == attendance_services.ERR_NOT_STARTED
    page = url("attendance", m.pk)
    assert url("close", m.pk) not in client_for(people.office).get(page).content.decode()
    with time_machine.travel(m.starts_at, tick=False):
        assert attendance_services.close_refusal(m) is None
        assert url("close", m.pk) in client_for(people.office).get(page).content.decode()
        attendance_services.close(people.office, m)
    m.refresh_from_db()
    assert attendance_services.close_refusal(m) == attendance_services.ERR_ALREADY_CLOSED


def test_leave_refusal(meeting, people, client_for):
    m = meeting.meeting
    assert leave_services.leave_refusal(m, meeting.head) is None
    Invitation.objects.filter(pk=meeting.head.pk).update(attendance=Attendance.PRESENT)
    meeting.head.refresh_from_db()
    assert leave_services.leave_refusal(m, meeting.head) == leave_services.ERR_SIGNED_IN
    html = client_for(people.head).get(url("leave_request", m.pk)).content.decode()
    assert leave_services.ERR_SIGNED_IN in html and "提交请假申请" not in html
    Meeting.objects.filter(pk=m.pk).update(status=MeetingStatus.CANCELLED)
    html = client_for(people.liaison).get(url("leave_request", m.pk)).content.decode()
    assert leave_services.ERR_CANCELLED in html and "提交请假申请" not in html
    assert leave_services.is_late(m, now=m.starts_at) and not leave_services.is_late(m, now=m.starts_at - DAY)


DAY = datetime.timedelta(days=1)


# --- 5. Cancelling: the message says who was told ---------------------------------------------------


def test_cancel_message_per_case(meeting, org, people, client_for):
    client = client_for(people.office)
    draft = _draft(org, people)
    response = client.post(url("cancel", draft.pk), {"reason": "时间冲突"}, follow=True)
    assert "没有通知任何人" in response.text and "已通知参会人员" not in response.text
    response = client.post(url("cancel", meeting.meeting.pk), {"reason": "时间冲突"}, follow=True)
    assert "会议已取消，已通知参会人员。" in response.text


# --- 6. The HTMX tick renders one row with a constant number of queries ------------------------------


def test_tick_queries_do_not_grow_with_the_sheet(meeting, org, people, client_for):
    m = meeting.meeting
    data = {"invitation": meeting.liaison.pk, "attendance": "present"}
    headers = {"HX-Request": "true"}
    with time_machine.travel(m.starts_at, tick=False):
        client = client_for(people.office)
        client.post(url("attendance", m.pk), data, headers=headers)
        with CaptureQueriesContext(connection) as few:
            client.post(url("attendance", m.pk), data, headers=headers)
        for n in range(6):
            person = Person.objects.create_user(username=f"t{n}", name=f"人员{n}", unit=org.hr)
            Invitation.objects.create(meeting=m, person=person, via_unit=org.hr)
        with CaptureQueriesContext(connection) as many:
            response = client.post(url("attendance", m.pk), data, headers=headers)
    assert f'id="att-{meeting.liaison.pk}"' in response.text and "人员5" not in response.text
    assert len(many) == len(few)


# --- 7. Dates as offices write them -------------------------------------------------------------------


def test_sign_in_page_shows_a_multi_day_meeting(meeting, people, client_for):
    m = meeting.meeting
    Meeting.objects.filter(pk=m.pk).update(ends_at=at(8, 17))
    m.refresh_from_db()
    html = client_for(people.head).get(url("sign_in", m.pk, m.sign_in_token)).content.decode()
    assert meeting_services.when_text(m) in html
    end = at(8, 17)
    assert f"{end.month}月{end.day}日 17:00" in html


def test_proposal_and_request_messages_use_office_dates(meeting, org, people):
    m = meeting.meeting
    away = _absence(people.head, org.academic, m.starts_at.date())
    leave_services.propose_for_absence(away)
    message = Message.objects.get(recipient=people.office, title__contains="系统建议")
    day = m.starts_at.date()
    assert f"出差（{day.month}月{day.day}日）" in message.body
    assert meeting_services.when_text(m) in message.body


# --- 10. The unit of an invitation -----------------------------------------------------------------


def test_invitation_unit(meeting, org, people):
    assert meeting.outsider.unit == org.hr
    direct = Invitation.objects.create(meeting=meeting.meeting, person=people.staff)
    assert direct.unit == org.academic


# --- 14. Forms styled like the rest of the site -----------------------------------------------------


def test_leave_and_stats_forms_are_styled(meeting, people, client_for):
    html = client_for(people.head).get(url("leave_request", meeting.meeting.pk)).content.decode()
    assert re.search(r'<textarea[^>]*class="[^"]*form-control', html)
    html = client_for(people.office).get(url("stats")).content.decode()
    assert re.search(r'<select[^>]*class="[^"]*form-select', html)


# --- 15. Drafts are not "held" -------------------------------------------------------------------------


def test_past_tab_leaves_out_drafts(meeting, org, people, client_for):
    Meeting.objects.filter(pk=meeting.meeting.pk).update(status=MeetingStatus.CLOSED)
    _draft(org, people)
    Meeting.objects.filter(title="筹备中的推进会").update(starts_at=at(-5, 9), ends_at=at(-5, 10))
    html = client_for(people.office).get(reverse("meetings:meeting_list") + "?tab=past").content.decode()
    assert meeting.meeting.title in html and "筹备中的推进会" not in html


# --- 16. From the decisions page to the minutes extraction ----------------------------------------------


def test_decisions_page_links_the_office_to_the_minutes(meeting, people, client_for):
    page = url("decisions", meeting.meeting.pk)
    target = f"{reverse('minutes:draft_new')}?meeting={meeting.meeting.pk}"
    assert target in client_for(people.office).get(page).content.decode()
    assert "从会议纪要原文提取要求" not in client_for(people.head).get(page).content.decode()


def test_to_items_refusal_writes_dates_as_offices_do(meeting, org, people, work):  # noqa: F811
    decision = Decision.objects.create(
        meeting=meeting.meeting, order=1, text="教务处完成方案修订", lead_unit=org.academic, due_date=DUE
    )
    with pytest.raises(Refused) as refused:
        decision_services.to_items(people.office, meeting.meeting, [decision.pk], work.plan, datetime.date(2027, 1, 1))
    assert "完成时限 2026年12月20日 早于开始日期 2027年1月1日" in str(refused.value)
    with pytest.raises(Refused, match=plan_services.ERR_NO_PLAN):
        decision_services.to_items(people.office, meeting.meeting, [decision.pk], None, DUE)


DUE = datetime.date(2026, 12, 20)
