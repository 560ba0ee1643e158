"""Every organisation page: who may see it, who may change through it."""

import pytest
from django.urls import reverse

from duban.org.models import Person, Rank, Role, RoleGrant, Unit, UnitKind

BROWSERS = [
    "leader",
    "office",
    "head",
    "liaison",
    "taskforce",
    "discipline",
    "staff",
    "outsider",
    "sys_admin",
    "sec_admin",
    "audit_admin",
]
ALL_PERSONAS = BROWSERS + ["norole"]


def browse_urls(org, people):
    return [
        reverse("org:unit_tree"),
        reverse("org:unit_detail", args=[org.academic.pk]),
        reverse("org:people"),
        reverse("org:person_detail", args=[people.head.pk]),
    ]


def edit_urls(org, people):
    return [
        reverse("org:unit_create"),
        reverse("org:unit_edit", args=[org.academic.pk]),
        reverse("org:person_create"),
        reverse("org:person_edit", args=[people.head.pk]),
    ]


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_browse_pages_need_a_role(persona, org, people, client_for):
    client = client_for(getattr(people, persona))
    for url in browse_urls(org, people):
        expected = 403 if persona == "norole" else 200
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_edit_pages_only_for_sys_admin(persona, org, people, client_for):
    client = client_for(getattr(people, persona))
    for url in edit_urls(org, people):
        expected = 200 if persona == "sys_admin" else 403
        assert client.get(url).status_code == expected, url
        if persona != "sys_admin":
            assert client.post(url, {"name": "x"}).status_code == 403


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_security_pages_only_for_sec_admin(persona, org, people, client_for):
    client = client_for(getattr(people, persona))
    grant = RoleGrant.objects.get(person=people.staff)
    expected = 200 if persona == "sec_admin" else 403
    assert client.get(reverse("org:grants")).status_code == expected
    if persona != "sec_admin":
        assert client.post(reverse("org:grant_revoke", args=[grant.pk])).status_code == 403
        assert client.post(reverse("org:person_unlock", args=[people.staff.pk])).status_code == 403
        assert client.post(reverse("org:person_reset_password", args=[people.staff.pk])).status_code == 403
        assert RoleGrant.objects.filter(pk=grant.pk).exists()


def test_anonymous_is_sent_to_login(org, people, client):
    for url in browse_urls(org, people) + edit_urls(org, people) + [reverse("org:grants")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_unit_tree_lists_units_with_counts_and_search(org, people, client_for):
    client = client_for(people.office)
    page = client.get(reverse("org:unit_tree")).content.decode()
    assert "航空运输系党支部" in page and "第一联络组" in page
    assert "负责人 赵处长" in page
    found = client.get(reverse("org:unit_tree"), {"q": "运输"}).content.decode()
    assert "<mark>航空运输系党支部</mark>" in found
    assert "人事处" not in found


def test_unit_tree_query_count_is_flat(org, people, client_for, django_assert_max_num_queries):
    client = client_for(people.office)
    for i in range(30):
        Unit.objects.create(name=f"测试单位{i}", parent=org.school)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("org:unit_tree")).status_code == 200


def test_people_list_filters_sorts_and_counts(org, people, client_for, django_assert_max_num_queries):
    client = client_for(people.office)
    response = client.get(reverse("org:people"), {"unit": org.academic.pk})
    names = [p.name for p in response.context["page_obj"]]
    assert set(names) == {"赵处长", "钱联络", "吴职工"}
    response = client.get(reverse("org:people"), {"rank": Rank.DIVISION, "sort": "-name"})
    assert [p.name for p in response.context["page_obj"]] == sorted(["赵处长", "郑外单位"], reverse=True)
    response = client.get(reverse("org:people"), {"role": Role.TASKFORCE})
    assert [p.name for p in response.context["page_obj"]] == ["孙专班"]
    assert response.context["total"] == 1
    # The school and its sub-tree include the branch under 机关党委.
    Person.objects.create_user(username="b1", password="x", name="支部书记", unit=org.branch)
    response = client.get(reverse("org:people"), {"unit": org.party.pk})
    assert [p.name for p in response.context["page_obj"]] == ["支部书记"]
    for i in range(40):
        Person.objects.create_user(username=f"extra{i}", password="x", name=f"人员{i}", unit=org.hr)
    # Constant: does not grow with the number of people shown.
    with django_assert_max_num_queries(16):
        client.get(reverse("org:people"))


