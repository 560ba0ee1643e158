"""The ledger (督办台账) in Excel: the export (columns, contents, filters, scope, speed) and
the import (every error path with its exact message, all-or-nothing, the round trip)."""

import datetime
import io
from urllib.parse import unquote

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from duban.audit.models import EventKind, SecurityEvent
from duban.org.models import Person, Role, RoleGrant, Unit
from duban.supervision import ledger_import
from duban.supervision.ledger_import import columns as C
from duban.supervision.ledger_import.values import BadValue, due_parse, nodes_parse, nodes_text, number_parse
from duban.supervision.models import Item, ItemLog, ItemState, ProgressReport, ReportStatus, TimeNode
from duban.supervision.reminders import sweep
from duban.supervision.state import states_refresh
from duban.supervision.status import Status
from tests.supervision.conftest import TODAY

NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
HEADER = [
    "序号",
    "事项",
    "牵头单位",
    "责任单位",
    "帮包领导",
    "责任人",
    "时间节点",
    "完成时限",
    "进展情况",
    "状态",
    "备注",
]
SEES_PLANS = ["leader", "office", "head", "liaison", "taskforce", "discipline", "staff", "outsider"]
NO_PLANS = ["sys_admin", "sec_admin", "audit_admin", "norole"]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def day(month, d, year=2026):
    return datetime.date(year, month, d)


def xlsx_bytes(rows, header=HEADER, title="督办台账") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "督办台账"
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row(number="", title="新事项", lead="教务处", co="", patron="", person="", nodes="", due="2026-12-31", remarks=""):
    return [number, title, lead, co, patron, person, nodes, due, "", "", remarks]


def preview(work, people, rows, **kwargs):
    return ledger_import.ledger_import_preview(
        acting_user=people.office, plan=work.plan, path=io.BytesIO(xlsx_bytes(rows, **kwargs))
    )


def errors(result):
    return [(e.row, e.column, e.message) for e in result.errors]


def export(client, work, query=""):
    response = client.get(reverse("supervision:ledger_export", args=[work.plan.pk]) + query)
    assert response.status_code == 200
    return response


def sheet_rows(response):
    sheet = load_workbook(io.BytesIO(response.content))["督办台账"]
    return [[c.value for c in r] for r in sheet.iter_rows()]


@pytest.fixture
def ledger(work, people):
    """The fixture plan with an accepted report on teaching and remarks on labs."""
    ProgressReport.objects.filter(item=work.teaching, period_start=day(10, 19)).update(
        status=ReportStatus.ACCEPTED, progress_text="完成调研。", percent=40
    )
    ProgressReport.objects.filter(item=work.teaching, period_start=day(10, 26)).update(
        status=ReportStatus.ACCEPTED, progress_text="完成方案初稿。", percent=50
    )
    ProgressReport.objects.filter(item=work.labs, period_start=day(10, 26)).update(
        status=ReportStatus.SUBMITTED, progress_text="尚未采纳的进展。", percent=20
    )
    Item.objects.filter(pk=work.labs.pk).update(remarks="需协调资金")
    TimeNode.objects.create(item=work.teaching, title="完成中期检查", due_date=day(11, 30))
    states_refresh(Item.objects.all(), TODAY)
    return work


# --- Values --------------------------------------------------------------------------------


def test_dates_nodes_and_numbers():
    for text in ("2026-12-31", "2026/12/31", "2026年12月31日", "2026-12-31 00:00:00", "46387"):
        assert due_parse(text) == day(12, 31), text
    assert due_parse("长期坚持") is None and due_parse("长期") is None
    for bad in ("2026-13-01", "明年", "12月31日", "2026-02-30"):
        with pytest.raises(BadValue):
            due_parse(bad)
    assert nodes_parse("10月15日 完成方案论证；2026-11-30 完成招标\n12月1日完成验收", day(12, 31), TODAY) == [
        (day(10, 15), "完成方案论证"),
        (day(11, 30), "完成招标"),
        (day(12, 1), "完成验收"),
    ]
    # Without a year: the due date's year, or the year before when that would be after the due date.
    assert nodes_parse("12月15日 启动", day(3, 31, 2027), TODAY) == [(day(12, 15), "启动")]
    assert (
        nodes_text([(day(12, 15), "启动"), (day(1, 10, 2027), "验收")], day(3, 31, 2027))
        == "12月15日 启动；1月10日 验收"
    )
    assert nodes_text([(day(5, 1, 2027), "复查")], day(3, 31, 2027)) == "2027-05-01 复查"
    for bad in ("完成方案论证", "10月15日", "13月1日 开会", "2月30日 开会"):
        with pytest.raises(BadValue):
            nodes_parse(bad, day(12, 31), TODAY)
    assert number_parse("3") == (None, 3) and number_parse("2.3") == (2, 3) and number_parse("") is None
    for bad in ("0", "a", "1.2.3", "2.0", "-1"):
        with pytest.raises(BadValue):
            number_parse(bad)


