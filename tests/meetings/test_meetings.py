"""Meeting services: saving, invitees (people and units), announcing, cancelling, answering."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from duban.meetings.models import (
    AgendaSlot,
    Attendance,
    Invitation,
    InviteScope,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Response,
    UnitInvite,
)
from duban.meetings.services import meetings as svc
from duban.notify.models import Message
from duban.supervision.services import Refused
from tests.meetings.conftest import at
from tests.supervision.conftest import work  # noqa: F401


def new_meeting(org, people, **extra) -> Meeting:
    fields = {
        "title": "教学工作推进会",
        "kind": MeetingKind.PROGRESS,
        "starts_at": at(3, 14),
        "ends_at": at(3, 16),
        "place": "教务处会议室",
        "host_unit": org.office,
        "organiser": people.office,
    }
    fields.update(extra)
    return Meeting(**fields)


@pytest.fixture
def draft(org, people):
    return svc.meeting_save(acting_user=people.office, meeting=new_meeting(org, people))


def titles(person) -> list[str]:
    return list(Message.objects.filter(recipient=person).values_list("title", flat=True))


# --- Saving -------------------------------------------------------------------------------


def test_office_creates_a_draft(draft, people):
    assert draft.status == MeetingStatus.DRAFT
    assert draft.created_by == people.office
    assert draft.version == 1


def test_head_hosts_only_their_units(org, people):
    mine = svc.meeting_save(acting_user=people.head, meeting=new_meeting(org, people, host_unit=org.academic))
    assert mine.host_unit == org.academic
    with pytest.raises(Refused, match=svc.ERR_HOST):
        svc.meeting_save(acting_user=people.head, meeting=new_meeting(org, people, host_unit=org.hr))


@pytest.mark.parametrize("persona", ["staff", "leader", "discipline", "norole", "taskforce"])
def test_others_cannot_create(org, people, persona):
    with pytest.raises(PermissionDenied):
        svc.meeting_save(acting_user=getattr(people, persona), meeting=new_meeting(org, people))


def test_end_must_follow_start(org, people):
    with pytest.raises(Refused, match=svc.ERR_ENDS):
        svc.meeting_save(acting_user=people.office, meeting=new_meeting(org, people, ends_at=at(3, 14)))


def test_reports_due_before_the_start(org, people):
    with pytest.raises(Refused, match=svc.ERR_DUE):
        svc.meeting_save(acting_user=people.office, meeting=new_meeting(org, people, reports_due_at=at(3, 15)))


def test_plan_only_for_scheduling_and_progress(org, people, work):  # noqa: F811
    meeting = new_meeting(org, people, kind=MeetingKind.PARTY_LIFE, plan=work.plan)
    with pytest.raises(Refused, match=svc.ERR_PLAN_KIND):
        svc.meeting_save(acting_user=people.office, meeting=meeting)


def test_stale_version_refused(draft, people):
    first = Meeting.objects.get(pk=draft.pk)
    second = Meeting.objects.get(pk=draft.pk)
    first.place = "图书馆报告厅"
    svc.meeting_save(acting_user=people.office, meeting=first)
    second.place = "行政楼"
    with pytest.raises(Refused, match=svc.ERR_VERSION):
        svc.meeting_save(acting_user=people.office, meeting=second)
    assert Meeting.objects.get(pk=draft.pk).place == "图书馆报告厅"


def test_outsider_cannot_edit(draft, people):
    draft.place = "别处"
    with pytest.raises(PermissionDenied):
        svc.meeting_save(acting_user=people.outsider, meeting=draft)


def test_moving_an_announced_meeting_tells_invitees(meeting, people):
    m = meeting.meeting
    m.place = "图书馆报告厅"
    svc.meeting_save(acting_user=people.office, meeting=m)
    assert titles(people.head) == [f"会议时间地点变更：{m.title}"]
    m = Meeting.objects.get(pk=m.pk)
    m.chair = "李校长"
    svc.meeting_save(acting_user=people.office, meeting=m)
    assert len(titles(people.head)) == 1  # only time and place are news


def test_closed_meeting_is_fixed(meeting, people):
    Meeting.objects.filter(pk=meeting.meeting.pk).update(status=MeetingStatus.CLOSED)
    m = Meeting.objects.get(pk=meeting.meeting.pk)
    m.place = "别处"
    with pytest.raises(Refused, match=svc.ERR_FIXED):
        svc.meeting_save(acting_user=people.office, meeting=m)


# --- Invitees -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (InviteScope.HEADS, {"赵处长"}),
        (InviteScope.HEADS_LIAISONS, {"赵处长", "钱联络"}),
        (InviteScope.ALL, {"赵处长", "钱联络", "吴职工"}),
    ],
)
def test_expand_by_scope(draft, people, org, scope, expected):
    svc.unit_invite_add(acting_user=people.office, meeting=draft, unit=org.academic, scope=scope)
    created = svc.expand_invitations(draft)
    assert {i.person.name for i in created} == expected
    assert all(i.via_unit == org.academic for i in created)
    assert svc.expand_invitations(draft) == []  # idempotent
    assert draft.invitations.count() == len(expected)


def test_expand_keeps_people_already_invited(draft, people, org):
    svc.people_invite(acting_user=people.office, meeting=draft, people=[people.head])
    svc.unit_invite_add(acting_user=people.office, meeting=draft, unit=org.academic, scope=InviteScope.HEADS_LIAISONS)
    svc.expand_invitations(draft)
    assert draft.invitations.count() == 2
    assert draft.invitations.get(person=people.head).via_unit is None


def test_people_invite_needs_someone(draft, people):
    with pytest.raises(Refused, match=svc.ERR_NO_PEOPLE):
        svc.people_invite(acting_user=people.office, meeting=draft, people=[])


def test_adding_to_an_announced_meeting_tells_the_new_people(meeting, people, org):
    svc.people_invite(acting_user=people.office, meeting=meeting.meeting, people=[people.staff, people.head])
    assert titles(people.staff) == [f"会议通知：{meeting.meeting.title}"]
    assert titles(people.head) == []  # already invited
    svc.unit_invite_add(acting_user=people.office, meeting=meeting.meeting, unit=org.hr, scope=InviteScope.ALL)
    assert Invitation.objects.filter(meeting=meeting.meeting, person=people.norole).exists()


def test_removing_someone_signed_in_is_refused(meeting, people):
    Invitation.objects.filter(pk=meeting.head.pk).update(attendance=Attendance.PRESENT)
    with pytest.raises(Refused, match="赵处长已签到，不能移出参会名单。"):
        svc.invitation_remove(acting_user=people.office, invitation=meeting.head)
    svc.invitation_remove(acting_user=people.office, invitation=meeting.liaison)
    assert not Invitation.objects.filter(pk=meeting.liaison.pk).exists()


def test_removing_a_unit_removes_its_invitations(meeting, people, org):
    invite = UnitInvite.objects.create(meeting=meeting.meeting, unit=org.academic)
    Invitation.objects.filter(pk=meeting.head.pk).update(attendance=Attendance.LATE)
    with pytest.raises(Refused, match="教务处已有人签到，不能移出该单位。"):
        svc.unit_invite_remove(acting_user=people.office, invite=invite)
    Invitation.objects.filter(pk=meeting.head.pk).update(attendance=Attendance.UNKNOWN)
    svc.unit_invite_remove(acting_user=people.office, invite=invite)
    assert list(meeting.meeting.invitations.values_list("person__name", flat=True)) == ["郑外单位"]


def test_invitees_managed_only_by_managers(draft, people):
    with pytest.raises(PermissionDenied):
        svc.people_invite(acting_user=people.head, meeting=draft, people=[people.staff])


# --- Announce and cancel ------------------------------------------------------------------


def test_announce_expands_and_notifies(draft, people, org, monkeypatch):
    proposed = []
    monkeypatch.setattr("duban.meetings.services.leave.propose_for_meeting", proposed.append)
    svc.unit_invite_add(acting_user=people.office, meeting=draft, unit=org.academic, scope=InviteScope.HEADS_LIAISONS)
    svc.people_invite(acting_user=people.office, meeting=draft, people=[people.leader])
    meeting = svc.meeting_announce(acting_user=people.office, meeting=draft)
    assert meeting.status == MeetingStatus.ANNOUNCED and meeting.announced_at
    assert set(meeting.invitations.values_list("person__name", flat=True)) == {"赵处长", "钱联络", "李校长"}
    message = Message.objects.get(recipient=people.liaison)
    assert message.title == "会议通知：教学工作推进会"
    assert "教务处会议室" in message.body and message.url == meeting.get_absolute_url()
    assert proposed == [meeting]
    with pytest.raises(Refused, match=svc.ERR_NOT_DRAFT):
        svc.meeting_announce(acting_user=people.office, meeting=meeting)


def test_announce_needs_invitees(draft, people, org):
    # A unit with nobody in the scope adds nobody.
    svc.unit_invite_add(acting_user=people.office, meeting=draft, unit=org.branch, scope=InviteScope.HEADS)
    with pytest.raises(Refused, match=svc.ERR_NO_INVITEES):
        svc.meeting_announce(acting_user=people.office, meeting=draft)
    assert Meeting.objects.get(pk=draft.pk).status == MeetingStatus.DRAFT


def test_announce_after_the_start_is_refused(draft, people):
    svc.people_invite(acting_user=people.office, meeting=draft, people=[people.head])
    later = draft.starts_at + datetime.timedelta(minutes=1)
    with time_machine.travel(later), pytest.raises(Refused, match=svc.ERR_STARTED_ALREADY):
        svc.meeting_announce(acting_user=people.office, meeting=draft)


def test_announcing_a_scheduling_meeting_asks_units_for_material(org, people, work):  # noqa: F811
    meeting = svc.meeting_save(
        acting_user=people.office,
        meeting=new_meeting(
            org, people, kind=MeetingKind.SCHEDULING, plan=work.plan, title="第一次调度会", reports_due_at=at(2, 17)
        ),
    )
    svc.people_invite(acting_user=people.office, meeting=meeting, people=[people.leader])
    svc.meeting_announce(acting_user=people.office, meeting=meeting)
    # The slots were generated from the plan, and each lead unit's heads and liaisons asked.
    assert list(meeting.slots.values_list("unit__name", flat=True)) == ["教务处", "人事处"]
    for person in (people.head, people.liaison, people.outsider):
        assert "请报送调度会材料：第一次调度会" in titles(person)
    slot = AgendaSlot.objects.get(meeting=meeting, unit=org.academic)
    message = Message.objects.get(recipient=people.liaison, title__startswith="请报送")
    assert message.url == f"/meetings/{meeting.pk}/agenda/{slot.pk}/"
    assert "教务处" in message.body and "17:00" in message.body
    assert titles(people.staff) == []


def test_cancel_needs_a_reason_and_tells_invitees(meeting, people):
    with pytest.raises(Refused, match=svc.ERR_CANCEL_REASON):
        svc.meeting_cancel(acting_user=people.office, meeting=meeting.meeting, reason="  ")
    svc.meeting_cancel(acting_user=people.office, meeting=meeting.meeting, reason="与上级会议冲突")
    assert Meeting.objects.get(pk=meeting.meeting.pk).status == MeetingStatus.CANCELLED
    message = Message.objects.get(recipient=people.outsider)
    assert message.title == f"会议取消：{meeting.meeting.title}" and "与上级会议冲突" in message.body
    with pytest.raises(Refused, match=svc.ERR_CANCELLED):
        svc.meeting_cancel(acting_user=people.office, meeting=meeting.meeting, reason="再取消")


def test_cancel_after_close_refused(meeting, people):
    Meeting.objects.filter(pk=meeting.meeting.pk).update(status=MeetingStatus.CLOSED)
    with pytest.raises(Refused, match=svc.ERR_CANCEL_CLOSED):
        svc.meeting_cancel(acting_user=people.office, meeting=meeting.meeting, reason="不开了")


def test_cancel_only_by_managers(meeting, people):
    with pytest.raises(PermissionDenied):
        svc.meeting_cancel(acting_user=people.head, meeting=meeting.meeting, reason="不开了")


# --- Answers ------------------------------------------------------------------------------


def test_invitee_accepts_and_declines(meeting, people):
    invitation = svc.invitation_respond(acting_user=people.head, meeting=meeting.meeting, accept=True)
    assert invitation.response == Response.ACCEPTED and invitation.responded_at
    invitation = svc.invitation_respond(acting_user=people.head, meeting=meeting.meeting, accept=False, note="出差在外")
    assert (invitation.response, invitation.response_note) == (Response.DECLINED, "出差在外")
    message = Message.objects.get(recipient=people.office)
    assert message.title == f"赵处长回复不参加：{meeting.meeting.title}" and "出差在外" in message.body


def test_only_invitees_answer(meeting, people):
    with pytest.raises(Refused, match=svc.ERR_NOT_INVITED):
        svc.invitation_respond(acting_user=people.staff, meeting=meeting.meeting, accept=True)


def test_no_answer_after_the_start(meeting, people):
    with time_machine.travel(meeting.meeting.starts_at), pytest.raises(Refused, match=svc.ERR_STARTED):
        svc.invitation_respond(acting_user=people.head, meeting=meeting.meeting, accept=True)


def test_no_answer_to_a_draft(draft, people):
    svc.people_invite(acting_user=people.office, meeting=draft, people=[people.head])
    with pytest.raises(Refused, match=svc.ERR_NOT_OPEN):
        svc.invitation_respond(acting_user=people.head, meeting=draft, accept=True)
