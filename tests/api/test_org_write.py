"""Writing units and people through the API: system administrator only, validated
like the forms, written by the services."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from duban.org.models import Person, Unit

pytestmark = pytest.mark.django_db

NOT_ADMINS = [
    "leader",
    "office",
    "head",
    "liaison",
    "taskforce",
    "discipline",
    "staff",
    "outsider",
    "sec_admin",
    "audit_admin",
    "norole",
]


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def _patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def _writes(org, people):
    return [
        ("post", "/api/units", {"name": "新单位", "parent_id": org.school.pk}),
        ("patch", f"/api/units/{org.academic.pk}", {"short_name": "教务"}),
        ("post", "/api/people", {"name": "新人", "username": "newbie", "unit_id": org.academic.pk}),
        ("patch", f"/api/people/{people.staff.pk}", {"position": "科员"}),
    ]


@pytest.mark.parametrize("persona", NOT_ADMINS)
def test_writes_are_refused_to_everyone_but_the_system_administrator(people, org, api_for, persona):
    client = api_for(getattr(people, persona))
    for method, url, data in _writes(org, people):
        response = (_post if method == "post" else _patch)(client, url, data)
        assert response.status_code == 403, (persona, url)
        assert response.json() == {"detail": "无权访问。"}
    assert not Unit.objects.filter(name="新单位").exists()
    assert not Person.objects.filter(username="newbie").exists()
    org.academic.refresh_from_db()
    assert org.academic.short_name == ""


def test_writes_are_refused_to_a_session_without_the_role(people, org, client_for):
    client = client_for(people.office)
    for method, url, data in _writes(org, people):
        response = (_post if method == "post" else _patch)(client, url, data)
        assert response.status_code == 403


# --- Units ----------------------------------------------------------------------------
def test_create_unit(people, org, api_for):
    response = _post(
        api_for(people.sys_admin),
        "/api/units",
        {"name": "科研处", "short_name": "科研", "kind": "department", "parent_id": org.school.pk, "order": 25},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    unit = Unit.objects.get(name="科研处")
    assert body["id"] == unit.pk
    assert body["parent_id"] == org.school.pk
    assert body["kind_label"] == "职能部门"
    assert (unit.short_name, unit.order, unit.parent_id) == ("科研", 25, org.school.pk)


def test_create_grid_group_with_coverage(people, org, api_for):
    response = _post(
        api_for(people.sys_admin),
        "/api/units",
        {
            "name": "第二联络组",
            "kind": "grid_group",
            "parent_id": org.office.pk,
            "covered_unit_ids": [org.academic.pk, org.hr.pk],
        },
    )
    assert response.status_code == 201, response.json()
    assert sorted(response.json()["covered_unit_ids"]) == sorted([org.academic.pk, org.hr.pk])


def test_coverage_is_dropped_for_other_kinds(people, org, api_for):
    response = _post(
        api_for(people.sys_admin),
        "/api/units",
        {"name": "某部门", "parent_id": org.school.pk, "covered_unit_ids": [org.hr.pk]},
    )
    assert response.status_code == 201
    assert response.json()["covered_unit_ids"] == []


def test_create_unit_records_history_with_the_token_owner(people, org, api_for):
    _post(api_for(people.sys_admin), "/api/units", {"name": "审计留痕", "parent_id": org.school.pk})
    unit = Unit.objects.get(name="审计留痕")
    entry = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Unit), object_pk=str(unit.pk)).get()
    assert entry.actor_id == people.sys_admin.pk


def test_create_unit_duplicate_name_is_400(people, org, api_for):
    response = _post(api_for(people.sys_admin), "/api/units", {"name": "教务处", "parent_id": org.school.pk})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("数据校验未通过：单位名称：")
    assert list(body["errors"]) == ["name"]


def test_create_unit_unknown_parent_is_400(people, api_for):
    response = _post(api_for(people.sys_admin), "/api/units", {"name": "孤儿", "parent_id": 999999})
    assert response.status_code == 400
    body = response.json()
    assert "parent_id" in body["errors"]
    assert "上级单位" in body["detail"]


def test_create_unit_missing_name_is_422(people, api_for):
    response = _post(api_for(people.sys_admin), "/api/units", {"kind": "department"})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "请求数据不符合接口要求：name：缺少必填字段。"
    assert body["errors"][0]["loc"][-1] == "name"
    assert body["errors"][0]["type"] == "missing"


def test_create_unit_bad_kind_and_unknown_field_are_422(people, api_for):
    response = _post(api_for(people.sys_admin), "/api/units", {"name": "x", "kind": "club", "colour": "red"})
    assert response.status_code == 422
    fields = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert fields == {"kind": "取值无效", "colour": "不允许的字段"}


def test_invalid_json_is_400_in_chinese(people, api_for):
    response = api_for(people.sys_admin).post("/api/units", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "请求体无法解析，须为有效的 JSON。"}


def test_body_must_be_an_object(people, api_for):
    response = api_for(people.sys_admin).post("/api/units", "[1]", content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"] == "请求数据不符合接口要求：应为对象。"


def test_patch_unit_changes_only_what_is_sent(people, org, api_for):
    response = _patch(api_for(people.sys_admin), f"/api/units/{org.grid.pk}", {"note": "每周例会"})
    assert response.status_code == 200, response.json()
    org.grid.refresh_from_db()
    assert org.grid.note == "每周例会"
    assert org.grid.name == "第一联络组"
    assert org.grid.parent_id == org.office.pk
    assert list(org.grid.covered_units.values_list("id", flat=True)) == [org.branch.pk]


def test_patch_unit_to_top_level(people, org, api_for):
    response = _patch(api_for(people.sys_admin), f"/api/units/{org.hr.pk}", {"parent_id": None})
    assert response.status_code == 200
    assert response.json()["parent_id"] is None


def test_patch_unit_below_itself_is_400(people, org, api_for):
    response = _patch(api_for(people.sys_admin), f"/api/units/{org.party.pk}", {"parent_id": org.branch.pk})
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == {"parent_id": ["上级单位不能是本单位或其下级单位。"]}
    assert body["detail"] == "数据校验未通过：上级单位：上级单位不能是本单位或其下级单位。"


def test_deactivate_unit_with_active_people_is_400(people, org, api_for):
    response = _patch(api_for(people.sys_admin), f"/api/units/{org.academic.pk}", {"is_active": False})
    assert response.status_code == 400
    assert "不能停用" in response.json()["detail"]
    org.academic.refresh_from_db()
    assert org.academic.is_active


def test_patch_missing_unit_is_404(people, api_for):
    response = _patch(api_for(people.sys_admin), "/api/units/999999", {"note": "x"})
    assert response.status_code == 404
    assert response.json() == {"detail": "对象不存在。"}


# --- People ---------------------------------------------------------------------------
def test_create_person_returns_a_temporary_password_once(people, org, api_for):
    client = api_for(people.sys_admin)
    response = _post(
        client,
        "/api/people",
        {"name": "新同事", "username": "newbie", "unit_id": org.academic.pk, "rank": "section", "phone": "139"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    password = body["temporary_password"]
    assert password and len(password) >= 12
    person = Person.objects.get(username="newbie")
    assert person.check_password(password)
    assert person.must_change_password
    assert body["rank_label"] == "正科级"
    assert body["phone"] == "139"
    again = client.get(f"/api/people/{person.pk}").json()
    assert "temporary_password" not in again


def test_create_person_with_a_password(people, org, api_for):
    response = _post(
        api_for(people.sys_admin),
        "/api/people",
        {"name": "新同事", "username": "newbie", "unit_id": org.academic.pk, "password": "Kx7#mQ2!vLp9"},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["temporary_password"] is None
    person = Person.objects.get(username="newbie")
    assert person.check_password("Kx7#mQ2!vLp9")
    assert person.must_change_password


def test_create_person_weak_password_is_400(people, org, api_for):
    response = _post(
        api_for(people.sys_admin),
        "/api/people",
        {"name": "新同事", "username": "newbie", "unit_id": org.academic.pk, "password": "123"},
    )
    assert response.status_code == 400
    body = response.json()
    assert "password" in body["errors"]
    assert "初始密码" in body["detail"]
    assert not Person.objects.filter(username="newbie").exists()


def test_create_person_duplicate_username_is_400(people, org, api_for):
    response = _post(
        api_for(people.sys_admin), "/api/people", {"name": "重名", "username": "head", "unit_id": org.hr.pk}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == {"username": ["该登录名已被使用。"]}
    assert body["detail"] == "数据校验未通过：登录名：该登录名已被使用。"


def test_create_person_bad_email_and_unit_are_400(people, api_for):
    response = _post(
        api_for(people.sys_admin),
        "/api/people",
        {"name": "某人", "username": "someone", "unit_id": 999999, "email": "not-an-email"},
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"unit_id", "email"}


def test_create_person_missing_fields_is_422(people, api_for):
    response = _post(api_for(people.sys_admin), "/api/people", {"name": "某人"})
    assert response.status_code == 422
    body = response.json()
    assert {error["field"] for error in body["errors"]} == {"username", "unit_id"}
    assert "缺少必填字段" in body["detail"]


def test_patch_person(people, org, api_for):
    response = _patch(
        api_for(people.sys_admin), f"/api/people/{people.staff.pk}", {"position": "教学秘书", "unit_id": org.hr.pk}
    )
    assert response.status_code == 200, response.json()
    people.staff.refresh_from_db()
    assert (people.staff.position, people.staff.unit_id, people.staff.name) == ("教学秘书", org.hr.pk, "吴职工")
    assert people.staff.check_password("Test-Passw0rd!")


def test_patch_person_cannot_set_a_password(people, api_for):
    response = _patch(api_for(people.sys_admin), f"/api/people/{people.staff.pk}", {"password": "Kx7#mQ2!vLp9"})
    assert response.status_code == 422


def test_patch_person_blank_name_is_400(people, api_for):
    response = _patch(api_for(people.sys_admin), f"/api/people/{people.staff.pk}", {"name": ""})
    assert response.status_code == 400
    assert response.json()["errors"]["name"]
    assert response.json()["detail"].startswith("数据校验未通过：姓名：")


def test_deactivate_person(people, api_for):
    response = _patch(api_for(people.sys_admin), f"/api/people/{people.staff.pk}", {"is_active": False})
    assert response.status_code == 200
    assert response.json()["is_active"] is False


def test_session_admin_may_write(people, org, client_for):
    response = _post(client_for(people.sys_admin), "/api/units", {"name": "会话新增", "parent_id": org.school.pk})
    assert response.status_code == 201
