"""The rules of role grants (三员分立) and the unit tree."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from duban.audit.models import EventKind, SecurityEvent
from duban.org import services
from duban.org.access import ALL, access_for
from duban.org.models import Role, RoleGrant


def test_only_sec_admin_grants(org, people):
    for persona in ("sys_admin", "audit_admin", "office", "leader"):
        with pytest.raises(PermissionDenied):
            services.role_grant(
                acting_user=getattr(people, persona), person=people.norole, role=Role.STAFF, unit=org.hr
            )


def test_grant_records_a_security_event(org, people):
    grant = services.role_grant(acting_user=people.sec_admin, person=people.norole, role=Role.STAFF, unit=org.hr)
    event = SecurityEvent.objects.get(kind=EventKind.ROLE_GRANTED)
    assert event.actor_username == "secadmin" and event.target == "norole"
    services.role_revoke(acting_user=people.sec_admin, grant=grant)
    assert SecurityEvent.objects.filter(kind=EventKind.ROLE_REVOKED, target="norole").exists()


@pytest.mark.parametrize(
    ("role", "scope", "message"),
    [
        (Role.STAFF, None, services.ERR_SCOPE_REQUIRED),
        (Role.TASKFORCE, "hr", services.ERR_TASKFORCE_SCOPE),
        (Role.SYS_ADMIN, "hr", services.ERR_ADMIN_SCOPED),
    ],
)
def test_grant_scope_rules(org, people, role, scope, message):
    unit = getattr(org, scope) if scope else None
    with pytest.raises(ValidationError) as error:
        services.role_grant(acting_user=people.sec_admin, person=people.norole, role=role, unit=unit)
    assert error.value.messages == [message]


def test_admin_roles_are_exclusive(org, people):
    with pytest.raises(ValidationError) as error:
        services.role_grant(acting_user=people.sec_admin, person=people.sys_admin, role=Role.AUDIT_ADMIN, unit=None)
    assert error.value.messages == [services.ERR_ADMIN_EXCLUSIVE]
    with pytest.raises(ValidationError):
        services.role_grant(acting_user=people.sec_admin, person=people.sys_admin, role=Role.OFFICE, unit=None)
    with pytest.raises(ValidationError):
        services.role_grant(acting_user=people.sec_admin, person=people.office, role=Role.SYS_ADMIN, unit=None)


def test_no_self_grant_and_no_duplicates(org, people):
    with pytest.raises(ValidationError) as error:
        services.role_grant(acting_user=people.sec_admin, person=people.sec_admin, role=Role.STAFF, unit=org.hr)
    assert error.value.messages == [services.ERR_GRANT_SELF]
    with pytest.raises(ValidationError) as error:
        services.role_grant(acting_user=people.sec_admin, person=people.staff, role=Role.STAFF, unit=org.academic)
    assert error.value.messages == [services.ERR_GRANT_EXISTS]


def test_database_refuses_duplicate_institution_grants(people):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrant.objects.create(person=people.office, role=Role.OFFICE, unit=None)


def test_scopes_follow_the_tree_and_grid_coverage(org, people):
    assert access_for(people.office).scope(Role.OFFICE) == ALL
    assert access_for(people.head).scope(Role.UNIT_HEAD) == {org.academic.pk}
    # A grid group's scope is itself plus the units it covers.
    assert access_for(people.taskforce).scope(Role.TASKFORCE) == {org.grid.pk, org.branch.pk}
    RoleGrant.objects.create(person=people.outsider, role=Role.UNIT_HEAD, unit=org.party)
    outsider = type(people.outsider).objects.get(pk=people.outsider.pk)
    assert access_for(outsider).scope(Role.UNIT_HEAD) == {org.hr.pk, org.party.pk, org.branch.pk, org.branch2.pk}


def test_grant_page_flow(org, people, client_for):
    client = client_for(people.sec_admin)
    response = client.post("/org/grants/", {"person": people.norole.pk, "role": Role.LIAISON, "unit": org.hr.pk})
    assert response.status_code == 302
    grant = RoleGrant.objects.get(person=people.norole)
    response = client.post("/org/grants/", {"person": people.norole.pk, "role": Role.LIAISON, "unit": org.hr.pk})
    assert services.ERR_GRANT_EXISTS in response.content.decode()
    response = client.post(f"/org/grants/{grant.pk}/revoke/", {"next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == "/org/grants/"
    assert not RoleGrant.objects.filter(person=people.norole).exists()
