"""Supervision actions through the API: urging, notices (numbered, answered, closed),
warnings, accountability, instructions, an item's records, circulars and lagging units —
each by persona (403 without the rule, with the service's message; 404 outside one's
scope), the JSON shapes, and fixed query counts for the lists."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duban.notify.models import Message, MessageKind
from duban.supervision.models import (
    Accountability,
    AccountabilityKind,
    Circular,
    Instruction,
    Item,
    ItemLog,
    ItemState,
    LogKind,
    Notice,
    NoticeStatus,
    Status,
    Warning,
)
from duban.supervision.services import actions as services
from tests.org.test_views import ALL_PERSONAS
from tests.supervision import conftest as supervision

pytestmark = pytest.mark.django_db

work = supervision.work

NOW = datetime.datetime(2026, 11, 3, 10, 0, tzinfo=datetime.UTC)
NO_SUPERVISION = {"sys_admin", "sec_admin", "audit_admin", "norole"}
SEES_TEACHING = {"leader", "office", "head", "liaison", "discipline", "staff", "outsider"}
# Who sees a notice addressed to 教务处 (services.actions.notices_visible).
SEES_NOTICE = {"office", "discipline", "leader", "head", "liaison"}
NOT_ALLOWED = "无权访问。"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _post(client, url, data=None):
    return client.post(url, data if data is not None else {}, content_type="application/json")


def _expected(persona, allowed: set[str], visible: set[str] = SEES_TEACHING, success: int = 201) -> int:
    if persona in NO_SUPERVISION:
        return 403
    if persona not in visible:
        return 404
    return success if persona in allowed else 403


def _notice(work, people, item=None) -> Notice:
    return services.notice_issue(
        acting_user=people.office,
        item=item or work.teaching,
        requirement="请于两周内完成方案论证。",
        respond_by=datetime.date(2026, 11, 16),
    )


def item_actions(work, people, org):
    """(path, body, personas allowed, refusal) of the actions on an item."""
    return [
        ("urge", {"text": "请抓紧推进。"}, {"office"}, services.ERR_CANNOT_URGE),
        (
            "notices",
            {"requirement": "请报送方案。", "respond_by": "2026-11-16"},
            {"office"},
            services.ERR_CANNOT_ISSUE_NOTICE,
        ),
        (
            "warnings",
            {"unit_id": org.academic.pk, "text": "限期整改。"},
            {"office", "discipline"},
            services.ERR_CANNOT_WARN,
        ),
        (
            "accountability",
            {"kind": "talk", "reason": "逾期。", "decided_on": "2026-11-01", "unit_id": org.academic.pk},
            {"office", "discipline"},
            services.ERR_CANNOT_HOLD_ACCOUNTABLE,
        ),
        ("instructions", {"text": "务必按期完成。"}, {"leader"}, services.ERR_CANNOT_INSTRUCT),
    ]


# --- Actions on an item, by persona ------------------------------------------------------
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_item_actions_by_persona(persona, work, people, org, api_for):
    client = api_for(getattr(people, persona))
    for path, body, allowed, refusal in item_actions(work, people, org):
        response = _post(client, f"/api/items/{work.teaching.pk}/{path}", body)
        expected = _expected(persona, allowed)
        assert response.status_code == expected, (persona, path, response.json())
        if expected == 403:
            assert response.json() == {"detail": NOT_ALLOWED if persona in NO_SUPERVISION else refusal}
        if expected == 404:
            assert response.json() == {"detail": "对象不存在。"}
    made = {
        "urge": ItemLog.objects.filter(kind=LogKind.URGED).count(),
        "notices": Notice.objects.count(),
        "warnings": Warning.objects.count(),
        "accountability": Accountability.objects.count(),
        "instructions": Instruction.objects.count(),
    }
    assert made == {path: int(persona in allowed) for path, _, allowed, _ in item_actions(work, people, org)}


def test_urge(work, people, api_for):
    response = _post(api_for(people.office), f"/api/items/{work.teaching.pk}/urge", {"text": "请抓紧推进。"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["item_id"], body["kind"], body["kind_label"], body["text"]) == (
        work.teaching.pk,
        "urged",
        "催办",
        "请抓紧推进。",
    )
    assert body["actor"] == {"id": people.office.pk, "name": "王文书"}
    sent = set(Message.objects.filter(kind=MessageKind.URGE).values_list("recipient__username", flat=True))
    assert sent == {"head", "liaison"}
    assert body["recipients"] == 2
    blank = _post(api_for(people.office), f"/api/items/{work.teaching.pk}/urge", {"text": " "})
    assert blank.status_code == 400
    assert "text" in blank.json()["errors"]
    Item.objects.filter(pk=work.labs.pk).update(completed_on=datetime.date(2026, 11, 1))
    done = _post(api_for(people.office), f"/api/items/{work.labs.pk}/urge", {"text": "x"})
    assert done.status_code == 400
    assert done.json()["errors"] == {"__all__": [services.ERR_ITEM_DONE]}


# --- Notices ---------------------------------------------------------------------------
def test_notices_are_numbered_through_the_api(work, people, org, api_for):
    client = api_for(people.office)
    url = f"/api/items/{work.teaching.pk}/notices"
    first = _post(client, url, {"requirement": "请报送方案。", "respond_by": "2026-11-16"})
    assert first.status_code == 201, first.json()
    body = first.json()
    assert (body["number"], body["year"], body["serial"]) == ("督办〔2026〕1号", 2026, 1)
    assert body["title"] == services.notice_default_title(work.teaching)
    assert body["addressee_unit"] == {"id": org.academic.pk, "name": "教务处"}
    assert body["item"]["id"] == work.teaching.pk
    assert (body["status"], body["status_label"], body["is_overdue"]) == ("issued", "待回复", False)
    assert body["issued_by"] == {"id": people.office.pk, "name": "王文书"}
    assert body["permissions"] == {"answer": False, "close": False}
    second = _post(
        client,
        url,
        {"title": "人事督办", "addressee_unit_id": org.hr.pk, "requirement": "请配合。", "respond_by": "2026-11-03"},
    )
    assert second.json()["number"] == "督办〔2026〕2号"
    assert (second.json()["title"], second.json()["addressee_unit"]["id"]) == ("人事督办", org.hr.pk)
    assert list(Notice.objects.order_by("serial").values_list("serial", flat=True)) == [1, 2]


def test_notice_validation(work, people, api_for):
    client = api_for(people.office)
    url = f"/api/items/{work.teaching.pk}/notices"
    past = _post(client, url, {"requirement": "x", "respond_by": "2026-11-02"})
    assert past.status_code == 400
    assert past.json()["errors"] == {"respond_by": [services.ERR_RESPOND_BY_PAST]}
    blank = _post(client, url, {"requirement": "", "respond_by": "2026-11-20"})
    assert blank.status_code == 400
    assert "requirement" in blank.json()["errors"]
    assert _post(client, url, {"requirement": "x", "respond_by": "2026-11-20", "addressee_unit_id": 999999}).json()[
        "errors"
    ].keys() == {"addressee_unit_id"}
    assert _post(client, url, {"requirement": "x"}).status_code == 422
    assert not Notice.objects.exists()


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_notice_read_answer_close_by_persona(persona, work, people, api_for):
    notice = _notice(work, people)
    client = api_for(getattr(people, persona))
    detail = client.get(f"/api/notices/{notice.pk}")
    assert detail.status_code == _expected(persona, SEES_NOTICE, SEES_NOTICE, 200)
    answer = _post(client, f"/api/notices/{notice.pk}/answer", {"response": "已完成论证。"})
    expected = _expected(persona, {"head", "liaison"}, SEES_NOTICE, 200)
    assert answer.status_code == expected
    if expected == 403 and persona not in NO_SUPERVISION:
        assert answer.json() == {"detail": services.ERR_CANNOT_ANSWER}
    notice.refresh_from_db()
    if notice.status == NoticeStatus.ISSUED:
        services.notice_answer(acting_user=people.head, notice=notice, response="已完成。")
    close = _post(client, f"/api/notices/{notice.pk}/close")
    expected = _expected(persona, {"office"}, SEES_NOTICE, 200)
    assert close.status_code == expected
    if expected == 403 and persona not in NO_SUPERVISION:
        assert close.json() == {"detail": services.ERR_CANNOT_CLOSE}
    notice.refresh_from_db()
    assert notice.status == (NoticeStatus.CLOSED if persona == "office" else NoticeStatus.ANSWERED)


def test_notice_cycle(work, people, api_for):
    notice = _notice(work, people)
    head = api_for(people.head)
    assert head.get(f"/api/notices/{notice.pk}").json()["permissions"] == {"answer": True, "close": False}
    blank = _post(head, f"/api/notices/{notice.pk}/answer", {"response": ""})
    assert blank.status_code == 400 and "response" in blank.json()["errors"]
    answered = _post(head, f"/api/notices/{notice.pk}/answer", {"response": "已完成论证。"})
    assert answered.status_code == 200, answered.json()
    body = answered.json()
    assert (body["status"], body["response"]) == ("answered", "已完成论证。")
    assert body["responded_by"] == {"id": people.head.pk, "name": "赵处长"}
    again = _post(head, f"/api/notices/{notice.pk}/answer", {"response": "再答"})
    assert again.status_code == 400
    assert again.json()["errors"] == {"__all__": [services.ERR_NOT_ISSUED]}
    office = api_for(people.office)
    assert office.get(f"/api/notices/{notice.pk}").json()["permissions"] == {"answer": False, "close": True}
    closed = _post(office, f"/api/notices/{notice.pk}/close", {"comment": "同意办结"})
    assert closed.json()["status"] == "closed"
    twice = _post(office, f"/api/notices/{notice.pk}/close")
    assert twice.status_code == 400
    assert twice.json()["errors"] == {"__all__": [services.ERR_NOT_ANSWERED]}
    assert office.get("/api/notices/999999").status_code == 404


def test_notice_list_by_persona(work, people, api_for):
    to_academic = _notice(work, people)
    to_hr = _notice(work, people, item=work.talent)

    def ids(persona, **query):
        response = api_for(getattr(people, persona)).get("/api/notices", query)
        assert response.status_code == (403 if persona in NO_SUPERVISION else 200)
        return [n["id"] for n in response.json().get("items", [])]

    assert ids("office") == ids("discipline") == ids("leader") == [to_hr.pk, to_academic.pk]
    assert ids("head") == ids("liaison") == [to_academic.pk]
    assert ids("outsider") == [to_hr.pk]
    assert ids("staff") == ids("taskforce") == []
    ids("norole")
    services.notice_answer(acting_user=people.head, notice=to_academic, response="已办。")
    assert ids("office", status="answered") == [to_academic.pk]
    assert ids("office", plan_id=work.plan.pk, status="issued") == [to_hr.pk]
    assert ids("office", plan_id=999999) == []


def test_notice_list_query_count_is_fixed(work, people, org, api_for):
    client = api_for(people.office)

    def make(first, count):
        Notice.objects.bulk_create(
            Notice(
                item=work.teaching,
                year=2026,
                serial=first + i,
                number=f"督办〔2026〕{first + i}号",
                title="督办",
                addressee_unit=org.academic if i % 2 else org.hr,
                requirement="要求",
                respond_by=datetime.date(2026, 11, 1),
                issued_by=people.office,
                responded_by=people.head if i % 3 else None,
            )
            for i in range(count)
        )

    make(1, 10)
    client.get("/api/notices")
    with CaptureQueriesContext(connection) as small:
        assert client.get("/api/notices").json()["count"] == 10
    make(100, 50)
    with CaptureQueriesContext(connection) as large:
        body = client.get("/api/notices").json()
    assert body["count"] == 60
    assert body["items"][0]["is_overdue"] is True
    assert len(large) == len(small)


# --- Warnings, accountability, instructions, records -----------------------------------
def test_warning_and_accountability(work, people, org, api_for):
    client = api_for(people.discipline)
    warned = _post(
        client,
        f"/api/items/{work.teaching.pk}/warnings",
        {"unit_id": org.academic.pk, "person_id": people.liaison.pk, "text": "限期整改。"},
    )
    assert warned.status_code == 201, warned.json()
    assert warned.json()["unit"] == {"id": org.academic.pk, "name": "教务处"}
    assert warned.json()["person"] == {"id": people.liaison.pk, "name": "钱联络"}
    stranger = _post(
        client,
        f"/api/items/{work.teaching.pk}/warnings",
        {"unit_id": org.academic.pk, "person_id": people.sys_admin.pk, "text": "x"},
    )
    assert stranger.status_code == 400
    assert stranger.json()["errors"].keys() == {"person_id"}
    url = f"/api/items/{work.teaching.pk}/accountability"
    body = {"kind": "talk", "reason": "逾期。", "decided_on": "2026-11-01", "unit_id": org.academic.pk}
    created = _post(client, url, {**body, "decision_title": "约谈决定", "decision_number": "纪〔2026〕3号"})
    assert created.status_code == 201, created.json()
    record = created.json()
    assert (record["kind"], record["kind_label"], record["decision_number"]) == ("talk", "约谈", "纪〔2026〕3号")
    assert record["decision_file_url"] is None
    assert record["recorded_by"] == {"id": people.discipline.pk, "name": "周纪检"}
    future = _post(client, url, {**body, "decided_on": "2026-11-04"})
    assert future.status_code == 400
    assert future.json()["errors"] == {"decided_on": [services.ERR_DECIDED_FUTURE]}
    assert _post(client, url, {**body, "kind": "fine"}).status_code == 422
    assert _post(client, url, {**body, "decision_file": "x.pdf"}).status_code == 422
    assert Accountability.objects.count() == 1


def test_instruction(work, people, api_for):
    response = _post(api_for(people.leader), f"/api/items/{work.teaching.pk}/instructions", {"text": "务必按期完成。"})
    assert response.status_code == 201, response.json()
    assert response.json()["leader"] == {"id": people.leader.pk, "name": "李校长"}
    assert Message.objects.filter(kind=MessageKind.INSTRUCTION, recipient=people.liaison).exists()


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_records_by_persona(persona, work, people, api_for):
    _notice(work, people)
    services.warning_issue(acting_user=people.office, item=work.teaching, text="限期整改。")
    services.instruction_add(acting_user=people.leader, item=work.teaching, text="抓紧。")
    services.accountability_record(
        acting_user=people.discipline,
        item=work.teaching,
        kind=AccountabilityKind.TALK,
        reason="逾期。",
        decided_on=datetime.date(2026, 11, 1),
    )
    response = api_for(getattr(people, persona)).get(f"/api/items/{work.teaching.pk}/records")
    assert response.status_code == _expected(persona, SEES_TEACHING, success=200)
    if response.status_code != 200:
        return
    body = response.json()
    assert [n["number"] for n in body["notices"]] == ["督办〔2026〕1号"]
    assert set(body["notices"][0]) == {
        "id",
        "number",
        "status",
        "status_label",
        "addressee_unit",
        "respond_by",
        "is_overdue",
    }
    assert [w["text"] for w in body["warnings"]] == ["限期整改。"]
    assert [i["text"] for i in body["instructions"]] == ["抓紧。"]
    sees = persona in {"office", "discipline", "leader", "head"}
    assert body["permissions"]["see_accountability"] is sees
    if sees:
        assert [a["reason"] for a in body["accountability"]] == ["逾期。"]
    else:
        assert body["accountability"] is None
    assert body["permissions"]["urge"] is (persona == "office")
    assert body["permissions"]["instruction"] is (persona == "leader")


# --- Circulars and lagging units -------------------------------------------------------
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_circulars_by_persona(persona, work, people, api_for):
    services.circular_issue(acting_user=people.office, plan=work.plan, title="通报一", body="正文")
    client = api_for(getattr(people, persona))
    readable = 403 if persona in NO_SUPERVISION else 200
    assert client.get(f"/api/plans/{work.plan.pk}/circulars").status_code == readable
    assert client.get(f"/api/plans/{work.plan.pk}/lagging-units").status_code == readable
    created = _post(client, f"/api/plans/{work.plan.pk}/circulars", {"title": "通报二", "body": "正文"})
    assert created.status_code == (201 if persona == "office" else 403)
    if persona not in {"office", *NO_SUPERVISION}:
        assert created.json() == {"detail": services.ERR_CANNOT_CIRCULATE}
    assert Circular.objects.count() == (2 if persona == "office" else 1)


def test_circulars_and_lagging_units(work, people, org, api_for):
    ItemState.objects.filter(item=work.talent).update(status=Status.OVERDUE)
    client = api_for(people.office)
    lagging = client.get(f"/api/plans/{work.plan.pk}/lagging-units").json()
    assert lagging == [
        {"unit": {"id": org.hr.pk, "name": "人事处"}, "overdue": 1, "behind": 0, "total": 1},
        {"unit": {"id": org.academic.pk, "name": "教务处"}, "overdue": 0, "behind": 3, "total": 3},
    ]
    url = f"/api/plans/{work.plan.pk}/circulars"
    default = _post(client, url, {"title": "推进情况通报", "body": "现通报如下。", "number": "督通〔2026〕1号"})
    assert default.status_code == 201, default.json()
    assert [u["id"] for u in default.json()["units"]] == [org.academic.pk, org.hr.pk]
    assert default.json()["number"] == "督通〔2026〕1号"
    chosen = _post(client, url, {"title": "表扬", "body": "予以表扬。", "unit_ids": [org.hr.pk]})
    assert [u["id"] for u in chosen.json()["units"]] == [org.hr.pk]
    nobody = _post(client, url, {"title": "总体通报", "body": "总体平稳。", "unit_ids": []})
    assert nobody.json()["units"] == []
    grid = _post(client, url, {"title": "x", "body": "y", "unit_ids": [org.grid.pk]})
    assert grid.status_code == 400
    assert grid.json()["errors"].keys() == {"unit_ids"}
    assert _post(client, url, {"title": "", "body": "y"}).json()["errors"].keys() == {"title"}
    listed = client.get(url).json()
    assert [c["title"] for c in listed] == ["总体通报", "表扬", "推进情况通报"]
    assert listed[0]["issued_by"] == {"id": people.office.pk, "name": "王文书"}
    assert client.get("/api/plans/999999/circulars").status_code == 404
