"""Bad input is refused cleanly (issue 9, 等保 2.0 三级): property-based tests of every parser of
user data — pasted text (holidays, minutes, names, checklists, recheck days), the cell values of
the ledgers (dates, time nodes, numbers, 整改时限), uploaded .txt/.docx reports and evidence files,
and the three Excel imports (督办台账, 整改台账, 单位和人员).

The property is the same everywhere: a parser either returns a valid result or raises its own
refusal (Refused, Unreadable, UploadRejected, ImportFileError, a form error) whose message is
Chinese; never any other exception (which would be a 500). The Excel imports also check that a
commit that is refused writes nothing: the row counts of the models it touches are unchanged.

The budget is small and derandomised so that CI runs the same examples every time.
"""

import datetime
import io
import re
import zipfile

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from duban.assessment.forms import parse_names
from duban.leave.services.configure import holidays_parse
from duban.lib import xlsx
from duban.lib.uploads import UploadRejected, check_evidence, safe_name
from duban.minutes import dates as minutes_dates
from duban.minutes.extract import extract
from duban.minutes.forms import MinutesInputForm
from duban.minutes.reading import Unreadable, read_bytes
from duban.rectification.ledger import values as rect_values
from duban.rectification.models import MeasureType
from duban.rectification.services.lookback import parse_points
from duban.rectification.services.plans import parse_recheck_days
from duban.supervision.ledger_import import values as ledger_values
from duban.supervision.services import Refused
from tests.markers import DB_FREE
from tests.rectification.conftest import build_rect
from tests.supervision.conftest import build_work

# The pure parsers touch no database (DB_FREE: the SQLite pass only); the imports, which
# write, run on both passes.

FAST = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SLOW = settings(
    max_examples=35,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

CJK = re.compile("[\u4e00-\u9fff]")


def chinese(message) -> bool:
    return bool(CJK.search(str(message)))


def refusal_messages(error: ValidationError) -> list[str]:
    return list(error.messages)


# --- Strategies ------------------------------------------------------------------------------

# Pieces people (and attackers) put in dates and numbers: ASCII, full-width and other Unicode
# digits, superscripts (isdigit() but not int()), separators, odd whitespace, huge numbers.
DIGITS = st.sampled_from(list("0123456789０１２３４５６７８９²³¹٣߃१" + "〇一二两三四五六七八九十百千万半"))
PIECES = st.sampled_from(
    [
        "2026",
        "2026-",
        "-",
        "/",
        ".",
        "．",
        "年",
        "月",
        "日",
        "号",
        "底",
        "末",
        "份",
        "前",
        "之前",
        "个月内",
        "周内",
        "天内",
        "日内",
        "每",
        "每两周",
        "每季度",
        "年底前",
        "长期坚持",
        "立行立改",
        "建章立制",
        "限期整改",
        "（",
        "）",
        "(",
        ")",
        "：",
        ":",
        "；",
        ";",
        "、",
        "，",
        ",",
        " ",
        "\u3000",
        "\u00a0",
        "\t",
        "\r\n",
        "\n",
        "\x00",
        "\x1b",
        "\u200b",
        "\ufeff",
        "0",
        "00",
        "13",
        "31",
        "32",
        "29",
        "2月29日",
        "0000",
        "9999",
        "10000",
        "99999999999999999999",
        "1e400",
        "-1",
        "NaN",
        "inf",
        "国庆节",
        "调休上班",
        "完成方案论证",
        "=1+1",
        "'; DROP TABLE x; --",
        "<script>",
    ]
)
DIGIT_RUN = st.lists(DIGITS, min_size=1, max_size=4).map("".join)
NUMBERS = st.one_of(st.integers(min_value=-(10**30), max_value=10**30), st.integers(0, 40)).map(str)
TOKENS = st.one_of(PIECES, DIGIT_RUN, NUMBERS)
MIXED = st.lists(TOKENS, max_size=10).map("".join)
# Mostly plausible pieces (most bugs hide just next to the valid forms), and anything at all:
# Unicode, control characters (surrogates are left out by hypothesis).
TEXT = st.one_of(MIXED, TOKENS, st.text(max_size=60))
LINES = st.lists(TEXT, max_size=8).map("\n".join)
DAY = st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31))


# --- Pasted text and cell values --------------------------------------------------------------