# --- Export --------------------------------------------------------------------------------


def test_export_layout_and_contents(ledger, people, client_for):
    response = export(client_for(people.office), ledger)
    assert unquote(response["Content-Disposition"]).endswith("2026年重点工作攻坚突破项目督办台账-20261102.xlsx")
    rows = sheet_rows(response)
    assert rows[0][0] == "2026年重点工作攻坚突破项目督办台账"
    assert rows[1][0].startswith("导出日期：2026年11月2日")
    assert rows[2] == HEADER
    teaching, labs, courses, talent = rows[3:]
    assert teaching == [
        1,
        "本科教学质量提升工程",
        "教务处",
        "人事处",
        "李校长",
        "钱联络",
        "10月15日 完成方案论证；11月30日 完成中期检查",
        datetime.datetime(2026, 12, 31),
        "完成方案初稿。",
        ItemState.objects.get(item=ledger.teaching).get_status_display(),
        None,
    ]
    assert labs[8] is None and labs[10] == "需协调资金"  # a report not yet accepted is not progress
    assert talent[:6] == [4, "高层次人才引进", "人事处", None, "李校长", "郑外单位"]
    sheet = load_workbook(io.BytesIO(response.content))["督办台账"]
    assert sheet.freeze_panes == "A4" and sheet["A3"].font.bold and sheet["G4"].alignment.wrap_text
    event = SecurityEvent.objects.get(kind=EventKind.EXPORT)
    assert event.target == "督办台账：2026年重点工作攻坚突破项目" and event.detail["rows"] == 4


def test_export_honours_the_plan_page_filters(ledger, people, org, client_for):
    client = client_for(people.office)
    assert [r[1] for r in sheet_rows(export(client, ledger, f"?unit={org.hr.pk}"))[3:]] == ["高层次人才引进"]
    assert [r[1] for r in sheet_rows(export(client, ledger, "?q=实验室"))[3:]] == ["实验室建设项目"]
    status = ItemState.objects.get(item=ledger.talent).status
    expected = sorted(Item.objects.filter(state__status=status).values_list("title", flat=True))
    assert sorted(r[1] for r in sheet_rows(export(client, ledger, f"?status={status}"))[3:]) == expected
    assert [r[1] for r in sheet_rows(export(client, ledger, "?sort=-title"))[3:]][0] == "高层次人才引进"
    assert "筛选：关键词：实验室" in sheet_rows(export(client, ledger, "?q=实验室"))[1][0]
    last = SecurityEvent.objects.filter(kind=EventKind.EXPORT).order_by("-seq").first()
    assert last.detail["filters"] == {"关键词": "实验室"} and last.detail["rows"] == 1


def test_text_is_never_a_formula(ledger, people, client_for):
    ProgressReport.objects.filter(item=ledger.teaching, period_start=day(10, 26)).update(progress_text="=1+1")
    Item.objects.filter(pk=ledger.labs.pk).update(title='=HYPERLINK("http://example.com","点击")')
    sheet = load_workbook(io.BytesIO(export(client_for(people.office), ledger).content))["督办台账"]
    assert (sheet["I4"].value, sheet["I4"].data_type) == ("=1+1", "s")
    assert sheet["B5"].data_type == "s"


def test_a_unit_head_exports_only_their_items(ledger, people, client_for):
    titles = [r[1] for r in sheet_rows(export(client_for(people.head), ledger))[3:]]
    assert titles == ["本科教学质量提升工程", "实验室建设项目", "一流课程建设"]


