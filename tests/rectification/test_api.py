"""The rectification JSON API: plans, findings and measures (scope, writes, optimistic
locking), closure over the API with token auth, re-checks, look-back, disclosure and
feedback (anonymity), error bodies in Chinese, fixed query counts, the published schema."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from duban.accounts.services import api_token_create
from duban.rectification.models import (
    ClosureState,
    Feedback,
    Finding,
    Measure,
    MeasureType,
    Recheck,
    RecheckState,
)
from duban.rectification.services.findings import ERR_NOT_OFFICE, ERR_STALE, measure_save
from duban.supervision.models import Item
from tests.rectification.conftest import FROZEN, pdf

pytestmark = pytest.mark.django_db

BASE = "/api/rectification"


@pytest.fixture
def api_for(db):
    """api_for(person) -> a client sending the person's bearer token (no session)."""

    def make(person):
        _, raw = api_token_create(person=person, name="测试")
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return make


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def put(client, url, data):
    return client.put(url, data, content_type="application/json")


# --- Plans ------------------------------------------------------------------------------
def test_plan_list_and_detail_with_profile_and_counts(rect, people, org, api_for):
    body = api_for(people.office).get(f"{BASE}/plans").json()
    assert [p["id"] for p in body] == [rect.plan.pk]
    plan = body[0]
    assert plan["title"] == "2026年巡视整改方案"
    assert (plan["source"], plan["source_label"]) == ("inspection", "巡视")
    assert plan["reference"] == "巡视反馈意见"
    assert plan["recheck_days"] == [30, 90, 180]
    assert plan["disclosure"]["disclosed"] is False
    assert plan["feedback"] == {"open": True, "anonymous": True, "daily_limit": 5}
    assert plan["counts"] == {
        "findings": 2,
        "findings_closed": 0,
        "measures": 4,
        "measures_closed": 0,
        "measures_pending": 0,
        "relapses": 0,
    }
    detail = api_for(people.office).get(f"{BASE}/plans/{rect.plan.pk}").json()
    assert detail == plan


def test_plan_counts_cover_only_what_the_caller_sees(rect, people, api_for):
    counts = api_for(people.outsider).get(f"{BASE}/plans/{rect.plan.pk}").json()["counts"]
    assert (counts["findings"], counts["measures"]) == (1, 1)


@pytest.mark.parametrize("persona", ["staff", "sys_admin", "audit_admin", "norole"])
def test_no_ledger_for_staff_alone_or_admins(persona, rect, people, api_for):
    client = api_for(getattr(people, persona))
    for url in (f"{BASE}/plans", f"{BASE}/findings", f"{BASE}/measures/{rect.deadline.pk}"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.json() == {"detail": "无权访问。"}


def test_anonymous_is_401_and_session_works(rect, people, client_for):
    response = Client().get(f"{BASE}/plans")
    assert response.status_code == 401
    assert response.json() == {"detail": "未登录或令牌无效。"}
    assert client_for(people.head).get(f"{BASE}/plans").status_code == 200


def test_plan_create_and_update_by_the_office(rect, people, org, api_for):
    client = api_for(people.office)
    response = post(
        client,
        f"{BASE}/plans",
        {"title": "2026年审计整改方案", "year": 2026, "source": "audit", "recheck_days": [60, 30], "disclosed": True},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["source_label"], body["recheck_days"], body["disclosure"]["disclosed"]) == ("审计", [30, 60], True)
    plan_id = body["id"]
    response = patch(client, f"{BASE}/plans/{plan_id}", {"reference": "审计报告", "feedback_anonymous": False})
    assert response.status_code == 200
    assert response.json()["reference"] == "审计报告"
    assert response.json()["feedback"]["anonymous"] is False
    assert response.json()["title"] == "2026年审计整改方案"


def test_plan_write_errors(rect, people, api_for):
    response = post(api_for(people.head), f"{BASE}/plans", {"title": "甲"})
    assert response.status_code == 403
    assert response.json() == {"detail": "只有督查办可以维护整改台账。"}
    response = post(api_for(people.office), f"{BASE}/plans", {"title": "", "recheck_days": [0]})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"title", "recheck_days"}
    assert "复查天数应为 1 到 730" in response.json()["detail"]
    response = patch(api_for(people.office), f"{BASE}/plans/{rect.plan.pk}", {"disclosed": None})
    assert response.status_code == 400
    assert response.json()["errors"] == {"disclosed": ["不能为空。"]}
    assert api_for(people.office).get(f"{BASE}/plans/999999").status_code == 404