def test_contact_details_only_for_colleagues_and_office(org, people, client_for):
    people.head.phone = "13800000001"
    people.head.save()
    url = reverse("org:person_detail", args=[people.head.pk])
    assert "13800000001" in client_for(people.liaison).get(url).content.decode()
    assert "13800000001" in client_for(people.office).get(url).content.decode()
    assert "13800000001" not in client_for(people.outsider).get(url).content.decode()


def test_sys_admin_creates_and_edits_a_unit(org, people, client_for):
    client = client_for(people.sys_admin)
    response = client.post(
        reverse("org:unit_create"),
        {
            "name": "第二联络组",
            "kind": UnitKind.GRID_GROUP,
            "parent": org.office.pk,
            "order": 2,
            "covered_units": [org.branch2.pk],
            "is_active": "on",
        },
    )
    unit = Unit.objects.get(name="第二联络组")
    assert response.status_code == 302 and response.url == unit.get_absolute_url()
    assert list(unit.covered_units.all()) == [org.branch2]
    response = client.post(
        reverse("org:unit_edit", args=[org.academic.pk]),
        {"name": "教务处", "kind": UnitKind.DEPARTMENT, "parent": org.school.pk, "order": 5, "is_active": "on"},
    )
    assert response.status_code == 302
    org.academic.refresh_from_db()
    assert org.academic.order == 5


def test_unit_cannot_move_below_itself(org, people, client_for):
    client = client_for(people.sys_admin)
    response = client.post(
        reverse("org:unit_edit", args=[org.party.pk]),
        {"name": "机关党委", "kind": UnitKind.PARTY_COMMITTEE, "parent": org.branch.pk, "order": 1, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode() or "上级单位不能是本单位或其下级单位" in (
        response.content.decode()
    )
    org.party.refresh_from_db()
    assert org.party.parent == org.school


def test_unit_with_active_people_cannot_be_deactivated(org, people, client_for):
    client = client_for(people.sys_admin)
    response = client.post(
        reverse("org:unit_edit", args=[org.academic.pk]),
        {"name": "教务处", "kind": UnitKind.DEPARTMENT, "parent": org.school.pk, "order": 20},
    )
    assert response.status_code == 200
    assert "该单位下还有启用的下级单位或人员，不能停用。" in response.content.decode()
    org.academic.refresh_from_db()
    assert org.academic.is_active


def test_duplicate_unit_name_is_refused_in_chinese(org, people, client_for):
    client = client_for(people.sys_admin)
    response = client.post(reverse("org:unit_create"), {"name": "教务处", "kind": UnitKind.DEPARTMENT, "order": 1})
    assert response.status_code == 200
    assert "已存在" in response.content.decode()
    assert Unit.objects.filter(name="教务处").count() == 1


def test_sys_admin_creates_a_person_with_a_temporary_password(org, people, client_for):
    client = client_for(people.sys_admin)
    response = client.post(
        reverse("org:person_create"),
        {"name": "新同事", "username": "newbie", "unit": org.hr.pk, "rank": Rank.STAFF, "is_active": "on"},
    )
    assert response.status_code == 200
    password = response.context["password"]
    person = Person.objects.get(username="newbie")
    assert person.check_password(password) and person.must_change_password
    assert not person.is_superuser


def test_person_form_keeps_input_and_explains_errors(org, people, client_for):
    client = client_for(people.sys_admin)
    response = client.post(
        reverse("org:person_create"),
        {"name": "新同事", "username": "head", "unit": org.hr.pk, "rank": Rank.STAFF, "password": "abc"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "该登录名已被使用。" in page
    assert 'value="新同事"' in page
    assert "请修改以下问题后再提交" in page
    assert not Person.objects.filter(name="新同事").exists()
