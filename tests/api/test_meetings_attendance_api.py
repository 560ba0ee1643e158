"""Attendance, meeting leave and attendance statistics through the API."""

import datetime

import pytest
import time_machine

from duban.meetings.models import Attendance, Invitation, LeaveStatus, MeetingLeave, MeetingStatus
from duban.meetings.services import leave as leave_services
from tests.meetings.conftest import meeting  # noqa: F401

pytestmark = pytest.mark.django_db


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_needs_a_token(client, meeting):  # noqa: F811
    assert client.get(f"/api/meetings/{meeting.meeting.pk}/attendance").status_code == 401
    assert client.get("/api/meetings/attendance-stats").status_code == 401


def test_attendance_sheet_per_persona(api_for, meeting, people):  # noqa: F811
    path = f"/api/meetings/{meeting.meeting.pk}/attendance"
    assert api_for(people.norole).get(path).status_code == 403
    assert api_for(people.staff).get(path).status_code == 404
    own = api_for(people.head).get(path).json()
    assert own["full"] is False and own["summary"] is None
    assert [r["person"] for r in own["rows"]] == ["赵处长"]
    full = api_for(people.office).get(path).json()
    assert full["full"] is True and len(full["rows"]) == 3
    assert full["summary"] == {
        "invited": 3,
        "arrived": 0,
        "present": 0,
        "late": 0,
        "leave": 0,
        "absent": 0,
        "unknown": 3,
    }
    assert api_for(people.leader).get(path).json()["full"] is True


def test_ask_and_decide_leave(api_for, meeting, people):  # noqa: F811
    m = meeting.meeting
    asked = _post(api_for(people.head), f"/api/meetings/{m.pk}/leave", {"reason": "赴京开会"})
    assert asked.status_code == 200, asked.content
    body = asked.json()
    assert body["status"] == "pending" and body["person"] == "赵处长" and body["is_late"] is False
    again = _post(api_for(people.head), f"/api/meetings/{m.pk}/leave", {"reason": "再次"})
    assert again.status_code == 400 and "您已提交过请假申请" in again.json()["detail"]
    stranger = _post(api_for(people.staff), f"/api/meetings/{m.pk}/leave", {"reason": "x"})
    assert stranger.status_code == 404
    path = f"/api/meetings/{m.pk}/leave/{body['id']}/decision"
    assert _post(api_for(people.head), path, {"approve": True}).status_code == 403
    no_note = _post(api_for(people.office), path, {"approve": False})
    assert no_note.status_code == 400 and "不准假须说明理由" in no_note.json()["detail"]
    done = _post(api_for(people.office), path, {"approve": True, "note": "同意"})
    assert done.status_code == 200 and done.json()["status"] == "approved"
    assert Invitation.objects.get(pk=meeting.head.pk).attendance == Attendance.LEAVE
    assert api_for(people.head).get(f"/api/meetings/{m.pk}/attendance").json()["leaves"][0]["status"] == "approved"


def test_substitute_through_the_api(api_for, meeting, people):  # noqa: F811
    m = meeting.meeting
    refused = _post(
        api_for(people.head), f"/api/meetings/{m.pk}/leave", {"reason": "出差", "substitute_id": people.staff.pk}
    )
    assert refused.status_code == 400 and "本次会议不允许委托他人参会" in refused.json()["detail"]
    m.allows_substitute = True
    m.save()
    missing = _post(api_for(people.head), f"/api/meetings/{m.pk}/leave", {"reason": "出差", "substitute_id": 999999})
    assert missing.status_code == 400
    ok = _post(
        api_for(people.head), f"/api/meetings/{m.pk}/leave", {"reason": "出差", "substitute_id": people.staff.pk}
    )
    assert ok.json()["substitute"] == "吴职工"


def test_late_request_is_marked(api_for, meeting, people):  # noqa: F811
    with time_machine.travel(meeting.meeting.starts_at + datetime.timedelta(minutes=5), tick=False):
        body = _post(
            api_for(people.liaison), f"/api/meetings/{meeting.meeting.pk}/leave", {"reason": "临时任务"}
        ).json()
    assert body["is_late"] is True


def test_stats(api_for, meeting, org, people):  # noqa: F811
    m = meeting.meeting
    leave = leave_services.request_leave(people.outsider, m, "出差")
    leave_services.decide(people.office, leave, True)
    Invitation.objects.filter(pk=meeting.head.pk).update(attendance=Attendance.PRESENT)
    Invitation.objects.filter(pk=meeting.liaison.pk).update(attendance=Attendance.ABSENT)
    m.status = MeetingStatus.CLOSED
    m.save()
    day = m.starts_at.date()
    query = f"?from={day - datetime.timedelta(days=1)}&to={day + datetime.timedelta(days=1)}"
    assert api_for(people.staff).get("/api/meetings/attendance-stats" + query).status_code == 403
    body = api_for(people.office).get("/api/meetings/attendance-stats" + query).json()
    assert body["total"]["invited"] == 3 and body["total"]["rate"] == pytest.approx(33.3)
    assert {u["unit_name"]: u["leave"] for u in body["units"]} == {"教务处": 0, "人事处": 1}
    head = api_for(people.head).get("/api/meetings/attendance-stats" + query).json()
    assert {p["name"] for p in head["people"]} == {"赵处长", "钱联络"}
    assert api_for(people.head).get(f"/api/meetings/attendance-stats{query}&unit={org.hr.pk}").status_code == 403
    wrong = api_for(people.office).get("/api/meetings/attendance-stats?from=2026-12-31&to=2026-01-01")
    assert wrong.status_code == 400
    assert MeetingLeave.objects.get().status == LeaveStatus.APPROVED


def test_api_leave_obeys_the_substitute_rule(api_for, meeting, people):  # noqa: F811
    m = meeting.meeting
    m.allows_substitute = True
    m.save()
    path = f"/api/meetings/{m.pk}/leave"
    other_unit = _post(api_for(people.head), path, {"reason": "出差", "substitute_id": people.norole.pk})
    assert other_unit.status_code == 400 and leave_services.ERR_SUBSTITUTE_UNIT in other_unit.json()["detail"]
    assert not MeetingLeave.objects.exists()
    ok = _post(api_for(people.head), path, {"reason": "出差", "substitute_id": people.staff.pk})
    assert ok.status_code == 200 and ok.json()["substitute"] == "吴职工"
