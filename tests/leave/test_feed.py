import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from duban.leave.models import AbsenceStatus, FeedToken
from duban.leave.services.feeds import feed_digest, feed_token_reset, feed_token_revoke
from duban.meetings.models import Invitation, Meeting, MeetingStatus
from tests.leave.away_helpers import absence
from tests.meetings.conftest import at, meeting  # noqa: F401
from tests.supervision.conftest import work  # noqa: F401

PAGE = reverse("leave:feed_page")
NOW = datetime.datetime(2026, 11, 4, 1, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def feed_url(token):
    return reverse("ical:feed", args=[token])


def events(response):
    calendar = Calendar.from_ical(response.content)
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def test_feed_has_meetings_leave_and_deadlines(people, org, away, meeting, work):  # noqa: F811
    cancelled = Meeting.objects.create(
        title="已取消的会",
        status=MeetingStatus.CANCELLED,
        starts_at=at(3),
        ends_at=at(3, 10),
        place="A",
        host_unit=org.office,
        organiser=people.office,
    )
    Invitation.objects.create(meeting=cancelled, person=people.head)
    trip = absence(people.head, "travel", "2026-11-09", "2026-11-11", destination="北京")
    pending = absence(people.head, "annual", "2026-12-01", "2026-12-02", status=AbsenceStatus.PENDING)
    absence(people.head, "sick", "2026-11-20", "2026-11-20", status=AbsenceStatus.REFUSED)
    other = absence(people.staff, "travel", "2026-11-09", "2026-11-10")
    token = feed_token_reset(person=people.head)
    response = Client().get(feed_url(token))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    found = events(response)
    m = meeting.meeting
    event = found[f"meeting-{m.pk}@duban"]
    assert str(event["summary"]) == "第十二次重点工作调度会"
    assert str(event["location"]) == "行政楼第一会议室"
    assert event.decoded("dtstart") == m.starts_at and event.decoded("dtstart").tzinfo is not None
    assert str(event["url"]).endswith(f"/meetings/{m.pk}/")
    assert f"meeting-{cancelled.pk}@duban" not in found
    leave = found[f"leave-{trip.pk}@duban"]
    assert str(leave["summary"]) == "出差：北京"
    assert leave.decoded("dtstart") == datetime.date(2026, 11, 9)
    assert leave.decoded("dtend") == datetime.date(2026, 11, 12)
    assert str(found[f"leave-{pending.pk}@duban"]["summary"]) == "年休假（待批）"
    assert f"leave-{other.pk}@duban" not in found
    assert len([u for u in found if u.startswith("leave-")]) == 2
    # 赵处长 heads 教务处: its three open items; 人事处's is not his.
    deadlines = {str(e["summary"]) for u, e in found.items() if u.startswith("item-")}
    assert deadlines == {"督办时限：本科教学质量提升工程", "督办时限：实验室建设项目", "督办时限：一流课程建设"}
    assert found[f"item-{work.teaching.pk}@duban"].decoded("dtstart") == datetime.date(2026, 12, 31)
    assert FeedToken.objects.get(person=people.head).last_used_at is not None


def test_feed_of_the_responsible_person_only(people, work):  # noqa: F811
    work.labs.completed_on = datetime.date(2026, 11, 1)
    work.labs.save()
    found = events(Client().get(feed_url(feed_token_reset(person=people.outsider))))
    # 郑外单位 heads 人事处 and is responsible for its item only.
    assert {str(e["summary"]) for e in found.values()} == {"督办时限：高层次人才引进"}
    found = events(Client().get(feed_url(feed_token_reset(person=people.liaison))))
    assert f"item-{work.labs.pk}@duban" not in found  # completed
    assert f"item-{work.teaching.pk}@duban" in found


def test_reset_invalidates_old_link_and_revoke(people):
    old = feed_token_reset(person=people.staff)
    new = feed_token_reset(person=people.staff)
    assert Client().get(feed_url(old)).status_code == 404
    assert Client().get(feed_url(new)).status_code == 200
    assert FeedToken.objects.get(person=people.staff).digest == feed_digest(new)
    assert feed_token_revoke(person=people.staff)
    assert Client().get(feed_url(new)).status_code == 404
    assert Client().get(feed_url("unknown-token")).status_code == 404


def test_inactive_person_feed_is_gone(people):
    token = feed_token_reset(person=people.staff)
    people.staff.is_active = False
    people.staff.save()
    assert Client().get(feed_url(token)).status_code == 404


def test_page_requires_login(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.url


def test_page_creates_shows_once_and_revokes(client_for, people):
    client = client_for(people.staff)
    body = client.get(PAGE).content.decode()
    assert "生成订阅链接" in body
    response = client.post(PAGE, {"action": "reset"})
    assert response.status_code == 200
    link = response.context["created"]
    assert "/ical/" in link and link in response.content.decode()
    token = link.rsplit("/", 1)[1].removesuffix(".ics")
    assert Client().get(feed_url(token)).status_code == 200
    again = client.get(PAGE).content.decode()
    assert token not in again and "已启用" in again
    response = client.post(PAGE, {"action": "revoke"}, follow=True)
    assert "订阅链接已停用" in response.content.decode()
    assert Client().get(feed_url(token)).status_code == 404
    assert not FeedToken.objects.filter(person=people.staff).exists()
