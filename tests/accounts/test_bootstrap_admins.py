from io import StringIO

from django.core.management import call_command

from duban.org.models import ADMIN_ROLES, Person, RoleGrant


def test_bootstrap_creates_three_separate_admins_once(db):
    out = StringIO()
    call_command("bootstrap_admins", stdout=out)
    assert out.getvalue().count("临时密码") == 3
    for role in ADMIN_ROLES:
        grant = RoleGrant.objects.get(role=role)
        assert grant.person.grants.count() == 1
        assert grant.person.must_change_password and not grant.person.is_superuser
    out = StringIO()
    call_command("bootstrap_admins", stdout=out)
    assert out.getvalue().count("跳过") == 3
    assert Person.objects.count() == 3
