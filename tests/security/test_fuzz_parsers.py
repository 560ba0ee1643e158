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
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

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

FAST = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SLOW = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
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


@FAST
@given(text=LINES)
@example(text="甲" * 41 + "\n" + "甲" * 42)  # once the same name twice (cut to 40 after the check)
def test_parse_names_never_fails(text):
    names = parse_names(text)
    assert len(names) == len(set(names))
    assert all(name and len(name) <= 40 and not name.isdigit() for name in names)


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


@FAST
@given(text=st.one_of(LINES, TEXT), due=st.none() | DAY, today=DAY)
def test_ledger_nodes_parse_returns_nodes_or_bad_value(text, due, today):
    try:
        nodes = ledger_values.nodes_parse(text, due, today)
    except ledger_values.BadValue:
        return
    for on, title in nodes:
        assert isinstance(on, datetime.date) and title


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


@FAST
@given(text=st.one_of(REPORT, st.text(max_size=200)), published=st.none() | DAY)
@example(text="会议强调，一要抓好课程建设，99999999个月内完成。二要抓好实践教学。", published=None)
def test_minutes_extraction_never_fails(text, published):
    result = extract(text, published=published, units=[])
    assert set(result) == {"meeting_date", "items", "units_mentioned"}
    for item in result["items"]:
        assert item["deadline"] is None or datetime.date.fromisoformat(item["deadline"])


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


@FAST
@given(name=NAMES)
def test_safe_name_is_a_plain_file_name(name):
    safe = safe_name(name)
    assert safe and len(safe) <= 120
    assert "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert not safe.startswith(".")


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


@FAST
@given(value=CELL_VALUES)
def test_cell_text_never_fails(value):
    assert isinstance(xlsx.cell_text(value), str)


@FAST
@given(raw=st.one_of(st.binary(max_size=400), st.binary(max_size=400).map(lambda raw: b"PK\x03\x04" + raw)))
def test_open_workbook_refuses_what_is_not_a_workbook(raw):
    try:
        workbook = xlsx.open_workbook(io.BytesIO(raw))
    except xlsx.WorkbookUnreadable:
        return
    workbook.close()
    assume(False)  # random bytes that calamine opens would be news, not a failure
