"""Attendance statistics per unit and per person over a period, numbers checked by hand."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from duban.meetings.models import Attendance, Invitation, Meeting, MeetingStatus
from duban.meetings.services.attendance import attendance_stats
from duban.org.access import ALL
from duban.org.models import Person

pytestmark = pytest.mark.django_db

A = Attendance


def held(org, people, day, status=MeetingStatus.CLOSED, **attendance):
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    meeting = Meeting.objects.create(
        title=f"调度会{day}",
        status=status,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="第一会议室",
        host_unit=org.office,
        organiser=people.office,
    )
    for who, value in attendance.items():
        person = getattr(people, who)
        Invitation.objects.create(meeting=meeting, person=person, via_unit=person.unit, attendance=value)
    return meeting


@pytest.fixture
def history(org, people):
    held(org, people, datetime.date(2026, 3, 2), head=A.PRESENT, liaison=A.LATE, outsider=A.ABSENT)
    held(org, people, datetime.date(2026, 5, 11), head=A.LEAVE, liaison=A.PRESENT)
    # Not counted: a meeting not closed, and one outside the period.
    held(org, people, datetime.date(2026, 6, 1), status=MeetingStatus.ANNOUNCED, head=A.UNKNOWN, liaison=A.UNKNOWN)
    held(org, people, datetime.date(2025, 12, 30), head=A.ABSENT)


def numbers(row):
    return {k: row[k] for k in ("invited", "present", "late", "leave", "absent", "rate")}


def test_per_unit_and_person(history, org):
    stats = attendance_stats(ALL, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert [(r["unit_name"], numbers(r)) for r in stats["units"]] == [
        ("教务处", {"invited": 4, "present": 2, "late": 1, "leave": 1, "absent": 0, "rate": 75.0}),
        ("人事处", {"invited": 1, "present": 0, "late": 0, "leave": 0, "absent": 1, "rate": 0.0}),
    ]
    assert [(r["name"], r["unit_name"], numbers(r)) for r in stats["people"]] == [
        ("郑外单位", "人事处", {"invited": 1, "present": 0, "late": 0, "leave": 0, "absent": 1, "rate": 0.0}),
        ("赵处长", "教务处", {"invited": 2, "present": 1, "late": 0, "leave": 1, "absent": 0, "rate": 50.0}),
        ("钱联络", "教务处", {"invited": 2, "present": 1, "late": 1, "leave": 0, "absent": 0, "rate": 100.0}),
    ]
    assert numbers(stats["total"]) == {"invited": 5, "present": 2, "late": 1, "leave": 1, "absent": 1, "rate": 60.0}


def test_restricted_to_units_and_period(history, org):
    stats = attendance_stats({org.academic.pk}, datetime.date(2026, 4, 1), datetime.date(2026, 12, 31))
    assert [(r["unit_name"], r["invited"], r["rate"]) for r in stats["units"]] == [("教务处", 2, 50.0)]
    assert {r["name"] for r in stats["people"]} == {"赵处长", "钱联络"}
    empty = attendance_stats(set(), datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert empty["units"] == [] and empty["total"]["rate"] is None


def test_stats_page_per_persona(client, client_for, history, people):
    page = reverse("meetings:stats")
    assert "/accounts/login/" in client.get(page)["Location"]
    assert client_for(people.staff).get(page).status_code == 403
    assert client_for(people.norole).get(page).status_code == 403
    query = "?start=2026-01-01&end=2026-12-31"
    office = client_for(people.office).get(page + query)
    assert office.status_code == 200 and "郑外单位" in office.text and "75.0%" in office.text
    head = client_for(people.head).get(page + query)
    assert head.status_code == 200 and "钱联络" in head.text and "郑外单位" not in head.text
    leader = client_for(people.leader).get(page + query)
    assert "郑外单位" in leader.text


def test_stats_page_filters(client_for, history, org, people):
    office = client_for(people.office)
    one_unit = office.get(reverse("meetings:stats") + f"?start=2026-01-01&end=2026-12-31&unit={org.hr.pk}")
    assert "郑外单位" in one_unit.text and "钱联络" not in one_unit.text
    # The head of 教务处 cannot pick 人事处.
    other = client_for(people.head).get(reverse("meetings:stats") + f"?unit={org.hr.pk}")
    assert "郑外单位" not in other.text
    wrong = office.get(reverse("meetings:stats") + "?start=2026-12-31&end=2026-01-01")
    assert "结束日期不能早于开始日期" in wrong.text


def test_stats_queries_do_not_grow(client_for, history, org, people):
    office = client_for(people.office)
    page = reverse("meetings:stats") + "?start=2026-01-01&end=2026-12-31"
    office.get(page)
    with CaptureQueriesContext(connection) as before:
        office.get(page)
    for n in range(6):
        person = Person.objects.create_user(username=f"x{n}", password="x", name=f"人员{n}", unit=org.party)
        meeting = held(org, people, datetime.date(2026, 7, n + 1), head=A.PRESENT)
        Invitation.objects.create(meeting=meeting, person=person, via_unit=org.party, attendance=A.ABSENT)
    with CaptureQueriesContext(connection) as after:
        response = office.get(page)
    assert "人员5" in response.text
    assert len(after) == len(before)
