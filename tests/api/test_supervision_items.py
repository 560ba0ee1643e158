"""Items through the API: the ledger and the item by persona (403 without a supervision
role, 404 outside one's scope), the shapes, filters, fixed query counts, and the office's
writes (create, edit, reverse scheduling, completing, reopening) and node completion."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duban.supervision.models import Deferral, IndicatorReading, Item, ItemLog, LogKind, ProgressReport, ReportStatus
from duban.supervision.services import items as item_services
from duban.supervision.services import reports as report_services
from duban.supervision.services.plans import ERR_NOT_OFFICE
from tests.org.test_views import ALL_PERSONAS
from tests.supervision import conftest as supervision

pytestmark = pytest.mark.django_db

work = supervision.work

NOW = datetime.datetime(2026, 11, 3, 10, 0, tzinfo=datetime.UTC)
NO_SUPERVISION = {"sys_admin", "sec_admin", "audit_admin", "norole"}
SEES_TEACHING = {"leader", "office", "head", "liaison", "discipline", "staff", "outsider"}  # outsider: 人事处 co-unit
READERS = [p for p in ALL_PERSONAS if p not in NO_SUPERVISION]
NOT_OFFICE = [p for p in READERS if p != "office"]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _post(client, url, data=None):
    return client.post(url, data if data is not None else {}, content_type="application/json")


def _patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def _ids(response):
    return [item["id"] for item in response.json()["items"]]


# --- Reading --------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_item_reads_by_persona(persona, work, people, api_for):
    client = api_for(getattr(people, persona))
    ledger = client.get(f"/api/plans/{work.plan.pk}/items")
    detail = client.get(f"/api/items/{work.teaching.pk}")
    if persona in NO_SUPERVISION:
        assert (ledger.status_code, detail.status_code) == (403, 403)
        assert detail.json() == {"detail": "无权访问。"}
    elif persona in SEES_TEACHING:
        assert (ledger.status_code, detail.status_code) == (200, 200)
        assert work.teaching.pk in _ids(ledger)
    else:
        assert ledger.status_code == 200
        assert work.teaching.pk not in _ids(ledger)
        assert detail.status_code == 404
        assert detail.json() == {"detail": "对象不存在。"}


def test_ledger_is_what_each_person_may_see(work, people, org, api_for):
    def ids(person):
        return set(_ids(api_for(person).get(f"/api/plans/{work.plan.pk}/items")))

    everything = {work.teaching.pk, work.labs.pk, work.courses.pk, work.talent.pk}
    assert ids(people.office) == everything
    assert ids(people.discipline) == everything
    assert ids(people.head) == everything - {work.talent.pk}
    assert ids(people.taskforce) == set()
    # The task force sees the items of the units its grid covers.
    Item.objects.filter(pk=work.labs.pk).update(lead_unit=org.branch)
    assert ids(people.taskforce) == {work.labs.pk}


def test_ledger_shape(work, people, org, api_for):
    body = api_for(people.office).get(f"/api/plans/{work.plan.pk}/items").json()
    assert body["count"] == 4
    assert [item["ordinal"] for item in body["items"]] == [1, 2, 3, 4]
    item = body["items"][0]
    assert item["id"] == work.teaching.pk
    assert item["title"] == "本科教学质量提升工程"
    assert item["lead_unit"] == {"id": org.academic.pk, "name": "教务处"}
    assert item["co_units"] == [{"id": org.hr.pk, "name": "人事处"}]
    assert item["co_unit_ids"] == [org.hr.pk]
    assert item["patron_leader"] == {"id": people.leader.pk, "name": "李校长"}
    assert item["responsible_person"] == {"id": people.liaison.pk, "name": "钱联络"}
    assert (item["start_date"], item["due_date"], item["original_due_date"]) == (
        "2026-09-01",
        "2026-12-31",
        "2026-12-31",
    )
    assert item["is_deferred"] is False
    assert item["completed_on"] is None
    assert (item["cadence"], item["cadence_day"]) == ("weekly", 5)
    state = item["state"]
    # 2026-10-15's node is not done: behind (computed by the fixture on 2026-11-02).
    assert (state["status"], state["status_label"], state["colour"]) == ("behind", "滞后", "yellow")
    assert state["progress"] == 0
    assert state["expected"] is not None
    assert "完成方案论证" in state["reason"]
    assert state["days_left"] == 59
    assert state["missing_reports"] > 0


def test_ledger_without_a_cached_state(work, people, org, api_for):
    raw = Item.objects.create(
        plan=work.plan, ordinal=9, title="未计算", lead_unit=org.hr, start_date=datetime.date(2026, 9, 1)
    )
    body = api_for(people.office).get(f"/api/plans/{work.plan.pk}/items", {"q": "未计算"}).json()
    assert [item["id"] for item in body["items"]] == [raw.pk]
    assert body["items"][0]["state"] is None


def test_ledger_filters_and_paging(work, people, org, api_for):
    client = api_for(people.office)
    url = f"/api/plans/{work.plan.pk}/items"
    assert set(_ids(client.get(url, {"lead_unit_id": org.hr.pk}))) == {work.talent.pk}
    assert _ids(client.get(url, {"q": "实验室"})) == [work.labs.pk]
    assert set(_ids(client.get(url, {"status": "behind"}))) == {
        work.teaching.pk,
        work.labs.pk,
        work.courses.pk,
        work.talent.pk,
    }
    assert _ids(client.get(url, {"status": "completed"})) == []
    page = client.get(url, {"limit": 2, "offset": 1}).json()
    assert page["count"] == 4
    assert [item["id"] for item in page["items"]] == [work.labs.pk, work.courses.pk]
    assert client.get(url, {"status": "purple"}).status_code == 422
    assert client.get("/api/plans/999999/items").status_code == 404


@pytest.mark.parametrize("persona", ["office", "head"])
def test_ledger_query_count_is_fixed(persona, work, people, org, api_for):
    client = api_for(getattr(people, persona))
    url = f"/api/plans/{work.plan.pk}/items"
    for i in range(6):
        Item.objects.create(
            plan=work.plan,
            ordinal=10 + i,
            title=f"小事项{i}",
            lead_unit=org.academic,
            start_date=datetime.date(2026, 9, 1),
        )
    client.get(url)  # the token's last_used_at is written here
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).json()["count"] == (10 if persona == "office" else 9)
    for i in range(50):
        item = Item.objects.create(
            plan=work.plan,
            ordinal=100 + i,
            title=f"事项{i}",
            lead_unit=org.academic,
            start_date=datetime.date(2026, 9, 1),
            due_date=datetime.date(2026, 12, 1),
        )
        item.co_units.set([org.hr, org.branch])
    with CaptureQueriesContext(connection) as large:
        body = client.get(url).json()
    assert body["count"] == (60 if persona == "office" else 59)
    assert len(large) == len(small)


def test_item_detail(work, people, api_for):
    from duban.supervision.models import Indicator, TimeNode

    node = TimeNode.objects.get(item=work.teaching)
    reports = list(work.teaching.reports.order_by("period_start"))
    old = reports[-2]
    report_services.report_fill(acting_user=people.head, report=old, progress_text="a", percent=20, submit=True)
    IndicatorReading.objects.create(indicator=work.indicator, report=old, period_end=old.period_end, value=3)
    report_services.report_accept(acting_user=people.office, report=old)
    Indicator.objects.create(item=work.teaching, name="经费", target=100, order=2)
    body = api_for(people.head).get(f"/api/items/{work.teaching.pk}").json()
    assert body["nodes"] == [
        {
            "id": node.pk,
            "title": "完成方案论证",
            "due_date": "2026-10-15",
            "target_percent": None,
            "order": 1,
            "done_on": None,
            "done_note": "",
        }
    ]
    first, second = body["indicators"]
    assert (first["name"], first["unit_of_measure"], first["target"]) == ("新增一流课程", "门", 10.0)
    assert first["latest"] == {
        "indicator_id": work.indicator.pk,
        "value": 3.0,
        "period_end": str(old.period_end),
        "report_id": old.pk,
    }
    assert second["latest"] is None
    assert body["verdict"]["status"] == "behind"
    assert body["verdict"]["status_label"] == "滞后"
    assert body["pending_deferral"] is None
    current = work.teaching.reports.filter(status=ReportStatus.OPEN).order_by("-period_start").first()
    assert body["current_report_id"] == current.pk
    assert body["permissions"] == {
        "manage": False,
        "fill": True,
        "submit": True,
        "review": False,
        "defer": True,
        "decide": False,
    }
    assert api_for(people.office).get(f"/api/items/{work.teaching.pk}").json()["permissions"]["manage"] is True


def test_item_detail_opens_the_report_slot_of_the_week(work, people, api_for):
    # Two weeks later, with no sweep in between: the page (and the API) open the missing slots.
    with time_machine.travel(datetime.datetime(2026, 11, 17, 10, 0, tzinfo=datetime.UTC), tick=False):
        api_for(people.liaison).get(f"/api/items/{work.labs.pk}")
    assert ProgressReport.objects.filter(item=work.labs, period_start=datetime.date(2026, 11, 16)).exists()


def test_item_detail_shows_the_pending_deferral(work, people, api_for):
    from duban.supervision.services.deferrals import deferral_request

    deferral = deferral_request(
        acting_user=people.head, item=work.labs, new_due_date=datetime.date(2027, 2, 1), reason="设备未到"
    )
    pending = api_for(people.leader).get(f"/api/items/{work.labs.pk}").json()["pending_deferral"]
    assert pending["id"] == deferral.pk
    assert pending["requested_by"] == {"id": people.head.pk, "name": "赵处长"}
    assert (pending["new_due_date"], pending["status"], pending["status_label"]) == ("2027-02-01", "pending", "待审批")
    assert Deferral.objects.count() == 1


# --- Writing: create and edit ---------------------------------------------------------
def _new_item(org, people, **extra):
    return {
        "title": "智慧校园建设",
        "lead_unit_id": org.academic.pk,
        "co_unit_ids": [org.hr.pk],
        "patron_leader_id": people.leader.pk,
        "responsible_person_id": people.liaison.pk,
        "start_date": "2026-11-03",
        "due_date": "2027-01-31",
        **extra,
    }


def test_office_creates_an_item(work, people, org, api_for):
    response = _post(api_for(people.office), f"/api/plans/{work.plan.pk}/items", _new_item(org, people))
    assert response.status_code == 201, response.json()
    body = response.json()
    item = Item.objects.get(title="智慧校园建设")
    assert body["id"] == item.pk
    assert body["ordinal"] == 5  # after the last one, as on the page
    assert body["co_unit_ids"] == [org.hr.pk]
    assert body["state"]["status"] == "on_track"
    assert item.original_due_date == datetime.date(2027, 1, 31)
    assert item.created_by == people.office
    assert item.reports.exists()  # the first report slot is open
    assert ItemLog.objects.filter(item=item, kind=LogKind.CREATED, actor=people.office).exists()


def test_item_created_by_token_is_audited_with_the_token_owner(work, people, org, api_for):
    _post(api_for(people.office), f"/api/plans/{work.plan.pk}/items", _new_item(org, people))
    item = Item.objects.get(title="智慧校园建设")
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Item), object_pk=str(item.pk))
    assert entries.exists()
    assert set(entries.values_list("actor_id", flat=True)) == {people.office.pk}


def test_item_defaults(work, people, org, api_for):
    response = _post(
        api_for(people.office), f"/api/plans/{work.plan.pk}/items", {"title": "长期坚持", "lead_unit_id": org.hr.pk}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["start_date"], body["due_date"], body["cadence"]) == ("2026-11-03", None, "weekly")
    assert body["co_unit_ids"] == []


@pytest.mark.parametrize("persona", NOT_OFFICE)
def test_item_writes_are_the_offices(persona, work, people, org, api_for):
    client = api_for(getattr(people, persona))
    created = _post(client, f"/api/plans/{work.plan.pk}/items", _new_item(org, people))
    assert created.status_code == 403
    assert created.json() == {"detail": ERR_NOT_OFFICE}
    assert not Item.objects.filter(title="智慧校园建设").exists()
    # Items outside one's scope stay invisible (404) rather than forbidden.
    expected = 403 if persona in SEES_TEACHING else 404
    for method, url, data in [
        ("patch", f"/api/items/{work.teaching.pk}", {"title": "改名"}),
        ("post", f"/api/items/{work.teaching.pk}/nodes/reverse-schedule", {"steps": ["立项"]}),
        ("post", f"/api/items/{work.teaching.pk}/complete", {}),
        ("post", f"/api/items/{work.teaching.pk}/reopen", {"reason": "x"}),
    ]:
        response = (_post if method == "post" else _patch)(client, url, data)
        assert response.status_code == expected, (persona, url)
        if expected == 403:
            assert response.json() == {"detail": ERR_NOT_OFFICE}
    item = Item.objects.get(pk=work.teaching.pk)
    assert (item.title, item.completed_on, item.nodes.count()) == ("本科教学质量提升工程", None, 1)


@pytest.mark.parametrize("persona", sorted(NO_SUPERVISION))
def test_item_writes_refused_to_admins_and_no_role(persona, work, people, org, api_for):
    client = api_for(getattr(people, persona))
    assert _post(client, f"/api/plans/{work.plan.pk}/items", _new_item(org, people)).status_code == 403
    assert _patch(client, f"/api/items/{work.teaching.pk}", {"title": "改名"}).status_code == 403
    assert _post(client, f"/api/items/{work.teaching.pk}/complete").status_code == 403


def test_item_validation_in_chinese(work, people, org, api_for):
    client = api_for(people.office)
    url = f"/api/plans/{work.plan.pk}/items"
    response = _post(client, url, _new_item(org, people, due_date="2026-10-01", cadence_day=9))
    assert response.status_code == 400
    body = response.json()
    assert body["errors"]["due_date"] == ["完成时限不能早于开始日期。"]
    assert body["errors"]["cadence_day"] == ["每周填报时，填报日应为 1（周一）到 7（周日）。"]
    assert body["detail"].startswith("数据校验未通过：完成时限：完成时限不能早于开始日期")

    unknown = _post(client, url, _new_item(org, people, lead_unit_id=999999, co_unit_ids=[999998]))
    assert unknown.status_code == 400
    errors = unknown.json()["errors"]
    assert {"lead_unit_id", "co_unit_ids"} <= set(errors)
    assert "牵头单位" in unknown.json()["detail"]
    assert all("选择" in message for message in errors["lead_unit_id"] + errors["co_unit_ids"])

    # The responsible person must belong to the lead unit; the patron must be a leader.
    wrong = _post(
        client, url, _new_item(org, people, responsible_person_id=people.outsider.pk, patron_leader_id=people.staff.pk)
    )
    assert wrong.status_code == 400
    assert {"responsible_person_id", "patron_leader_id"} <= set(wrong.json()["errors"])

    malformed = _post(client, url, _new_item(org, people, due_date="2027-13-01"))
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "due_date"
    assert malformed.json()["detail"].startswith("请求数据不符合接口要求：due_date：")
    assert not Item.objects.filter(title="智慧校园建设").exists()


def test_office_edits_an_item(work, people, org, api_for):
    client = api_for(people.office)
    response = _patch(client, f"/api/items/{work.labs.pk}", {"title": "实验室建设二期", "co_unit_ids": [org.branch.pk]})
    assert response.status_code == 200, response.json()
    item = Item.objects.get(pk=work.labs.pk)
    assert item.title == "实验室建设二期"
    assert list(item.co_units.all()) == [org.branch]
    assert item.responsible_person == people.liaison  # untouched
    assert item.version == 2
    bad = _patch(client, f"/api/items/{work.labs.pk}", {"due_date": "2026-08-01"})
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"due_date": ["完成时限不能早于开始日期。"]}
    assert _patch(client, "/api/items/999999", {"title": "x"}).status_code == 404


# --- Writing: nodes, completion -------------------------------------------------------
def test_reverse_schedule(work, people, api_for):
    client = api_for(people.office)
    response = _post(client, f"/api/items/{work.labs.pk}/nodes/reverse-schedule", {"steps": ["立项", "采购", "验收"]})
    assert response.status_code == 201, response.json()
    assert [(n["title"], n["due_date"]) for n in response.json()] == [
        ("立项", "2026-12-17"),
        ("采购", "2026-12-24"),
        ("验收", "2026-12-31"),
    ]
    daily = _post(client, f"/api/items/{work.courses.pk}/nodes/reverse-schedule", {"steps": ["a", "b"], "every": "day"})
    assert [n["due_date"] for n in daily.json()] == ["2026-12-30", "2026-12-31"]
    empty = _post(client, f"/api/items/{work.labs.pk}/nodes/reverse-schedule", {"steps": [" "]})
    assert empty.status_code == 400
    assert empty.json()["errors"] == {"__all__": [item_services.ERR_NO_STEPS]}
    assert (
        _post(
            client, f"/api/items/{work.labs.pk}/nodes/reverse-schedule", {"steps": ["x"], "every": "month"}
        ).status_code
        == 422
    )


def test_reverse_schedule_needs_a_due_date(work, people, api_for):
    Item.objects.filter(pk=work.labs.pk).update(due_date=None)
    response = _post(api_for(people.office), f"/api/items/{work.labs.pk}/nodes/reverse-schedule", {"steps": ["立项"]})
    assert response.status_code == 400
    assert response.json()["errors"] == {"__all__": [item_services.ERR_NO_DUE]}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("liaison", 200),
        ("head", 200),
        ("office", 200),
        ("leader", 403),
        ("staff", 403),
        ("outsider", 403),
        ("discipline", 403),
        ("taskforce", 404),
        ("norole", 403),
        ("sys_admin", 403),
    ],
)
def test_node_done_by_persona(persona, expected, work, people, api_for):
    from duban.supervision.models import TimeNode

    node = TimeNode.objects.get(item=work.teaching)
    response = _post(api_for(getattr(people, persona)), f"/api/nodes/{node.pk}/done", {"note": "已论证"})
    assert response.status_code == expected, response.json()
    node.refresh_from_db()
    if expected == 200:
        assert response.json()["done_on"] == "2026-11-03"
        assert (node.done_on, node.done_note) == (datetime.date(2026, 11, 3), "已论证")
    else:
        assert node.done_on is None
    if expected == 403 and persona not in NO_SUPERVISION:
        assert response.json() == {"detail": item_services.ERR_CANNOT_UPDATE_NODE}


def test_node_done_twice_and_without_a_body(work, people, api_for):
    from duban.supervision.models import TimeNode

    node = TimeNode.objects.get(item=work.teaching)
    client = api_for(people.liaison)
    first = client.post(f"/api/nodes/{node.pk}/done", "", content_type="application/json")
    assert first.status_code == 200, first.json()
    again = _post(client, f"/api/nodes/{node.pk}/done")
    assert again.status_code == 400
    assert again.json()["errors"] == {"__all__": [item_services.ERR_NODE_DONE]}
    assert _post(client, "/api/nodes/999999/done").status_code == 404


def test_complete_and_reopen(work, people, api_for):
    client = api_for(people.office)
    done = _post(client, f"/api/items/{work.labs.pk}/complete", {"note": "已验收"})
    assert done.status_code == 200, done.json()
    body = done.json()
    assert body["completed_on"] == "2026-11-03"
    assert (body["state"]["status"], body["state"]["progress"]) == ("completed", 100)
    twice = _post(client, f"/api/items/{work.labs.pk}/complete")
    assert twice.status_code == 400
    assert twice.json()["errors"] == {"__all__": [item_services.ERR_ALREADY_DONE]}
    reopened = _post(client, f"/api/items/{work.labs.pk}/reopen", {"reason": "回头看发现反弹"})
    assert reopened.status_code == 200
    assert reopened.json()["completed_on"] is None
    assert reopened.json()["state"]["status"] != "completed"
    assert ItemLog.objects.filter(item=work.labs, kind=LogKind.REOPENED, text="回头看发现反弹").exists()
    not_done = _post(client, f"/api/items/{work.labs.pk}/reopen", {"reason": "x"})
    assert not_done.status_code == 400
    assert not_done.json()["errors"] == {"__all__": [item_services.ERR_NOT_DONE]}