@DB_FREE
@FAST
@given(
    text=st.one_of(
        LINES,
        st.lists(st.tuples(DAY, st.sampled_from(["国庆节", "调休上班", ""])), max_size=4).map(
            lambda days: "\n".join(f"{d:%Y-%m-%d} {name}" for d, name in days)
        ),
    )
)
def test_holidays_parse_returns_days_or_refuses_in_chinese(text):
    try:
        days = holidays_parse(text)
    except Refused as error:
        assert all(chinese(m) for m in refusal_messages(error))
        return
    assert days
    for day, is_workday, name in days:
        assert isinstance(day, datetime.date)
        assert isinstance(is_workday, bool)
        assert len(name) <= 40


@DB_FREE
@FAST
@given(text=st.one_of(TEXT, st.lists(st.one_of(NUMBERS, DIGITS), max_size=5).map(",".join)))
@example(text="²")  # str.isdigit() but not int(): once a ValueError
def test_parse_recheck_days_returns_days_or_refuses_in_chinese(text):
    try:
        days = parse_recheck_days(text)
    except Refused as error:
        assert all(chinese(m) for m in refusal_messages(error))
        return
    assert days == sorted(set(days))
    assert all(1 <= day <= 730 for day in days)


@DB_FREE
@FAST
@given(text=LINES)
def test_parse_points_returns_a_checklist_or_refuses_in_chinese(text):
    try:
        points = parse_points(text)
    except Refused as error:
        assert all(chinese(m) for m in refusal_messages(error))
        return
    assert points and all(point["label"] and len(point["label"]) <= 200 for point in points)
    assert len({point["key"] for point in points}) == len(points)


@DB_FREE
@FAST
@given(text=LINES)
@example(text="甲" * 41 + "\n" + "甲" * 42)  # once the same name twice (cut to 40 after the check)
def test_parse_names_never_fails(text):
    names = parse_names(text)
    assert len(names) == len(set(names))
    assert all(name and len(name) <= 40 and not name.isdigit() for name in names)


@DB_FREE
@FAST
@given(text=TEXT)
@example(text="²")  # once a ValueError past BadValue (a 500 in the import)
def test_ledger_due_parse_returns_a_date_or_bad_value(text):
    # BadValue is the cell-level refusal; the import turns it into ERR_BAD_DATE (checked below).
    try:
        due = ledger_values.due_parse(text)
    except ledger_values.BadValue:
        return
    assert due is None or isinstance(due, datetime.date)


@DB_FREE
@FAST
@given(text=st.one_of(LINES, TEXT), due=st.none() | DAY, today=DAY)
def test_ledger_nodes_parse_returns_nodes_or_bad_value(text, due, today):
    try:
        nodes = ledger_values.nodes_parse(text, due, today)
    except ledger_values.BadValue:
        return
    for on, title in nodes:
        assert isinstance(on, datetime.date) and title


@DB_FREE
@FAST
@given(text=TEXT)
def test_ledger_number_parse_returns_a_number_or_bad_value(text):
    try:
        number = ledger_values.number_parse(text)
    except ledger_values.BadValue:
        return
    if number is not None:
        parent, ordinal = number
        assert ordinal >= 1 and (parent is None or parent >= 1)


@DB_FREE
@FAST
@given(text=TEXT)
@example(text="立行立改（²）")
def test_rectification_deadline_parse_returns_a_type_or_bad_value(text):
    try:
        measure_type, due = rect_values.deadline_parse(text)
    except ledger_values.BadValue:
        return
    assert measure_type in MeasureType.values
    assert due is None or isinstance(due, datetime.date)


# --- Meeting reports ---------------------------------------------------------------------------

REPORT_PIECES = st.sampled_from(
    [
        "会议强调，",
        "一要",
        "二要",
        "三是",
        "第一，",
        "（一）",
        "1.",
        "①",
        "⑴",
        "首先，",
        "教务处",
        "要在",
        "前完成",
        "个月内完成",
        "年底前",
        "每",
        "周报送一次",
        "时间：",
        "发布日期：",
        "召开",
        "月",
        "日",
        "年",
        "。",
        "\n",
        "\r\n",
        "\n\n",
    ]
)
REPORT = st.lists(st.one_of(REPORT_PIECES, DIGITS, NUMBERS, st.text(max_size=6)), max_size=40).map("".join)


