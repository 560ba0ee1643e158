"""Deferral requests through the API: the lead unit's head asks, the office or the patron
leader decides; the original due date stays on record; refusals carry the services'
Chinese messages."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from duban.notify.models import Message
from duban.supervision.models import Deferral, DeferralStatus, Item
from duban.supervision.services import deferrals as services
from tests.org.test_views import ALL_PERSONAS
from tests.supervision import conftest as supervision

pytestmark = pytest.mark.django_db

work = supervision.work

NOW = datetime.datetime(2026, 11, 3, 10, 0, tzinfo=datetime.UTC)
NO_SUPERVISION = {"sys_admin", "sec_admin", "audit_admin", "norole"}
SEES_TEACHING = {"leader", "office", "head", "liaison", "discipline", "staff", "outsider"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def _expected(persona, allowed: set[str], success: int = 200) -> int:
    if persona in NO_SUPERVISION:
        return 403
    if persona not in SEES_TEACHING:
        return 404
    return success if persona in allowed else 403


def _requested(work, people, item=None) -> Deferral:
    return services.deferral_request(
        acting_user=people.head, item=item or work.teaching, new_due_date=datetime.date(2027, 3, 31), reason="设备未到"
    )


REQUEST = {"new_due_date": "2027-03-31", "reason": "设备到货延迟"}


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_request_by_persona(persona, work, people, api_for):
    response = _post(api_for(getattr(people, persona)), f"/api/items/{work.teaching.pk}/deferrals", REQUEST)
    expected = _expected(persona, {"head"}, 201)
    assert response.status_code == expected
    if expected == 403 and persona not in NO_SUPERVISION:
        assert response.json() == {"detail": services.ERR_CANNOT_REQUEST}
    assert Deferral.objects.filter(item=work.teaching).exists() == (expected == 201)
    listed = api_for(getattr(people, persona)).get(f"/api/items/{work.teaching.pk}/deferrals")
    assert listed.status_code == _expected(persona, SEES_TEACHING)


def test_head_requests_a_deferral(work, people, api_for):
    response = _post(api_for(people.head), f"/api/items/{work.labs.pk}/deferrals", REQUEST)
    assert response.status_code == 201, response.json()
    body = response.json()
    deferral = Deferral.objects.get(item=work.labs)
    assert body["id"] == deferral.pk
    assert (body["old_due_date"], body["new_due_date"]) == ("2026-12-31", "2027-03-31")
    assert (body["status"], body["status_label"], body["reason"]) == ("pending", "待审批", "设备到货延迟")
    assert body["requested_by"] == {"id": people.head.pk, "name": "赵处长"}
    assert body["decided_by"] is None
    assert Message.objects.filter(recipient=people.leader, title__contains="延期申请待审批").exists()
    assert Message.objects.filter(recipient=people.office, title__contains="延期申请待审批").exists()
    entry = LogEntry.objects.get(content_type=ContentType.objects.get_for_model(Deferral), object_pk=str(deferral.pk))
    assert entry.actor_id == people.head.pk
    listed = api_for(people.staff).get(f"/api/items/{work.labs.pk}/deferrals").json()
    assert [row["id"] for row in listed] == [deferral.pk]


def test_request_refusals_in_chinese(work, people, api_for):
    client = api_for(people.head)
    url = f"/api/items/{work.labs.pk}/deferrals"
    earlier = _post(client, url, {"new_due_date": "2026-12-01", "reason": "设备到货延迟"})
    assert earlier.status_code == 400
    assert earlier.json()["errors"] == {"__all__": [services.ERR_NOT_LATER.format(due="2026-12-31")]}
    no_reason = _post(client, url, {"new_due_date": "2027-03-31", "reason": ""})
    assert no_reason.status_code == 400
    assert list(no_reason.json()["errors"]) == ["reason"]
    assert no_reason.json()["detail"].startswith("数据校验未通过：延期理由：")
    bad_date = _post(client, url, {"new_due_date": "2027-02-30", "reason": "x"})
    assert bad_date.status_code == 422
    assert bad_date.json()["errors"][0]["field"] == "new_due_date"
    assert not Deferral.objects.exists()
    assert _post(client, url, REQUEST).status_code == 201
    second = _post(client, url, {"new_due_date": "2027-04-30", "reason": "再延"})
    assert second.status_code == 400
    assert second.json()["errors"] == {"__all__": [services.ERR_PENDING]}


def test_request_on_a_completed_item_is_refused(work, people, api_for):
    Item.objects.filter(pk=work.labs.pk).update(completed_on=datetime.date(2026, 11, 1))
    response = _post(api_for(people.head), f"/api/items/{work.labs.pk}/deferrals", REQUEST)
    assert response.status_code == 400
    assert response.json()["errors"] == {"__all__": [services.ERR_DONE]}


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_decide_by_persona(persona, work, people, api_for):
    deferral = _requested(work, people)
    response = _post(api_for(getattr(people, persona)), f"/api/deferrals/{deferral.pk}/decide", {"decision": "approve"})
    expected = _expected(persona, {"office", "leader"})  # the office, or 李校长 as the patron leader
    assert response.status_code == expected
    if expected == 403 and persona not in NO_SUPERVISION:
        assert response.json() == {"detail": services.ERR_CANNOT_DECIDE}
    deferral.refresh_from_db()
    assert deferral.status == (DeferralStatus.APPROVED if expected == 200 else DeferralStatus.PENDING)


def test_patron_leader_approves_and_the_original_date_is_kept(work, people, api_for):
    deferral = _requested(work, people, work.labs)
    response = _post(
        api_for(people.leader), f"/api/deferrals/{deferral.pk}/decide", {"decision": "approve", "comment": "同意"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["decision_comment"]) == ("approved", "同意")
    assert body["decided_by"] == {"id": people.leader.pk, "name": "李校长"}
    item = api_for(people.head).get(f"/api/items/{work.labs.pk}").json()
    assert (item["due_date"], item["original_due_date"], item["is_deferred"]) == ("2027-03-31", "2026-12-31", True)
    assert item["pending_deferral"] is None
    assert Message.objects.filter(recipient=people.head, title__contains="延期申请已批准").exists()
    twice = _post(
        api_for(people.office), f"/api/deferrals/{deferral.pk}/decide", {"decision": "refuse", "comment": "x"}
    )
    assert twice.status_code == 400
    assert twice.json()["errors"] == {"__all__": [services.ERR_NOT_PENDING]}


def test_refusal_needs_a_reason(work, people, api_for):
    deferral = _requested(work, people, work.labs)
    office = api_for(people.office)
    response = _post(office, f"/api/deferrals/{deferral.pk}/decide", {"decision": "refuse"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"__all__": [services.ERR_REFUSE_REASON]}
    refused = _post(office, f"/api/deferrals/{deferral.pk}/decide", {"decision": "refuse", "comment": "理由不充分"})
    assert refused.status_code == 200
    assert refused.json()["status"] == "refused"
    item = Item.objects.get(pk=work.labs.pk)
    assert (item.due_date, item.is_deferred) == (datetime.date(2026, 12, 31), False)
    assert _post(office, f"/api/deferrals/{deferral.pk}/decide", {"decision": "later"}).status_code == 422


def test_unknown_deferral_is_404(work, people, api_for):
    response = _post(api_for(people.office), "/api/deferrals/999999/decide", {"decision": "approve"})
    assert response.status_code == 404
    assert response.json() == {"detail": "对象不存在。"}
