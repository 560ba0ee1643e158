"""System settings: only the system administrator, and every change is a security event."""

import pytest

from duban.audit.models import EventKind, SecurityEvent
from duban.system.models import PasswordPolicy, SiteSettings

pytestmark = pytest.mark.django_db

OTHERS = [
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
VALUES = {"institution_name": "江城航空学院", "system_name": "江航督办", "password_policy": PasswordPolicy.LENGTH}


def test_anonymous_is_sent_to_login(client):
    for method in ("get", "post"):
        response = getattr(client, method)("/system/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", OTHERS)
def test_others_are_refused(people, client_for, persona):
    client = client_for(getattr(people, persona))
    assert client.get("/system/").status_code == 403
    assert client.post("/system/", VALUES).status_code == 403
    assert SiteSettings.current().system_name != "江航督办"
    assert not SecurityEvent.objects.filter(kind=EventKind.SETTINGS_CHANGED).exists()


def test_sys_admin_sees_the_form(people, client_for):
    response = client_for(people.sys_admin).get("/system/")
    assert response.status_code == 200
    text = response.content.decode()
    for words in ("系统设置", "单位名称", "系统名称", "密码规则"):
        assert words in text


def test_saving_changes_settings_and_records_an_event(people, client_for):
    before = SiteSettings.current()
    response = client_for(people.sys_admin).post("/system/", VALUES, follow=True)
    assert response.redirect_chain[-1][0] == "/system/"
    assert "系统设置已保存。" in response.content.decode()
    assert "江航督办" in response.content.decode()  # the new name is used at once

    current = SiteSettings.current()
    assert (current.institution_name, current.system_name, current.password_policy) == (
        "江城航空学院",
        "江航督办",
        PasswordPolicy.LENGTH,
    )
    event = SecurityEvent.objects.get(kind=EventKind.SETTINGS_CHANGED)
    assert (event.actor_id, event.actor_username, event.target) == (people.sys_admin.pk, "sysadmin", "系统设置")
    assert event.detail == {
        "institution_name": [before.institution_name, "江城航空学院"],
        "system_name": [before.system_name, "江航督办"],
        "password_policy": [before.password_policy, PasswordPolicy.LENGTH],
    }


def test_saving_without_changes_records_nothing(people, client_for):
    client = client_for(people.sys_admin)
    client.post("/system/", VALUES)
    client.post("/system/", VALUES)
    assert SecurityEvent.objects.filter(kind=EventKind.SETTINGS_CHANGED).count() == 1


def test_invalid_values_are_refused(people, client_for):
    response = client_for(people.sys_admin).post("/system/", {**VALUES, "system_name": "", "password_policy": "none"})
    assert response.status_code == 200
    assert SiteSettings.current().system_name != ""
    assert not SecurityEvent.objects.filter(kind=EventKind.SETTINGS_CHANGED).exists()
