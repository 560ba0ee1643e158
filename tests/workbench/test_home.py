"""我的工作: every persona lands on it and sees panels for their roles."""

import pytest

from tests.org.test_views import ALL_PERSONAS

EXPECTED_PANEL = {
    "leader": "全校各单位",
    "office": "待我审核",
    "head": "我负责的单位",
    "liaison": "待我填报",
    "taskforce": "我联系的单位",
    "discipline": "问责线索",
    "staff": "整改公开",
    "outsider": "我负责的单位",
    "sys_admin": "组织机构概况",
    "sec_admin": "被锁定的账号",
    "audit_admin": "最近的安全事件",
    "norole": "您还没有被授予任何角色",
}


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_home_shows_role_panels(persona, people, client_for):
    response = client_for(getattr(people, persona)).get("/")
    assert response.status_code == 200
    assert EXPECTED_PANEL[persona] in response.content.decode()


def test_home_needs_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_taskforce_sees_covered_units(org, people, client_for):
    page = client_for(people.taskforce).get("/").content.decode()
    assert "航空运输系党支部" in page


def test_navigation_follows_roles(people, client_for):
    office = client_for(people.office).get("/").content.decode()
    assert "/org/units/" in office and "/org/grants/" not in office and "/audit/events/" not in office
    sec = client_for(people.sec_admin).get("/").content.decode()
    assert "/org/grants/" in sec and "/org/import/" not in sec and "/audit/events/" not in sec
    audit = client_for(people.audit_admin).get("/").content.decode()
    assert "/audit/events/" in audit and "/org/grants/" not in audit and "/system/" not in audit
    sysadmin = client_for(people.sys_admin).get("/").content.decode()
    assert "/org/import/" in sysadmin and "/system/" in sysadmin and "/audit/events/" not in sysadmin


def test_login_page_names_the_system_and_institution(db, client):
    from duban.system.models import SiteSettings

    SiteSettings.objects.create(id=1, institution_name="江城航空学院", system_name="督查督办平台")
    page = client.get("/accounts/login/").content.decode()
    assert "督查督办平台" in page and "江城航空学院" in page


def test_supervising_leader_sees_the_units_they_supervise(org, people, client_for):
    from duban.org.models import Person, Role, RoleGrant

    vice = Person.objects.create_user(
        username="vp", password="x", name="钱副校长", unit=org.school, must_change_password=False
    )
    RoleGrant.objects.create(person=vice, role=Role.LEADER, unit=org.academic)
    page = client_for(vice).get("/").content.decode()
    assert "分管单位" in page and "教务处" in page and "人事处" not in page