def test_children_are_numbered_under_their_parent(ledger, people, org, client_for):
    Item.objects.create(
        plan=ledger.plan,
        parent=ledger.teaching,
        ordinal=1,
        title="修订培养方案",
        lead_unit=org.academic,
        start_date=day(9, 1),
        due_date=day(12, 1),
    )
    states_refresh(Item.objects.all(), TODAY)
    rows = sheet_rows(export(client_for(people.office), ledger))[3:]
    assert [r[0] for r in rows] == [1, "1.1", 2, 3, 4] and rows[1][1] == "修订培养方案"


def test_namesakes_are_written_with_their_login_name(ledger, people, org, client_for):
    Person.objects.create_user(username="li2", name="李校长", unit=org.hr, password="x")
    rows = sheet_rows(export(client_for(people.office), ledger))[3:]
    assert rows[0][4] == "李校长（leader）"


@pytest.mark.parametrize("persona", SEES_PLANS + NO_PLANS)
def test_export_permissions(persona, ledger, people, client_for):
    response = client_for(getattr(people, persona)).get(reverse("supervision:ledger_export", args=[ledger.plan.pk]))
    assert response.status_code == (200 if persona in SEES_PLANS else 403)


def test_anonymous_goes_to_login(ledger):
    pk = ledger.plan.pk
    for name, args in [
        ("ledger_export", [pk]),
        ("ledger_import", [pk]),
        ("ledger_import_template", [pk]),
        ("ledger_import_preview", [pk, "0" * 32]),
    ]:
        response = Client().get(reverse(f"supervision:{name}", args=args))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def _grow(work, org, n):
    items = Item.objects.bulk_create(
        Item(
            plan=work.plan,
            ordinal=100 + i,
            title=f"事项{i}",
            lead_unit=org.academic,
            start_date=day(9, 1),
            due_date=day(12, 1),
            patron_leader=work.teaching.patron_leader,
        )
        for i in range(n)
    )
    TimeNode.objects.bulk_create(TimeNode(item=i, title="节点", due_date=day(11, 1)) for i in items)
    Item.co_units.through.objects.bulk_create(Item.co_units.through(item=i, unit=org.hr) for i in items)
    states_refresh(Item.objects.all(), TODAY)


@pytest.mark.parametrize("persona", ["office", "head"])
def test_export_query_count_does_not_grow(persona, ledger, org, people, client_for):
    client = client_for(getattr(people, persona))
    _grow(ledger, org, 10)
    with CaptureQueriesContext(connection) as small:
        rows = len(sheet_rows(export(client, ledger)))
    _grow(ledger, org, 90)
    with CaptureQueriesContext(connection) as large:
        assert len(sheet_rows(export(client, ledger))) == rows + 90
    assert len(large) == len(small)


# --- Import: the file as a whole -------------------------------------------------------------


def upload(client, work, content: bytes, name="台账.xlsx"):
    url = reverse("supervision:ledger_import", args=[work.plan.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"not a workbook", "台账.xlsx", C.ERR_UNREADABLE),
        (b"a,b", "台账.csv", C.ERR_NOT_XLSX),
        (xlsx_bytes([["x"]], header=["名称", "说明"]), "台账.xlsx", C.ERR_NO_HEADER),
        (
            xlsx_bytes([["1", "事项"]], header=["序号", "事项", "牵头单位"]),
            "台账.xlsx",
            "台账缺少必填列：完成时限。请使用导入模板中的列名。",
        ),
        (xlsx_bytes([]), "台账.xlsx", C.ERR_NO_DATA),
    ],
)
def test_unusable_files_are_refused_at_upload(content, name, message, work, people, client_for):
    response = upload(client_for(people.office), work, content, name)
    assert response.status_code == 200
    assert message in response.content.decode()


@pytest.mark.parametrize("persona", [p for p in SEES_PLANS + NO_PLANS if p != "office"])
def test_import_is_for_the_office_only(persona, work, people, client_for):
    client = client_for(getattr(people, persona))
    for name in ("ledger_import", "ledger_import_template"):
        assert client.get(reverse(f"supervision:{name}", args=[work.plan.pk])).status_code == 403
    assert upload(client, work, xlsx_bytes([row()])).status_code == 403
    assert client.get(reverse("supervision:ledger_import_preview", args=[work.plan.pk, "0" * 32])).status_code == 403
    with pytest.raises(PermissionDenied, match=C.ERR_NOT_OFFICE):
        ledger_import.ledger_import_preview(
            acting_user=getattr(people, persona), plan=work.plan, path=io.BytesIO(xlsx_bytes([row()]))
        )


