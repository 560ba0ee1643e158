"""Named personas and a small institution every test can use.

Personas: 李校长 (leader), 王文书 (office clerk), 赵处长 (head of 教务处), 钱联络 (liaison
of 教务处), 孙专班 (member of 联络组一), 周纪检 (discipline), 吴职工 (staff of 教务处),
郑外单位 (head of 人事处: a person of another unit), 系统管理员, 安全管理员, 审计管理员,
and 冯无权 (an account with no role).
"""

import pytest
from auditlog.context import disable_auditlog
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from duban.audit import guards
from duban.leave.defaults import install_defaults
from duban.leave.models import AbsenceType, ChainRule, ChainStep
from duban.org.models import ADMIN_ROLES, Person, Rank, Role, RoleGrant, Unit, UnitKind

PASSWORD = "Test-Passw0rd!"


@pytest.fixture(scope="session", autouse=True)
def _no_append_only_guards(django_db_setup, django_db_blocker):
    """Test flushes delete rows; the guard test re-installs the triggers itself."""
    from django.db import connection

    with django_db_blocker.unblock():
        guards.remove(connection)


class Org:
    """Handles to the fixture institution."""


@pytest.fixture
def org(db):
    # Fixtures are built without record history (django-auditlog): it is a third of their cost,
    # and tests that check history create what they check themselves.
    with disable_auditlog():
        return _org()


def _org():
    # The default leave types and chains come from a data migration; a transactional test's flush
    # removes them, so tests that run after one in the same process get them back here.
    install_defaults(AbsenceType, ChainRule, ChainStep)
    o = Org()
    o.school = Unit.objects.create(name="江城航空学院", kind=UnitKind.INSTITUTION, order=1)
    o.office = Unit.objects.create(name="党委办公室", kind=UnitKind.DEPARTMENT, parent=o.school, order=10)
    o.academic = Unit.objects.create(name="教务处", kind=UnitKind.DEPARTMENT, parent=o.school, order=20)
    o.hr = Unit.objects.create(name="人事处", kind=UnitKind.DEPARTMENT, parent=o.school, order=30)
    o.party = Unit.objects.create(name="机关党委", kind=UnitKind.PARTY_COMMITTEE, parent=o.school, order=40)
    o.branch = Unit.objects.create(name="航空运输系党支部", kind=UnitKind.PARTY_BRANCH, parent=o.party, order=1)
    o.branch2 = Unit.objects.create(name="行政管理党支部", kind=UnitKind.PARTY_BRANCH, parent=o.party, order=2)
    o.grid = Unit.objects.create(name="第一联络组", kind=UnitKind.GRID_GROUP, parent=o.office, order=1)
    o.grid.covered_units.set([o.branch])
    return o


def _person(username, name, unit, roles, rank=Rank.STAFF):
    person = Person.objects.create_user(
        username=username, password=PASSWORD, name=name, unit=unit, rank=rank, must_change_password=False
    )
    for role, scope in roles:
        RoleGrant.objects.create(person=person, role=role, unit=scope)
    return person


class People:
    """The personas, by role."""


@pytest.fixture
def people(org):
    with disable_auditlog():
        return _people(org)


def _people(org):
    p = People()
    p.leader = _person("leader", "李校长", org.school, [(Role.LEADER, None)], Rank.SCHOOL)
    p.office = _person("office", "王文书", org.office, [(Role.OFFICE, None)], Rank.SECTION)
    p.head = _person("head", "赵处长", org.academic, [(Role.UNIT_HEAD, org.academic)], Rank.DIVISION)
    p.liaison = _person("liaison", "钱联络", org.academic, [(Role.LIAISON, org.academic)])
    p.taskforce = _person("taskforce", "孙专班", org.office, [(Role.TASKFORCE, org.grid)])
    p.discipline = _person("discipline", "周纪检", org.school, [(Role.DISCIPLINE, None)])
    p.staff = _person("staff", "吴职工", org.academic, [(Role.STAFF, org.academic)])
    p.outsider = _person("outsider", "郑外单位", org.hr, [(Role.UNIT_HEAD, org.hr)], Rank.DIVISION)
    p.sys_admin = _person("sysadmin", "系统管理员", org.office, [(Role.SYS_ADMIN, None)])
    p.sec_admin = _person("secadmin", "安全管理员", org.office, [(Role.SEC_ADMIN, None)])
    p.audit_admin = _person("auditadmin", "审计管理员", org.office, [(Role.AUDIT_ADMIN, None)])
    p.norole = _person("norole", "冯无权", org.hr, [])
    return p


def login_as(client, person) -> Client:
    """Log `person` in; an administrator, who must pass the second factor, has passed it."""
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    if person.grants.filter(role__in=ADMIN_ROLES).exists():
        device = TOTPDevice.objects.filter(user=person, confirmed=True).first()
        device = device or TOTPDevice.objects.create(user=person, name="测试验证器", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def client_for():
    """client_for(person) -> a logged-in test client."""

    def make(person):
        return login_as(Client(), person)

    return make
