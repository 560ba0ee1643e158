"""Excel import of units and people, the import template and the people export."""

import io

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from duban.audit.models import EventKind, SecurityEvent
from duban.org import importing
from duban.org.import_views import SESSION_KEY
from duban.org.models import Person, Rank, Role, RoleGrant, Unit, UnitKind
from tests.conftest import PASSWORD

UNIT_HEADER = [c.header for c in importing.UNIT_COLUMNS]
PEOPLE_HEADER = [c.header for c in importing.PEOPLE_COLUMNS]
IMPORT_URL = "/org/import/"
TEMPLATE_URL = "/org/import/template.xlsx"
EXPORT_URL = "/org/people/export.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Helpers --------------------------------------------------------------------
def xlsx(units=None, people=None, *, unit_header=UNIT_HEADER, people_header=PEOPLE_HEADER, extra=None) -> bytes:
    """A workbook with a 单位 sheet (when `units` is not None) and a 人员 sheet."""
    wb = Workbook()
    wb.remove(wb.active)
    if units is not None:
        ws = wb.create_sheet(importing.SHEET_UNITS)
        ws.append(unit_header)
        for row in units:
            ws.append(row)
    if people is not None:
        ws = wb.create_sheet(importing.SHEET_PEOPLE)
        ws.append(people_header)
        for row in people:
            ws.append(row)
    for name in extra or []:
        wb.create_sheet(name).append(["x"])
    if not wb.sheetnames:
        wb.create_sheet("Sheet1")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def unit_row(name, kind="职能部门", parent="", *, short="", code="", order="", covered=""):
    return [name, short, code, kind, parent, order, covered]


def person_row(name, username, unit, rank="科员", *, position="", phone="", email=""):
    return [name, username, unit, rank, position, phone, email]


def plan_for(data: bytes) -> importing.ImportPlan:
    return importing.plan_build(importing.workbook_read(io.BytesIO(data)))


def errors_of(plan):
    return [(e.sheet, e.row, e.column, e.message) for e in plan.errors]


def upload(client, data: bytes, name="导入.xlsx"):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, data, content_type=XLSX)})


def token_of(response) -> str:
    assert response.status_code == 302, getattr(response, "content", b"")[:2000].decode()
    location = response["Location"]
    assert location.startswith(IMPORT_URL)
    return location.rstrip("/").rsplit("/", 1)[-1]


def snapshot():
    return (Unit.objects.count(), Person.objects.count(), RoleGrant.objects.count(), LogEntry.objects.count())


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def admin(people, client_for):
    return client_for(people.sys_admin)


def stored_files(var_dir):
    directory = var_dir / "imports"
    return sorted(directory.glob("*.xlsx")) if directory.exists() else []


# --- A valid import end to end --------------------------------------------------
VALID_UNITS = [
    # The child comes before its parent: references may point forward.
    unit_row("软件教研室", "教学单位", "信息学院", short="软件", code="XX0101", order=1),
    unit_row("信息学院", "教学单位", "江城航空学院", short="信息", code="XX01", order=50),
    unit_row("第二联络组", "联络组", "党委办公室", covered="信息学院、人事处,软件教研室", order=2),
    unit_row("教务处", "职能部门", "", short="教务"),  # existing: updated by name
]
VALID_PEOPLE = [
    person_row(
        "陈新", "chenxin", "信息学院", "正处级", position="院长", phone="13800001111", email="cx@example.edu.cn"
    ),
    person_row("林新", "linxin", "软件教研室", "科员", phone="+86-27-12345678"),
    # Existing person: name, unit, rank and position change; the password does not.
    person_row("钱联络（改）", "liaison", "信息学院", "副科级", position="联络员"),
]