@DB_FREE
@FAST
@given(text=st.one_of(REPORT, st.text(max_size=200)), published=st.none() | DAY)
@example(text="会议强调，一要抓好课程建设，99999999个月内完成。二要抓好实践教学。", published=None)
def test_minutes_extraction_never_fails(text, published):
    result = extract(text, published=published, units=[])
    assert set(result) == {"meeting_date", "items", "units_mentioned"}
    for item in result["items"]:
        assert item["deadline"] is None or datetime.date.fromisoformat(item["deadline"])


@DB_FREE
@FAST
@given(text=st.one_of(REPORT, TEXT), base=st.none() | DAY)
@example(text="要在99999999个月内完成", base=datetime.date(2026, 11, 2))  # once a ValueError (year out of range)
@example(text="要在9999999999天内完成", base=datetime.date(2026, 11, 2))  # once an OverflowError
@example(text="每周报送一次", base=datetime.date(9999, 12, 31))
@example(text="12月31日召开会议", base=datetime.date(9999, 12, 31))
def test_minutes_dates_never_fail(text, base):
    for found in (
        minutes_dates.deadline(text, base),
        minutes_dates.meeting_date(text, base),
        minutes_dates.header_date(text),
        minutes_dates.publication_date(text),
    ):
        assert found is None or isinstance(found, datetime.date)


def docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


XML_SAFE = st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), max_size=40)
REPORT_BYTES = st.one_of(
    st.binary(max_size=300),
    st.binary(max_size=300).map(lambda raw: b"PK\x03\x04" + raw),  # looks like a zip, is not
    REPORT.map(lambda text: text.encode("utf-8")),
    REPORT.map(lambda text: text.encode("gb18030")),
    st.dictionaries(st.sampled_from(["word/document.xml", "[Content_Types].xml", "x"]), st.binary(max_size=60)).map(
        zip_bytes
    ),
)


@DB_FREE
@SLOW
@given(
    raw=st.one_of(
        REPORT_BYTES,
        st.lists(XML_SAFE, max_size=4).map(docx_bytes),
        st.tuples(st.lists(XML_SAFE, min_size=1, max_size=3).map(docx_bytes), st.integers(10, 4000)).map(
            lambda pair: pair[0][: pair[1]]  # a truncated .docx
        ),
    ),
    docx=st.booleans(),
)
def test_report_reading_returns_chinese_text_or_refuses_in_chinese(raw, docx):
    try:
        text = read_bytes(raw, name="会议纪要", docx=docx)
    except Unreadable as error:
        assert chinese(error)
        return
    assert CJK.search(text)


@pytest.mark.django_db
@SLOW
@given(
    text=st.one_of(REPORT, TEXT, st.text(max_size=300)),
    upload=st.none() | st.tuples(st.sampled_from(["纪要.txt", "纪要.docx", "纪要.doc", "x"]), REPORT_BYTES),
    published=st.sampled_from(["", "2026-11-02", "2026-02-30", "二〇二六年", "99999-01-01", "\x00"]),
)
def test_minutes_input_form_accepts_or_refuses_in_chinese(text, upload, published):
    files = {}
    if upload is not None:
        name, raw = upload
        files["upload"] = SimpleUploadedFile(name, raw)
    form = MinutesInputForm(data={"text": text, "title": "", "published": published}, files=files)
    if form.is_valid():
        assert CJK.search(form.cleaned_data["content"])
        return
    for messages in form.errors.values():
        assert all(chinese(m) for m in messages)


# --- Uploaded evidence and workbook helpers ----------------------------------------------------

NAMES = st.one_of(
    st.text(max_size=80),
    st.tuples(st.text(max_size=20), st.sampled_from([".pdf", ".PDF", ".docx", ".txt", ".exe", ".xlsx", ""])).map(
        "".join
    ),
    st.sampled_from(["../../etc/passwd", "..\\..\\boot.ini", "\x00.pdf", "." * 300, "a" * 500 + ".pdf"]),
)


@DB_FREE
@FAST
@given(name=NAMES)
def test_safe_name_is_a_plain_file_name(name):
    safe = safe_name(name)
    assert safe and len(safe) <= 120
    assert "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert not safe.startswith(".")


