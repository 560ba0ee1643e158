"""The leave API: submit with warnings, detail visibility, withdraw, return, tasks and acting."""

import pytest

from duban.leave.models import AbsenceRequest, AbsenceStatus, StepStatus
from duban.leave.services import approvals
from tests.leave.chain_helpers import ask, frozen  # noqa: F401
from tests.leave.conftest import away  # noqa: F401

pytestmark = pytest.mark.usefixtures("frozen")

TRAVEL = {
    "type": "travel",
    "starts_on": "2026-11-16",
    "ends_on": "2026-11-18",
    "reason": "参加全国教学工作会议",
    "destination": "北京",
}


def test_anonymous_gets_401(client, away):  # noqa: F811
    assert client.get("/api/leave/requests").status_code == 401
    assert client.get("/api/leave/tasks").status_code == 401


def test_submit_list_and_detail(api_for, away, people):  # noqa: F811
    client = api_for(away.deputy)
    response = client.post("/api/leave/requests", TRAVEL, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "pending" and float(body["days"]) == 3
    assert [(s["label"], s["status"], s["assignees"]) for s in body["steps"]] == [
        ("本单位负责人审批", "pending", ["赵处长"])
    ]
    assert body["warnings"] == []
    assert [r["id"] for r in client.get("/api/leave/requests").json()] == [body["id"]]
    detail = api_for(away.vp).get(f"/api/leave/requests/{body['id']}").json()
    assert detail["person"] == "陈副处" and detail["reason"] is None
    assert api_for(people.outsider).get(f"/api/leave/requests/{body['id']}").status_code == 404


def test_submit_refusals_are_400_in_chinese(api_for, away):  # noqa: F811
    client = api_for(away.deputy)
    response = client.post("/api/leave/requests", {**TRAVEL, "destination": ""}, content_type="application/json")
    assert response.status_code == 400 and "出差须填写目的地。" in response.json()["detail"]
    response = client.post("/api/leave/requests", {**TRAVEL, "type": "nope"}, content_type="application/json")
    assert response.status_code == 400 and "没有这种请假类型" in response.json()["detail"]
    assert not AbsenceRequest.objects.exists()


def test_tasks_and_acting(api_for, away, people):  # noqa: F811
    absence, _ = ask(away.deputy)
    head = api_for(people.head)
    tasks = head.get("/api/leave/tasks").json()
    assert [(t["request"]["person"], t["step"]["label"]) for t in tasks] == [("陈副处", "本单位负责人审批")]
    sid = tasks[0]["step"]["id"]
    assert (
        api_for(people.outsider)
        .post(f"/api/leave/tasks/{sid}", {"approve": True}, content_type="application/json")
        .status_code
        == 404
    )
    refused = head.post(f"/api/leave/tasks/{sid}", {"approve": False}, content_type="application/json")
    assert refused.status_code == 400 and "不同意须填写意见。" in refused.json()["detail"]
    done = head.post(f"/api/leave/tasks/{sid}", {"approve": True, "note": "同意"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "approved"
    assert head.get("/api/leave/tasks").json() == []


def test_withdraw_and_return(api_for, away, people):  # noqa: F811
    absence, _ = ask(away.deputy)
    client = api_for(away.deputy)
    assert api_for(people.head).post(f"/api/leave/requests/{absence.pk}/withdraw").status_code == 403
    assert client.post(f"/api/leave/requests/{absence.pk}/withdraw").json()["status"] == "withdrawn"
    earlier, _ = ask(away.deputy, start=(10, 26), end=(10, 28))
    approvals.act(people.head, earlier.steps.get(status=StepStatus.PENDING), True, "")
    url = f"/api/leave/requests/{earlier.pk}/return"
    bad = client.post(url, {"returned_on": "2026-11-30"}, content_type="application/json")
    assert bad.status_code == 400 and "销假日期应在开始日期" in bad.json()["detail"]
    ok = client.post(url, {"returned_on": "2026-10-29"}, content_type="application/json").json()
    assert ok["returned_on"] == "2026-10-29" and float(ok["actual_days"]) == 3
    earlier.refresh_from_db()
    assert earlier.status == AbsenceStatus.APPROVED