def test_valid_import_previews_then_commits(admin, people, org, var_dir):
    before_password = Person.objects.get(username="liaison").password
    response = upload(admin, xlsx(VALID_UNITS, VALID_PEOPLE))
    token = token_of(response)
    assert len(stored_files(var_dir)) == 1

    preview = admin.get(f"{IMPORT_URL}{token}/")
    assert preview.status_code == 200
    plan = preview.context["plan"]
    assert plan.is_valid, errors_of(plan)
    assert (plan.units_create, plan.units_update, plan.people_create, plan.people_update) == (3, 1, 2, 1)
    assert "确认导入" in preview.content.decode()
    assert Unit.objects.filter(name="信息学院").count() == 0  # a dry run

    result = admin.post(f"{IMPORT_URL}{token}/")
    assert result.status_code == 200
    content = result.content.decode()
    assert "导入完成" in content
    counts = result.context["result"].counts
    assert counts["units_created"] == 3 and counts["people_created"] == 2 and counts["people_updated"] == 1

    college = Unit.objects.get(name="信息学院")
    assert college.parent == org.school and college.kind == UnitKind.ACADEMIC and college.code == "XX01"
    assert Unit.objects.get(name="软件教研室").parent == college
    grid = Unit.objects.get(name="第二联络组")
    assert grid.parent == org.office and grid.kind == UnitKind.GRID_GROUP
    assert set(grid.covered_units.values_list("name", flat=True)) == {"信息学院", "人事处", "软件教研室"}
    org.academic.refresh_from_db()
    assert org.academic.short_name == "教务" and org.academic.parent == org.school  # blank parent kept

    chen = Person.objects.get(username="chenxin")
    assert chen.unit == college and chen.rank == Rank.DIVISION and chen.must_change_password
    assert chen.phone == "13800001111" and chen.email == "cx@example.edu.cn"
    liaison = Person.objects.get(username="liaison")
    assert liaison.name == "钱联络（改）" and liaison.unit == college and liaison.rank == Rank.DEPUTY_SECTION
    assert liaison.password == before_password and not liaison.must_change_password

    # Temporary passwords are shown once and work.
    accounts = {a.username: a.password for a in result.context["result"].new_accounts}
    assert set(accounts) == {"chenxin", "linxin"}
    for username, password in accounts.items():
        assert password in content
        assert Person.objects.get(username=username).check_password(password)
    assert "安全渠道" in content

    # The stored file and the token are gone.
    assert stored_files(var_dir) == []
    assert admin.get(f"{IMPORT_URL}{token}/").status_code == 404
    assert admin.post(f"{IMPORT_URL}{token}/").status_code == 404


def test_commit_records_history_and_one_security_event(admin, people, org):
    token = token_of(upload(admin, xlsx(VALID_UNITS, VALID_PEOPLE)))
    admin.post(f"{IMPORT_URL}{token}/")
    chen = Person.objects.get(username="chenxin")
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Person), object_pk=str(chen.pk), action=LogEntry.Action.CREATE
    )
    assert entry.actor == people.sys_admin
    assert "password" not in (entry.changes_dict or {})
    liaison_updates = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person),
        object_pk=str(people.liaison.pk),
        action=LogEntry.Action.UPDATE,
    )
    assert liaison_updates.count() == 1
    assert "unit" in liaison_updates.get().changes_dict
    college = Unit.objects.get(name="信息学院")
    assert LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Unit), object_pk=str(college.pk), action=LogEntry.Action.CREATE
    ).exists()

    events = SecurityEvent.objects.filter(kind=EventKind.IMPORT)
    assert events.count() == 1
    event = events.get()
    assert event.actor_id == people.sys_admin.pk and event.target == "单位和人员"
    assert event.detail["units_created"] == 3 and event.detail["people_created"] == 2
    assert event.detail["units_updated"] == 1 and event.detail["people_updated"] == 1
    assert event.detail["file"] == "导入.xlsx"


def test_blank_optional_cells_keep_existing_values(admin, people, org):
    Person.objects.filter(pk=people.head.pk).update(phone="13912345678", email="head@example.edu.cn", position="处长")
    org.grid.short_name = "一组"
    org.grid.save()
    data = xlsx(
        [unit_row("第一联络组", "联络组", "")],  # coverage, parent and short name stay
        [person_row("赵处长", "head", "教务处", "正处级")],
    )
    plan = plan_for(data)
    assert plan.is_valid
    assert (plan.units_update, plan.units_unchanged, plan.people_update, plan.people_unchanged) == (0, 1, 0, 1)
    admin.post(f"{IMPORT_URL}{token_of(upload(admin, data))}/")
    head = Person.objects.get(pk=people.head.pk)
    assert (head.phone, head.email, head.position) == ("13912345678", "head@example.edu.cn", "处长")
    org.grid.refresh_from_db()
    assert org.grid.short_name == "一组" and org.grid.parent == org.office
    assert list(org.grid.covered_units.all()) == [org.branch]


def test_unit_no_longer_a_grid_group_loses_its_coverage(people, org):
    plan = plan_for(xlsx([unit_row("第一联络组", "职能部门")]))
    assert plan.is_valid and plan.units_update == 1
    importing.import_commit(acting_user=people.sys_admin, path=io.BytesIO(xlsx([unit_row("第一联络组", "职能部门")])))
    org.grid.refresh_from_db()
    assert org.grid.kind == UnitKind.DEPARTMENT and not org.grid.covered_units.exists()


def test_units_sheet_alone_and_people_sheet_alone(people, org):
    units_only = importing.import_commit(
        acting_user=people.sys_admin, path=io.BytesIO(xlsx([unit_row("新处", "职能部门", "江城航空学院")]))
    )
    assert units_only.counts["units_created"] == 1 and units_only.new_accounts == []
    people_only = importing.import_commit(
        acting_user=people.sys_admin, path=io.BytesIO(xlsx(None, [person_row("新人", "xinren", "新处")]))
    )
    assert people_only.counts["people_created"] == 1
    assert Person.objects.get(username="xinren").unit.name == "新处"


