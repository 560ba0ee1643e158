import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duban.leave import balances
from duban.leave.models import AbsenceStatus, CalendarDay, LeaveBalance, LeaveSettings
from duban.leave.services import configure as services
from tests.conftest import _person
from tests.leave.away_helpers import absence

URL = reverse("leave:balances")
NOW = datetime.datetime(2026, 11, 4, 1, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_default_entitlement_without_row(people, away):
    found = balances.balance(people.staff, 2026)
    assert (found.entitled, found.carried, found.used, found.pending, found.available) == (5, 0, 0, 0, 5)
    assert not found.has_row


def test_arithmetic(people, away):
    LeaveBalance.objects.create(person=people.staff, year=2026, entitled_days=10, carried_days=Decimal("2.5"))
    absence(people.staff, "annual", "2026-03-02", "2026-03-06")  # 5 working days, approved
    absence(people.staff, "annual", "2026-11-16", "2026-11-17", status=AbsenceStatus.PENDING)  # 2 pending
    absence(people.staff, "annual", "2026-04-06", "2026-04-07", status=AbsenceStatus.REFUSED)
    absence(people.staff, "travel", "2026-05-04", "2026-05-08")  # not annual leave
    absence(people.head, "annual", "2026-06-01", "2026-06-05")  # someone else
    found = balances.balance(people.staff, 2026)
    assert (found.entitled, found.carried, found.used, found.pending) == (10, Decimal("2.5"), 5, 2)
    assert found.available == Decimal("5.5")


def test_return_counts_only_days_taken(people, away):
    absence(people.staff, "annual", "2026-03-02", "2026-03-06", returned_on=datetime.date(2026, 3, 4))
    assert balances.balance(people.staff, 2026).used == 2


def test_holiday_is_not_counted(people, away):
    CalendarDay.objects.create(date=datetime.date(2026, 3, 3), name="假日")
    absence(people.staff, "annual", "2026-03-02", "2026-03-06")
    assert balances.balance(people.staff, 2026).used == 4


def test_request_across_new_year(people, away):
    absence(people.staff, "annual", "2026-12-30", "2027-01-05")  # Wed–Thu 2026, Fri + Mon–Tue 2027
    assert balances.balance(people.staff, 2026).used == 2
    assert balances.balance(people.staff, 2027).used == 3


def test_page_permissions(client, client_for, people, away):
    assert client.get(URL).status_code == 302
    for persona in (people.staff, people.sys_admin, people.office, away.office_clerk):
        assert client_for(persona).get(URL).status_code == 403
    assert client_for(away.hr_clerk).get(URL).status_code == 200
    assert client_for(people.outsider).get(URL).status_code == 200  # head of 人事处


def test_no_hr_unit_no_one(client_for, people, away):
    LeaveSettings.objects.filter(pk=1).update(hr_unit=None)
    assert client_for(away.hr_clerk).get(URL).status_code == 403


def test_page_lists_people_with_balances(client_for, people, org, away):
    LeaveBalance.objects.create(person=people.staff, year=2026, entitled_days=10, carried_days=1)
    absence(people.staff, "annual", "2026-03-02", "2026-03-04")
    response = client_for(away.hr_clerk).get(URL, {"year": 2026, "unit": org.academic.pk})
    body = response.content.decode()
    assert "吴职工" in body and "郑外单位" not in body
    row = body.split(f'id="balance-{people.staff.pk}"')[1].split("</tr>")[0]
    assert 'value="10.0"' in row and 'value="1.0"' in row and ">8<" in row


def test_row_save_htmx_and_refusal(client_for, people, away):
    client = client_for(away.hr_clerk)
    data = {"person": people.staff.pk, "year": 2026, "entitled_days": "12", "carried_days": "3"}
    response = client.post(URL + "?year=2026", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "已保存" in response.content.decode() and response.content.decode().startswith("<tr")
    row = LeaveBalance.objects.get(person=people.staff, year=2026)
    assert (row.entitled_days, row.carried_days) == (12, 3)
    response = client.post(URL, data | {"entitled_days": "-1"}, HTTP_HX_REQUEST="true")
    assert "请填写不小于 0 的天数" in response.content.decode()
    assert LeaveBalance.objects.get(person=people.staff, year=2026).entitled_days == 12
    response = client.post(URL, data | {"entitled_days": "abc"}, follow=True)
    assert "额度未保存" in response.content.decode()
    assert client_for(people.staff).post(URL, data).status_code == 403


def test_generate_missing_rows(client_for, people, away):
    LeaveBalance.objects.create(person=people.staff, year=2026, entitled_days=10)
    response = client_for(away.hr_clerk).post(URL, {"action": "generate", "year": 2026}, follow=True)
    count = LeaveBalance.objects.filter(year=2026).count()
    assert count > 1
    assert f"已按默认天数为 {count - 1} 人生成 2026 年额度。" in response.content.decode()
    assert LeaveBalance.objects.get(person=people.staff, year=2026).entitled_days == 10
    assert services.balances_generate(acting_user=away.hr_clerk, year=2026, people=[people.staff]) == 0
    with pytest.raises(services.PermissionDenied):
        services.balances_generate(acting_user=people.staff, year=2026, people=[people.staff])


def test_balance_set_refusal(people, away):
    with pytest.raises(services.Refused, match="天数不能为负数。"):
        services.balance_set(
            acting_user=away.hr_clerk, person=people.staff, year=2026, entitled=Decimal(-1), carried=Decimal(0)
        )


def test_query_count_constant(client_for, org, people, away):
    client = client_for(away.hr_clerk)
    client.get(URL)
    with CaptureQueriesContext(connection) as before:
        client.get(URL)
    for i in range(8):
        person = _person(f"more{i}", f"多{i}", org.academic, [])
        absence(person, "annual", "2026-03-02", "2026-03-03")
        LeaveBalance.objects.create(person=person, year=2026, entitled_days=7)
    with CaptureQueriesContext(connection) as after:
        response = client.get(URL)
    assert "多7" in response.content.decode()
    assert len(after) == len(before)