# --- Import: every bad row with its reason ---------------------------------------------------


@pytest.fixture
def namesakes(org, people):
    """A second leader named 李校长 would make the name ambiguous; a second 王伟 too."""
    other = Person.objects.create_user(username="li2", name="李校长", unit=org.hr, password="x")
    RoleGrant.objects.create(person=other, role=Role.LEADER)
    Person.objects.create_user(username="wangwei1", name="王伟", unit=org.academic, password="x")
    Person.objects.create_user(username="wangwei2", name="王伟", unit=org.hr, password="x")
    return other


def test_every_error_path_with_its_exact_message(work, people, namesakes):
    rows = [
        row(number="x1"),  # 3
        row(title=""),  # 4
        row(lead=""),  # 5
        row(due=""),  # 6
        row(lead="不存在处"),  # 7
        row(co="人事处、宣传部"),  # 8
        row(patron="钱联络"),  # 9
        row(patron="无此人"),  # 10
        row(patron="李校长"),  # 11
        row(patron="李校长（nobody）"),  # 12
        row(patron="赵处长（leader）"),  # 13
        row(person="王伟", lead="党委办公室"),  # 14
        row(person="查无此人"),  # 15
        row(due="2026-02-30"),  # 16
        row(due="下个月"),  # 17
        row(nodes="完成方案论证"),  # 18
        row(nodes="10月15日 完成论证；13月1日 验收"),  # 19
        row(number="7", title="甲"),  # 20
        row(number="7", title="乙"),  # 21
        row(number="9.1", title="无上级的措施"),  # 22
        row(title="字" * 201),  # 23
        row(remarks="备" * 301),  # 24
        row(title="本科教学质量提升工程"),  # 25: matches item 1 by title…
        row(number="1", title="另一个名字"),  # 26: …and so does this row, by 序号
    ]
    result = preview(work, people, rows, title="")
    assert not result.is_valid
    assert errors(result) == [
        (2, "序号", "序号“x1”无效：应为正整数，子事项写成“上级序号.序号”，例如“2.3”。"),
        (3, "事项", "必填项为空。"),
        (4, "牵头单位", "必填项为空。"),
        (5, "完成时限", "必填项为空。"),
        (6, "牵头单位", "找不到单位“不存在处”，请填写系统中单位的全称。"),
        (7, "责任单位", "找不到单位“宣传部”，请填写系统中单位的全称。"),
        (8, "帮包领导", "“钱联络”没有校领导角色，不能担任帮包领导。"),
        (9, "帮包领导", "找不到人员“无此人”。"),
        (10, "帮包领导", "系统中有 2 人名叫“李校长”，请在姓名后用括号注明登录名，例如“李校长（leader）”。"),
        (11, "帮包领导", "找不到人员“李校长（nobody）”。"),
        (12, "帮包领导", "登录名“leader”对应的人员是“李校长”，与填写的姓名“赵处长”不符。"),
        (13, "责任人", "系统中有 2 人名叫“王伟”，请在姓名后用括号注明登录名，例如“王伟（wangwei1）”。"),
        (14, "责任人", "找不到人员“查无此人”。"),
        (15, "完成时限", C.ERR_BAD_DATE.format(value="2026-02-30")),
        (
            16,
            "完成时限",
            "“下个月”不是有效的日期，请写成 2026-12-31、2026/12/31 或 2026年12月31日，长期坚持的事项填“长期坚持”。",
        ),
        (17, "时间节点", C.ERR_BAD_NODE.format(value="完成方案论证")),
        (18, "时间节点", C.ERR_BAD_NODE.format(value="13月1日 验收")),
        (20, "序号", "序号“7”在文件中重复（第 19 行已有）。"),
        (21, "序号", "找不到序号为“9”的上级事项：计划中和本文件中都没有这个一级事项。"),
        (22, "事项", "内容过长，最多 200 个字。"),
        (23, "备注", "内容过长，最多 300 个字。"),
        (25, "事项", "与第 24 行对应的是同一个事项“本科教学质量提升工程”。"),
    ]
    assert C.ERR_BAD_NODE.format(value="x").startswith("时间节点“x”无法识别：每个节点写成“10月15日 完成方案论证”")