def test_header_row_may_have_a_title_above_it_and_columns_in_any_order(people, org):
    wb = Workbook()
    ws = wb.active
    ws.title = "人员"
    ws.append(["江城航空学院人员名单"])
    ws.append([])
    ws.append(["登录名*", "备注", "职级", "姓名", "所在单位*"])
    ws.append(["newbie", "随便写", "科员", "新同事", "人事处"])
    buffer = io.BytesIO()
    wb.save(buffer)
    plan = plan_for(buffer.getvalue())
    assert plan.is_valid, errors_of(plan)
    assert plan.people[0].row == 4 and plan.people[0].unit == "人事处" and plan.people[0].rank == Rank.STAFF


def test_numbers_typed_as_numbers_are_read_as_text(people, org):
    plan = plan_for(xlsx(None, [["数字", 20240001, "人事处", "科员", "", 13800001111, ""]]))
    assert plan.is_valid, errors_of(plan)
    assert plan.people[0].username == "20240001" and plan.people[0].phone == "13800001111"


# --- Row errors -----------------------------------------------------------------
U, P = importing.SHEET_UNITS, importing.SHEET_PEOPLE


@pytest.mark.parametrize(
    ("units", "people_rows", "expected"),
    [
        pytest.param(
            None,
            [person_row("甲", "jia", "不存在的处")],
            (P, 2, "所在单位", importing.ERR_UNKNOWN_UNIT.format(name="不存在的处")),
            id="unknown-person-unit",
        ),
        pytest.param(
            [unit_row("新处", "职能部门", "不存在的学校")],
            None,
            (U, 2, "上级单位", importing.ERR_UNKNOWN_UNIT.format(name="不存在的学校")),
            id="unknown-parent",
        ),
        pytest.param(
            [unit_row("新组", "联络组", "党委办公室", covered="教务处、无此单位")],
            None,
            (U, 2, "联系单位", importing.ERR_UNKNOWN_UNIT.format(name="无此单位")),
            id="unknown-covered",
        ),
        pytest.param(
            None,
            [person_row("甲", "jia", "人事处"), person_row("乙", "yi", "人事处"), person_row("丙", "jia", "教务处")],
            (P, 4, "登录名", importing.ERR_DUPLICATE_ACCOUNT.format(username="jia", first=2)),
            id="duplicate-account",
        ),
        pytest.param(
            [unit_row("新处", "职能部门"), unit_row("新处", "直属单位")],
            None,
            (U, 3, "单位名称", importing.ERR_DUPLICATE_UNIT.format(name="新处", first=2)),
            id="duplicate-unit",
        ),
        pytest.param(
            None,
            [person_row("甲", "jia", "人事处", "处长")],
            (P, 2, "职级", importing.ERR_BAD_RANK.format(value="处长", choices=importing.RANK_CHOICES_TEXT)),
            id="bad-rank",
        ),
        pytest.param(
            [unit_row("新处", "部门")],
            None,
            (U, 2, "类型", importing.ERR_BAD_KIND.format(value="部门", choices=importing.KIND_CHOICES_TEXT)),
            id="bad-kind",
        ),
        pytest.param(None, [person_row("", "jia", "人事处")], (P, 2, "姓名", importing.ERR_REQUIRED), id="no-name"),
        pytest.param(
            None, [person_row("甲", "", "人事处")], (P, 2, "登录名", importing.ERR_REQUIRED), id="no-username"
        ),
        pytest.param(None, [person_row("甲", "jia", "")], (P, 2, "所在单位", importing.ERR_REQUIRED), id="no-unit"),
        pytest.param(
            None, [person_row("甲", "jia", "人事处", "")], (P, 2, "职级", importing.ERR_REQUIRED), id="no-rank"
        ),
        pytest.param([unit_row("新处", "")], None, (U, 2, "类型", importing.ERR_REQUIRED), id="no-kind"),
        pytest.param(
            [unit_row("", "职能部门", short="简称")],
            None,
            (U, 2, "单位名称", importing.ERR_REQUIRED),
            id="no-unit-name",
        ),
        pytest.param(
            None,
            [person_row("甲", "jia", "人事处", email="not-an-email")],
            (P, 2, "电子邮箱", importing.ERR_BAD_EMAIL),
            id="bad-email",
        ),
        pytest.param(
            None,
            [person_row("甲", "jia", "人事处", phone="12345")],
            (P, 2, "手机号", importing.ERR_BAD_PHONE),
            id="short-phone",
        ),
        pytest.param(
            None,
            [person_row("甲", "jia", "人事处", phone="138-0000-abcd")],
            (P, 2, "手机号", importing.ERR_BAD_PHONE),
            id="letters-in-phone",
        ),
        pytest.param(
            None,
            [person_row("甲", "jia", "人事处", phone="1" * 21)],
            (P, 2, "手机号", importing.ERR_BAD_PHONE),
            id="long-phone",
        ),
        pytest.param(
            None,
            [person_row("甲", "jia yi", "人事处")],
            (P, 2, "登录名", importing.ERR_BAD_USERNAME),
            id="space-in-username",
        ),
        pytest.param(
            None,
            [person_row("甲", "jia/yi", "人事处")],
            (P, 2, "登录名", importing.ERR_BAD_USERNAME),
            id="slash-in-username",
        ),
        pytest.param(
            [unit_row("甲处", "职能部门", "乙处"), unit_row("乙处", "职能部门", "甲处")],
            None,
            (U, 2, "上级单位", importing.ERR_PARENT_CYCLE.format(chain="甲处 → 乙处 → 甲处")),
            id="parent-cycle",
        ),
        pytest.param(
            [unit_row("甲处", "职能部门", "甲处")],
            None,
            (U, 2, "上级单位", importing.ERR_PARENT_CYCLE.format(chain="甲处 → 甲处")),
            id="own-parent",
        ),
        pytest.param(
            # 机关党委 moved below its own branch, which stays where it is in the database.
            [unit_row("机关党委", "党委/党总支", "航空运输系党支部")],
            None,
            (U, 2, "上级单位", importing.ERR_PARENT_CYCLE.format(chain="机关党委 → 航空运输系党支部 → 机关党委")),
            id="cycle-through-database",
        ),
        pytest.param(
            [unit_row("新处", "职能部门", covered="教务处")],
            None,
            (U, 2, "联系单位", importing.ERR_COVERED_NOT_GRID),
            id="covered-not-grid",
        ),
        pytest.param(
            [unit_row("新组", "联络组", covered="新组")],
            None,
            (U, 2, "联系单位", importing.ERR_COVER_SELF),
            id="cover-self",
        ),
        pytest.param(
            [unit_row("新处", "职能部门", order="前面")], None, (U, 2, "排序", importing.ERR_BAD_ORDER), id="bad-order"
        ),
        pytest.param(
            [unit_row("新处", "职能部门", code="JW"), unit_row("新二处", "职能部门", code="JW")],
            None,
            (U, 3, "单位编码", importing.ERR_CODE_TAKEN.format(code="JW", other="新处")),
            id="duplicate-code",
        ),
        pytest.param(
            [unit_row("新处", "职能部门", short="很" * 41)],
            None,
            (U, 2, "简称", importing.ERR_TOO_LONG.format(limit=40)),
            id="too-long",
        ),
    ],
)
def test_row_errors(people, org, units, people_rows, expected):
    plan = plan_for(xlsx(units, people_rows))
    assert not plan.is_valid
    assert expected in errors_of(plan)