@DB_FREE
@FAST
@given(name=NAMES, raw=st.one_of(st.binary(max_size=600), st.sampled_from([b"%PDF-1.4\n", b"PK\x03\x04", b""])))
def test_check_evidence_accepts_or_refuses_in_chinese(name, raw):
    upload = SimpleUploadedFile(name or "x", raw)
    try:
        accepted = check_evidence(upload, max_bytes=500)
    except UploadRejected as error:
        assert chinese(error)
        return
    assert accepted == safe_name(name or "x")


CELL_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.datetimes(),
    st.dates(),
    st.times(),
    st.timedeltas(),
)


@DB_FREE
@FAST
@given(value=CELL_VALUES)
def test_cell_text_never_fails(value):
    assert isinstance(xlsx.cell_text(value), str)


@DB_FREE
@FAST
@given(raw=st.one_of(st.binary(max_size=400), st.binary(max_size=400).map(lambda raw: b"PK\x03\x04" + raw)))
def test_open_workbook_refuses_what_is_not_a_workbook(raw):
    try:
        workbook = xlsx.open_workbook(io.BytesIO(raw))
    except xlsx.WorkbookUnreadable:
        return
    workbook.close()
    assume(False)  # random bytes that calamine opens would be news, not a failure


# --- The Excel imports -------------------------------------------------------------------------

