"""整改台账 in and out: the export's layout, the round trip, every import error, the dry
run, all-or-nothing commits and who may do what."""

import datetime
import io
from urllib.parse import unquote

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from duban.lib.xlsx import XLSX_CONTENT_TYPE
from duban.org.models import Person, Role, RoleGrant, Unit
from duban.rectification import ledger
from duban.rectification.ledger import columns as C
from duban.rectification.ledger.export import ledger_groups
from duban.rectification.models import Finding, Measure, MeasureType
from duban.rectification.services import Refused
from duban.rectification.services import findings as finding_services
from duban.rectification.services.closure import closure_approve, closure_request
from duban.supervision.models import Item
from tests.rectification.conftest import FROZEN, pdf

pytestmark = pytest.mark.django_db

HEADER_A = [
    "序号",
    "问题描述",
    "整改措施",
    "责任领导",
    "责任单位",
    "责任人",
    "整改时限",
    "整改落实情况",
    "",
    "",
    "备注",
]
HEADER_B = ["", "", "", "", "", "", "", "整改进展", "完成情况", "销号情况", ""]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


def export_bytes(rect, person):
    workbook, _rows = ledger.ledger_export(acting_user=person, plan=rect.plan)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_file(rows, header=True) -> io.BytesIO:
    """A workbook in the standard layout with the given data rows (lists of 11 cells)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["测试整改台账"])
    if header:
        sheet.append(HEADER_A)
        sheet.append(HEADER_B)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def row(ordinal="", description="", measure="", leader="", units="", person="", deadline="", remarks=""):
    return [ordinal, description, measure, leader, units, person, deadline, "", "", "", remarks]


def preview(rect, people, source):
    return ledger.ledger_import_preview(acting_user=people.office, plan=rect.plan, path=source, today=rect.today)


def errors_of(result):
    return [(e.row, e.column, e.message) for e in result.errors]


def close_deadline(rect, people):
    request = closure_request(
        acting_user=people.liaison,
        measure=rect.deadline,
        statement="已修订流程",
        evidence={"statement": "全部支部已按新流程召开组织生活会", "proof": pdf()},
    )
    from duban.rectification.services.closure import closure_review

    closure_review(acting_user=people.taskforce, closure=request)
    closure_approve(acting_user=people.office, closure=request, today=rect.today)


# --- Export -------------------------------------------------------------------------


def test_export_layout_header_merges_and_values(rect, people):
    sheet = load_workbook(io.BytesIO(export_bytes(rect, people.office)))["整改台账"]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A1"].value == "2026年巡视整改方案整改台账" and "A1:K1" in merged
    # Columns not split are merged over both header rows; 整改落实情况 spans three columns.
    for letter in "ABCDEFGK":
        assert f"{letter}2:{letter}3" in merged
    assert "H2:J2" in merged and sheet["H2"].value == "整改落实情况"
    assert [sheet.cell(2, c).value for c in (1, 2, 3, 4, 5, 6, 7, 11)] == [
        "序号", "问题描述", "整改措施", "责任领导", "责任单位", "责任人", "整改时限", "备注",
    ]  # fmt: skip
    assert [sheet.cell(3, c).value for c in (8, 9, 10)] == ["整改进展", "完成情况", "销号情况"]
    # Finding 1 over its two measures, finding 2 over its two.
    assert {"A4:A5", "B4:B5", "A6:A7", "B6:B7"} <= merged
    assert sheet["A4"].value == 1 and sheet["B4"].value.startswith("个别党支部组织生活会")
    values = [[sheet.cell(r, c).value for c in range(3, 11)] for r in range(4, 8)]
    assert values[0][:5] == ["规范组织生活会流程", "李校长", "教务处", "钱联络", "2026-12-31"]
    assert values[1][4] == "2026-12-15（建章立制）"
    assert values[2][:5] == ["立即纠正不规范的选拔程序", "李校长", "人事处", "郑外单位", "立行立改（2026-11-30）"]
    assert values[3][4] == "长期坚持"
    assert values[0][6].startswith("未完成") and values[0][7] == "未销号"
    assert sheet.freeze_panes == "A4"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1


def test_export_shows_closure_with_date_and_approver(rect, people):
    close_deadline(rect, people)
    sheet = load_workbook(io.BytesIO(export_bytes(rect, people.office)))["整改台账"]
    assert sheet["I4"].value == "已完成"
    assert sheet["J4"].value == "已销号（2026-11-02，王文书）"


def test_export_rows_are_restricted_to_what_the_person_sees(rect, people):
    from duban.org.access import access_for
    from duban.rectification import access as rules

    access = access_for(people.outsider)  # 人事处 head: only 人事处's measure
    groups = ledger_groups(
        rect.plan,
        findings=rules.findings_visible(access, Finding.objects.all()),
        measures=rules.measures_visible(access, Measure.objects.all()),
    )
    assert [g.ordinal for g in groups] == [2]
    assert [r[0] for r in groups[0].rows] == ["立即纠正不规范的选拔程序"]


def test_export_queries_do_not_grow_with_rows(rect, people, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Each capture follows a warm-up export, so one-time lookups (caches refilled after
    # another test flushed the database) cannot be mistaken for per-row queries.
    export_bytes(rect, people.office)
    with CaptureQueriesContext(connection) as small:
        export_bytes(rect, people.office)
    for n in range(8):
        item = Item(title=f"措施{n}", lead_unit=rect.deadline.item.lead_unit, start_date=rect.today,
                    due_date=datetime.date(2026, 12, 31), responsible_person=people.head)  # fmt: skip
        finding_services.measure_save(
            acting_user=people.office, finding=rect.f2, item=item, measure_type=MeasureType.DEADLINE
        )
    export_bytes(rect, people.office)
    with CaptureQueriesContext(connection) as large:
        export_bytes(rect, people.office)
    assert len(large) == len(small), [q["sql"][:150] for q in large.captured_queries]


# --- Round trip ---------------------------------------------------------------------


def test_export_reimported_unchanged_reports_no_changes(rect, people):
    close_deadline(rect, people)
    result = preview(rect, people, io.BytesIO(export_bytes(rect, people.office)))
    assert result.is_valid, errors_of(result)
    assert not result.has_changes
    assert result.counts() == {
        "findings_new": 0, "findings_changed": 0, "findings_unchanged": 2,
        "measures_new": 0, "measures_changed": 0, "measures_unchanged": 4,
    }  # fmt: skip


def test_namesakes_are_exported_with_login_and_read_back(rect, people, org):
    Person.objects.create_user(username="qian2", password="x", name="钱联络", unit=org.hr)
    data = export_bytes(rect, people.office)
    sheet = load_workbook(io.BytesIO(data))["整改台账"]
    assert sheet["F4"].value == "钱联络（liaison）"
    assert not preview(rect, people, io.BytesIO(data)).has_changes


def test_changed_rows_show_before_and_after_and_commit_writes_them(rect, people):
    workbook = load_workbook(io.BytesIO(export_bytes(rect, people.office)))
    sheet = workbook["整改台账"]
    sheet["B4"] = "个别党支部组织生活会不够规范"  # finding 1's description
    sheet["G4"] = "2027-01-15"  # 1st measure's deadline
    sheet["E6"] = "人事处、教务处"  # co-unit on 立行立改
    sheet.append([None, None, "建立干部选任纪实抽查制度", "李校长", "人事处", "郑外单位", "2027-03-31（建章立制）"])
    sheet.append([3, "新问题：档案管理不规范", "全面清理干部档案", None, "人事处", None, "立行立改"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    result = preview(rect, people, buffer)
    assert result.is_valid, errors_of(result)
    counts = result.counts()
    assert (counts["findings_new"], counts["findings_changed"], counts["findings_unchanged"]) == (1, 1, 1)
    assert (counts["measures_new"], counts["measures_changed"], counts["measures_unchanged"]) == (2, 2, 2)
    first = result.findings[0].measures[0]
    assert [(c.column, c.old, c.new) for c in first.changes] == [("整改时限", "2026-12-31", "2027-01-15")]
    assert result.findings[1].measures[0].changes[0].column == "责任单位"
    # The dry run wrote nothing.
    assert Finding.objects.filter(plan=rect.plan).count() == 2 and Measure.objects.count() == 4

    buffer.seek(0)
    done = ledger.ledger_import_commit(acting_user=people.office, plan=rect.plan, path=buffer, today=rect.today)
    assert isinstance(done, ledger.LedgerImportDone)
    rect.f1.refresh_from_db()
    rect.deadline.item.refresh_from_db()
    assert rect.f1.description == "个别党支部组织生活会不够规范"
    assert rect.deadline.item.due_date == datetime.date(2027, 1, 15)
    assert list(rect.at_once.item.co_units.values_list("name", flat=True)) == ["教务处"]
    added = Measure.objects.get(item__title="建立干部选任纪实抽查制度")
    assert added.finding == rect.f2 and added.type == MeasureType.INSTITUTION
    new = Finding.objects.get(plan=rect.plan, ordinal=3)
    immediate = new.measures.get()
    assert immediate.type == MeasureType.IMMEDIATE and immediate.item.due_date == rect.today
    assert list(new.units.all()) == [rect.at_once.item.lead_unit]


# --- Import errors ------------------------------------------------------------------


def test_every_bad_row_is_listed_with_its_reason(rect, people, org):
    org.hr.short_name = "人事"
    org.hr.save()
    Person.objects.create_user(username="wang2", password="x", name="王重名", unit=org.hr)
    Person.objects.create_user(username="wang3", password="x", name="王重名", unit=org.hr)
    source = sheet_file(
        [
            row(measure="没有问题的措施", units="教务处", deadline="2026-12-31"),  # 4
            row(1, "问题一", "措施一", units="不存在处", deadline="2026-12-31"),  # 5
            row("", "", "措施二", units="人事", person="查无此人", deadline="2026-13-45"),  # 6
            row(1, "重复序号", "措施三", units="教务处", deadline="2026-12-31"),  # 7
            row("", "", "", units="教务处", deadline="2026-12-31"),  # 8
            row(5, "问题五", "措施五", units="人事处", person="王重名", deadline="明年"),  # 9
            row("x", "问题", "措施", leader="钱联络", units="教务处", deadline="长期坚持"),  # 10
            row(6, "", "措施六", units="教务处", deadline="2026-12-31"),  # 11
        ]
    )
    result = preview(rect, people, source)
    assert not result.is_valid
    assert errors_of(result) == [
        (4, "整改措施", C.ERR_ORPHAN_MEASURE),
        (5, "责任单位", C.ERR_UNKNOWN_UNIT.format(name="不存在处")),
        (6, "责任人", C.ERR_UNKNOWN_PERSON.format(name="查无此人")),
        (6, "整改时限", C.ERR_BAD_DEADLINE.format(value="2026-13-45")),
        (7, "序号", C.ERR_DUPLICATE_ORDINAL.format(value="1", first=5)),
        (8, "整改措施", C.ERR_EMPTY_MEASURE),
        (9, "责任人", C.ERR_AMBIGUOUS_PERSON.format(count=2, name="王重名", example="王重名（wang2）")),
        (9, "整改时限", C.ERR_BAD_DEADLINE.format(value="明年")),
        (10, "序号", C.ERR_BAD_ORDINAL.format(value="x")),
        (10, "责任领导", C.ERR_NOT_LEADER.format(name="钱联络")),
        (11, "问题描述", C.ERR_NO_DESCRIPTION),
    ]
    # The short name 人事 matched 人事处: row 6 has no unit error.


def test_person_is_matched_within_the_unit(rect, people, org):
    Person.objects.create_user(username="qian2", password="x", name="钱联络", unit=org.hr)
    source = sheet_file([row(9, "问题", "措施", units="人事处", person="钱联络", deadline="2026-12-31")])
    result = preview(rect, people, source)
    assert result.is_valid, errors_of(result)
    assert result.findings[0].measures[0].person.username == "qian2"


def test_header_not_recognised(rect, people):
    with pytest.raises(ledger.ImportFileError, match="找不到整改台账的表头"):
        preview(rect, people, sheet_file([row(1, "问题", "措施", units="教务处", deadline="2026-12-31")], False))


def test_missing_required_column_and_unreadable_file(rect, people):
    workbook = Workbook()
    workbook.active.append(["序号", "问题描述", "整改措施"])
    workbook.active.append([1, "问题", "措施"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ledger.ImportFileError, match="缺少必需的列：责任单位、整改时限"):
        preview(rect, people, buffer)
    with pytest.raises(ledger.ImportFileError, match="无法读取该文件"):
        preview(rect, people, io.BytesIO(b"not a workbook"))


def test_closed_measure_cannot_be_changed_by_import(rect, people):
    close_deadline(rect, people)
    workbook = load_workbook(io.BytesIO(export_bytes(rect, people.office)))
    workbook["整改台账"]["C4"] = "改个名字"
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = preview(rect, people, buffer)
    assert errors_of(result) == [(4, "整改措施", C.ERR_MEASURE_CLOSED)]


def test_commit_is_all_or_nothing(rect, people, monkeypatch):
    source = sheet_file(
        [
            row(3, "新问题三", "措施甲", units="教务处", deadline="2026-12-31"),
            row("", "", "措施乙", units="教务处", deadline="2026-12-31"),
        ]
    )
    real = finding_services.measure_save
    calls = []

    def refuse_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise Refused("模拟拒绝")
        return real(**kwargs)

    monkeypatch.setattr("duban.rectification.ledger.commit.measure_save", refuse_second)
    outcome = ledger.ledger_import_commit(acting_user=people.office, plan=rect.plan, path=source, today=rect.today)
    assert isinstance(outcome, ledger.LedgerImport)
    assert outcome.general_errors == [C.ERR_COMMIT_REFUSED.format(row=5, message="模拟拒绝")]
    assert not Finding.objects.filter(plan=rect.plan, ordinal=3).exists()
    assert not Item.objects.filter(title="措施甲").exists()


def test_invalid_file_commits_nothing(rect, people):
    source = sheet_file(
        [
            row(3, "新问题三", "措施甲", units="教务处", deadline="2026-12-31"),
            row(4, "新问题四", "措施乙", units="不存在处", deadline="2026-12-31"),
        ]
    )
    outcome = ledger.ledger_import_commit(acting_user=people.office, plan=rect.plan, path=source, today=rect.today)
    assert isinstance(outcome, ledger.LedgerImport) and not outcome.is_valid
    assert Finding.objects.filter(plan=rect.plan).count() == 2


def test_only_the_office_may_import(rect, people):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        ledger.ledger_import_preview(acting_user=people.head, plan=rect.plan, path=sheet_file([]))


def test_template_reads_back_as_one_finding_with_two_measures(rect, people):
    buffer = io.BytesIO()
    ledger.template_workbook().save(buffer)
    result = preview(rect, people, buffer)
    assert result.is_valid, errors_of(result)
    assert [len(f.measures) for f in result.findings] == [2]
    assert [m.measure_type for m in result.findings[0].measures] == [MeasureType.INSTITUTION, MeasureType.IMMEDIATE]
    # 序号 1 is finding 1 of the plan: its description and measures would change.
    assert result.findings[0].action == "changed"


# --- Views --------------------------------------------------------------------------


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type=XLSX_CONTENT_TYPE)


def test_views_upload_preview_commit(rect, people, client_for):
    client = client_for(people.office)
    url = reverse("rectification:ledger_import", args=[rect.plan.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": upload("台账.xlsx", b"junk")})
    assert response.status_code == 200 and C.ERR_UNREADABLE in response.content.decode()

    workbook = load_workbook(io.BytesIO(export_bytes(rect, people.office)))
    workbook["整改台账"]["C4"] = "规范组织生活会流程并建立台账"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client.post(url, {"file": upload("台账.xlsx", buffer.getvalue())})
    assert response.status_code == 302 and "?token=" in response["Location"]
    token = response["Location"].split("token=")[1]
    page = client.get(response["Location"]).content.decode()
    assert "导入预览" in page and "规范组织生活会流程并建立台账" in page and "导入时忽略" in page
    assert Item.objects.get(pk=rect.deadline.pk).title == "规范组织生活会流程"  # the preview wrote nothing
    clerk = Person.objects.create_user(username="office2", password="x", name="二号文书", must_change_password=False)
    RoleGrant.objects.create(person=clerk, role=Role.OFFICE)
    assert client_for(clerk).get(f"{url}?token={token}").status_code == 404  # another clerk's upload
    response = client.post(url, {"token": token})
    assert response.status_code == 200 and "导入完成" in response.content.decode()
    assert Item.objects.get(pk=rect.deadline.pk).title == "规范组织生活会流程并建立台账"
    # The file is gone after the commit.
    assert client.post(url, {"token": token}).status_code == 404


EXPORT, IMPORT, TEMPLATE = "export", "import", "template"


@pytest.mark.parametrize(
    "persona, allowed",
    [
        ("office", {EXPORT, IMPORT, TEMPLATE}),
        ("leader", {EXPORT}),
        ("head", {EXPORT}),
        ("liaison", {EXPORT}),
        ("taskforce", {EXPORT}),
        ("discipline", {EXPORT}),
        ("outsider", {EXPORT}),
        ("staff", set()),
        ("norole", set()),
        ("sys_admin", set()),
    ],
)
def test_permissions_per_persona(rect, people, client_for, persona, allowed):
    client = client_for(getattr(people, persona))
    urls = {
        EXPORT: reverse("rectification:ledger_export", args=[rect.plan.pk]),
        IMPORT: reverse("rectification:ledger_import", args=[rect.plan.pk]),
        TEMPLATE: reverse("rectification:import_template"),
    }
    for name, url in urls.items():
        status = client.get(url).status_code
        assert (status == 200) == (name in allowed), (name, status)
        if name not in allowed:
            assert status == 403


def test_export_download_and_anonymous(rect, people, client, client_for):
    url = reverse("rectification:ledger_export", args=[rect.plan.pk])
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    response = client_for(people.head).get(url)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = unquote(response["Content-Disposition"])
    assert disposition.startswith("attachment;") and "2026年巡视整改方案整改台账-20261102.xlsx" in disposition
    sheet = load_workbook(io.BytesIO(response.content))["整改台账"]
    titles = [sheet.cell(r, 3).value for r in range(4, sheet.max_row + 1)]
    assert "立即纠正不规范的选拔程序" not in titles  # 人事处's measure: not the 教务处 head's
    response = client.get(reverse("rectification:import_template"))
    assert response.status_code == 302
    assert client_for(people.office).get(reverse("rectification:ledger_export", args=[99999])).status_code == 404
    assert Unit.objects.exists()