def test_unit_code_already_used_in_database(people, org):
    org.hr.code = "RS"
    org.hr.save()
    plan = plan_for(xlsx([unit_row("新处", "职能部门", code="RS")]))
    assert errors_of(plan) == [(U, 2, "单位编码", importing.ERR_CODE_TAKEN.format(code="RS", other="人事处"))]
    # A unit keeps its own code.
    assert plan_for(xlsx([unit_row("人事处", "职能部门", code="RS")])).is_valid


def test_person_may_reference_a_unit_defined_in_the_same_file(people, org):
    plan = plan_for(xlsx([unit_row("新处", "职能部门", "江城航空学院")], [person_row("甲", "jia", "新处")]))
    assert plan.is_valid


def test_every_bad_row_is_listed_with_sheet_row_column(admin, people, org):
    before = snapshot()
    data = xlsx(
        [unit_row("新处", "部门"), unit_row("好处", "职能部门", "江城航空学院")],
        [person_row("甲", "jia", "无此单位"), person_row("乙", "yi", "人事处", "大官", email="x@")],
    )
    response = admin.get(f"{IMPORT_URL}{token_of(upload(admin, data))}/")
    content = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["plan"].errors) == 4
    assert importing.ERR_BAD_KIND.format(value="部门", choices=importing.KIND_CHOICES_TEXT) in content
    assert importing.ERR_UNKNOWN_UNIT.format(name="无此单位") in content
    assert importing.ERR_BAD_RANK.format(value="大官", choices=importing.RANK_CHOICES_TEXT) in content
    assert importing.ERR_BAD_EMAIL in content
    assert "确认导入" not in content
    assert "不会写入任何数据" in content
    assert f'href="{IMPORT_URL}"' in content
    assert snapshot() == before


