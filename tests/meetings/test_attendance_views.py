"""Pages of attendance, sign-in, meeting leave and decisions: who may open what, and the happy paths."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duban.meetings.models import Attendance, Decision, Invitation, LeaveStatus, MeetingLeave, MeetingStatus
from duban.meetings.services import leave as leave_services
from duban.org.models import Person
from duban.supervision.models import Item
from tests.supervision.conftest import work  # noqa: F401

pytestmark = pytest.mark.django_db


def url(name, meeting, *args):
    return reverse(f"meetings:{name}", args=[meeting.pk, *args])


def travel(moment):
    return time_machine.travel(moment, tick=False)


def test_anonymous_goes_to_login(client, meeting):
    m = meeting.meeting
    for target in [
        url("attendance", m),
        url("door", m),
        url("door_qr", m),
        url("sign_in", m, m.sign_in_token),
        url("leave_request", m),
        url("decisions", m),
        reverse("meetings:stats"),
    ]:
        response = client.get(target)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], target
    for target in [
        url("close", m),
        url("leave_decide", m, 1),
        url("leave_withdraw", m, 1),
        url("decisions_to_items", m),
    ]:
        assert "/accounts/login/" in client.post(target)["Location"]


def test_attendance_page_per_persona(client_for, meeting, people):
    m = meeting.meeting
    assert client_for(people.norole).get(url("attendance", m)).status_code == 403
    assert client_for(people.staff).get(url("attendance", m)).status_code == 404
    own = client_for(people.head).get(url("attendance", m))
    assert own.status_code == 200
    assert "我的出勤" in own.text and "签到情况" not in own.text and "钱联络" not in own.text
    sheet = client_for(people.office).get(url("attendance", m))
    assert "签到情况" in sheet.text and "钱联络" in sheet.text and "显示签到二维码" in sheet.text
    assert 'hx-post="' in sheet.text
    leader = client_for(people.leader).get(url("attendance", m))
    assert "钱联络" in leader.text and 'name="attendance"' not in leader.text


def test_tick_by_htmx(client_for, meeting, people):
    m = meeting.meeting
    data = {"invitation": meeting.liaison.pk, "attendance": "late"}
    with travel(m.starts_at + datetime.timedelta(minutes=15)):
        assert client_for(people.head).post(url("attendance", m), data).status_code == 403
        response = client_for(people.office).post(url("attendance", m), data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f'id="att-{meeting.liaison.pk}"' in response.text and 'hx-swap-oob="true"' in response.text
    meeting.liaison.refresh_from_db()
    assert meeting.liaison.attendance == Attendance.LATE


def test_tick_refused_shows_the_reason(client_for, meeting, people):
    m = meeting.meeting
    data = {"invitation": meeting.liaison.pk, "attendance": "present"}
    with travel(m.starts_at - datetime.timedelta(hours=3)):
        response = client_for(people.office).post(url("attendance", m), data, headers={"HX-Request": "true"})
    assert "签到尚未开始，现在只能登记请假" in response.text


def test_door_and_qr(client_for, meeting, people):
    m = meeting.meeting
    assert client_for(people.head).get(url("door", m)).status_code == 403
    assert client_for(people.head).get(url("door_qr", m)).status_code == 403
    office = client_for(people.office)
    page = office.get(url("door", m))
    assert page.status_code == 200 and "请用手机扫码签到" in page.text and 'hx-trigger="every 5s"' in page.text
    live = office.get(url("door", m) + "?live=1")
    assert "已签到" in live.text and "<html" not in live.text
    qr = office.get(url("door_qr", m))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content


def test_sign_in_on_the_phone(client_for, meeting, people):
    m = meeting.meeting
    with travel(m.starts_at - datetime.timedelta(minutes=2)):
        phone = client_for(people.head)  # sessions expire: log in at the meeting's time
        confirm = phone.get(url("sign_in", m, m.sign_in_token))
        assert "确认签到" in confirm.text and m.title in confirm.text
        done = phone.post(url("sign_in", m, m.sign_in_token))
    assert "签到成功" in done.text and "08:58" in done.text
    with travel(m.starts_at):
        phone = client_for(people.head)
        again = phone.get(url("sign_in", m, m.sign_in_token))
    assert "您已签到" in again.text and "确认签到" not in again.text


def test_sign_in_late_wrong_token_and_not_invited(client_for, meeting, people):
    m = meeting.meeting
    with travel(m.starts_at + datetime.timedelta(minutes=10)):
        assert "迟到签到" in client_for(people.head).post(url("sign_in", m, m.sign_in_token)).text
        wrong = client_for(people.liaison).get(url("sign_in", m, "bad"))
        assert "签到二维码无效" in wrong.text and m.title not in wrong.text
        stranger = client_for(people.staff).post(url("sign_in", m, m.sign_in_token))
        assert "您不在本次会议的参会名单中" in stranger.text
    assert Invitation.objects.get(pk=meeting.liaison.pk).attendance == Attendance.UNKNOWN


def test_leave_request_page(client_for, meeting, people):
    m = meeting.meeting
    assert client_for(people.staff).get(url("leave_request", m)).status_code == 404
    assert client_for(people.office).get(url("leave_request", m)).status_code == 403
    head = client_for(people.head)
    page = head.get(url("leave_request", m))
    assert page.status_code == 200 and "提交请假申请" in page.text and "委托代为参会人" not in page.text
    blank = head.post(url("leave_request", m), {"reason": ""})
    assert "这个字段是必填项" in blank.text or "必填" in blank.text
    response = head.post(url("leave_request", m), {"reason": "赴京开会"})
    assert response.status_code == 302
    assert "请假申请待审批" in head.get(url("leave_request", m)).text
    again = head.post(url("leave_request", m), {"reason": "再次"})
    assert "请假申请待审批" in again.text


def test_substitute_choice_when_allowed(client_for, meeting, people):
    m = meeting.meeting
    m.allows_substitute = True
    m.save()
    page = client_for(people.head).get(url("leave_request", m))
    assert "委托代为参会人" in page.text and "吴职工" in page.text and "钱联络" not in page.text
    client_for(people.head).post(url("leave_request", m), {"reason": "出差", "substitute": people.staff.pk})
    assert MeetingLeave.objects.get().substitute == people.staff


def test_decide_and_withdraw(client_for, meeting, people):
    m = meeting.meeting
    leave = leave_services.request_leave(people.head, m, "出差")
    assert client_for(people.head).post(url("leave_decide", m, leave.pk), {"approve": "1"}).status_code == 403
    response = client_for(people.office).post(url("leave_decide", m, leave.pk), {"approve": "1"})
    assert response.status_code == 302
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.APPROVED
    assert "请假" in client_for(people.office).get(url("attendance", m)).text
    other = leave_services.request_leave(people.liaison, m, "病假")
    assert client_for(people.head).post(url("leave_withdraw", m, other.pk)).status_code == 404
    client_for(people.liaison).post(url("leave_withdraw", m, other.pk))
    other.refresh_from_db()
    assert other.status == LeaveStatus.WITHDRAWN
    refused = client_for(people.office).post(url("leave_decide", m, leave.pk), {"approve": "0"}, follow=True)
    assert "该请假申请已处理过" in refused.text


def test_close(client_for, meeting, people):
    m = meeting.meeting
    with travel(m.starts_at + datetime.timedelta(minutes=30)):
        assert client_for(people.head).post(url("close", m)).status_code == 403
        page = client_for(people.office).post(url("close", m), follow=True)
    assert "会议已结束" in page.text
    m.refresh_from_db()
    assert m.status == MeetingStatus.CLOSED


def test_attendance_page_queries_do_not_grow(client_for, meeting, org, people):
    m = meeting.meeting
    office = client_for(people.office)
    office.get(url("attendance", m))
    with CaptureQueriesContext(connection) as before:
        office.get(url("attendance", m))
    for n in range(8):
        person = Person.objects.create_user(username=f"p{n}", password="x", name=f"人员{n}", unit=org.hr)
        inv = Invitation.objects.create(meeting=m, person=person, via_unit=org.hr)
        MeetingLeave.objects.create(invitation=inv, reason="出差")
    with CaptureQueriesContext(connection) as after:
        office.get(url("attendance", m))
    assert len(after) == len(before)


# --- Decisions -----------------------------------------------------------------------------


def formset(rows, total=None, initial=0):
    data = {"d-TOTAL_FORMS": str(total or len(rows)), "d-INITIAL_FORMS": str(initial), "minutes": "纪要正文"}
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"d-{n}-{key}"] = value
    return data


def test_decisions_page_per_persona(client_for, meeting, org, people):
    m = meeting.meeting
    Decision.objects.create(meeting=m, text="教务处修订培养方案", lead_unit=org.academic)
    assert client_for(people.staff).get(url("decisions", m)).status_code == 404
    read = client_for(people.head).get(url("decisions", m))
    assert read.status_code == 200 and "教务处修订培养方案" in read.text and "保存纪要和决定事项" not in read.text
    assert client_for(people.head).post(url("decisions", m), formset([])).status_code == 403
    office = client_for(people.office).get(url("decisions", m))
    assert "保存纪要和决定事项" in office.text and "转为督办事项" in office.text


def test_save_decisions_and_turn_into_items(client_for, meeting, org, people, work):  # noqa: F811
    m = meeting.meeting
    office = client_for(people.office)
    rows = [
        {"text": "教务处修订培养方案。年底前完成", "lead_unit": org.academic.pk, "due_date": "2026-12-20"},
        {"text": "", "lead_unit": "", "due_date": ""},
    ]
    response = office.post(url("decisions", m), formset(rows))
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.order == 1 and decision.due_date == datetime.date(2026, 12, 20)
    m.refresh_from_db()
    assert m.minutes == "纪要正文"
    assert client_for(people.head).post(url("decisions_to_items", m), {}).status_code == 403
    missing = office.post(url("decisions_to_items", m), {"plan": work.plan.pk, "start_date": "2026-11-10"})
    assert "请选择要转为督办事项的决定事项" in missing.text
    done = office.post(
        url("decisions_to_items", m),
        {"decisions": [decision.pk], "plan": work.plan.pk, "start_date": "2026-11-10"},
        follow=True,
    )
    item = Item.objects.get(decision=decision)
    assert "已转为 1 项督办事项" in done.text and item.get_absolute_url() in done.text
    assert item.title == "教务处修订培养方案"
