"""Configuration over the API: the evidence checklist per measure type and the
look-back checklist templates (office only; bad input refused in Chinese)."""

import json

import pytest
from django.test import Client

from duban.accounts.services import api_token_create
from duban.rectification.models import EvidenceRequirement, LookbackTemplate
from duban.rectification.services.lookback import round_open

pytestmark = pytest.mark.django_db
CHECKLIST = "/api/rectification/checklists/deadline"
TEMPLATES = "/api/rectification/lookback-templates"


@pytest.fixture
def api_for(db):
    def make(person):
        _, raw = api_token_create(person=person, name="测试")
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return make


def put(client, url, body):
    return client.put(url, data=json.dumps(body), content_type="application/json")


def test_office_replaces_and_resets_a_checklist(people, api_for):
    office = api_for(people.office)
    body = {
        "lines": [{"label": "支部会议记录", "kind": "file"}, {"label": "整改说明", "kind": "text", "required": False}]
    }
    response = put(office, CHECKLIST, body)
    assert response.status_code == 200
    lines = response.json()["lines"]
    assert [(line["label"], line["kind"], line["required"]) for line in lines] == [
        ("支部会议记录", "file", True),
        ("整改说明", "text", False),
    ]
    assert EvidenceRequirement.objects.filter(measure_type="deadline").count() == 2
    # Keeping a key keeps past evidence matched.
    key = lines[0]["key"]
    response = put(office, CHECKLIST, {"lines": [{"key": key, "label": "支部会议记录（含签到）", "kind": "file"}]})
    assert response.json()["lines"][0]["key"] == key
    # An empty list goes back to the defaults.
    response = put(office, CHECKLIST, {"lines": []})
    assert [line["label"] for line in response.json()["lines"]] == [
        "整改完成情况说明",
        "佐证材料（会议记录、文件、照片等）",
    ]
    assert not EvidenceRequirement.objects.exists()


def test_checklist_refusals(people, api_for):
    office = api_for(people.office)
    response = put(office, CHECKLIST, {"lines": [{"label": " ", "kind": "text"}]})
    assert response.status_code == 400 and "不能为空" in response.json()["detail"]
    response = put(office, CHECKLIST, {"lines": [{"label": "a", "kind": "text"}, {"label": "a", "kind": "file"}]})
    assert response.status_code == 400 and "重复" in response.json()["detail"]
    assert put(office, "/api/rectification/checklists/nonsense", {"lines": []}).status_code == 422
    for persona in ("head", "taskforce", "leader"):
        response = put(api_for(getattr(people, persona)), CHECKLIST, {"lines": []})
        assert response.status_code == 403 and "督查办" in response.json()["detail"]
    assert put(api_for(people.staff), CHECKLIST, {"lines": []}).status_code == 403
    assert not EvidenceRequirement.objects.exists()


def test_lookback_templates(people, api_for, org):
    office = api_for(people.office)
    body = {"name": "三查三看", "points": ["查制度落实", "查问题整改", "查群众满意"], "is_default": True}
    response = office.post(TEMPLATES, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201
    template = response.json()
    assert template["is_default"] and [p["label"] for p in template["points"]] == body["points"]
    duplicate = office.post(TEMPLATES, data=json.dumps({**body, "is_default": False}), content_type="application/json")
    assert duplicate.status_code == 400 and "已有名为" in duplicate.json()["detail"]
    empty = put(office, f"{TEMPLATES}/{template['id']}", {"name": "三查三看", "points": []})
    assert empty.status_code == 400
    assert [t["name"] for t in api_for(people.taskforce).get(TEMPLATES).json()] == ["三查三看"]
    assert put(api_for(people.taskforce), f"{TEMPLATES}/{template['id']}", body).status_code == 403
    assert put(office, f"{TEMPLATES}/999999", body).status_code == 404
    # A new round starts from the default template.
    from duban.supervision.models import Plan, PlanKind

    plan = Plan.objects.create(title="整改", kind=PlanKind.RECTIFICATION)
    round = round_open(acting_user=people.office, plan=plan)
    assert [p["label"] for p in round.checklist] == body["points"]
    assert LookbackTemplate.objects.get().is_default