def test_namesakes_resolved_by_login_name_or_lead_unit(work, people, namesakes):
    result = preview(work, people, [row(patron="李校长（li2）", person="王伟")])  # 王伟 of 教务处, the lead unit
    assert result.is_valid, errors(result)
    (new,) = result.new_rows
    assert new.patron == namesakes and new.responsible.username == "wangwei1"


def test_ambiguous_title_and_parent_change(work, people, org):
    Item.objects.create(
        plan=work.plan,
        ordinal=9,
        title="实验室建设项目",
        lead_unit=org.academic,
        start_date=day(9, 1),
        due_date=day(12, 1),
    )
    Item.objects.create(
        plan=work.plan,
        parent=work.teaching,
        ordinal=1,
        title="修订方案",
        lead_unit=org.academic,
        start_date=day(9, 1),
        due_date=day(12, 1),
    )
    result = preview(work, people, [row(title="实验室建设项目"), row(number="5", title="修订方案")])
    assert errors(result) == [
        (3, "事项", "计划中有 2 个事项名为“实验室建设项目”，请填写序号以指明是哪一项。"),
        (4, "序号", "该事项在计划中的序号是“1.1”，导入不能改变事项的上级关系，请在系统中调整。"),
    ]


def test_due_before_the_item_start(work, people):
    result = preview(work, people, [row(number="1", title="本科教学质量提升工程", due="2026-08-01")])
    assert errors(result) == [(3, "完成时限", "完成时限不能早于该事项的开始日期（2026年9月1日）。")]


# --- Import: preview, commit, all-or-nothing, round trip ---------------------------------------


def test_round_trip_is_unchanged(ledger, people, client_for, namesakes):
    content = export(client_for(people.office), ledger).content
    result = ledger_import.ledger_import_preview(acting_user=people.office, plan=ledger.plan, path=io.BytesIO(content))
    assert result.is_valid, errors(result)
    assert [r.action for r in result.rows] == ["unchanged"] * 4
    assert [r.matched_by for r in result.rows] == ["序号"] * 4


def test_round_trip_with_children_and_long_term_items(ledger, people, org, client_for):
    Item.objects.create(
        plan=ledger.plan,
        parent=ledger.teaching,
        ordinal=1,
        title="修订方案",
        lead_unit=org.academic,
        start_date=day(9, 1),
        due_date=None,
    )
    TimeNode.objects.create(item=ledger.talent, title="年后复查", due_date=day(1, 15, 2027))  # after its due date
    states_refresh(Item.objects.all(), TODAY)
    content = export(client_for(people.office), ledger).content
    result = ledger_import.ledger_import_preview(acting_user=people.office, plan=ledger.plan, path=io.BytesIO(content))
    assert result.is_valid and [r.action for r in result.rows] == ["unchanged"] * 5


def test_preview_lists_new_changed_and_unchanged(ledger, people, org):
    rows = [
        row(
            number="1",
            title="本科教学质量提升工程",
            co="人事处",
            patron="李校长",
            person="钱联络",
            nodes="10月15日 完成方案论证；11月30日 完成中期检查",
        ),
        row(number="2", title="实验室建设项目（二期）", co="人事处", due="2027/1/31", remarks="追加预算"),
        row(title="一流课程建设", lead="人事处", nodes="11月20日 完成遴选"),
        row(
            number="5",
            title="校园安全综合治理",
            lead="人事处",
            co="教务处",
            patron="李校长",
            person="郑外单位",
            nodes="11月15日 完成排查；12月20日 完成整改",
            due="2026年12月31日",
        ),
        row(number="5.1", title="消防设施更新", lead="人事处", due="2026-12-15"),
        row(title="无序号的新事项", due="长期坚持"),
    ]
    result = preview(ledger, people, rows)
    assert result.is_valid, errors(result)
    assert [r.action for r in result.rows] == ["unchanged", "changed", "changed", "new", "new", "new"]
    labs = {c.column: (c.old, c.new) for c in result.rows[1].changes}
    assert labs == {
        "事项": ("实验室建设项目", "实验室建设项目（二期）"),
        "完成时限": ("2026年12月31日", "2027年1月31日"),
        "备注": ("需协调资金", "追加预算"),
    }
    courses = {c.column: (c.old, c.new) for c in result.rows[2].changes}
    assert courses == {"牵头单位": ("教务处", "人事处"), "时间节点": ("删除 —", "新增 2026年11月20日 完成遴选")}
    assert result.rows[2].matched_by == "事项"
    assert result.counts() == {"created": 3, "updated": 2, "unchanged": 1}


