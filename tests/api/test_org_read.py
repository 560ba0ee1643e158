"""Reading the organisation through the API: permissions, shapes, filters, query counts."""

import pytest

from duban.org.models import Person, Rank, Role, RoleGrant, Unit, UnitKind

pytestmark = pytest.mark.django_db

BROWSERS = ["leader", "office", "head", "liaison", "taskforce", "discipline", "staff", "outsider"]
ADMINS = ["sys_admin", "sec_admin", "audit_admin"]
BROWSE_URLS = ["/api/units", "/api/people"]


# --- /me ---------------------------------------------------------------------------
def test_me(people, org, api_for):
    body = api_for(people.head).get("/api/me").json()
    assert body == {
        "id": people.head.pk,
        "username": "head",
        "name": "赵处长",
        "unit": {"id": org.academic.pk, "name": "教务处"},
        "rank": "division",
        "rank_label": "正处级",
        "position": "",
        "roles": [{"role": "unit_head", "role_label": "单位负责人", "unit_id": org.academic.pk, "unit_name": "教务处"}],
    }


def test_me_institution_wide_role(people, api_for):
    roles = api_for(people.leader).get("/api/me").json()["roles"]
    assert roles == [{"role": "leader", "role_label": "校领导", "unit_id": None, "unit_name": None}]


def test_me_without_role(people, api_for):
    response = api_for(people.norole).get("/api/me")
    assert response.status_code == 200
    assert response.json()["roles"] == []


# --- Permissions -------------------------------------------------------------------
@pytest.mark.parametrize("persona", BROWSERS + ADMINS)
@pytest.mark.parametrize("url", BROWSE_URLS)
def test_anyone_with_a_role_may_browse(people, api_for, persona, url):
    response = api_for(getattr(people, persona)).get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("url", BROWSE_URLS + ["unit", "person"])
def test_no_role_is_403(people, org, api_for, url):
    url = {"unit": f"/api/units/{org.academic.pk}", "person": f"/api/people/{people.head.pk}"}.get(url, url)
    response = api_for(people.norole).get(url)
    assert response.status_code == 403
    assert response.json() == {"detail": "无权访问。"}


@pytest.mark.parametrize("url", BROWSE_URLS)
def test_session_browse(people, client_for, url):
    assert client_for(people.office).get(url).status_code == 200
    assert client_for(people.norole).get(url).status_code == 403


# --- Units ---------------------------------------------------------------------------
def test_units_list(people, org, api_for):
    body = api_for(people.staff).get("/api/units").json()
    assert len(body) == Unit.objects.count()
    grid = next(u for u in body if u["id"] == org.grid.pk)
    assert grid == {
        "id": org.grid.pk,
        "name": "第一联络组",
        "short_name": "",
        "code": "",
        "kind": "grid_group",
        "kind_label": "联络组",
        "parent_id": org.office.pk,
        "order": 1,
        "is_active": True,
        "covered_unit_ids": [org.branch.pk],
        "note": "",
    }
    school = next(u for u in body if u["id"] == org.school.pk)
    assert school["parent_id"] is None
    assert school["covered_unit_ids"] == []


def test_units_filters(people, org, api_for):
    client = api_for(people.staff)
    Unit.objects.filter(pk=org.branch2.pk).update(is_active=False)
    branches = client.get("/api/units", {"kind": "party_branch"}).json()
    assert {u["id"] for u in branches} == {org.branch.pk, org.branch2.pk}
    inactive = client.get("/api/units", {"active": "false"}).json()
    assert [u["id"] for u in inactive] == [org.branch2.pk]
    active = client.get("/api/units", {"active": "true", "kind": "party_branch"}).json()
    assert [u["id"] for u in active] == [org.branch.pk]


def test_units_bad_filter_is_422_in_chinese(people, api_for):
    response = api_for(people.staff).get("/api/units", {"kind": "nonsense"})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("请求数据不符合接口要求")
    assert "kind" in body["detail"]
    assert body["errors"][0]["field"] == "kind"
    assert body["errors"][0]["message"] == "取值无效"


def test_unit_detail(people, org, api_for):
    response = api_for(people.staff).get(f"/api/units/{org.academic.pk}")
    assert response.status_code == 200
    assert response.json()["name"] == "教务处"


