"""Plans through the API: who may read and write them, counts of visible items, filters,
validation in Chinese, fixed query counts, and the published schema."""

import datetime
import json

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duban.supervision.models import Item, Plan, PlanKind, PlanStatus, ReminderRung
from duban.supervision.services.plans import ERR_NOT_OFFICE
from tests.org.test_views import ALL_PERSONAS
from tests.supervision import conftest as supervision

pytestmark = pytest.mark.django_db

work = supervision.work

NOW = datetime.datetime(2026, 11, 3, 10, 0, tzinfo=datetime.UTC)
NO_SUPERVISION = {"sys_admin", "sec_admin", "audit_admin", "norole"}
READERS = [p for p in ALL_PERSONAS if p not in NO_SUPERVISION]
NOT_OFFICE = [p for p in READERS if p != "office"]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def _patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


# --- Reading --------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_plan_reads_by_persona(persona, work, people, api_for):
    client = api_for(getattr(people, persona))
    for url in ("/api/plans", f"/api/plans/{work.plan.pk}"):
        response = client.get(url)
        if persona in NO_SUPERVISION:
            assert response.status_code == 403, url
            assert response.json() == {"detail": "无权访问。"}
        else:
            assert response.status_code == 200, url


def test_session_reads(work, people, client_for):
    assert client_for(people.head).get("/api/plans").status_code == 200
    assert client_for(people.head).get(f"/api/items/{work.teaching.pk}").status_code == 200
    assert client_for(people.sys_admin).get(f"/api/items/{work.teaching.pk}").status_code == 403


def test_plan_shape_and_counts_for_the_office(work, people, org, api_for):
    body = api_for(people.office).get("/api/plans").json()
    assert [plan["id"] for plan in body] == [work.plan.pk]
    plan = body[0]
    assert plan["title"] == "2026年重点工作攻坚突破项目"
    assert (plan["kind"], plan["kind_label"]) == ("breakthrough", "攻坚突破项目")
    assert (plan["status"], plan["status_label"]) == ("active", "推进中")
    assert plan["owner_unit"] == {"id": org.office.pk, "name": "党委办公室"}
    assert plan["year"] == 2026
    assert plan["phases"] == []
    assert plan["counts"]["total"] == 4
    by_status = {k: v for k, v in plan["counts"].items() if k != "total"}
    assert sum(by_status.values()) == 4


def test_counts_cover_only_the_visible_items(work, people, org, api_for):
    def total(person):
        return api_for(person).get(f"/api/plans/{work.plan.pk}").json()["counts"]["total"]

    assert total(people.office) == 4
    assert total(people.leader) == 4
    assert total(people.head) == 3  # 教务处 leads three
    assert total(people.outsider) == 4  # 人事处 leads one and helps on three
    assert total(people.taskforce) == 0
    # A co-unit is not counted twice.
    work.labs.co_units.add(org.academic)
    assert total(people.head) == 3