def test_commit_of_an_invalid_file_writes_nothing(admin, people, org, var_dir):
    data = xlsx([unit_row("新处", "职能部门", "江城航空学院")], [person_row("甲", "jia", "新处", "处长")])
    token = token_of(upload(admin, data))
    before = snapshot()
    events = SecurityEvent.objects.count()
    response = admin.post(f"{IMPORT_URL}{token}/")
    assert response.status_code == 200
    assert importing.ERR_BAD_RANK.format(value="处长", choices=importing.RANK_CHOICES_TEXT) in response.content.decode()
    assert snapshot() == before
    assert SecurityEvent.objects.count() == events
    assert len(stored_files(var_dir)) == 1  # still there to preview again


def test_commit_revalidates_against_the_current_database(admin, people, org):
    data = xlsx(None, [person_row("甲", "jia", "人事处")])
    token = token_of(upload(admin, data))
    assert admin.get(f"{IMPORT_URL}{token}/").context["plan"].is_valid
    # Meanwhile someone renames the unit the file refers to.
    org.hr.name = "人力资源处"
    org.hr.save()
    before = snapshot()
    response = admin.post(f"{IMPORT_URL}{token}/")
    assert response.context["plan"].errors[0].message == importing.ERR_UNKNOWN_UNIT.format(name="人事处")
    assert "再次检查" in response.content.decode()
    assert snapshot() == before


def test_commit_is_all_or_nothing(people, org, monkeypatch):
    data = xlsx(VALID_UNITS, VALID_PEOPLE)
    before = snapshot()
    calls = []
    real_hash = importing.commit._temporary_password_hash

    def failing_hash(password):
        calls.append(password)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_hash(password)

    monkeypatch.setattr(importing.commit, "_temporary_password_hash", failing_hash)
    with pytest.raises(RuntimeError):
        importing.import_commit(acting_user=people.sys_admin, path=io.BytesIO(data))
    assert snapshot() == before
    assert not Unit.objects.filter(name="信息学院").exists()
    assert not SecurityEvent.objects.filter(kind=EventKind.IMPORT).exists()


def test_integrity_error_during_commit_rolls_back_and_reports(people, org, monkeypatch):
    data = xlsx(VALID_UNITS, VALID_PEOPLE)
    before = snapshot()

    def conflict(password):
        raise IntegrityError("UNIQUE constraint failed: org_person.username")

    monkeypatch.setattr(importing.commit, "_temporary_password_hash", conflict)
    outcome = importing.import_commit(acting_user=people.sys_admin, path=io.BytesIO(data))
    assert isinstance(outcome, importing.ImportPlan)
    assert outcome.general_errors == [importing.ERR_COMMIT_CONFLICT]
    assert snapshot() == before


