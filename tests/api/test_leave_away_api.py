import datetime

import pytest
import time_machine

from duban.leave.models import AbsenceStatus, LeaveBalance
from tests.leave.away_helpers import absence
from tests.leave.conftest import away  # noqa: F401

NOW = datetime.datetime(2026, 11, 4, 1, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def trips(people, away):  # noqa: F811
    return [
        absence(people.head, "travel", "2026-11-09", "2026-11-11", reason="赴京开会", destination="北京"),
        absence(people.staff, "annual", "2026-11-16", "2026-11-17", status=AbsenceStatus.PENDING),
        absence(people.outsider, "sick", "2026-11-05", "2026-11-05"),
        absence(away.vp, "travel", "2026-11-05", "2026-11-06", destination="上海"),
    ]


def test_calendar_needs_token(client, db):
    assert client.get("/api/leave/calendar").status_code == 401


def test_calendar_own_unit_hides_reasons(api_for, people, trips):
    response = api_for(people.staff).get("/api/leave/calendar", {"from": "2026-11-01", "to": "2026-11-30"})
    assert response.status_code == 200
    rows = {r["person"]: r for r in response.json()}
    assert set(rows) == {"赵处长", "吴职工"}
    assert rows["赵处长"]["reason"] is None and rows["赵处长"]["destination"] is None
    assert rows["吴职工"]["reason"] == "家中有事" and rows["吴职工"]["status"] == "pending"


def test_calendar_other_unit_forbidden(api_for, people, org, trips):
    response = api_for(people.staff).get("/api/leave/calendar", {"unit": org.hr.pk})
    assert response.status_code == 403
    assert response.json()["detail"] == "无权查看该单位的请假出差日历。"
    assert api_for(people.office).get("/api/leave/calendar", {"unit": org.hr.pk}).status_code == 200


def test_calendar_bad_range(api_for, people, trips):
    response = api_for(people.staff).get("/api/leave/calendar", {"from": "2026-11-10", "to": "2026-11-01"})
    assert response.status_code == 400
    assert response.json()["errors"]["__all__"] == ["结束日期不能早于开始日期。"]


def test_leaders_away(api_for, people, away, trips):  # noqa: F811
    response = api_for(people.staff).get("/api/leave/leaders-away", {"from": "2026-11-02", "to": "2026-11-08"})
    assert response.status_code == 200
    assert [(r["person"], r["type"], r["destination"]) for r in response.json()] == [("刘副校长", "出差", None)]
    own = api_for(away.vp).get("/api/leave/leaders-away", {"from": "2026-11-02", "to": "2026-11-08"}).json()
    assert own[0]["destination"] == "上海"


def test_my_balance(api_for, people, trips):
    LeaveBalance.objects.create(person=people.staff, year=2026, entitled_days=10, carried_days=2)
    absence(people.staff, "annual", "2026-03-02", "2026-03-04")
    response = api_for(people.staff).get("/api/leave/balance", {"year": 2026})
    assert response.json() == {
        "year": 2026,
        "entitled": 10.0,
        "carried": 2.0,
        "used": 3.0,
        "pending": 2.0,
        "available": 7.0,
    }
    assert api_for(people.staff).get("/api/leave/balance").json()["year"] == 2026