def test_plan_filters(work, people, api_for):
    Plan.objects.create(title="2025年整改方案", kind=PlanKind.RECTIFICATION, year=2025, status=PlanStatus.CLOSED)
    client = api_for(people.staff)

    def titles(params):
        return [plan["title"] for plan in client.get("/api/plans", params).json()]

    assert titles({}) == ["2026年重点工作攻坚突破项目", "2025年整改方案"]
    assert titles({"year": 2025}) == ["2025年整改方案"]
    assert titles({"kind": "breakthrough"}) == ["2026年重点工作攻坚突破项目"]
    assert titles({"status": "closed"}) == ["2025年整改方案"]
    bad = client.get("/api/plans", {"kind": "nonsense"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["message"] == "取值无效"


def test_plan_missing_is_404(work, people, api_for):
    response = api_for(people.staff).get("/api/plans/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "对象不存在。"}


def test_plan_list_query_count_is_fixed(work, people, org, api_for):
    Plan.objects.create(title="第二个计划", year=2026)
    for persona in (people.office, people.head):
        client = api_for(persona)
        client.get("/api/plans")  # the token's last_used_at is written here
        with CaptureQueriesContext(connection) as small:
            assert client.get("/api/plans").status_code == 200
        for i in range(60):
            Item.objects.create(
                plan=work.plan,
                ordinal=100 + i,
                title=f"事项{i}",
                lead_unit=org.academic if i % 2 else org.hr,
                start_date=datetime.date(2026, 9, 1),
                due_date=datetime.date(2026, 12, 1),
            )
        with CaptureQueriesContext(connection) as large:
            client.get("/api/plans")
        assert len(large) == len(small), persona
        Item.objects.filter(ordinal__gte=100).delete()


# --- Writing --------------------------------------------------------------------------
def _writes(work, org):
    return [
        ("post", "/api/plans", {"title": "新计划", "year": 2027}),
        ("patch", f"/api/plans/{work.plan.pk}", {"title": "改名"}),
    ]


@pytest.mark.parametrize("persona", NOT_OFFICE)
def test_plan_writes_are_the_offices(persona, work, people, org, api_for):
    client = api_for(getattr(people, persona))
    for method, url, data in _writes(work, org):
        response = (_post if method == "post" else _patch)(client, url, data)
        assert response.status_code == 403, (persona, url)
        assert response.json() == {"detail": ERR_NOT_OFFICE}
    assert not Plan.objects.filter(title__in=["新计划", "改名"]).exists()


@pytest.mark.parametrize("persona", sorted(NO_SUPERVISION))
def test_plan_writes_refused_to_admins_and_no_role(persona, work, people, org, api_for):
    client = api_for(getattr(people, persona))
    for method, url, data in _writes(work, org):
        response = (_post if method == "post" else _patch)(client, url, data)
        assert response.status_code == 403
        assert response.json() == {"detail": "无权访问。"}


def test_office_creates_a_plan(work, people, org, api_for):
    response = _post(
        api_for(people.office),
        "/api/plans",
        {
            "title": "2027年巡视整改方案",
            "kind": "rectification",
            "year": 2027,
            "start_date": "2027-01-01",
            "end_date": "2027-03-31",
            "owner_unit_id": org.office.pk,
            "due_soon_days": 7,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    plan = Plan.objects.get(title="2027年巡视整改方案")
    assert body["id"] == plan.pk
    assert body["counts"]["total"] == 0
    assert (plan.kind, plan.due_soon_days, plan.pace_tolerance) == ("rectification", 7, 10)
    assert plan.created_by == people.office
    assert ReminderRung.objects.filter(plan=plan).exists()  # the default ladder, as on the page
    entry = LogEntry.objects.get(content_type=ContentType.objects.get_for_model(Plan), object_pk=str(plan.pk))
    assert entry.actor_id == people.office.pk


def test_office_updates_only_the_given_fields(work, people, api_for):
    response = _patch(api_for(people.office), f"/api/plans/{work.plan.pk}", {"status": "closed", "pace_tolerance": 5})
    assert response.status_code == 200, response.json()
    plan = Plan.objects.get(pk=work.plan.pk)
    assert (plan.status, plan.pace_tolerance, plan.title) == ("closed", 5, "2026年重点工作攻坚突破项目")
    assert response.json()["counts"]["total"] == 4


def test_plan_validation_in_chinese(work, people, api_for):
    client = api_for(people.office)
    response = _post(
        client,
        "/api/plans",
        {"title": "x", "start_date": "2027-03-01", "end_date": "2027-01-01", "owner_unit_id": 999999},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["errors"]["end_date"] == ["结束日期不能早于开始日期。"]
    assert "owner_unit_id" in body["errors"]
    assert body["detail"].startswith("数据校验未通过：")
    assert "牵头督办单位" in body["detail"]
    missing = _patch(client, f"/api/plans/{work.plan.pk}", {"title": ""})
    assert missing.status_code == 400
    assert list(missing.json()["errors"]) == ["title"]
    bad_date = _post(client, "/api/plans", {"title": "x", "start_date": "2027-02-30"})
    assert bad_date.status_code == 422
    assert bad_date.json()["errors"][0]["field"] == "start_date"
    assert not Plan.objects.filter(title="x").exists()


# --- The published schema -------------------------------------------------------------
SUPERVISION_PATHS = {
    "/api/plans": {"get", "post"},
    "/api/plans/{plan_id}": {"get", "patch"},
    "/api/plans/{plan_id}/items": {"get", "post"},
    "/api/items/{item_id}": {"get", "patch"},
    "/api/items/{item_id}/nodes/reverse-schedule": {"post"},
    "/api/nodes/{node_id}/done": {"post"},
    "/api/items/{item_id}/complete": {"post"},
    "/api/items/{item_id}/reopen": {"post"},
    "/api/items/{item_id}/reports": {"get"},
    "/api/reports/{report_id}": {"get"},
    "/api/reports/{report_id}/fill": {"post"},
    "/api/reports/{report_id}/submit": {"post"},
    "/api/reports/{report_id}/review": {"post"},
    "/api/reports/pending-review": {"get"},
    "/api/items/{item_id}/deferrals": {"get", "post"},
    "/api/deferrals/{deferral_id}/decide": {"post"},
}


def test_openapi_lists_the_supervision_paths(people, api_for):
    schema = json.loads(api_for(people.staff).get("/api/openapi.json").content)
    for path, methods in SUPERVISION_PATHS.items():
        assert set(schema["paths"].get(path, {})) == methods, path
    tags = {tag for operations in schema["paths"].values() for op in operations.values() for tag in op["tags"]}
    assert {"督办计划", "督办事项", "进展报告", "延期申请"} <= tags
    assert schema["paths"]["/api/plans"]["get"]["summary"] == "计划列表"
    assert "督查督办接口" in schema["info"]["description"]
