"""Out-of-range numbers in the leave API are a 422 with a message (as every API schema error), never a server error."""

import pytest

from tests.leave.conftest import away  # noqa: F401


@pytest.mark.parametrize("year", ["1", "99999", "-5", "999999999999999999999"])
def test_balance_year_out_of_range_is_422(api_for, people, year):
    response = api_for(people.staff).get("/api/leave/balance", {"year": year})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("请求数据不符合接口要求")


def test_balance_year_in_range(api_for, people):
    response = api_for(people.staff).get("/api/leave/balance", {"year": 2030})
    assert response.status_code == 200 and response.json()["year"] == 2030


@pytest.mark.parametrize("unit", ["0", "99999999999999"])
def test_calendar_unit_out_of_range_is_422(api_for, people, away, unit):  # noqa: F811
    response = api_for(people.office).get("/api/leave/calendar", {"unit": unit})
    assert response.status_code == 422