def test_commit_writes_everything_through_the_services(ledger, people, org, client_for):
    client = client_for(people.office)
    rows = [
        row(number="2", title="实验室建设项目（二期）", due="2027/1/31"),
        row(
            number="5",
            title="校园安全综合治理",
            lead="人事处",
            co="教务处、人事处",
            patron="李校长",
            person="郑外单位",
            nodes="11月15日 完成排查；12月20日 完成整改",
        ),
        row(number="5.1", title="消防设施更新", lead="人事处", due="2026-12-15"),
        row(title="无序号的新事项", due="长期坚持", remarks="新增"),
        row(number="1", title="本科教学质量提升工程", nodes="10月15日 完成方案论证；12月1日 完成验收"),
    ]
    response = upload(client, ledger, xlsx_bytes(rows))
    assert response.status_code == 302
    preview_url = response["Location"]
    page = client.get(preview_url).content.decode()
    assert "检查通过" in page and "实验室建设项目（二期）" in page and "“进展情况”和“状态”两列不导入" in page
    done = client.post(preview_url)
    assert "导入完成" in done.content.decode()

    labs = Item.objects.get(pk=ledger.labs.pk)
    assert (labs.title, labs.due_date, labs.original_due_date) == (
        "实验室建设项目（二期）",
        day(1, 31, 2027),
        day(12, 31),
    )
    safety = Item.objects.get(plan=ledger.plan, title="校园安全综合治理")
    assert (safety.ordinal, safety.lead_unit, safety.start_date) == (5, org.hr, TODAY)
    assert list(safety.co_units.all()) == [org.academic]
    assert (safety.patron_leader, safety.responsible_person) == (people.leader, people.outsider)
    assert [(n.due_date, n.title) for n in safety.nodes.order_by("due_date")] == [
        (day(11, 15), "完成排查"),
        (day(12, 20), "完成整改"),
    ]
    assert ItemState.objects.filter(item=safety).exists()
    child = Item.objects.get(title="消防设施更新")
    assert child.parent == safety and child.ordinal == 1
    loose = Item.objects.get(title="无序号的新事项")
    assert loose.ordinal == 6 and loose.due_date is None and loose.remarks == "新增"
    teaching_nodes = [(n.due_date, n.title) for n in ledger.teaching.nodes.order_by("due_date")]
    assert teaching_nodes == [(day(10, 15), "完成方案论证"), (day(12, 1), "完成验收")]  # 完成中期检查 was open: removed
    assert ItemLog.objects.filter(item=ledger.teaching, text__startswith="导入督办台账").exists()
    event = SecurityEvent.objects.get(kind=EventKind.IMPORT)
    assert event.target == "督办台账：2026年重点工作攻坚突破项目"
    assert (event.detail["created"], event.detail["updated"], event.detail["file"]) == (3, 2, "台账.xlsx")
    # The token is spent.
    assert client.get(preview_url).status_code == 404


def test_an_overdue_imported_item_owes_reports_only_from_the_import(ledger, people):
    # Carried over from last year's paper ledger: due in March, still open.
    outcome = ledger_import.ledger_import_commit(
        acting_user=people.office,
        plan=ledger.plan,
        path=io.BytesIO(xlsx_bytes([row(title="遗留事项", due="2026-03-31")])),
    )
    assert not isinstance(outcome, ledger_import.LedgerPlan)
    item = Item.objects.get(title="遗留事项")
    assert (item.start_date, item.reports_from) == (day(3, 31), TODAY)
    # Only this week's report: nobody could have reported on it before it was imported.
    assert [r.period_start for r in item.reports.all()] == [day(11, 2)]
    state = ItemState.objects.get(item=item)
    assert (state.missing_reports, state.status) == (0, Status.OVERDUE)
    sweep(day(11, 10))  # nor does the sweep open the weeks before
    assert [r.period_start for r in item.reports.order_by("period_start")] == [day(11, 2), day(11, 9)]


