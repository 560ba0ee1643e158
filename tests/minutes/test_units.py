"""Units named as responsible: registry matching and collective references expanded by kind."""

import io
import json

import pytest
from django.core.management import call_command

from duban.minutes.extract import extract
from duban.minutes.units import DEFAULT_UNITS, RegistryUnit, match_units, registry_unit_rows, registry_units
from duban.org.models import Unit, UnitKind


@pytest.fixture
def registry(db):
    """A small institution whose unit names do not give their kinds away."""
    school = Unit.objects.create(name="临江理工大学", kind=UnitKind.INSTITUTION, order=1)
    committee = Unit.objects.create(name="机关党委", kind=UnitKind.PARTY_COMMITTEE, parent=school, order=2)
    units = {
        "office": Unit.objects.create(name="党政办公室", kind=UnitKind.DEPARTMENT, parent=school),
        "teaching": Unit.objects.create(name="教务处", short_name="教务", kind=UnitKind.DEPARTMENT, parent=school),
        "logistics": Unit.objects.create(name="后勤保障中心", kind=UnitKind.DEPARTMENT, parent=school),
        # named like a department, but a branch: only the kind tells
        "branch1": Unit.objects.create(name="机关第一支部", kind=UnitKind.PARTY_BRANCH, parent=committee),
        "branch2": Unit.objects.create(name="学生党员工作站", kind=UnitKind.PARTY_BRANCH, parent=committee),
        "mech": Unit.objects.create(name="机械工程学院", kind=UnitKind.ACADEMIC, parent=school),
        "arts": Unit.objects.create(name="艺术系", kind=UnitKind.ACADEMIC, parent=school),
        "library": Unit.objects.create(name="图书馆", kind=UnitKind.AFFILIATED, parent=school),
        "press": Unit.objects.create(name="学报编辑部", kind=UnitKind.AFFILIATED, parent=school),
    }
    Unit.objects.create(name="已撤销处", kind=UnitKind.DEPARTMENT, parent=school, is_active=False)
    return units


def test_registry_rows_carry_kinds_and_still_unpack_as_pairs(registry):
    rows = registry_unit_rows()
    by_name = {r.name: r for r in rows}
    assert by_name["机关第一支部"].kind == UnitKind.PARTY_BRANCH
    assert "已撤销处" not in by_name  # inactive units are not proposed
    units, from_registry = registry_units()
    assert from_registry is True
    name, short = next(u for u in units if u[0] == "教务处")
    assert (name, short) == ("教务处", "教务")


def test_registry_units_without_registry_falls_back_to_builtin_list(db):
    units, from_registry = registry_units()
    assert from_registry is False
    assert [n for n, _ in units] == DEFAULT_UNITS


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("各党支部", ["机关第一支部", "学生党员工作站"]),
        ("各直属党支部", ["机关第一支部", "学生党员工作站"]),
        ("机关各部门", ["党政办公室", "教务处", "后勤保障中心"]),
        ("各职能部门", ["党政办公室", "教务处", "后勤保障中心"]),
        ("各教学单位", ["机械工程学院", "艺术系"]),
        ("各学院", ["机械工程学院", "艺术系"]),
        ("各直属单位", ["图书馆", "学报编辑部"]),
    ],
)
def test_collective_references_expand_by_kind(registry, ref, expected):
    units, _ = registry_units()
    assert sorted(match_units(f"{ref}要在月底前完成自查。", units)) == sorted(expected)


def test_longer_reference_is_not_also_read_as_a_shorter_one(registry):
    units, _ = registry_units()
    got = match_units("各直属党支部和各直属单位要抓好落实，教务牵头。", units)
    assert got == ["机关第一支部", "学生党员工作站", "图书馆", "学报编辑部", "教务处"]


def test_reference_with_no_unit_of_its_kind_is_kept_for_the_clerk(db):
    units = [RegistryUnit("教务处", "", UnitKind.DEPARTMENT)]
    assert match_units("各直属单位要按期报送。", units) == ["各直属单位"]


def test_name_endings_when_units_carry_no_kinds():
    units = [("教务处", ""), ("外语学院", ""), ("计算机系党支部", ""), ("图书馆", "")]
    assert match_units("各党支部、各学院", units) == ["计算机系党支部", "外语学院"]
    assert match_units("机关各部门", units) == ["教务处"]


def test_unexpanded_when_asked():
    units = [RegistryUnit("机关第一支部", "", UnitKind.PARTY_BRANCH)]
    assert match_units("各党支部要落实。", units, expand=False) == ["各党支部"]


def test_lead_references_are_never_expanded(registry):
    units, _ = registry_units()
    assert match_units("各牵头部门要每周报送进展。", units) == ["各牵头部门"]


def test_extract_assigns_expanded_units_to_the_item(registry):
    text = (
        "3月2日，临江理工大学召开党建工作会议，党委书记程一帆出席并讲话。程一帆强调，"
        "一要压实责任，各党支部要在3月底前完成自查；二要抓好整改，机关各部门要建立台账。"
    )
    units, _ = registry_units()
    got = extract(text, published=None, units=units)
    first, second = got["items"]
    assert first["units"] == ["机关第一支部", "学生党员工作站"]
    assert second["units"] == ["党政办公室", "教务处", "后勤保障中心"]


def test_extract_minutes_command_reads_units_from_database(registry, tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(
        "2023年5月8日，临江理工大学召开安全工作会议，副校长贺新宇出席会议并讲话。"
        "贺新宇要求：一要排查隐患，各直属单位要在5月31日前完成自查；二要压实责任，各教学单位要签订责任书。",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("extract_minutes", str(path), stdout=out)
    data = json.loads(out.getvalue())
    assert data["meeting_date"] == "2023-05-08"
    first, second = data["items"]
    assert first["speaker"] == "贺新宇"
    assert first["deadline"] == "2023-05-31"
    assert first["units"] == ["图书馆", "学报编辑部"]
    assert second["units"] == ["机械工程学院", "艺术系"]
    assert data["units_mentioned"] == ["临江理工大学", "图书馆", "学报编辑部", "机械工程学院", "艺术系"]