def test_temporary_passwords_get_the_full_work_factor_at_first_login(people, org, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    result = importing.import_commit(
        acting_user=people.sys_admin, path=io.BytesIO(xlsx(None, [person_row("甲", "jia", "人事处")]))
    )
    password = result.new_accounts[0].password
    person = Person.objects.get(username="jia")
    assert person.password.startswith(f"pbkdf2_sha256${importing.TEMPORARY_PASSWORD_ITERATIONS}$")
    assert person.check_password(password)  # what the login backend calls
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    person.refresh_from_db()
    assert person.password.startswith(f"pbkdf2_sha256${PBKDF2PasswordHasher.iterations}$")


def test_services_refuse_anyone_but_the_system_administrator(people, org):
    data = xlsx(VALID_UNITS, VALID_PEOPLE)
    for person in (people.office, people.sec_admin, people.norole):
        with pytest.raises(PermissionDenied):
            importing.import_preview(acting_user=person, path=io.BytesIO(data))
        with pytest.raises(PermissionDenied):
            importing.import_commit(acting_user=person, path=io.BytesIO(data))
    with pytest.raises(PermissionDenied):
        importing.people_export(acting_user=people.norole, people=Person.objects.all())


# --- Upload: whole-file errors ----------------------------------------------------
def assert_refused(response, message, var_dir):
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["form"].errors["file"] == [message]
    assert stored_files(var_dir) == []
    assert not response.wsgi_request.session.get(SESSION_KEY)


def test_upload_page_renders(admin, people):
    response = admin.get(IMPORT_URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'enctype="multipart/form-data"' in content and 'name="file"' in content
    assert TEMPLATE_URL in content


def test_upload_without_a_file(admin, people, var_dir):
    assert_refused(admin.post(IMPORT_URL, {}), importing.ERR_NO_FILE, var_dir)


@pytest.mark.parametrize("name", ["人员.xls", "人员.csv", "人员", "人员.xlsx.exe"])
def test_upload_refuses_other_formats(admin, people, var_dir, name):
    assert_refused(
        upload(admin, xlsx(None, [person_row("甲", "jia", "人事处")]), name=name), importing.ERR_NOT_XLSX, var_dir
    )


@pytest.mark.parametrize(
    "data", [b"name,username\n", b"PK\x03\x04 not really a zip", b"\xd0\xcf\x11\xe0 an encrypted or old workbook"]
)
def test_upload_refuses_unreadable_files(admin, people, var_dir, data):
    assert_refused(upload(admin, data), importing.ERR_UNREADABLE, var_dir)


def test_upload_refuses_empty_files(admin, people, var_dir):
    assert_refused(upload(admin, b""), importing.ERR_UNREADABLE, var_dir)


def test_upload_refuses_files_over_the_size_limit(admin, people, var_dir, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    data = xlsx(None, [person_row("甲", "jia", "人事处")]) + b"\0" * (1024 * 1024)
    assert_refused(upload(admin, data), importing.ERR_TOO_LARGE.format(limit=1), var_dir)


def test_upload_refuses_too_many_rows(admin, people, var_dir, monkeypatch):
    monkeypatch.setattr(importing.reading, "MAX_ROWS", 5)
    units = [unit_row(f"处{i}", "职能部门") for i in range(3)]
    rows = [person_row(f"人{i}", f"u{i}", "人事处") for i in range(3)]
    assert_refused(upload(admin, xlsx(units, rows)), importing.ERR_TOO_MANY_ROWS.format(limit=5), var_dir)
    # Exactly at the limit is fine.
    assert upload(admin, xlsx(units, rows[:2])).status_code == 302


def test_the_real_row_limit_is_twenty_thousand():
    assert importing.MAX_ROWS == 20_000


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(xlsx(extra=["Sheet1"]), id="neither-sheet"),
        pytest.param(xlsx([], []), id="both-empty"),
        pytest.param(xlsx([], None), id="units-empty-people-missing"),
    ],
)
def test_upload_refuses_files_without_data(admin, people, var_dir, data):
    assert_refused(upload(admin, data), importing.ERR_NO_DATA, var_dir)


def test_upload_refuses_missing_required_columns(admin, people, var_dir):
    data = xlsx(None, [["甲", "jia", "人事处"]], people_header=["姓名*", "登录名*", "所在单位*"])
    message = importing.ERR_MISSING_COLUMNS.format(sheet="人员", columns="职级")
    assert_refused(upload(admin, data), message, var_dir)


def test_upload_stores_the_file_and_the_token_in_the_session(admin, people, var_dir):
    response = upload(admin, xlsx(None, [person_row("甲", "jia", "人事处")]))
    token = token_of(response)
    assert response["Location"] == reverse("org:import_preview", args=[token])
    assert stored_files(var_dir) == [var_dir / "imports" / f"{token}.xlsx"]
    entry = admin.session[SESSION_KEY][token]
    assert entry["user"] == people.sys_admin.pk and entry["filename"] == "导入.xlsx"


# --- Tokens ---------------------------------------------------------------------
def test_another_session_cannot_see_the_token(admin, people, org, client_for):
    token = token_of(upload(admin, xlsx(None, [person_row("甲", "jia", "人事处")])))
    second_admin = Person.objects.create_user(
        username="sysadmin2", password=PASSWORD, name="另一位系统管理员", unit=org.office, must_change_password=False
    )
    RoleGrant.objects.create(person=second_admin, role=Role.SYS_ADMIN)
    for client in (client_for(people.sys_admin), client_for(second_admin)):
        assert client.get(f"{IMPORT_URL}{token}/").status_code == 404
        assert client.post(f"{IMPORT_URL}{token}/").status_code == 404
    assert not Person.objects.filter(username="jia").exists()
    assert admin.get(f"{IMPORT_URL}{token}/").status_code == 200


def test_a_token_stolen_into_another_users_session_is_refused(admin, people, org, client_for):
    token = token_of(upload(admin, xlsx(None, [person_row("甲", "jia", "人事处")])))
    second_admin = Person.objects.create_user(
        username="sysadmin2", password=PASSWORD, name="另一位系统管理员", unit=org.office, must_change_password=False
    )
    RoleGrant.objects.create(person=second_admin, role=Role.SYS_ADMIN)
    other = client_for(second_admin)
    session = other.session
    session[SESSION_KEY] = {token: dict(admin.session[SESSION_KEY][token])}
    session.save()
    assert other.get(f"{IMPORT_URL}{token}/").status_code == 404


@pytest.mark.parametrize("token", ["../../secret_key", "nothex", "0" * 32])
def test_unknown_or_malformed_tokens_are_404(admin, people, token):
    assert admin.get(f"{IMPORT_URL}{token}/").status_code == 404


def test_tokens_expire_after_two_hours(admin, people, var_dir):
    token = token_of(upload(admin, xlsx(None, [person_row("甲", "jia", "人事处")])))
    session = admin.session
    session[SESSION_KEY][token]["created"] -= importing.TOKEN_MAX_AGE + 1
    session.save()
    response = admin.get(f"{IMPORT_URL}{token}/", follow=True)
    assert response.redirect_chain[-1][0] == IMPORT_URL
    assert importing.ERR_EXPIRED in response.content.decode()
    assert stored_files(var_dir) == []
    assert admin.post(f"{IMPORT_URL}{token}/").status_code == 404
    assert not Person.objects.filter(username="jia").exists()


def test_a_token_just_under_two_hours_still_works(admin, people):
    token = token_of(upload(admin, xlsx(None, [person_row("甲", "jia", "人事处")])))
    session = admin.session
    session[SESSION_KEY][token]["created"] -= importing.TOKEN_MAX_AGE - 60
    session.save()
    assert admin.get(f"{IMPORT_URL}{token}/").status_code == 200


def test_stale_files_are_purged(var_dir):
    import os
    import time

    directory = var_dir / "imports"
    directory.mkdir()
    old, new = directory / f"{'a' * 32}.xlsx", directory / f"{'b' * 32}.xlsx"
    old.write_bytes(b"x")
    new.write_bytes(b"x")
    past = time.time() - importing.TOKEN_MAX_AGE - 10
    os.utime(old, (past, past))
    assert importing.import_files_purge() == 1
    assert stored_files(var_dir) == [new]


# --- Permissions ----------------------------------------------------------------
def test_anonymous_is_sent_to_login(people):
    client = Client()
    for url in (IMPORT_URL, TEMPLATE_URL, f"{IMPORT_URL}{'a' * 32}/", EXPORT_URL):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile("a.xlsx", b"x")})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