def test_unit_missing_is_404(people, api_for):
    response = api_for(people.staff).get("/api/units/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "对象不存在。"}


def test_units_query_count_is_fixed(people, org, api_for, django_assert_max_num_queries):
    client = api_for(people.staff)
    client.get("/api/units")  # token last_used_at write happens here
    with django_assert_max_num_queries(5) as small:
        client.get("/api/units")
    for i in range(30):
        group = Unit.objects.create(name=f"联络组{i}", kind=UnitKind.GRID_GROUP, parent=org.office)
        group.covered_units.set([org.academic, org.hr])
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/api/units")
    assert len(response.json()) == Unit.objects.count()


# --- People ---------------------------------------------------------------------------
def _ids(response):
    return {p["id"] for p in response.json()["items"]}


def test_people_list_is_paginated(people, api_for):
    client = api_for(people.staff)
    body = client.get("/api/people").json()
    active = Person.objects.filter(is_active=True).count()
    assert body["count"] == active
    assert len(body["items"]) == active
    page = client.get("/api/people", {"limit": 2, "offset": 1}).json()
    assert page["count"] == active
    assert len(page["items"]) == 2
    assert [p["id"] for p in page["items"]] == [p["id"] for p in body["items"][1:3]]


@pytest.mark.parametrize("params", [{"limit": 501}, {"limit": 0}, {"offset": -1}, {"limit": "x"}])
def test_people_bad_paging_is_422(people, api_for, params):
    response = api_for(people.staff).get("/api/people", params)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("请求数据不符合接口要求")


def test_people_limit_500_is_allowed(people, api_for):
    assert api_for(people.staff).get("/api/people", {"limit": 500}).status_code == 200


def test_people_filter_unit_includes_subtree(people, org, api_for):
    member = Person.objects.create_user(username="branch", name="支部成员", unit=org.branch, password="x")
    client = api_for(people.staff)
    assert _ids(client.get("/api/people", {"unit": org.party.pk})) == {member.pk}
    assert _ids(client.get("/api/people", {"unit": org.academic.pk})) == {
        people.head.pk,
        people.liaison.pk,
        people.staff.pk,
    }


def test_people_filter_unit_none(people, api_for):
    loner = Person.objects.create_user(username="loner", name="无单位", password="x")
    assert _ids(api_for(people.staff).get("/api/people", {"unit": "none"})) == {loner.pk}


def test_people_filter_bad_unit_is_422(people, api_for):
    assert api_for(people.staff).get("/api/people", {"unit": "abc"}).status_code == 422


def test_people_filters_q_rank_role_status(people, api_for):
    client = api_for(people.staff)
    assert _ids(client.get("/api/people", {"q": "赵"})) == {people.head.pk}
    assert _ids(client.get("/api/people", {"rank": Rank.DIVISION})) == {people.head.pk, people.outsider.pk}
    assert _ids(client.get("/api/people", {"role": Role.UNIT_HEAD})) == {people.head.pk, people.outsider.pk}
    people.liaison.is_active = False
    people.liaison.save()
    assert _ids(client.get("/api/people", {"status": "inactive"})) == {people.liaison.pk}
    assert people.liaison.pk not in _ids(client.get("/api/people"))
    assert people.liaison.pk in _ids(client.get("/api/people", {"status": "all", "limit": 500}))


def test_person_detail(people, org, api_for):
    body = api_for(people.office).get(f"/api/people/{people.liaison.pk}").json()
    assert body["username"] == "liaison"
    assert body["unit"] == {"id": org.academic.pk, "name": "教务处"}
    assert body["rank"] == "staff"
    assert body["rank_label"] == "科员"
    assert body["is_active"] is True
    assert body["roles"][0]["role"] == "liaison"


def test_person_missing_is_404(people, api_for):
    response = api_for(people.office).get("/api/people/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "对象不存在。"}


def test_non_numeric_id_is_json_404(people, api_for):
    response = api_for(people.office).get("/api/people/abc")
    assert response.status_code == 404
    assert response.json()["detail"] == "对象不存在。"


# --- Contact details -----------------------------------------------------------------
@pytest.fixture
def with_contact(people):
    Person.objects.filter(pk=people.head.pk).update(phone="13800000000", email="head@example.edu.cn")
    return people


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("liaison", True),  # same unit
        ("staff", True),  # same unit
        ("head", True),  # self
        ("office", True),
        ("leader", True),
        ("sys_admin", True),
        ("sec_admin", True),
        ("outsider", False),  # another unit
        ("taskforce", False),
        ("discipline", False),
        ("audit_admin", False),
    ],
)
def test_contact_visibility(with_contact, api_for, persona, visible):
    people = with_contact
    client = api_for(getattr(people, persona))
    detail = client.get(f"/api/people/{people.head.pk}").json()
    listed = next(p for p in client.get("/api/people").json()["items"] if p["id"] == people.head.pk)
    for body in (detail, listed):
        if visible:
            assert (body["phone"], body["email"]) == ("13800000000", "head@example.edu.cn")
        else:
            assert (body["phone"], body["email"]) == (None, None)


def test_people_query_count_is_fixed(people, org, api_for, django_assert_max_num_queries):
    client = api_for(people.outsider)  # a non-privileged viewer: contact checked per row
    client.get("/api/people")
    with django_assert_max_num_queries(8) as small:
        client.get("/api/people")
    for i in range(40):
        person = Person.objects.create_user(username=f"p{i}", name=f"人员{i}", unit=org.academic, password="x")
        RoleGrant.objects.create(person=person, role=Role.STAFF, unit=org.academic)
        RoleGrant.objects.create(person=person, role=Role.TASKFORCE, unit=org.grid)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/api/people", {"limit": 500})
    assert len(response.json()["items"]) == Person.objects.filter(is_active=True).count()


def _add_people(org, start, count):
    for i in range(start, start + count):
        person = Person.objects.create_user(username=f"p{i}", name=f"人员{i}", unit=org.academic, password="x")
        RoleGrant.objects.create(person=person, role=Role.STAFF, unit=org.academic)


@pytest.mark.parametrize("params", [{"unit": "academic"}, {"role": "staff"}, {"q": "人员"}])
def test_people_filtered_query_count_is_fixed(people, org, api_for, django_assert_max_num_queries, params):
    if params.get("unit") == "academic":
        params = {"unit": org.academic.pk}
    client = api_for(people.office)
    _add_people(org, 0, 1)  # at least one match, so the prefetch runs in both measures
    client.get("/api/people", params)
    with django_assert_max_num_queries(8) as small:
        response = client.get("/api/people", params)
    assert response.json()["count"] >= 1
    _add_people(org, 1, 20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/api/people", params)
    assert response.json()["count"] >= 21


def test_unexpected_error_is_a_generic_500(people, api_for, monkeypatch, caplog):
    def boom(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("duban.org.api.selectors.people_filtered", boom)
    response = api_for(people.staff).get("/api/people")
    assert response.status_code == 500
    assert response.json() == {"detail": "服务器内部错误，请稍后重试或联系系统管理员。"}
    assert "secret internals" not in response.content.decode()
    assert any("secret internals" in str(record.exc_info) for record in caplog.records if record.exc_info)