# --- Findings ---------------------------------------------------------------------------
def test_finding_list_filters_and_scope(rect, people, org, api_for):
    office = api_for(people.office)
    assert office.get(f"{BASE}/findings").json()["count"] == 2
    items = office.get(f"{BASE}/findings", {"unit_id": org.hr.pk}).json()["items"]
    assert [f["id"] for f in items] == [rect.f2.pk]
    assert office.get(f"{BASE}/findings", {"category": "基层党建"}).json()["items"][0]["id"] == rect.f1.pk
    assert office.get(f"{BASE}/findings", {"closed": True}).json()["count"] == 0
    first = office.get(f"{BASE}/findings", {"plan_id": rect.plan.pk}).json()["items"][0]
    assert (first["measures_total"], first["measures_closed"]) == (2, 0)
    assert {unit["name"] for unit in first["units"]} == {org.academic.name, org.branch.name}

    outsider = api_for(people.outsider)
    assert [f["id"] for f in outsider.get(f"{BASE}/findings").json()["items"]] == [rect.f2.pk]
    response = outsider.get(f"{BASE}/findings/{rect.f1.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "对象不存在。"}
    detail = outsider.get(f"{BASE}/findings/{rect.f2.pk}").json()
    # 人事处 sees its own measure of finding 2, not 教务处's.
    assert [m["id"] for m in detail["measures"]] == [rect.at_once.pk]


def test_finding_create(rect, people, org, api_for):
    client = api_for(people.office)
    response = post(
        client,
        f"{BASE}/plans/{rect.plan.pk}/findings",
        {"category": "作风建设", "description": "会议过多", "severity": "grave", "unit_ids": [org.hr.pk]},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["ordinal"], body["severity_label"], body["version"]) == (3, "严重", 1)
    assert body["unit_ids"] == [org.hr.pk]


def test_finding_create_errors(rect, people, org, api_for):
    url = f"{BASE}/plans/{rect.plan.pk}/findings"
    response = post(api_for(people.head), url, {"category": "甲", "description": "乙"})
    assert (response.status_code, response.json()["detail"]) == (403, ERR_NOT_OFFICE)
    client = api_for(people.office)
    response = post(client, url, {"category": "", "description": "乙"})
    assert response.status_code == 400
    assert "category" in response.json()["errors"]
    assert response.json()["detail"].startswith("数据校验未通过：问题类别：")
    response = post(client, url, {"category": "甲", "description": "乙", "ordinal": 1})
    assert response.status_code == 400
    assert "已经存在" in response.json()["detail"]
    response = post(client, url, {"category": "甲", "description": "乙", "unit_ids": [999999]})
    assert response.status_code == 400
    assert response.json()["errors"] == {"unit_ids": ["单位 999999 不存在。"]}
    response = post(client, url, {"category": "甲"})
    assert response.status_code == 422
    assert "description：缺少必填字段" in response.json()["detail"]
    assert Finding.objects.count() == 2


def test_finding_update_and_optimistic_locking(rect, people, org, api_for):
    client = api_for(people.office)
    url = f"{BASE}/findings/{rect.f1.pk}"
    response = patch(client, url, {"version": 1, "category": "组织建设", "unit_ids": [org.academic.pk]})
    assert response.status_code == 200, response.content
    assert (response.json()["category"], response.json()["version"]) == ("组织建设", 2)
    assert response.json()["unit_ids"] == [org.academic.pk]
    # A second editor still holding version 1 is refused, and nothing changes.
    response = patch(client, url, {"version": 1, "category": "别的类别"})
    assert response.status_code == 409
    body = response.json()
    assert (body["detail"], body["version"]) == (ERR_STALE.format(current=2), 2)
    assert ("category", "组织建设", "王文书") in [(c["field"], c["new"], c["who"]) for c in body["changes"]]
    rect.f1.refresh_from_db()
    assert rect.f1.category == "组织建设"
    response = patch(client, url, {"category": "无版本"})
    assert response.status_code == 422
    assert patch(api_for(people.head), url, {"version": 2, "category": "x"}).status_code == 403
    assert patch(api_for(people.outsider), url, {"version": 2, "category": "x"}).status_code == 404


# --- Measures ---------------------------------------------------------------------------
def test_measure_list_filters_and_scope(rect, people, org, api_for):
    office = api_for(people.office)
    assert office.get(f"{BASE}/measures").json()["count"] == 4
    assert office.get(f"{BASE}/measures", {"type": "institution"}).json()["items"][0]["id"] == rect.rule.pk
    assert office.get(f"{BASE}/measures", {"unit_id": org.hr.pk}).json()["items"][0]["id"] == rect.at_once.pk
    assert office.get(f"{BASE}/measures", {"finding_id": rect.f2.pk}).json()["count"] == 2
    assert office.get(f"{BASE}/measures", {"closure": "closed"}).json()["count"] == 0
    one = office.get(f"{BASE}/measures", {"type": "deadline"}).json()["items"][0]
    assert (one["type_label"], one["closure_label"], one["finding_ordinal"]) == ("限期整改", "整改中", 1)
    assert one["item"]["lead_unit"]["name"] == org.academic.name
    assert one["item"]["due_date"] == "2026-12-31"

    outsider = api_for(people.outsider)
    assert [m["id"] for m in outsider.get(f"{BASE}/measures").json()["items"]] == [rect.at_once.pk]
    assert outsider.get(f"{BASE}/measures/{rect.deadline.pk}").status_code == 404


def test_measure_detail(rect, people, api_for):
    body = api_for(people.liaison).get(f"{BASE}/measures/{rect.rule.pk}").json()
    assert body["type"] == "institution"
    assert body["document"] is None
    assert [line["key"] for line in body["checklist"]] == ["document", "execution"]
    assert body["permissions"] == {
        "manage": False,
        "document": True,
        "request_closure": True,
        "review_closure": False,
        "approve_closure": False,
        "recheck": False,
    }
    assert body["closures"] == [] and body["rechecks"] == [] and body["relapses"] == []


def test_measure_create_and_update(rect, people, org, api_for):
    client = api_for(people.office)
    response = post(
        client,
        f"{BASE}/findings/{rect.f2.pk}/measures",
        {
            "type": "deadline",
            "title": "修订干部选任工作细则",
            "lead_unit_id": org.hr.pk,
            "responsible_person_id": people.outsider.pk,
            "due_date": "2026-12-20",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["finding_id"], body["type"], body["item"]["title"]) == (rect.f2.pk, "deadline", "修订干部选任工作细则")
    response = patch(client, f"{BASE}/measures/{body['id']}", {"type": "ongoing"})
    assert response.status_code == 200, response.content
    assert (response.json()["type"], response.json()["item"]["due_date"]) == ("ongoing", None)


def test_measure_write_errors(rect, people, org, api_for):
    url = f"{BASE}/findings/{rect.f2.pk}/measures"
    data = {"type": "deadline", "title": "甲", "lead_unit_id": org.hr.pk}
    response = post(api_for(people.head), url, data)
    assert (response.status_code, response.json()["detail"]) == (403, ERR_NOT_OFFICE)
    response = post(api_for(people.office), url, data)
    assert response.status_code == 400
    assert "“限期整改”措施必须填写整改时限" in response.json()["detail"]
    response = post(
        api_for(people.office), url, {**data, "due_date": "2026-12-01", "responsible_person_id": people.liaison.pk}
    )
    assert response.status_code == 400
    assert "responsible_person_id" in response.json()["errors"]
    assert Measure.objects.count() == 4
    assert patch(api_for(people.outsider), f"{BASE}/measures/{rect.deadline.pk}", {"title": "x"}).status_code == 404


def test_document_upload_multipart(rect, people, api_for):
    url = f"{BASE}/measures/{rect.rule.pk}/document"
    response = api_for(people.liaison).post(
        url, {"title": "组织生活会工作规范", "number": "党发〔2026〕3号", "issued_on": "2026-10-20"}
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "数据校验未通过：请上传制度文件。"
    response = api_for(people.liaison).post(
        url, {"title": "组织生活会工作规范", "number": "党发〔2026〕3号", "issued_on": "二〇二六"}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"issued_on": ["应为日期（年-月-日）。"]}
    assert (
        api_for(people.outsider).post(url, {"title": "a", "number": "b", "issued_on": "2026-10-20"}).status_code == 404
    )
    response = api_for(people.taskforce).post(
        url, {"title": "a", "number": "b", "issued_on": "2026-10-20", "file": pdf()}
    )
    assert response.status_code == 403
    response = api_for(people.liaison).post(
        url,
        {
            "title": "组织生活会工作规范",
            "number": "党发〔2026〕3号",
            "issued_on": "2026-10-20",
            "file": pdf("规范.pdf"),
        },
    )
    assert response.status_code == 200, response.content
    document = response.json()["document"]
    assert (document["title"], document["number"], document["date"]) == (
        "组织生活会工作规范",
        "党发〔2026〕3号",
        "2026-10-20",
    )
    assert document["file"]["name"] == "规范.pdf"


# --- Closure ----------------------------------------------------------------------------
def test_checklist(rect, people, api_for):
    body = api_for(people.liaison).get(f"{BASE}/checklists/deadline").json()
    assert body["measure_type_label"] == "限期整改"
    assert [(line["key"], line["kind"], line["required"]) for line in body["lines"]] == [
        ("statement", "text", True),
        ("proof", "file", True),
    ]
    assert api_for(people.liaison).get(f"{BASE}/checklists/nonsense").status_code == 422


def test_full_closure_flow_with_tokens(rect, people, api_for):
    liaison, taskforce, office = api_for(people.liaison), api_for(people.taskforce), api_for(people.office)
    url = f"{BASE}/measures/{rect.deadline.pk}/closure"
    response = liaison.post(
        url,
        {"statement": "已修订组织生活会流程", "evidence.statement": "全部支部已按新流程召开", "evidence.proof": pdf()},
    )
    assert response.status_code == 201, response.content
    closure = response.json()
    assert (closure["status"], closure["requested_by"]["name"]) == ("pending_review", people.liaison.name)
    assert {e["key"] for e in closure["evidence"]} == {"statement", "proof"}
    assert [c["id"] for c in office.get(f"{BASE}/closures/pending").json()["items"]] == []
    assert [c["id"] for c in taskforce.get(f"{BASE}/closures/pending").json()["items"]] == [closure["id"]]

    response = post(office, f"{BASE}/closures/{closure['id']}/review", {"remark": "x"})
    assert response.status_code == 403
    response = post(taskforce, f"{BASE}/closures/{closure['id']}/review", {"remark": "材料齐全"})
    assert (response.status_code, response.json()["status"]) == (200, "pending_approval")
    response = post(taskforce, f"{BASE}/closures/{closure['id']}/review")
    assert (response.status_code, response.json()["detail"]) == (400, "数据校验未通过：该申请不在待联络组审核状态。")
    response = post(taskforce, f"{BASE}/closures/{closure['id']}/approve")
    assert (response.status_code, response.json()["detail"]) == (403, "只有督查办可以审批销号。")
    assert [c["id"] for c in office.get(f"{BASE}/closures/pending").json()["items"]] == [closure["id"]]

    response = post(office, f"{BASE}/closures/{closure['id']}/approve", {"remark": "同意销号"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["approved_by"]["name"]) == ("approved", people.office.name)
    measure = office.get(f"{BASE}/measures/{rect.deadline.pk}").json()
    assert (measure["closure"], measure["closed_on"]) == ("closed", "2026-11-02")
    assert [r["offset_days"] for r in measure["rechecks"]] == [30, 90, 180]
    assert measure["closures"][0]["approve_remark"] == "同意销号"
    assert office.get(f"{BASE}/closures/{closure['id']}").json()["status"] == "approved"
    assert api_for(people.outsider).get(f"{BASE}/closures/{closure['id']}").status_code == 404


def test_closure_request_errors(rect, people, api_for):
    url = f"{BASE}/measures/{rect.deadline.pk}/closure"
    response = api_for(people.liaison).post(url, {"statement": "已完成", "evidence.statement": "说明"})
    assert response.status_code == 400
    assert response.json()["detail"] == "数据校验未通过：销号材料不齐：佐证材料（会议记录、文件、照片等）。"
    response = api_for(people.liaison).post(
        url, {"statement": " ", "evidence.statement": "说明", "evidence.proof": pdf()}
    )
    assert (response.status_code, response.json()["detail"]) == (400, "数据校验未通过：请填写完成情况。")
    response = api_for(people.liaison).post(url, {})
    assert response.status_code == 422
    response = api_for(people.taskforce).post(url, {"statement": "x"})
    assert (response.status_code, response.json()["detail"]) == (
        403,
        "只有牵头单位负责人、联络员或责任人可以申请销号。",
    )
    assert api_for(people.outsider).post(url, {"statement": "x"}).status_code == 404
    response = api_for(people.liaison).post(
        f"{BASE}/measures/{rect.rule.pk}/closure", {"statement": "x", "evidence.execution": "y"}
    )
    assert (
        response.json()["detail"]
        == "数据校验未通过：建章立制措施必须先登记制度文件（标题、文号、印发日期和文件）才能销号。"
    )
    assert rect.deadline.closures.count() == 0


def test_closure_return_needs_a_reason(rect, people, api_for):
    response = api_for(people.head).post(
        f"{BASE}/measures/{rect.deadline.pk}/closure",
        {"statement": "已完成", "evidence.statement": "说明", "evidence.proof": pdf()},
    )
    closure_id = response.json()["id"]
    url = f"{BASE}/closures/{closure_id}/return"
    assert post(api_for(people.liaison), url, {"reason": "不行"}).status_code == 403
    response = post(api_for(people.taskforce), url, {"reason": "  "})
    assert (response.status_code, response.json()["detail"]) == (400, "数据校验未通过：退回必须填写理由。")
    response = post(api_for(people.taskforce), url, {"reason": "佐证材料不清晰"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["return_reason"]) == ("returned", "佐证材料不清晰")
    rect.deadline.refresh_from_db()
    assert rect.deadline.closure == ClosureState.OPEN
    response = post(api_for(people.office), url, {"reason": "再退"})
    assert (response.status_code, response.json()["detail"]) == (400, "数据校验未通过：该申请已处理，不能退回。")


def test_unit_without_liaison_group_goes_straight_to_the_office(rect, people, api_for):
    response = api_for(people.outsider).post(
        f"{BASE}/measures/{rect.at_once.pk}/closure", {"statement": "已纠正", "evidence.statement": "已重新履行程序"}
    )
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["review_skipped"]) == ("pending_approval", True)
    assert [c["id"] for c in api_for(people.office).get(f"{BASE}/closures/pending").json()["items"]] == [
        response.json()["id"]
    ]


# --- Re-checks --------------------------------------------------------------------------
def _closed(rect, people, api_for):
    liaison, taskforce, office = api_for(people.liaison), api_for(people.taskforce), api_for(people.office)
    closure = liaison.post(
        f"{BASE}/measures/{rect.deadline.pk}/closure",
        {"statement": "已完成", "evidence.statement": "说明", "evidence.proof": pdf()},
    ).json()
    post(taskforce, f"{BASE}/closures/{closure['id']}/review")
    post(office, f"{BASE}/closures/{closure['id']}/approve")
    return closure


def test_rechecks_hold_and_relapse(rect, people, api_for):
    _closed(rect, people, api_for)
    taskforce = api_for(people.taskforce)
    assert taskforce.get(f"{BASE}/rechecks", {"due": True}).json()["count"] == 0
    assert taskforce.get(f"{BASE}/rechecks", {"mine": True}).json()["count"] == 3
    assert api_for(people.head).get(f"{BASE}/rechecks", {"mine": True}).json()["count"] == 0
    first = Recheck.objects.get(measure=rect.deadline, offset_days=30)
    response = post(taskforce, f"{BASE}/rechecks/{first.pk}/hold")
    assert (response.status_code, response.json()["detail"]) == (
        400,
        "数据校验未通过：复查日期为 2026-12-02，尚未到期。",
    )

    with time_machine.travel(FROZEN + datetime.timedelta(days=31), tick=False):
        due = taskforce.get(f"{BASE}/rechecks", {"due": True, "mine": True}).json()["items"]
        assert [r["id"] for r in due] == [first.pk]
        assert post(api_for(people.head), f"{BASE}/rechecks/{first.pk}/hold").status_code == 403
        assert post(api_for(people.outsider), f"{BASE}/rechecks/{first.pk}/hold").status_code == 404
        response = post(taskforce, f"{BASE}/rechecks/{first.pk}/relapse", {"description": " "})
        assert (response.status_code, response.json()["detail"]) == (400, "数据校验未通过：请写明反弹的具体情况。")
        response = post(taskforce, f"{BASE}/rechecks/{first.pk}/relapse", {"description": "又有支部记录不全"})
        assert response.status_code == 200, response.content
        assert (response.json()["state"], response.json()["relapse_id"] is not None) == ("relapsed", True)
        measure = api_for(people.office).get(f"{BASE}/measures/{rect.deadline.pk}").json()
        assert (measure["closure"], measure["relapse_count"]) == ("open", 1)
        assert measure["relapses"][0]["description"] == "又有支部记录不全"
        assert {r["state"] for r in measure["rechecks"]} == {"relapsed", "cancelled"}
        response = post(taskforce, f"{BASE}/rechecks/{first.pk}/hold")
        assert (response.status_code, response.json()["detail"]) == (400, "数据校验未通过：该复查已完成或已取消。")


def test_recheck_hold(rect, people, api_for):
    _closed(rect, people, api_for)
    first = Recheck.objects.get(measure=rect.deadline, offset_days=30)
    with time_machine.travel(FROZEN + datetime.timedelta(days=30), tick=False):
        response = post(api_for(people.office), f"{BASE}/rechecks/{first.pk}/hold", {"remark": "巩固良好"})
    assert (response.status_code, response.json()["state_label"]) == (200, "巩固良好")
    first.refresh_from_db()
    assert first.state == RecheckState.HELD


# --- Look-back --------------------------------------------------------------------------
def test_lookback_round(rect, people, org, api_for):
    office, taskforce = api_for(people.office), api_for(people.taskforce)
    url = f"{BASE}/plans/{rect.plan.pk}/lookback"
    assert post(api_for(people.head), url).status_code == 403
    response = post(office, url, {"checklist": ["一看是否落实", "二看是否反弹"]})
    assert response.status_code == 201, response.content
    round_ = response.json()
    assert (round_["number"], round_["state"]) == (1, "open")
    assert [p["label"] for p in round_["checklist"]] == ["一看是否落实", "二看是否反弹"]
    response = post(office, url)
    assert (response.status_code, response.json()["detail"]) == (
        400,
        "数据校验未通过：该整改方案已有一轮回头看正在进行，请先结束它。",
    )
    assert [r["id"] for r in api_for(people.head).get(url).json()] == [round_["id"]]

    review_url = f"{BASE}/lookback/{round_['id']}/reviews/{rect.deadline.pk}"
    assert put(api_for(people.head), review_url, {"verdict": "holds"}).status_code == 403
    assert put(api_for(people.outsider), review_url, {"verdict": "holds"}).status_code == 404
    response = put(
        taskforce, review_url, {"verdict": "relapsed", "answers": {"p1": "no", "p2": "no"}, "remarks": "反弹"}
    )
    assert (response.status_code, response.json()["detail"]) == (
        400,
        "数据校验未通过：该措施尚未销号，不能判定为反弹；请选择“进展滞后”。",
    )
    response = put(
        taskforce, review_url, {"verdict": "progressing", "answers": {"p1": "partly", "p2": "yes"}, "remarks": "推进中"}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["verdict_label"], response.json()["answers"]) == ("正在推进", {"p1": "partly", "p2": "yes"})

    response = post(
        office, f"{BASE}/lookback/{round_['id']}/findings", {"category": "基层党建", "description": "新发现的问题"}
    )
    assert response.status_code == 201
    new_finding = response.json()
    assert new_finding["origin_round_id"] == round_["id"]

    detail = api_for(people.discipline).get(f"{BASE}/lookback/{round_['id']}").json()
    assert [r["measure_id"] for r in detail["reviews"]] == [rect.deadline.pk]
    assert detail["new_finding_ids"] == [new_finding["id"]]
    assert api_for(people.outsider).get(f"{BASE}/lookback/{round_['id']}").json()["reviews"] == []

    report_url = f"{BASE}/lookback/{round_['id']}/report"
    response = office.get(report_url)
    assert (response.status_code, response.json()["detail"]) == (
        400,
        "数据校验未通过：这一轮回头看尚未结束，结束后才有对比报告。",
    )
    response = post(office, f"{BASE}/lookback/{round_['id']}/close", {"summary": "总体向好"})
    assert (response.status_code, response.json()["state"], response.json()["summary"]) == (200, "closed", "总体向好")
    report = office.get(report_url).json()
    assert report["reviewed"] == 1
    assert report["verdicts"] == {"progressing": 1}
    assert report["round_findings"] == [new_finding["id"]]
    assert sorted(report["measures"]["still_open"], key=int) == sorted(
        str(m.pk) for m in (rect.deadline, rect.rule, rect.at_once, rect.ongoing)
    )
    response = post(office, f"{BASE}/lookback/{round_['id']}/close")
    assert (response.status_code, response.json()["detail"]) == (400, "数据校验未通过：这一轮回头看已结束。")
    response = post(office, f"{BASE}/lookback/{round_['id']}/findings", {"category": "甲", "description": "乙"})
    assert response.status_code == 400


# --- Disclosure and feedback -----------------------------------------------------------
def _disclose(rect, people, api_for, **flags):
    response = patch(api_for(people.office), f"{BASE}/plans/{rect.plan.pk}", {"disclosed": True, **flags})
    assert response.status_code == 200


def test_disclosure_only_when_disclosed(rect, people, api_for):
    url = f"{BASE}/plans/{rect.plan.pk}/disclosure"
    assert api_for(people.staff).get(url).status_code == 404
    assert api_for(people.office).get(url).status_code == 200  # the office previews
    assert api_for(people.sys_admin).get(url).status_code == 403
    _disclose(rect, people, api_for)
    assert api_for(people.staff).get(url).status_code == 200


def test_disclosure_never_leaks_names_or_internal_fields(rect, people, org, api_for):
    _disclose(rect, people, api_for)
    response = api_for(people.staff).get(f"{BASE}/plans/{rect.plan.pk}/disclosure")
    body = response.json()
    text = response.content.decode()
    for person in vars(people).values():
        assert person.name not in text
    for finding in (rect.f1, rect.f2):
        assert finding.description not in text
    assert "内部" not in text
    for measure in (rect.deadline, rect.rule):
        assert measure.item.title not in text
    assert body["counts"] == {"findings_total": 2, "findings_closed": 0, "measures_total": 4, "measures_closed": 0}
    assert body["percent"] == 0
    assert [f["summary"] for f in body["findings"]] == ["部分党支部组织生活会不够规范", "干部选拔任用程序需进一步规范"]
    assert set(body["findings"][0]["units"]) == {org.academic.name, org.branch.name}
    assert body["findings"][0]["status_label"] == "整改中"


def test_disclosure_respects_the_flags(rect, people, api_for):
    _disclose(rect, people, api_for, show_counts=False, show_percent=False, show_units=False, show_monthly=False)
    body = api_for(people.staff).get(f"{BASE}/plans/{rect.plan.pk}/disclosure").json()
    assert (body["counts"], body["percent"], body["monthly"]) == (None, None, None)
    assert body["findings"][0]["units"] is None
    _disclose(rect, people, api_for, show_findings=False)
    assert api_for(people.staff).get(f"{BASE}/plans/{rect.plan.pk}/disclosure").json()["findings"] is None


def test_feedback_flow_and_anonymity(rect, people, api_for):
    url = f"{BASE}/plans/{rect.plan.pk}/feedback"
    staff = api_for(people.staff)
    assert post(staff, url, {"text": "建议公开进度"}).status_code == 404  # not disclosed yet
    _disclose(rect, people, api_for)
    response = post(staff, url, {"text": "匿名建议：加快整改", "anonymous": True, "finding_id": rect.f1.pk})
    assert response.status_code == 201, response.content
    anonymous = response.json()
    assert (anonymous["anonymous"], anonymous["finding_id"], anonymous["state_label"]) == (True, rect.f1.pk, "待处理")
    named = post(staff, url, {"text": "实名建议"}).json()
    assert Feedback.objects.get(pk=anonymous["id"]).sender_id is None

    mine = staff.get(f"{BASE}/feedback/mine").json()["items"]
    assert {f["id"] for f in mine} == {anonymous["id"], named["id"]}
    assert api_for(people.head).get(f"{BASE}/feedback/mine").json()["count"] == 0

    office = api_for(people.office)
    listing = office.get(f"{BASE}/feedback").json()["items"]
    senders = {f["id"]: f["sender"] for f in listing}
    assert senders == {anonymous["id"]: None, named["id"]: {"id": people.staff.pk, "name": people.staff.name}}
    anonymous_row = next(f for f in listing if f["id"] == anonymous["id"])
    assert people.staff.name not in str(anonymous_row)
    response = api_for(people.head).get(f"{BASE}/feedback")
    assert (response.status_code, response.json()["detail"]) == (403, ERR_NOT_OFFICE)

    response = post(office, f"{BASE}/feedback/{named['id']}/reply", {"reply": "感谢，已督促"})
    assert (response.status_code, response.json()["state"]) == (200, "replied")
    response = post(office, f"{BASE}/feedback/{named['id']}/reply", {"reply": "再答复"})
    assert (response.status_code, response.json()["detail"]) == (400, "数据校验未通过：这条意见已处理。")
    response = post(
        office, f"{BASE}/feedback/{anonymous['id']}/convert", {"category": "基层党建", "description": "整改进度偏慢"}
    )
    assert response.status_code == 201, response.content
    finding = response.json()
    assert finding["origin_feedback_id"] == anonymous["id"]
    converted = staff.get(f"{BASE}/feedback/mine").json()["items"]
    state = {f["id"]: (f["state"], f["created_finding_id"]) for f in converted}
    assert state[anonymous["id"]] == ("converted", finding["id"])
    assert "已纳入整改台账" in {f["id"]: f["reply"] for f in converted}[anonymous["id"]]
    assert post(api_for(people.head), f"{BASE}/feedback/{named['id']}/dismiss", {"reply": "x"}).status_code == 403


def test_feedback_refusals(rect, people, api_for):
    _disclose(rect, people, api_for, feedback_anonymous=False)
    url = f"{BASE}/plans/{rect.plan.pk}/feedback"
    staff = api_for(people.staff)
    response = post(staff, url, {"text": "匿名", "anonymous": True})
    assert (response.status_code, response.json()["detail"]) == (400, "数据校验未通过：该整改方案不接受匿名意见。")
    response = post(staff, url, {"text": "  "})
    assert (response.status_code, response.json()["detail"]) == (400, "数据校验未通过：请填写意见内容。")
    response = post(staff, url, {"text": "x", "finding_id": 999999})
    assert (response.status_code, response.json()["detail"]) == (
        400,
        "数据校验未通过：所选问题不属于该整改方案或未公开。",
    )
    assert post(api_for(people.sys_admin), url, {"text": "x"}).status_code == 403
    for _ in range(5):
        assert post(staff, url, {"text": "意见"}).status_code == 201
    response = post(staff, url, {"text": "第六条"})
    assert (response.status_code, response.json()["detail"]) == (
        400,
        "数据校验未通过：今天提交的意见已达 5 条上限，请明天再提。",
    )
    feedback = Feedback.objects.first()
    response = post(api_for(people.office), f"{BASE}/feedback/{feedback.pk}/dismiss", {"reply": "不属于本方案"})
    assert (response.status_code, response.json()["state_label"]) == (200, "不予采纳")


# --- Query counts and the schema --------------------------------------------------------
def _more_measures(rect, people, org, n):
    for i in range(n):
        item = Item(
            title=f"补充措施{i}",
            lead_unit=org.academic,
            responsible_person=people.liaison,
            start_date=datetime.date(2026, 9, 1),
            due_date=datetime.date(2026, 12, 31),
        )
        measure_save(acting_user=people.office, finding=rect.f1, item=item, measure_type=MeasureType.DEADLINE)


@pytest.mark.parametrize("persona", ["office", "liaison"])
def test_lists_cost_a_fixed_number_of_queries(persona, rect, people, org, api_for):
    client = api_for(getattr(people, persona))
    urls = [f"{BASE}/measures", f"{BASE}/findings", f"{BASE}/plans", f"{BASE}/closures"]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            result.append(len(ctx))
        return result

    counts()  # the first call records the token's use
    before = counts()
    _more_measures(rect, people, org, 8)
    assert counts() == before


def test_openapi_lists_the_rectification_endpoints(people, client_for):
    import json

    response = client_for(people.staff).get("/api/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    paths = schema["paths"]
    expected = {
        "/api/rectification/plans": {"get", "post"},
        "/api/rectification/plans/{plan_id}": {"get", "patch"},
        "/api/rectification/findings": {"get"},
        "/api/rectification/findings/{finding_id}": {"get", "patch"},
        "/api/rectification/plans/{plan_id}/findings": {"post"},
        "/api/rectification/measures": {"get"},
        "/api/rectification/measures/{measure_id}": {"get", "patch"},
        "/api/rectification/findings/{finding_id}/measures": {"post"},
        "/api/rectification/measures/{measure_id}/document": {"post"},
        "/api/rectification/measures/{measure_id}/closure": {"post"},
        "/api/rectification/checklists/{measure_type}": {"get", "put"},
        "/api/rectification/lookback-templates": {"get", "post"},
        "/api/rectification/lookback-templates/{template_id}": {"put"},
        "/api/rectification/closures/pending": {"get"},
        "/api/rectification/closures/{closure_id}/review": {"post"},
        "/api/rectification/closures/{closure_id}/approve": {"post"},
        "/api/rectification/closures/{closure_id}/return": {"post"},
        "/api/rectification/rechecks": {"get"},
        "/api/rectification/rechecks/{recheck_id}/hold": {"post"},
        "/api/rectification/rechecks/{recheck_id}/relapse": {"post"},
        "/api/rectification/plans/{plan_id}/lookback": {"get", "post"},
        "/api/rectification/lookback/{round_id}": {"get"},
        "/api/rectification/lookback/{round_id}/reviews/{measure_id}": {"put"},
        "/api/rectification/lookback/{round_id}/findings": {"post"},
        "/api/rectification/lookback/{round_id}/close": {"post"},
        "/api/rectification/lookback/{round_id}/report": {"get"},
        "/api/rectification/plans/{plan_id}/disclosure": {"get"},
        "/api/rectification/plans/{plan_id}/feedback": {"post"},
        "/api/rectification/feedback": {"get"},
        "/api/rectification/feedback/mine": {"get"},
        "/api/rectification/feedback/{feedback_id}/reply": {"post"},
        "/api/rectification/feedback/{feedback_id}/dismiss": {"post"},
        "/api/rectification/feedback/{feedback_id}/convert": {"post"},
        "/api/rectification/stats": {"get"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert set(paths[path]) == methods, path
        for operation in paths[path].values():
            assert operation["summary"] and operation["tags"], path
            assert "200" in operation["responses"] or "201" in operation["responses"], path
    # Every $ref points at a defined schema.
    defined = set(schema["components"]["schemas"])
    refs = set()

    def walk(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref:
                refs.add(ref.rsplit("/", 1)[-1])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(paths)
    assert refs <= defined
    closure = paths["/api/rectification/measures/{measure_id}/closure"]["post"]
    assert "multipart/form-data" in closure["requestBody"]["content"]


def test_stats(rect, people, org, api_for):
    _closed(rect, people, api_for)
    body = api_for(people.office).get(f"{BASE}/stats", {"plan_id": rect.plan.pk}).json()
    assert (body["totals"]["total"], body["totals"]["closed"], body["totals"]["closure_rate"]) == (4, 1, 25)
    units = {row["label"]: row for row in body["by_unit"]}
    assert units[org.academic.name]["closed"] == 1
    assert {row["key"] for row in body["by_type"]} >= {"deadline", "institution"}
    assert {"month": "2026-11", "closures": 1, "relapses": 0} in body["by_month"]
    outsider = api_for(people.outsider).get(f"{BASE}/stats").json()
    assert outsider["totals"]["total"] == 1
    assert api_for(people.staff).get(f"{BASE}/stats").status_code == 403
    assert api_for(people.office).get(f"{BASE}/stats", {"plan_id": 999999}).status_code == 404
