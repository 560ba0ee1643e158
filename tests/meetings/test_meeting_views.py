"""Meeting pages: who may open each, the happy paths, and constant query counts."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duban.meetings.models import AgendaSlot, Invitation, InviteScope, Meeting, MeetingKind, MeetingStatus, Response
from duban.meetings.services.agenda import slots_from_plan
from duban.org.models import Person
from tests.meetings.conftest import at
from tests.supervision.conftest import work  # noqa: F401


def url(name, *args):
    return reverse(f"meetings:{name}", args=args)


def make_draft(org, people, **extra):
    fields = {
        "title": "筹备中的推进会",
        "kind": MeetingKind.PROGRESS,
        "starts_at": at(5, 9),
        "ends_at": at(5, 10),
        "place": "三楼会议室",
        "host_unit": org.office,
        "organiser": people.office,
    }
    fields.update(extra)
    return Meeting.objects.create(**fields)


# --- Anonymous and people without meetings ------------------------------------------------


def test_anonymous_is_sent_to_login(client, meeting):
    pk = meeting.meeting.pk
    for target in (
        url("meeting_list"),
        url("meeting_create"),
        url("meeting_detail", pk),
        url("meeting_edit", pk),
        url("invitees", pk),
        url("agenda", pk),
        url("pack", pk),
    ):
        response = client.get(target)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], target
    for target in (url("announce", pk), url("cancel", pk), url("respond", pk)):
        assert "/accounts/login/" in client.post(target)["Location"]


@pytest.mark.parametrize("persona", ["norole", "sys_admin", "audit_admin"])
def test_no_meetings_for_accounts_without_a_working_role(client_for, people, meeting, persona):
    client = client_for(getattr(people, persona))
    assert client.get(url("meeting_list")).status_code == 403
    assert client.get(url("meeting_detail", meeting.meeting.pk)).status_code == 403
    assert client.get(url("meeting_create")).status_code == 403


# --- The list -------------------------------------------------------------------------------


def test_list_shows_my_answer(client_for, people, meeting):
    Invitation.objects.filter(pk=meeting.head.pk).update(response=Response.ACCEPTED)
    response = client_for(people.head).get(url("meeting_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert meeting.meeting.title in html and "参加" in html


def test_list_tabs_and_kind_filter(client_for, people, meeting, org):
    past = make_draft(
        org, people, title="上月的推进会", starts_at=at(-30, 9), ends_at=at(-30, 10), status=MeetingStatus.CLOSED
    )
    client = client_for(people.office)
    upcoming = client.get(url("meeting_list")).content.decode()
    assert meeting.meeting.title in upcoming and past.title not in upcoming
    done = client.get(url("meeting_list") + "?tab=past").content.decode()
    assert past.title in done and meeting.meeting.title not in done
    kinds = client.get(url("meeting_list") + "?tab=all&kind=progress").content.decode()
    assert past.title in kinds and meeting.meeting.title not in kinds


def test_staff_sees_no_meeting_they_are_not_part_of(client_for, people, meeting):
    response = client_for(people.staff).get(url("meeting_list"))
    assert response.status_code == 200 and meeting.meeting.title not in response.content.decode()
    assert client_for(people.staff).get(url("meeting_detail", meeting.meeting.pk)).status_code == 404


def test_drafts_are_hidden_from_invitees(client_for, people, org):
    draft = make_draft(org, people)
    Invitation.objects.create(meeting=draft, person=people.head)
    client = client_for(people.head)
    assert draft.title not in client.get(url("meeting_list") + "?tab=all").content.decode()
    assert client.get(url("meeting_detail", draft.pk)).status_code == 404
    assert draft.title in client_for(people.office).get(url("meeting_list")).content.decode()


def test_list_query_count_is_constant(client_for, people, org, meeting):
    client = client_for(people.office)
    client.get(url("meeting_list") + "?tab=all")
    with CaptureQueriesContext(connection) as few:
        client.get(url("meeting_list") + "?tab=all")
    for n in range(6):
        extra = make_draft(org, people, title=f"会议{n}", status=MeetingStatus.ANNOUNCED)
        Invitation.objects.create(meeting=extra, person=people.office)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("meeting_list") + "?tab=all")
    assert response.content.decode().count("/meetings/") > 6
    assert len(many) == len(few)


# --- Create and edit ------------------------------------------------------------------------


def form_data(org, people, **extra):
    day = at(4).date().isoformat()
    data = {
        "kind": "scheduling",
        "title": "第一次重点工作调度会",
        "day": day,
        "start": "14:30",
        "end": "16:30",
        "place": "行政楼第一会议室",
        "host_unit": org.office.pk,
        "organiser": people.office.pk,
        "chair": "李校长",
        "agenda": "各牵头单位汇报\n校领导讲话",
        "due_day": at(3).date().isoformat(),
        "due_time": "",
        "late_after_minutes": "5",
    }
    data.update(extra)
    return data


def test_office_creates_a_meeting(client_for, people, org, work):  # noqa: F811
    client = client_for(people.office)
    assert client.get(url("meeting_create")).status_code == 200
    response = client.post(url("meeting_create"), form_data(org, people, plan=work.plan.pk))
    meeting = Meeting.objects.get(title="第一次重点工作调度会")
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert meeting.starts_at == at(4, 14, 30) and meeting.ends_at == at(4, 16, 30)
    assert meeting.reports_due_at == at(3, 17) and meeting.plan == work.plan
    assert meeting.status == MeetingStatus.DRAFT and meeting.late_after_minutes == 5


def test_create_shows_errors_in_chinese(client_for, people, org):
    response = client_for(people.office).post(url("meeting_create"), form_data(org, people, end="14:00"))
    assert response.status_code == 200
    assert "结束时间须晚于开始时间。" in response.content.decode()
    assert not Meeting.objects.exists()


def test_head_may_host_only_their_unit(client_for, people, org):
    client = client_for(people.head)
    page = client.get(url("meeting_create")).content.decode()
    hosts = re.search(r'<select name="host_unit".*?</select>', page, re.S).group(0)
    assert "教务处" in hosts and "人事处" not in hosts
    response = client.post(url("meeting_create"), form_data(org, people, host_unit=org.hr.pk, kind="office"))
    assert response.status_code == 200 and not Meeting.objects.exists()
    client.post(url("meeting_create"), form_data(org, people, host_unit=org.academic.pk, kind="office"))
    assert Meeting.objects.get().host_unit == org.academic


@pytest.mark.parametrize("persona", ["staff", "leader", "discipline"])
def test_create_refused(client_for, people, persona):
    assert client_for(getattr(people, persona)).get(url("meeting_create")).status_code == 403


def test_edit_by_the_office_only(client_for, people, meeting, org):
    pk = meeting.meeting.pk
    assert client_for(people.head).get(url("meeting_edit", pk)).status_code == 403
    client = client_for(people.office)
    page = client.get(url("meeting_edit", pk)).content.decode()
    assert 'value="09:00"' in page
    data = form_data(org, people, title="第十二次重点工作调度会（调整）", version=meeting.meeting.version)
    response = client.post(url("meeting_edit", pk), data)
    assert response.status_code == 302
    assert Meeting.objects.get(pk=pk).title == "第十二次重点工作调度会（调整）"
    stale = client.post(url("meeting_edit", pk), data)
    assert "会议信息已被他人修改，请刷新后再改。" in stale.content.decode()


# --- The overview and answers -----------------------------------------------------------------


def test_detail_for_an_invitee(client_for, people, meeting):
    response = client_for(people.outsider).get(url("meeting_detail", meeting.meeting.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "我的参会回复" in html and url("leave_request", meeting.meeting.pk) in html
    assert url("meeting_edit", meeting.meeting.pk) not in html


def test_respond_from_the_page(client_for, people, meeting):
    client = client_for(people.outsider)
    response = client.post(url("respond", meeting.meeting.pk), {"answer": "decline", "note": "外出学习"})
    assert response.status_code == 302
    invitation = Invitation.objects.get(pk=meeting.outsider.pk)
    assert (invitation.response, invitation.response_note) == (Response.DECLINED, "外出学习")
    refused = client_for(people.leader).post(url("respond", meeting.meeting.pk), {"answer": "accept"}, follow=True)
    assert "您不在本次会议的参会名单中。" in refused.content.decode()


def test_announce_and_cancel(client_for, people, org):
    draft = make_draft(org, people)
    assert client_for(people.head).post(url("announce", draft.pk)).status_code == 404
    client = client_for(people.office)
    empty = client.post(url("announce", draft.pk), follow=True)
    assert "还没有参会人员" in empty.content.decode()
    Invitation.objects.create(meeting=draft, person=people.head)
    client.post(url("announce", draft.pk))
    assert Meeting.objects.get(pk=draft.pk).status == MeetingStatus.ANNOUNCED
    assert client_for(people.head).post(url("cancel", draft.pk), {"reason": "x"}).status_code == 403
    no_reason = client.post(url("cancel", draft.pk), {"reason": ""}, follow=True)
    assert "请填写取消会议的原因。" in no_reason.content.decode()
    client.post(url("cancel", draft.pk), {"reason": "时间冲突"})
    assert Meeting.objects.get(pk=draft.pk).status == MeetingStatus.CANCELLED


# --- Invitees -----------------------------------------------------------------------------------


def test_invitees_page(client_for, people, meeting, org):
    pk = meeting.meeting.pk
    html = client_for(people.outsider).get(url("invitees", pk)).content.decode()
    assert "赵处长" in html and "人事处" in html and "添加人员" not in html
    assert client_for(people.outsider).post(url("invitees", pk), {"action": "people"}).status_code == 403
    client = client_for(people.office)
    client.post(url("invitees", pk), {"action": "people", "people": [people.staff.pk, people.leader.pk]})
    assert meeting.meeting.invitations.count() == 5
    client.post(url("invitees", pk), {"action": "unit", "unit": org.hr.pk, "scope": InviteScope.ALL})
    assert meeting.meeting.invitations.filter(person=people.norole).exists()
    client.post(url("invitees", pk), {"action": "remove", "id": meeting.liaison.pk})
    assert not meeting.meeting.invitations.filter(person=people.liaison).exists()
    invite = meeting.meeting.unit_invites.get()
    client.post(url("invitees", pk), {"action": "remove_unit", "id": invite.pk})
    assert not meeting.meeting.unit_invites.exists()
    empty = client.post(url("invitees", pk), {"action": "people"})
    assert "请选择要邀请的人员。" in empty.content.decode()


def test_invitees_query_count_is_constant(client_for, people, meeting, org):
    client = client_for(people.office)
    client.get(url("invitees", meeting.meeting.pk))
    with CaptureQueriesContext(connection) as few:
        client.get(url("invitees", meeting.meeting.pk))
    for n in range(5):
        person = Person.objects.create_user(username=f"p{n}", name=f"人员{n}", unit=org.hr if n % 2 else org.party)
        Invitation.objects.create(meeting=meeting.meeting, person=person, via_unit=person.unit)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("invitees", meeting.meeting.pk))
    assert "人员4" in response.content.decode()
    assert len(many) == len(few)


# --- Agenda, slots, pack --------------------------------------------------------------------------


@pytest.fixture
def planned(meeting, work):  # noqa: F811
    Meeting.objects.filter(pk=meeting.meeting.pk).update(plan=work.plan)
    meeting.meeting.refresh_from_db()
    return meeting


def test_agenda_generate_and_file(client_for, people, planned, org):
    pk = planned.meeting.pk
    assert client_for(people.head).post(url("agenda", pk), {"action": "generate"}).status_code == 403
    client = client_for(people.office)
    client.post(url("agenda", pk), {"action": "generate"})
    assert list(planned.meeting.slots.values_list("unit__name", flat=True)) == ["教务处", "人事处"]
    slot = AgendaSlot.objects.get(meeting=planned.meeting, unit=org.academic)
    head = client_for(people.head)
    agenda = head.get(url("agenda", pk)).content.decode()
    assert "预填未报送" in agenda and url("slot_edit", pk, slot.pk) in agenda
    form = head.get(url("slot_edit", pk, slot.pk)).content.decode()
    assert "尚未报送进展" in form
    response = head.post(
        url("slot_edit", pk, slot.pk),
        {"progress": "教务处的进展", "problems": "", "next_steps": "下周验收", "version": slot.version},
    )
    assert response.status_code == 302
    slot.refresh_from_db()
    assert slot.filed_by == people.head and slot.progress == "教务处的进展"
    assert "已报送" in head.get(url("agenda", pk)).content.decode()
    stale = head.post(url("slot_edit", pk, slot.pk), {"progress": "再改", "version": 1})
    assert "材料已被他人修改，请刷新后再改。" in stale.content.decode()


def test_slot_of_another_unit_is_refused(client_for, people, planned, org):
    slots_from_plan(acting_user=people.office, meeting=planned.meeting)
    slot = AgendaSlot.objects.get(meeting=planned.meeting, unit=org.academic)
    assert client_for(people.outsider).get(url("slot_edit", planned.meeting.pk, slot.pk)).status_code == 403
    assert client_for(people.staff).get(url("slot_edit", planned.meeting.pk, slot.pk)).status_code == 404


def test_manual_slot_from_the_page(client_for, people, planned):
    client = client_for(people.office)
    client.post(url("agenda", planned.meeting.pk), {"action": "add", "title": "校领导讲话", "unit": ""})
    slot = planned.meeting.slots.get()
    assert slot.title == "校领导讲话"
    blank = client.post(url("agenda", planned.meeting.pk), {"action": "add", "title": "", "unit": ""})
    assert blank.status_code == 200 and "这个字段是必填项" in blank.content.decode()
    client.post(url("agenda", planned.meeting.pk), {"action": "remove", "id": slot.pk})
    assert not planned.meeting.slots.exists()


def test_agenda_query_count_is_constant(client_for, people, planned, org):
    client = client_for(people.office)
    slots_from_plan(acting_user=people.office, meeting=planned.meeting)
    with CaptureQueriesContext(connection) as few:
        client.get(url("agenda", planned.meeting.pk))
    for unit in (org.party, org.branch, org.branch2, org.grid):
        AgendaSlot.objects.create(meeting=planned.meeting, title=f"{unit.name}汇报", unit=unit, order=9)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("agenda", planned.meeting.pk))
    assert "行政管理党支部" in response.content.decode()
    assert len(many) == len(few)


def test_pack_download(client_for, people, planned):
    slots_from_plan(acting_user=people.office, meeting=planned.meeting)
    response = client_for(people.outsider).get(url("pack", planned.meeting.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert client_for(people.staff).get(url("pack", planned.meeting.pk)).status_code == 404