NON_SYS_ADMINS = [
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


@pytest.mark.parametrize("persona", NON_SYS_ADMINS)
def test_only_the_system_administrator_may_import(people, client_for, admin, persona, var_dir):
    token = token_of(upload(admin, xlsx(None, [person_row("甲", "jia", "人事处")])))
    client = client_for(getattr(people, persona))
    data = xlsx(None, [person_row("乙", "yi", "人事处")])
    assert client.get(IMPORT_URL).status_code == 403
    assert upload(client, data).status_code == 403
    assert client.get(TEMPLATE_URL).status_code == 403
    assert client.get(f"{IMPORT_URL}{token}/").status_code == 403
    assert client.post(f"{IMPORT_URL}{token}/").status_code == 403
    assert len(stored_files(var_dir)) == 1
    assert not Person.objects.filter(username__in=["jia", "yi"]).exists()


# --- The template ---------------------------------------------------------------
def test_template_download(admin, people, org):
    response = admin.get(TEMPLATE_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["单位", "人员", "说明"]
    for name, header in (("单位", UNIT_HEADER), ("人员", PEOPLE_HEADER)):
        ws = wb[name]
        assert [c.value for c in ws[1]] == header
        assert all(c.font.bold for c in ws[1])
        assert ws["A1"].fill.fgColor.rgb.endswith("1D4F91")
        assert ws.freeze_panes == "A2"
        assert ws.column_dimensions["A"].width > 10
        assert ws.max_row >= 2 and ws["A2"].value  # an example row
    units_validation = wb["单位"].data_validations.dataValidation
    assert any("D2" in str(v.sqref) and "联络组" in v.formula1 for v in units_validation)
    people_validation = wb["人员"].data_validations.dataValidation
    assert any("D2" in str(v.sqref) and "正处级" in v.formula1 for v in people_validation)
    help_text = " ".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    for label in ("单位名称", "联系单位", "登录名", "职级", "临时密码"):
        assert label in help_text
    assert wb["单位"]["E2"].value == "江城航空学院"  # examples hang under the real root


def test_unmodified_template_imports(admin, people, org):
    template = admin.get(TEMPLATE_URL).content
    token = token_of(upload(admin, template, name="单位和人员导入模板.xlsx"))
    preview = admin.get(f"{IMPORT_URL}{token}/")
    plan = preview.context["plan"]
    assert plan.is_valid, errors_of(plan)
    assert (plan.units_create, plan.people_create) == (2, 1)
    result = admin.post(f"{IMPORT_URL}{token}/").context["result"]
    assert result.counts["units_created"] == 2
    grid = Unit.objects.get(name="第九联络组（示例）")
    assert list(grid.covered_units.values_list("name", flat=True)) == ["信息工程学院（示例）"]


def test_template_validates_on_an_empty_database(db):
    plan = plan_for(_template_bytes())
    assert plan.is_valid, errors_of(plan)


def _template_bytes() -> bytes:
    buffer = io.BytesIO()
    importing.template_workbook().save(buffer)
    return buffer.getvalue()


# --- Export of the people list --------------------------------------------------
def export_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb["人员"]
    rows = [[c if c is not None else "" for c in row] for row in ws.iter_rows(values_only=True)]
    return rows[0], {row[1]: row for row in rows[1:]}


def test_export_has_the_import_layout_plus_roles(people, org, client_for):
    Person.objects.filter(pk=people.head.pk).update(phone="13912345678", email="head@example.edu.cn", position="处长")
    response = client_for(people.office).get(EXPORT_URL)
    header, rows = export_rows(response)
    assert header == PEOPLE_HEADER + ["角色"]
    assert rows["head"] == [
        "赵处长",
        "head",
        "教务处",
        "正处级",
        "处长",
        "13912345678",
        "head@example.edu.cn",
        "单位负责人（教务处）",
    ]
    assert rows["leader"][7] == "校领导"
    disposition = response["Content-Disposition"]
    assert (
        disposition.startswith("attachment;") and "filename*=UTF-8''%E4%BA%BA%E5%91%98%E5%90%8D%E5%8D%95" in disposition
    )
    wb = load_workbook(io.BytesIO(response.content))
    assert wb["人员"]["A1"].font.bold and wb["人员"].freeze_panes == "A2"


def test_export_hides_contact_details_the_reader_may_not_see(people, org, client_for):
    Person.objects.filter(pk=people.liaison.pk).update(phone="13800000001", email="liaison@example.edu.cn")
    Person.objects.filter(pk=people.outsider.pk).update(phone="13800000002", email="outsider@example.edu.cn")
    _, rows = export_rows(client_for(people.staff).get(EXPORT_URL))
    assert rows["liaison"][5:7] == ["13800000001", "liaison@example.edu.cn"]  # same unit
    assert rows["outsider"][5:7] == ["", ""]  # another unit
    assert rows["outsider"][0] == "郑外单位"


def test_export_honours_the_people_list_filters(people, org, client_for):
    client = client_for(people.office)
    _, rows = export_rows(client.get(EXPORT_URL, {"unit": org.party.pk}))
    assert set(rows) == set()
    _, rows = export_rows(client.get(EXPORT_URL, {"unit": org.academic.pk}))
    assert set(rows) == {"head", "liaison", "staff"}
    _, rows = export_rows(client.get(EXPORT_URL, {"q": "处长"}))
    assert set(rows) == {"head"}
    _, rows = export_rows(client.get(EXPORT_URL, {"rank": Rank.DIVISION}))
    assert set(rows) == {"head", "outsider"}
    _, rows = export_rows(client.get(EXPORT_URL, {"role": Role.SYS_ADMIN}))
    assert set(rows) == {"sysadmin"}
    Person.objects.filter(pk=people.norole.pk).update(is_active=False)
    _, rows = export_rows(client.get(EXPORT_URL))
    assert "norole" not in rows
    _, rows = export_rows(client.get(EXPORT_URL, {"status": "inactive"}))
    assert set(rows) == {"norole"}
    _, rows = export_rows(client.get(EXPORT_URL, {"status": "all"}))
    assert len(rows) == 12


def test_export_is_recorded(people, org, client_for):
    client_for(people.office).get(EXPORT_URL, {"unit": org.academic.pk, "rank": Rank.STAFF})
    event = SecurityEvent.objects.get(kind=EventKind.EXPORT)
    assert event.actor_id == people.office.pk
    assert event.detail == {"filters": {"unit": "教务处", "rank": Rank.STAFF}, "rows": 2}


def test_export_permission(people, client_for):
    assert client_for(people.norole).get(EXPORT_URL).status_code == 403
    for persona in ("leader", "staff", "outsider", "audit_admin", "sys_admin"):
        assert client_for(getattr(people, persona)).get(EXPORT_URL).status_code == 200, persona
    assert not SecurityEvent.objects.filter(kind=EventKind.EXPORT, actor_id=people.norole.pk).exists()


def test_export_can_be_edited_and_imported_again(people, org, client_for, admin):
    Person.objects.filter(pk=people.head.pk).update(phone="13912345678", email="head@example.edu.cn")
    exported = client_for(people.sys_admin).get(EXPORT_URL).content
    plan = plan_for(exported)
    assert plan.is_valid, errors_of(plan)
    assert plan.people_unchanged == 12 and plan.people_create == 0 and plan.people_update == 0

    wb = load_workbook(io.BytesIO(exported))
    ws = wb["人员"]
    for row in ws.iter_rows(min_row=2):
        if row[1].value == "staff":
            row[3].value = "副科级"
    ws.append(["新同事", "newcomer", "人事处", "科员", "", "", "", ""])
    buffer = io.BytesIO()
    wb.save(buffer)
    token = token_of(upload(admin, buffer.getvalue()))
    result = admin.post(f"{IMPORT_URL}{token}/").context["result"]
    assert result.counts["people_updated"] == 1 and result.counts["people_created"] == 1
    assert Person.objects.get(username="staff").rank == Rank.DEPUTY_SECTION
    assert Person.objects.get(username="newcomer").must_change_password
