import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duban.leave import selectors
from duban.leave.models import AbsenceStatus, CalendarDay
from tests.conftest import _person
from tests.leave.away_helpers import absence

URL = reverse("leave:calendar")
NOW = datetime.datetime(2026, 11, 4, 9, 0, tzinfo=datetime.UTC)  # Wednesday


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def trips(org, people, away):
    return {
        "head": absence(
            people.head, "travel", "2026-11-09", "2026-11-11", reason="赴京参加教学会议", destination="北京"
        ),
        "staff": absence(
            people.staff, "annual", "2026-11-16", "2026-11-17", status=AbsenceStatus.PENDING, reason="探亲"
        ),
        "hr": absence(people.outsider, "sick", "2026-11-03", "2026-11-03", reason="住院复查"),
        "vp": absence(away.vp, "travel", "2026-11-05", "2026-11-06", reason="带队考察", destination="上海"),
        "withdrawn": absence(people.liaison, "personal", "2026-11-20", "2026-11-20", status=AbsenceStatus.WITHDRAWN),
    }


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login" in response.url


def test_staff_sees_own_unit_without_reasons(client_for, people, org, trips):
    response = client_for(people.staff).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "赵处长" in body and "吴职工" in body
    assert "郑外单位" not in body  # another unit
    assert "赴京参加教学会议" not in body and "北京" not in body  # not on the chain
    assert "探亲" in body  # own request
    assert "待批" in body
    assert "陈副处" not in body
    assert "钱联络" not in body  # withdrawn is not away


def test_staff_may_not_open_another_unit(client_for, people, org, trips):
    assert client_for(people.staff).get(URL, {"unit": org.hr.pk}).status_code == 403
    assert client_for(people.staff).get(URL, {"unit": "all"}).status_code == 403


def test_office_sees_every_unit(client_for, people, org, trips):
    client = client_for(people.office)
    body = client.get(URL, {"unit": "all"}).content.decode()
    assert "郑外单位" in body and "赵处长" in body
    assert "住院复查" not in body
    assert client.get(URL, {"unit": org.hr.pk}).status_code == 200


def test_leader_scoped_sees_supervised_units(client_for, people, org, away, trips):
    client = client_for(away.vp)
    assert client.get(URL, {"unit": org.hr.pk}).status_code == 200
    assert client.get(URL, {"unit": org.office.pk}).status_code == 403


def test_leaders_panel_this_week(client_for, people, away, trips):
    body = client_for(people.staff).get(URL).content.decode()
    assert "校领导外出" in body
    panel = body.split("校领导外出", 1)[1].split("db-filters", 1)[0]
    assert "刘副校长" in panel and "出差" in panel
    assert "上海" not in body and "带队考察" not in body


def test_leaders_away_selector(people, away, trips):
    rows = selectors.leaders_away(datetime.date(2026, 11, 2), datetime.date(2026, 11, 8))
    assert [a.person for a in rows] == [away.vp]
    assert selectors.leaders_away(datetime.date(2026, 11, 9), datetime.date(2026, 11, 15)) == []


def test_away_selector(people, org, trips):
    rows = selectors.away([org.academic.pk], datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    assert {a.person for a in rows} == {people.head, people.staff}


def test_early_return_shortens_the_bar(people, org, away):
    trip = absence(people.head, "travel", "2026-11-09", "2026-11-13", returned_on=datetime.date(2026, 11, 11))
    assert trip.last_day == datetime.date(2026, 11, 10)
    assert selectors.away([org.academic.pk], datetime.date(2026, 11, 11), datetime.date(2026, 11, 30)) == []
    assert selectors.away([org.academic.pk], datetime.date(2026, 11, 10), datetime.date(2026, 11, 30)) == [trip]


def test_back_on_the_first_day_is_not_away(people, org, away):
    trip = absence(people.head, "travel", "2026-11-09", "2026-11-13", returned_on=datetime.date(2026, 11, 9))
    assert trip.last_day < trip.starts_on
    assert selectors.away([org.academic.pk], datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)) == []


def test_approver_on_chain_sees_reason(client_for, people, org, trips):
    from duban.leave.models import RequestStep

    step = RequestStep.objects.create(
        request=trips["staff"], order=1, approver="unit_head", action="approve", label="审批"
    )
    step.assignees.add(people.head)
    body = client_for(people.head).get(URL).content.decode()
    assert "探亲" in body
    assert "赴京参加教学会议" in body  # own


def test_month_navigation_and_holidays(client_for, people, trips):
    CalendarDay.objects.create(date=datetime.date(2026, 10, 1), name="国庆节")
    empty = client_for(people.staff).get(URL, {"month": "2026-09"}).content.decode()
    assert "本月没有人请假" in empty
    absence(people.staff, "personal", "2026-10-09", "2026-10-09")
    response = client_for(people.staff).get(URL, {"month": "2026-10"})
    body = response.content.decode()
    assert "2026年10月" in body
    assert "month=2026-09" in body and "month=2026-11" in body
    assert 'title="国庆节"' in body
    assert client_for(people.staff).get(URL, {"month": "bad"}).status_code == 200


def test_query_count_constant(client_for, people, org, away, trips):
    client = client_for(people.office)
    client.get(URL, {"unit": "all"})
    with CaptureQueriesContext(connection) as before:
        client.get(URL, {"unit": "all"})
    for i in range(6):
        person = _person(f"extra{i}", f"加{i}", org.academic, [])
        absence(person, "travel", "2026-11-02", "2026-11-04")
        absence(person, "annual", "2026-11-23", "2026-11-24", status=AbsenceStatus.PENDING)
    with CaptureQueriesContext(connection) as after:
        response = client.get(URL, {"unit": "all"})
    assert "加5" in response.content.decode()
    assert len(after) == len(before)
