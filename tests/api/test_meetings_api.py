"""The meetings API: list and detail as the pages show them, answering, filing a slot."""

import pytest

from duban.meetings.models import AgendaSlot, Meeting, MeetingStatus, Response
from duban.meetings.services.agenda import slots_from_plan
from tests.meetings.conftest import at, meeting  # noqa: F401
from tests.supervision.conftest import work  # noqa: F401


def test_anonymous_gets_401(client, meeting):  # noqa: F811
    assert client.get("/api/meetings").status_code == 401


@pytest.mark.parametrize("persona", ["norole", "sys_admin"])
def test_refused_without_a_working_role(api_for, people, meeting, persona):  # noqa: F811
    client = api_for(getattr(people, persona))
    assert client.get("/api/meetings").status_code == 403
    assert client.get(f"/api/meetings/{meeting.meeting.pk}").status_code == 403


def test_list_with_my_answer_and_dates(api_for, people, meeting):  # noqa: F811
    client = api_for(people.head)
    rows = client.get("/api/meetings").json()
    assert [(r["title"], r["my_response"], r["host_unit"]) for r in rows] == [
        ("第十二次重点工作调度会", "pending", "党委办公室")
    ]
    day = at(7).date()
    assert len(client.get(f"/api/meetings?from={day}&to={day}").json()) == 1
    assert client.get(f"/api/meetings?from={at(8).date()}").json() == []
    assert api_for(people.staff).get("/api/meetings").json() == []


def test_detail_hidden_from_others(api_for, people, meeting):  # noqa: F811
    assert api_for(people.staff).get(f"/api/meetings/{meeting.meeting.pk}").status_code == 404


def test_respond(api_for, people, meeting):  # noqa: F811
    client = api_for(people.outsider)
    response = client.post(
        f"/api/meetings/{meeting.meeting.pk}/respond",
        {"accept": False, "note": "外出学习"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["response"] == Response.DECLINED
    detail = client.get(f"/api/meetings/{meeting.meeting.pk}").json()
    assert detail["my_invitation"]["response_note"] == "外出学习"
    refused = api_for(people.leader).post(
        f"/api/meetings/{meeting.meeting.pk}/respond", {"accept": True}, content_type="application/json"
    )
    assert refused.status_code == 400 and "您不在本次会议的参会名单中。" in refused.json()["detail"]


def test_file_a_slot(api_for, people, meeting, work, org):  # noqa: F811
    Meeting.objects.filter(pk=meeting.meeting.pk).update(plan=work.plan)
    slots_from_plan(acting_user=people.office, meeting=meeting.meeting)
    slot = AgendaSlot.objects.get(meeting=meeting.meeting, unit=org.academic)
    detail = api_for(people.liaison).get(f"/api/meetings/{meeting.meeting.pk}").json()
    assert [s["unit"] for s in detail["slots"]] == ["教务处", "人事处"]
    assert detail["slots"][0]["filed"] is False
    target = f"/api/meetings/{meeting.meeting.pk}/slots/{slot.pk}"
    body = {"progress": "接口报送的进展", "problems": "", "next_steps": "下周验收", "version": slot.version}
    response = api_for(people.liaison).put(target, body, content_type="application/json")
    assert response.status_code == 200 and response.json()["filed"] is True
    assert AgendaSlot.objects.get(pk=slot.pk).filed_by == people.liaison
    stale = api_for(people.liaison).put(target, body, content_type="application/json")
    assert stale.status_code == 400 and "材料已被他人修改" in stale.json()["detail"]
    assert api_for(people.outsider).put(target, body, content_type="application/json").status_code == 403


def test_draft_hidden_from_invitees(api_for, people, meeting):  # noqa: F811
    Meeting.objects.filter(pk=meeting.meeting.pk).update(status=MeetingStatus.DRAFT)
    assert api_for(people.head).get("/api/meetings").json() == []
    assert api_for(people.head).get(f"/api/meetings/{meeting.meeting.pk}").status_code == 404
    assert len(api_for(people.office).get("/api/meetings").json()) == 1
