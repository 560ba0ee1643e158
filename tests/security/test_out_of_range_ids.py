"""An id in a URL beyond the database's integer range is "not found", never a server error
(the fuzzer once sent PATCH /api/rectification/plans/23822186402965715156992)."""

import pytest

pytestmark = pytest.mark.django_db

HUGE = "23822186402965715156992"


@pytest.mark.parametrize(
    "method,url",
    [
        ("patch", f"/api/rectification/plans/{HUGE}"),
        ("get", f"/api/items/{HUGE}"),
        ("get", f"/api/plans/{HUGE}/dashboard"),
        ("get", f"/api/leave/requests/{2**31}"),
    ],
)
def test_the_api_answers_404(people, client_for, method, url):
    client = client_for(people.office)
    response = getattr(client, method)(url, {}, content_type="application/json")
    assert response.status_code == 404
    assert response.json() == {"detail": "对象不存在。"}


@pytest.mark.parametrize("url", [f"/supervision/items/{HUGE}/", f"/rectification/plans/{HUGE}/", f"/leave/{HUGE}/"])
def test_pages_answer_404(people, client_for, url):
    assert client_for(people.office).get(url).status_code == 404


def test_the_largest_id_is_still_looked_up(people, client_for):
    assert client_for(people.office).get(f"/api/items/{2**31 - 1}").status_code == 404