def test_completed_nodes_are_never_removed(ledger, people):
    TimeNode.objects.filter(item=ledger.teaching, title="完成方案论证").update(done_on=day(10, 14))
    result = preview(ledger, people, [row(number="1", title="本科教学质量提升工程", nodes="11月30日 完成中期检查")])
    assert result.rows[0].action == "unchanged"


def test_invalid_file_commits_nothing(ledger, people, client_for):
    client = client_for(people.office)
    before = Item.objects.count()
    response = upload(client, ledger, xlsx_bytes([row(title="好的新事项"), row(title="坏的", lead="不存在处")]))
    page = client.post(response["Location"])
    text = page.content.decode()
    assert "导入前的再次检查发现问题，没有写入任何数据" in text and "找不到单位“不存在处”" in text
    assert Item.objects.count() == before
    assert not SecurityEvent.objects.filter(kind=EventKind.IMPORT).exists()


def test_a_change_between_preview_and_commit_is_caught(ledger, people, org, client_for):
    client = client_for(people.office)
    unit = Unit.objects.create(name="临时专班", parent=org.school)
    response = upload(client, ledger, xlsx_bytes([row(title="新事项一"), row(title="新事项二", lead="临时专班")]))
    assert "检查通过" in client.get(response["Location"]).content.decode()
    unit.delete()
    text = client.post(response["Location"]).content.decode()
    assert "找不到单位“临时专班”" in text and not Item.objects.filter(title="新事项一").exists()


def test_a_failing_write_rolls_everything_back(ledger, people, monkeypatch):
    from duban.supervision.ledger_import import commit

    real = commit.NewItems.write

    def flaky(self):
        real(self)  # the new items are written, then the write fails
        if self.ids:
            raise IntegrityError("simulated")

    monkeypatch.setattr(commit.NewItems, "write", flaky)
    outcome = ledger_import.ledger_import_commit(
        acting_user=people.office,
        plan=ledger.plan,
        path=io.BytesIO(xlsx_bytes([row(title="新事项一"), row(title="新事项二")])),
    )
    assert isinstance(outcome, ledger_import.LedgerPlan)
    assert outcome.general_errors == [C.ERR_COMMIT_CONFLICT]
    assert not Item.objects.filter(title__startswith="新事项").exists()
    assert not SecurityEvent.objects.filter(kind=EventKind.IMPORT).exists()


def test_tokens_belong_to_their_uploader_and_plan(ledger, people, client_for):
    office = client_for(people.office)
    response = upload(office, ledger, xlsx_bytes([row()]))
    token = response["Location"].rstrip("/").rsplit("/", 1)[1]
    other = Person.objects.create_user(
        username="office2", name="另一文书", unit=people.office.unit, password="x", must_change_password=False
    )
    RoleGrant.objects.create(person=other, role=Role.OFFICE)
    assert client_for(other).get(response["Location"]).status_code == 404
    assert office.get(reverse("supervision:ledger_import_preview", args=[ledger.plan.pk, "f" * 32])).status_code == 404
    session = office.session
    entries = session["ledger_imports"]
    entries[token]["created"] -= 3 * 60 * 60  # uploaded three hours ago
    session["ledger_imports"] = entries
    session.save()
    expired = office.get(response["Location"])
    assert expired.status_code == 302 and expired["Location"] == reverse(
        "supervision:ledger_import", args=[ledger.plan.pk]
    )
    assert C.ERR_EXPIRED in office.get(expired["Location"]).content.decode()


def test_upload_page_and_template(ledger, people, client_for):
    client = client_for(people.office)
    page = client.get(reverse("supervision:ledger_import", args=[ledger.plan.pk])).content.decode()
    assert "“进展情况”和“状态”两列导入时忽略" in page
    response = client.get(reverse("supervision:ledger_import_template", args=[ledger.plan.pk]))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["督办台账", "说明"]
    assert [c.value for c in workbook["督办台账"][3]][:3] == ["序号", "事项*", "牵头单位*"]
    result = ledger_import.ledger_import_preview(
        acting_user=people.office, plan=ledger.plan, path=io.BytesIO(response.content)
    )
    assert result.is_valid and [r.action for r in result.rows] == ["changed"]  # 序号 1 with the example's title