TODAY = datetime.date(2026, 11, 2)
FROZEN = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
IMPORT = settings(
    # Fewer on PostgreSQL (CI's second pass): the same generated files, a smaller budget.
    max_examples=20 if connection.vendor == "postgresql" else 35,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
WRITTEN_APPS = ("org", "supervision", "rectification", "audit", "accounts")


@pytest.fixture
def work(org, people):
    return build_work(org, people)


@pytest.fixture
def rect(org, people):
    return build_rect(org, people)


def row_counts() -> dict[str, int]:
    """Rows of every model an import may write (and of the security events it records)."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in WRITTEN_APPS and not model._meta.proxy
    }


def cell_safe(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)


CELL_TEXT = st.one_of(
    XML_SAFE, TEXT.map(cell_safe), st.just("甲" * 2100), st.sampled_from(["=1+1", "=A1", "'=SUM(A:A)"])
)
CELL = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(min_value=datetime.datetime(1900, 3, 1), max_value=datetime.datetime(9999, 12, 31)),
    st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(9999, 12, 31)),
    CELL_TEXT,
)
DUE = st.one_of(
    st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(9999, 12, 31)),
    st.sampled_from(
        ["2026-12-31", "2026/12/31", "2026年12月31日", "长期坚持", "9999-12-31", "0001-01-01", "2026-02-30"]
    ),
    st.integers(20_000, 99_999),
    CELL,
)
UNIT_NAMES = ["教务处", "人事处", "党委办公室", "航空运输系党支部", "第一联络组", "江城航空学院", "不存在的处"]
PEOPLE_NAMES = ["李校长", "李校长（leader）", "钱联络", "钱联络(liaison)", "王文书", "无此人", "郑外单位（leader）"]
TITLES = [
    "本科教学质量提升工程",
    "实验室建设项目",
    "新增事项",
    "个别党支部组织生活会不够规范严谨，钱联络所在支部记录不全",
]


@st.composite
def sheet_rows(draw, columns: dict[str, tuple[list, list]], *, clean: bool):
    """A header and rows for it. `columns` maps each label to (values that should pass, odd
    values). A clean sheet has the labels in order and mostly passing values, so that some files
    are valid and reach the commit; a messy one has labels shuffled, marked as the template marks
    them, left out or misspelt, junk among them, and cells of anything."""
    labels = list(columns)
    if clean:
        header = [draw(st.sampled_from([label, label + "*"])) for label in labels]
    else:
        header = draw(st.permutations(labels))
        header = [label for label in header if draw(st.integers(0, 9)) > 0]  # now and then a column goes missing
        header = [draw(st.sampled_from([label, label + "*", label + "（必填）", " " + label])) for label in header]
        if draw(st.booleans()):
            header.insert(draw(st.integers(0, len(header))), draw(CELL_TEXT))
    rows = []
    for _ in range(draw(st.integers(1 if clean else 0, 4))):
        row = []
        for label in header:
            key = label.strip().rstrip("*").split("（")[0]
            valid, odd = columns.get(key, ([None], []))
            roll = draw(st.integers(0, 19))
            if clean and roll > 1 or not clean and roll > 9:
                row.append(draw(st.sampled_from(valid)))
            elif roll % 2 and odd:
                row.append(draw(st.sampled_from(odd)))
            else:
                row.append(draw(CELL))
        rows.append(row)
    return header, rows


@st.composite
def workbook_bytes(draw, sheets: dict[str, dict[str, tuple[list, list]]]):
    """An .xlsx built by openpyxl with the given sheets (by name, each with its columns): clean
    ones, and messy ones with other sheets, junk rows above the header, blank rows and merged
    cells."""
    clean = draw(st.integers(0, 2)) < 2
    workbook = Workbook()
    workbook.remove(workbook.active)
    names = (
        list(sheets)
        if clean
        else draw(st.lists(st.sampled_from([*sheets, "Sheet1"]), min_size=1, max_size=3, unique=True))
    )
    for name in names:
        sheet = workbook.create_sheet(name)
        for _ in range(0 if clean else draw(st.integers(0, 2))):
            sheet.append(draw(st.lists(CELL, max_size=3)))
        header, rows = draw(sheet_rows(sheets.get(name) or next(iter(sheets.values())), clean=clean))
        sheet.append(header)
        for row in rows:
            if not clean and draw(st.integers(0, 5)) == 0:
                sheet.append([])
            sheet.append(row)
        if not clean and draw(st.integers(0, 3)) == 0:
            top, left = draw(st.integers(1, 6)), draw(st.integers(1, 6))
            sheet.merge_cells(
                start_row=top,
                start_column=left,
                end_row=top + draw(st.integers(0, 3)),
                end_column=left + draw(st.integers(0, 2)),
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_of(sheets: dict[str, list[list]]) -> bytes:
    """A workbook with these sheets of rows (for the explicit examples)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


LEDGER_HEADER = ["序号", "事项", "牵头单位", "完成时限", "时间节点"]
RECT_HEADER = ["序号", "问题描述", "整改措施", "责任单位", "整改时限"]
UNIT_HEADER = ["单位名称", "类型", "上级单位", "排序"]


@st.composite
def uploads(draw, sheets) -> tuple[str, bytes]:
    """What may arrive as an .xlsx: mostly workbooks of every shape; else truncated ones, random
    bytes, a zip that is no workbook, or the wrong extension."""
    roll = draw(st.integers(0, 9))
    if roll <= 6:
        return "台账.xlsx", draw(workbook_bytes(sheets))
    if roll == 7:
        return draw(st.sampled_from(["台账.xls", "台账", "台账.xlsx.exe"])), draw(workbook_bytes(sheets))
    if roll == 8:
        data = draw(workbook_bytes(sheets))
        return "台账.XLSX", data[: draw(st.integers(0, len(data) - 1))]
    junk = st.one_of(
        st.binary(max_size=200),
        st.dictionaries(st.sampled_from(["xl/workbook.xml", "[Content_Types].xml"]), st.binary(max_size=50)).map(
            zip_bytes
        ),
    )
    return "台账.xlsx", draw(junk)


def assert_refused_in_chinese(result) -> None:
    """A dry run that found problems says what, in Chinese, for every one."""
    assert all(chinese(message) for message in result.general_errors)
    assert all(chinese(error.message) and error.column for error in result.errors)


LEDGER_SHEETS = {
    "督办台账": {
        "序号": (["", "1", "2", "5", 3], ["1.1", "2.3", 1.5, "0", "1.0", "9.1", "1000000"]),
        "事项": (TITLES, ["", "甲" * 201]),
        "牵头单位": (["教务处", "人事处"], UNIT_NAMES),
        "责任单位": (["", "人事处", "教务处、人事处"], ["人事处，不存在的处", "、、"]),
        "帮包领导": (["", "李校长", "李校长（leader）"], PEOPLE_NAMES),
        "责任人": (["", "钱联络", "郑外单位"], PEOPLE_NAMES),
        "时间节点": (
            ["", "10月15日 完成方案论证", "2026-11-30 完成招标；12月1日 验收"],
            ["2月30日 x", "完成", "9999-12-31 末日", "0001-01-01 始", "12月31日 " + "甲" * 201],
        ),
        "完成时限": (
            ["2026-12-31", "2026/12/31", "2027年3月1日", "长期坚持", datetime.date(2026, 12, 31), 46387],
            ["9999-12-31", "0001-01-01", "2026-02-30", "²", 20_000, 99_999, datetime.datetime(9999, 12, 31)],
        ),
        "进展情况": ([""], []),
        "状态": ([""], []),
        "备注": (["", "备注"], ["甲" * 301]),
    }
}


def ledger_run(module, office, plan, name, data, *, commit):
    """Upload check, then the preview or the commit of one of the two ledger imports (the
    supervision and the rectification modules offer the same four names)."""
    try:
        module.upload_check(SimpleUploadedFile(name, data))
    except module.ImportFileError as error:
        assert chinese(error)
        event("file refused")
        return None
    source = io.BytesIO(data)
    run = module.ledger_import_commit if commit else module.ledger_import_preview
    return run(acting_user=office, plan=plan, path=source, today=TODAY)


def supervision_import(office, plan, name, data, *, commit):
    from duban.supervision import ledger_import

    return ledger_run(ledger_import, office, plan, name, data, commit=commit)


@pytest.mark.django_db
@IMPORT
@given(upload=uploads(LEDGER_SHEETS))
def test_supervision_ledger_import_dry_run_refuses_in_chinese(work, people, upload):
    from duban.supervision.ledger_import import LedgerPlan

    before = row_counts()
    result = supervision_import(people.office, work.plan, *upload, commit=False)
    if isinstance(result, LedgerPlan) and not result.is_valid:
        assert_refused_in_chinese(result)
    assert row_counts() == before  # a dry run writes nothing


@pytest.mark.django_db
@IMPORT
@given(upload=uploads(LEDGER_SHEETS))
@example(upload=("台账.xlsx", xlsx_of({"督办台账": [LEDGER_HEADER, ["", "新事项", "教务处", "²", ""]]})))
@example(
    upload=(
        "台账.xlsx",
        xlsx_of({"督办台账": [LEDGER_HEADER, ["", "新事项", "教务处", "9999-12-31", "12月31日 末日"]]}),
    )
)
@example(upload=("台账.xlsx", xlsx_of({"督办台账": [LEDGER_HEADER, ["", "新事项", "教务处", "0001-01-01", ""]]})))
def test_supervision_ledger_import_commit_writes_all_or_nothing(work, people, upload):
    from duban.supervision.ledger_import import LedgerPlan

    with transaction.atomic(), time_machine.travel(FROZEN, tick=False):
        before = row_counts()
        result = supervision_import(people.office, work.plan, *upload, commit=True)
        if result is None or isinstance(result, LedgerPlan):
            if result is not None:
                assert not result.is_valid
                assert_refused_in_chinese(result)
            assert row_counts() == before  # refused: nothing half-written
            event("commit refused")
        else:
            event("committed")
            after = row_counts()
            assert after["supervision.Item"] == before["supervision.Item"] + result.counts["created"]
        transaction.set_rollback(True)  # the next example imports into the fixture plan as it was


RECT_SHEETS = {
    "整改台账": {
        "序号": (["1", "2", "3", 1, ""], [2.5, "0", "-1", "１"]),
        "问题描述": (TITLES[2:] + ["", "新问题"], ["甲" * 2001]),
        "整改措施": (["规范组织生活会流程", "制定组织生活会工作规范", "新措施"], ["", "甲" * 201]),
        "责任领导": (["", "李校长"], PEOPLE_NAMES),
        "责任单位": (["教务处", "人事处", "教务处、人事处"], [*UNIT_NAMES, "教务", ""]),
        "责任人": (["", "钱联络"], PEOPLE_NAMES),
        "整改时限": (
            ["2026-12-31", "立行立改", "立行立改（2026-11-30）", "长期坚持", "2026-12-15（建章立制）"],
            ["建章立制", "2020-01-01", "9999-12-31", "立行立改（9999-12-31）", "0001-01-01（建章立制）"],
        ),
        "整改进展": ([""], []),
        "完成情况": ([""], []),
        "销号情况": ([""], []),
        "备注": (["", "备注"], ["甲" * 301]),
    }
}


def rectification_import(office, plan, name, data, *, commit):
    from duban.rectification import ledger

    return ledger_run(ledger, office, plan, name, data, commit=commit)


@pytest.mark.django_db
@IMPORT
@given(upload=uploads(RECT_SHEETS))
def test_rectification_ledger_import_dry_run_refuses_in_chinese(rect, people, upload):
    from duban.rectification.ledger import LedgerImport

    before = row_counts()
    result = rectification_import(people.office, rect.plan, *upload, commit=False)
    if isinstance(result, LedgerImport) and not result.is_valid:
        assert_refused_in_chinese(result)
    assert row_counts() == before


@pytest.mark.django_db
@IMPORT
@given(upload=uploads(RECT_SHEETS))
@example(upload=("台账.xlsx", xlsx_of({"整改台账": [RECT_HEADER, ["²", "新问题", "新措施", "教务处", "2026-12-31"]]})))
@example(upload=("台账.xlsx", xlsx_of({"整改台账": [RECT_HEADER, ["3", "新问题", "新措施", "教务处", "9999-12-31"]]})))
def test_rectification_ledger_import_commit_writes_all_or_nothing(rect, people, upload):
    from duban.rectification.ledger import LedgerImport

    with transaction.atomic(), time_machine.travel(FROZEN, tick=False):
        before = row_counts()
        result = rectification_import(people.office, rect.plan, *upload, commit=True)
        if result is None or isinstance(result, LedgerImport):
            if result is not None:
                assert not result.is_valid
                assert_refused_in_chinese(result)
            assert row_counts() == before
            event("commit refused")
        else:
            event("committed")
            assert row_counts()["rectification.Finding"] >= before["rectification.Finding"]
        transaction.set_rollback(True)


ORG_SHEETS = {
    "单位": {
        "单位名称": (["新单位", "教务处", "另一新单位"], ["甲" * 101, ""]),
        "简称": (["", "新"], ["甲" * 41]),
        "单位编码": (["", "XD01"], ["JW", 1, "甲" * 41]),
        "类型": (["职能部门", "联络组", "党支部"], ["学校", "不知道"]),
        "上级单位": (["", "江城航空学院", "党委办公室"], ["新单位", "不存在的处", "另一新单位"]),
        "排序": (["", "1", 20], ["-1", "1.5", 10**12, "2147483648", "²"]),
        "联系单位": (["", "教务处"], ["教务处、人事处", "新单位", "不存在的处"]),
    },
    "人员": {
        "姓名": (["新人", "钱联络"], ["甲" * 41, ""]),
        "登录名": (["newbie", "liaison", "n2"], ["有 空格", "a" * 65, "", 12345, "ＡＢＣ"]),
        "所在单位": (["教务处", "新单位"], UNIT_NAMES),
        "职级": (["科员", "正处级", "无职级"], ["处级", "不知道"]),
        "职务": (["", "处长"], ["甲" * 61]),
        "手机号": (["", "13800000000"], ["123", "+86-138", "电话", 13800000000, "１３８００００００００"]),
        "电子邮箱": (["", "a@b.cn"], ["not-an-email", "a@" + "b" * 300 + ".cn"]),
    },
}


def org_import(sys_admin, name, data, *, commit):
    from duban.org import importing

    try:
        importing.upload_check(SimpleUploadedFile(name, data))
    except importing.ImportFileError as error:
        assert chinese(error)
        event("file refused")
        return None
    source = io.BytesIO(data)
    if commit:
        return importing.import_commit(acting_user=sys_admin, path=source)
    return importing.import_preview(acting_user=sys_admin, path=source)


@pytest.mark.django_db
@IMPORT
@given(upload=uploads(ORG_SHEETS))
def test_org_import_dry_run_refuses_in_chinese(people, upload):
    from duban.org.importing import ImportPlan

    before = row_counts()
    result = org_import(people.sys_admin, *upload, commit=False)
    if isinstance(result, ImportPlan) and not result.is_valid:
        assert_refused_in_chinese(result)
    assert row_counts() == before


@pytest.mark.django_db
@IMPORT
@given(upload=uploads(ORG_SHEETS))
@example(upload=("导入.xlsx", xlsx_of({"单位": [UNIT_HEADER, ["新单位", "职能部门", "江城航空学院", "²"]]})))
def test_org_import_commit_writes_all_or_nothing(people, upload):
    from duban.org.importing import ImportPlan

    with transaction.atomic():
        before = row_counts()
        result = org_import(people.sys_admin, *upload, commit=True)
        if result is None or isinstance(result, ImportPlan):
            if result is not None:
                assert not result.is_valid
                assert_refused_in_chinese(result)
            assert row_counts() == before
            event("commit refused")
        else:
            event("committed")
            after = row_counts()
            assert after["org.Person"] == before["org.Person"] + len(result.new_accounts)
        transaction.set_rollback(True)
