"""The demo institution has the structures of the seeds and loads idempotently."""

from django.core.management import call_command

from duban.org.demo import SEED_BRANCHES, SEED_NAMES
from duban.org.models import Person, Role, RoleGrant, Unit, UnitKind


def test_demo_structure_and_idempotence(db, capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "登录名 office" in out and "Duban@2026" in out
    counts = (Unit.objects.count(), Person.objects.count(), RoleGrant.objects.count())
    call_command("load_demo")
    assert (Unit.objects.count(), Person.objects.count(), RoleGrant.objects.count()) == counts

    party = Unit.objects.get(name="机关党委")
    assert party.children.filter(kind=UnitKind.PARTY_BRANCH).count() == 22
    assert set(SEED_BRANCHES) <= set(party.children.values_list("name", flat=True))
    groups = Unit.objects.filter(kind=UnitKind.GRID_GROUP)
    assert groups.count() == 7
    assert all(g.covered_units.exists() for g in groups)
    for name in ("组织部", "人事处", "教务处", "国有资产管理处", "科技处", "党委办公室", "校长办公室"):
        assert Unit.objects.filter(name=name).exists()
    assert Person.objects.filter(username__startswith="voter").count() == 32
    for role in Role.values:
        assert RoleGrant.objects.filter(role=role).exists(), role
    assert not Person.objects.filter(is_superuser=True).exists()
    assert not Person.objects.filter(name__in=SEED_NAMES).exists()


def test_if_empty_leaves_a_real_institution_alone(db, capsys):
    Unit.objects.create(name="别的学校", kind=UnitKind.INSTITUTION)
    call_command("load_demo", "--if-empty")
    assert "跳过" in capsys.readouterr().out
    assert Unit.objects.count() == 1
