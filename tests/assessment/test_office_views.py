"""The office's pages of a review session: who may see and do what, setting a session up
(create, subjects by bulk paste, reports, scale, groups), the printed slips and the screen,
voiding, turnout, and opening, closing and reopening through the views."""

import io
import os
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from duban.assessment.forms import ERR_NO_NAMES, ERR_REPORT_TYPE
from duban.assessment.models import (
    BallotCode,
    CodeBatch,
    ReportMode,
    ReviewSession,
    SessionLog,
    SessionLogKind,
    SessionState,
    Subject,
    VoterGroup,
)
from duban.assessment.services import Refused
from duban.assessment.services import sessions as svc
from duban.assessment.services.sessions import ERR_NOT_DRAFT, ERR_REASON
from duban.assessment.services.voting import ERR_USED, ERR_VOIDED, ballot_cast, code_find
from duban.org.models import Person
from tests.assessment.conftest import all_marks

pytestmark = pytest.mark.django_db

CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
PDF = b"%PDF-1.4\n% a report\n"
DOCX_MAGIC = b"PK\x03\x04" + b"\x00" * 40


def url(name, *args):
    return reverse(f"assessment:{name}", args=args)


def said(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def with_report(draft_review, people):
    subject = draft_review.subjects[0]
    subject.report.save("r.pdf", io.BytesIO(PDF), save=False)
    subject.report_name = "陈晓明述职报告.pdf"
    subject.save()
    return subject


# --- Permissions ---------------------------------------------------------------------

READ_PAGES = ["session_list", "session_detail", "subjects", "scale", "groups", "turnout", "turnout_live"]
OFFICE_PAGES = ["session_create", "session_edit", "subject_edit", "codes", "screen"]
POST_ONLY = ["session_open", "session_close", "session_reopen", "subject_delete", "batch_void"]


def page_url(name, review, subject=None, batch=None):
    session = review.session
    if name in ("session_list", "session_create"):
        return url(name)
    if name in ("subject_edit", "subject_delete", "subject_report"):
        return url(name, session.pk, (subject or review.subjects[0]).pk)
    if name == "batch_void":
        return url(name, session.pk, batch.pk)
    return url(name, session.pk)


def test_office_sees_every_page(client_for, people, draft_review, with_report):
    client = client_for(people.office)
    for name in READ_PAGES + OFFICE_PAGES + ["subject_report"]:
        assert client.get(page_url(name, draft_review)).status_code == 200, name


@pytest.mark.parametrize("persona", ["leader", "discipline"])
def test_leader_and_discipline_read_only(client_for, people, draft_review, with_report, persona):
    client = client_for(getattr(people, persona))
    for name in READ_PAGES + ["subject_report"]:
        assert client.get(page_url(name, draft_review)).status_code == 200, name
    for name in OFFICE_PAGES:
        assert client.get(page_url(name, draft_review)).status_code == 403, name


@pytest.mark.parametrize("persona", ["leader", "discipline", "head", "staff"])
def test_readers_cannot_post_changes(client_for, people, draft_review, persona):
    client = client_for(getattr(people, persona))
    session = draft_review.session
    group = draft_review.groups["委员"]
    batch = CodeBatch.objects.create(session=session, group=group, kind="slips", count=0)
    for target in [page_url(n, draft_review, batch=batch) for n in POST_ONLY]:
        assert client.post(target, {"reason": "x"}).status_code == 403, target
    assert client.post(url("subjects", session.pk), {"action": "bulk", "names": "某某"}).status_code == 403
    assert client.post(url("scale", session.pk), {}).status_code == 403
    assert client.post(url("groups", session.pk), {}).status_code == 403
    assert client.post(url("codes", session.pk), {"group": group.pk, "count": 1}).status_code == 403
    assert client.post(url("screen", session.pk), {"group": group.pk}).status_code == 403
    assert session.subjects.count() == 22
    assert not BallotCode.objects.exists()
    ReviewSession.objects.get(pk=session.pk, state=SessionState.DRAFT)


@pytest.mark.parametrize("persona", ["head", "liaison", "staff", "outsider", "taskforce", "norole"])
def test_others_are_denied(client_for, people, draft_review, with_report, persona):
    client = client_for(getattr(people, persona))
    for name in READ_PAGES + OFFICE_PAGES + ["subject_report"]:
        assert client.get(page_url(name, draft_review)).status_code == 403, name


def test_anonymous_goes_to_login(client, draft_review):
    group = draft_review.groups["委员"]
    batch = CodeBatch.objects.create(session=draft_review.session, group=group, kind="slips", count=0)
    for name in READ_PAGES + OFFICE_PAGES + POST_ONLY + ["subject_report"]:
        target = page_url(name, draft_review, batch=batch)
        response = client.post(target) if name in POST_ONLY else client.get(target)
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("accounts:login")), name


def test_acts_are_post_only(client_for, people, draft_review):
    group = draft_review.groups["委员"]
    batch = CodeBatch.objects.create(session=draft_review.session, group=group, kind="slips", count=0)
    client = client_for(people.office)
    for name in POST_ONLY:
        assert client.get(page_url(name, draft_review, batch=batch)).status_code == 405, name


def test_only_the_office_gets_the_create_button(client_for, people, draft_review):
    create = url("session_create")
    office = client_for(people.office).get(url("session_list")).content.decode()
    leader = client_for(people.leader).get(url("session_list")).content.decode()
    assert create in office and draft_review.session.title in office
    assert create not in leader and draft_review.session.title in leader


def test_leader_sees_no_codes_tab_or_actions(client_for, people, review):
    page = client_for(people.leader).get(url("session_detail", review.session.pk)).content.decode()
    assert url("codes", review.session.pk) not in page
    assert url("session_close", review.session.pk) not in page
    assert url("turnout", review.session.pk) in page


# --- Create and edit -----------------------------------------------------------------


def session_data(org, **changes):
    data = {
        "title": "2025年度党支部书记抓党建工作述职评议",
        "year": 2025,
        "organiser": org.party.pk,
        "held_on": "2026-01-15",
        "place": "图书馆九楼会议室",
        "instructions": "请对每位书记作出评价。",
        "scale": "youxiu",
        "top_quota_percent": 30,
        "require_all": "on",
        "show_receipts": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_create_with_a_scale_preset(client_for, people, org):
    response = client_for(people.office).post(url("session_create"), session_data(org))
    session = ReviewSession.objects.get()
    assert response.status_code == 302 and response.url == url("subjects", session.pk)
    assert session.state == SessionState.DRAFT and session.created_by == people.office
    assert [g.label for g in session.grades.order_by("order")] == ["优秀", "称职", "基本称职", "不称职"]
    assert session.top_quota_percent == 30 and session.require_all and session.show_receipts
    assert session.logs.get().kind == SessionLogKind.CREATED


def test_create_refuses_bad_input_in_chinese(client_for, people, org):
    data = session_data(org, title="", require_all=None, top_quota_percent=150)
    response = client_for(people.office).post(url("session_create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "请修改以下问题后再提交" in page
    assert "不要求全部评价时，请填写最少评价人数。" in page
    assert "比例上限应在 1 到 100 之间" in page
    assert not ReviewSession.objects.exists()


def test_edit_a_draft(client_for, people, org, draft_review):
    session = draft_review.session
    data = session_data(org, place="行政楼三楼会议室", require_all=None, min_rated=20, scale=None)
    response = client_for(people.office).post(url("session_edit", session.pk), data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.place == "行政楼三楼会议室" and not session.require_all and session.min_rated == 20


def test_ballot_rules_are_locked_once_open(client_for, people, org, review):
    session = review.session
    data = session_data(org, place="新地点", top_quota_percent=80, require_all=None, min_rated=3, scale=None)
    client = client_for(people.office)
    page = client.get(url("session_edit", session.pk)).content.decode()
    assert "测评已开始，选票规则不能再修改。" in page
    assert client.post(url("session_edit", session.pk), data).status_code == 302
    session.refresh_from_db()
    assert session.place == "新地点"
    assert session.top_quota_percent == 30 and session.require_all and session.min_rated is None


def test_closed_session_cannot_be_edited(client_for, people, review):
    svc.session_close(acting_user=people.office, session=review.session)
    response = client_for(people.office).get(url("session_edit", review.session.pk))
    assert response.status_code == 302
    assert svc.ERR_CLOSED in said(response)


# --- Subjects ------------------------------------------------------------------------


@pytest.fixture
def empty_session(people, org):
    session = ReviewSession(title="2025年度述职评议", year=2025, organiser=org.party)
    return svc.session_create(acting_user=people.office, session=session)


def test_bulk_add_matches_unique_names(client_for, people, org, empty_session):
    Person.objects.create_user(username="c1", name="陈晓明", unit=org.branch, position="党支部书记")
    Person.objects.create_user(username="l1", name="林文静", unit=org.branch2)
    Person.objects.create_user(username="l2", name="林文静", unit=org.hr)
    names = "1、陈晓明\n2. 林文静\n\n黄海涛、张丽君\n陈晓明\n"
    client = client_for(people.office)
    response = client.post(
        url("subjects", empty_session.pk), {"action": "bulk", "names": names, "report_mode": "written"}
    )
    assert response.status_code == 302
    rows = list(empty_session.subjects.order_by("order"))
    assert [(s.order, s.name) for s in rows] == [(1, "陈晓明"), (2, "林文静"), (3, "黄海涛"), (4, "张丽君")]
    chen, lin = rows[0], rows[1]
    assert chen.person.username == "c1" and chen.unit == org.branch and chen.position == "党支部书记"
    assert lin.person is None and lin.unit is None  # two people of that name: not guessed
    assert all(s.report_mode == ReportMode.WRITTEN for s in rows)
    assert "已添加 4 位被测评人，其中 1 位已从人员名单带出单位和职务。" in said(response)

    again = client.post(
        url("subjects", empty_session.pk), {"action": "bulk", "names": "黄海涛\n王建华", "report_mode": "onsite"}
    )
    assert "以下姓名已在名单中，未重复添加：黄海涛。" in said(again)
    wang = empty_session.subjects.get(name="王建华")
    assert wang.order == 5 and wang.report_mode == ReportMode.ONSITE


def test_bulk_add_needs_names(client_for, people, empty_session):
    response = client_for(people.office).post(
        url("subjects", empty_session.pk), {"action": "bulk", "names": " \n1.\n", "report_mode": "written"}
    )
    assert response.status_code == 200
    assert ERR_NO_NAMES in response.content.decode()
    assert not empty_session.subjects.exists()


def test_add_one_from_the_registry(client_for, people, org, empty_session):
    person = Person.objects.create_user(username="z1", name="赵建华", unit=org.branch2, position="党支部书记")
    data = {"action": "add", "order": 1, "person": person.pk, "name": "", "position": "", "report_mode": "onsite"}
    response = client_for(people.office).post(url("subjects", empty_session.pk), data)
    assert response.status_code == 302
    subject = empty_session.subjects.get()
    assert (subject.name, subject.unit, subject.position, subject.report_mode) == (
        "赵建华",
        org.branch2,
        "党支部书记",
        ReportMode.ONSITE,
    )
    twice = client_for(people.office).post(url("subjects", empty_session.pk), data)
    assert "赵建华已在被测评人名单中。" in twice.content.decode()
    assert empty_session.subjects.count() == 1


def test_add_one_needs_a_person_or_a_name(client_for, people, empty_session):
    data = {"action": "add", "order": 1, "name": "", "report_mode": "written"}
    response = client_for(people.office).post(url("subjects", empty_session.pk), data)
    assert "请从人员名单中选择，或填写姓名。" in response.content.decode()


def test_report_upload_checked_by_content(client_for, people, draft_review):
    session, subject = draft_review.session, draft_review.subjects[2]
    client = client_for(people.office)
    target = url("subject_edit", session.pk, subject.pk)
    base = {"order": subject.order, "name": subject.name, "position": subject.position, "report_mode": "written"}

    exe = SimpleUploadedFile("报告.exe", b"MZ\x90\x00binary")
    response = client.post(target, {**base, "report_file": exe})
    assert response.status_code == 200 and ERR_REPORT_TYPE in response.content.decode()
    fake = SimpleUploadedFile("报告.pdf", b"<html>not a pdf</html>")
    response = client.post(target, {**base, "report_file": fake})
    assert "内容与扩展名不符" in response.content.decode()
    subject.refresh_from_db()
    assert not subject.report

    good = SimpleUploadedFile("黄海涛同志述职报告.docx", DOCX_MAGIC)
    assert client.post(target, {**base, "report_file": good}).status_code == 302
    subject.refresh_from_db()
    assert subject.report_name == "黄海涛同志述职报告.docx"
    assert "述职报告" not in subject.report.name  # stored under a random name
    download = client_for(people.leader).get(url("subject_report", session.pk, subject.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == DOCX_MAGIC
    assert "attachment" in download["Content-Disposition"]


def test_report_too_large(client_for, people, draft_review, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    subject = draft_review.subjects[0]
    big = SimpleUploadedFile("大.pdf", PDF + b"0" * (1024 * 1024))
    data = {"order": 1, "name": subject.name, "report_mode": "written", "report_file": big}
    response = client_for(people.office).post(url("subject_edit", draft_review.session.pk, subject.pk), data)
    assert "超过 1 MB 的上限" in response.content.decode()


def test_mark_who_reports_on_site(client_for, people, draft_review):
    session = draft_review.session
    chosen = [s.pk for s in draft_review.subjects[5:10]]
    response = client_for(people.office).post(url("subjects", session.pk), {"action": "modes", "onsite": chosen})
    assert response.status_code == 302
    assert set(session.subjects.filter(report_mode="onsite").values_list("pk", flat=True)) == set(chosen)
    assert "述职方式已保存：现场述职 5 人。" in said(response)


def test_delete_a_subject_in_draft(client_for, people, draft_review, with_report):
    path = with_report.report.path
    response = client_for(people.office).post(url("subject_delete", draft_review.session.pk, with_report.pk))
    assert response.status_code == 302
    assert not Subject.objects.filter(pk=with_report.pk).exists()
    assert not os.path.exists(path)


def test_subjects_locked_after_open(client_for, people, review):
    session, subject = review.session, review.subjects[0]
    client = client_for(people.office)
    page = client.get(url("subjects", session.pk)).content.decode()
    assert "批量添加" not in page and "测评已开始，被测评人名单不能再修改。" in page
    response = client.post(url("subjects", session.pk), {"action": "bulk", "names": "新人", "report_mode": "written"})
    assert ERR_NOT_DRAFT in said(response)
    response = client.get(url("subject_edit", session.pk, subject.pk))
    assert response.status_code == 302 and ERR_NOT_DRAFT in said(response)
    response = client.post(url("subject_delete", session.pk, subject.pk))
    assert ERR_NOT_DRAFT in said(response)
    assert session.subjects.count() == 22


# --- Scale and groups ----------------------------------------------------------------


def formset_data(prefix, rows, initial):
    data = {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": initial}
    data[f"{prefix}-MIN_NUM_FORMS"] = 0
    data[f"{prefix}-MAX_NUM_FORMS"] = 1000
    for i, row in enumerate(rows):
        for key, value in row.items():
            if value is not None and value is not False:
                data[f"{prefix}-{i}-{key}"] = "on" if value is True else value
    return data


def grade_rows(session):
    return [
        {"id": g.pk, "position": g.order, "label": g.label, "score": g.score, "positive": g.positive}
        for g in session.grades.order_by("order")
    ]


def test_scale_edit_swap_add_dimension(client_for, people, draft_review):
    session = draft_review.session
    rows = grade_rows(session)
    rows[0]["position"], rows[1]["position"] = 2, 1  # swap 好 and 较好
    rows[3]["DELETE"] = True  # drop 差
    rows.append({"position": 4, "label": "较差", "score": "20", "positive": False})
    data = formset_data("grade", rows, 4)
    data.update(
        formset_data("dim", [{"position": 1, "name": "政治建设", "weight": "0.6"}, {"name": "", "weight": "1"}], 0)
    )
    response = client_for(people.office).post(url("scale", session.pk), data)
    assert response.status_code == 302, response.content.decode()
    assert [(g.order, g.label) for g in session.grades.order_by("order")] == [
        (1, "较好"),
        (2, "好"),
        (3, "一般"),
        (4, "较差"),
    ]
    assert [(d.name, d.weight) for d in session.dimensions.all()] == [("政治建设", Decimal("0.60"))]


def test_scale_needs_two_distinct_grades(client_for, people, draft_review):
    session = draft_review.session
    rows = grade_rows(session)
    rows[1]["label"] = "好"
    data = {**formset_data("grade", rows, 4), **formset_data("dim", [], 0)}
    response = client_for(people.office).post(url("scale", session.pk), data)
    assert "等次“好”重复了。" in response.content.decode()
    for row in rows[1:]:
        row["DELETE"] = True
    rows[1]["label"] = "较好"
    data = {**formset_data("grade", rows, 4), **formset_data("dim", [], 0)}
    response = client_for(people.office).post(url("scale", session.pk), data)
    assert "评价等次至少需要两个。" in response.content.decode()
    assert session.grades.count() == 4


def test_scale_read_only_after_open(client_for, people, review):
    session = review.session
    client = client_for(people.office)
    page = client.get(url("scale", session.pk)).content.decode()
    assert "测评已开始，评价等次和测评维度不能再修改。" in page and "grade-TOTAL_FORMS" not in page
    data = {**formset_data("grade", grade_rows(session), 4), **formset_data("dim", [], 0)}
    assert ERR_NOT_DRAFT in said(client.post(url("scale", session.pk), data))


def group_rows(session):
    return [
        {"id": g.pk, "position": g.order, "name": g.name, "weight": g.weight, "ballots": g.ballots}
        for g in session.groups.order_by("order")
    ]


def test_groups_in_draft(client_for, people, empty_session):
    rows = [
        {"position": 1, "name": "委员", "weight": "0.4", "ballots": 9},
        {"position": 2, "name": "代表", "weight": "0.6", "ballots": 18},
    ]
    client = client_for(people.office)
    response = client.post(url("groups", empty_session.pk), formset_data("group", rows, 0))
    assert response.status_code == 302
    assert [(g.name, g.ballots) for g in empty_session.groups.order_by("order")] == [("委员", 9), ("代表", 18)]
    rows = group_rows(empty_session) + [{"position": 3, "name": "委员", "weight": "1", "ballots": 5}]
    response = client.post(url("groups", empty_session.pk), formset_data("group", rows, 2))
    assert "测评人类别“委员”重复了。" in response.content.decode()


def test_groups_while_open_only_grow(client_for, people, review):
    session = review.session
    client = client_for(people.office)
    rows = group_rows(session)
    rows[0].update(name="改名", weight="0.9", ballots=11)
    assert client.post(url("groups", session.pk), formset_data("group", rows, 3)).status_code == 302
    group = VoterGroup.objects.get(pk=rows[0]["id"])
    assert (group.name, group.weight, group.ballots) == ("委员", Decimal("0.40"), 11)
    client.post(url("codes", session.pk), {"group": group.pk, "count": 10})
    rows[0]["ballots"] = 8
    response = client.post(url("groups", session.pk), formset_data("group", rows, 3))
    assert "该类别已发放 10 个投票码，选票数不能少于此数。" in response.content.decode()
    group.refresh_from_db()
    assert group.ballots == 11


# --- Codes: slips, the screen, voiding, turnout ------------------------------------------


def slip_codes(content: bytes) -> list[str]:
    document = Document(io.BytesIO(content))
    codes = []
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                codes += CODE.findall(cell.text)
    return codes


def test_generate_slips_docx(client_for, people, review):
    session, group = review.session, review.groups["委员"]
    response = client_for(people.office).post(url("codes", session.pk), {"group": group.pk, "count": 9})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    codes = slip_codes(response.content)
    assert len(codes) == len(set(codes)) == 9
    document = Document(io.BytesIO(response.content))
    assert len(document.inline_shapes) == 9  # one QR a slip
    text = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert text.count(session.title) == 9 and "扫码或访问 testserver/v/ 输入投票码" in text
    for code in codes:
        found = code_find(code)
        assert found.group == group and found.session == session
    batch = CodeBatch.objects.get()
    assert (batch.kind, batch.count, batch.group) == ("slips", 9, group)
    assert session.logs.filter(kind=SessionLogKind.CODES).exists()
    for code in codes:  # the plain code is nowhere in the database
        assert not BallotCode.objects.filter(digest__icontains=code.replace("-", "")).exists()
        assert not SessionLog.objects.filter(text__icontains=code.replace("-", "")[:8]).exists()


def test_generate_more_than_ballots_is_refused(client_for, people, review):
    session, group = review.session, review.groups["群众代表"]
    response = client_for(people.office).post(url("codes", session.pk), {"group": group.pk, "count": 6})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "“群众代表”共 5 张选票，还可生成 5 个投票码。" in response.content.decode()
    assert not BallotCode.objects.exists()


def test_void_a_batch(client_for, people, review):
    session, group = review.session, review.groups["群众代表"]
    client = client_for(people.office)
    codes = slip_codes(client.post(url("codes", session.pk), {"group": group.pk, "count": 5}).content)
    ballot_cast(code_text=codes[0], raw_marks=all_marks(review))
    batch = CodeBatch.objects.get()
    page = client.get(url("codes", session.pk)).content.decode()
    assert "作废未使用的投票码" in page
    response = client.post(url("batch_void", session.pk, batch.pk))
    assert "已作废 4 个未使用的投票码。" in said(response)
    with pytest.raises(Refused) as used:
        code_find(codes[0])
    assert used.value.messages == [ERR_USED]
    for code in codes[1:]:
        with pytest.raises(Refused) as voided:
            code_find(code)
        assert voided.value.messages == [ERR_VOIDED]
    # voided codes free their ballots: the group can have 4 new codes
    assert len(slip_codes(client.post(url("codes", session.pk), {"group": group.pk, "count": 4}).content)) == 4


def test_screen_shows_one_fresh_code(client_for, people, review):
    session, group = review.session, review.groups["代表"]
    client = client_for(people.office)
    waiting = client.get(url("screen", session.pk)).content.decode()
    assert "请下一位测评人上前扫码" in waiting and not CODE.search(waiting)
    response = client.post(url("screen", session.pk), {"group": group.pk})
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    (code,) = set(CODE.findall(page))
    assert "<svg" in page and "style=" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert code_find(code).group == group
    batch = CodeBatch.objects.get()
    assert (batch.kind, batch.count) == ("screen", 1)
    second = client.post(url("screen", session.pk), {"group": group.pk}).content.decode()
    assert code not in second and CODE.search(second)
    void = client.post(url("batch_void", session.pk, batch.pk), {"next": "screen"})
    assert void.url == f"{url('screen', session.pk)}?group={group.pk}"
    with pytest.raises(Refused):
        code_find(code)


def test_screen_refuses_when_the_group_is_full(client_for, people, review):
    session, group = review.session, review.groups["群众代表"]
    client = client_for(people.office)
    client.post(url("codes", session.pk), {"group": group.pk, "count": 5})
    page = client.post(url("screen", session.pk), {"group": group.pk}).content.decode()
    assert "还可生成 0 个投票码" in page and not CODE.search(page)


def test_turnout_counts_only(client_for, people, review):
    session, group = review.session, review.groups["委员"]
    client = client_for(people.office)
    codes = slip_codes(client.post(url("codes", session.pk), {"group": group.pk, "count": 9}).content)
    for code in codes[:3]:
        ballot_cast(code_text=code, raw_marks=all_marks(review))
    page = client_for(people.leader).get(url("turnout", session.pk)).content.decode()
    assert 'hx-trigger="every 3s"' in page
    live = client.get(url("turnout_live", session.pk))
    assert live.status_code == 200
    text = live.content.decode()
    assert "已投 <strong>3</strong> / 应到 9" in text
    assert "已投 <strong>3</strong> / 应到 32" in text
    assert "较好" not in text and review.subjects[0].name not in text
    svc.session_close(acting_user=people.office, session=session)
    assert client.get(url("turnout_live", session.pk)).status_code == 286  # HTMX stops polling


# --- Open, close, reopen -------------------------------------------------------------------


def test_open_refused_until_ready(client_for, people, empty_session):
    client = client_for(people.office)
    page = client.get(url("session_detail", empty_session.pk)).content.decode()
    assert svc.ERR_NO_SUBJECTS in page and svc.ERR_NO_GROUPS in page
    response = client.post(url("session_open", empty_session.pk))
    assert svc.ERR_NO_SUBJECTS in " ".join(said(response))
    empty_session.refresh_from_db()
    assert empty_session.is_draft


def test_open_close_reopen_through_the_views(client_for, people, draft_review):
    session = draft_review.session
    client = client_for(people.office)
    page = client.get(url("session_detail", session.pk)).content.decode()
    assert "已准备就绪" in page and "开始测评" in page
    client.post(url("session_open", session.pk))
    session.refresh_from_db()
    assert session.is_open
    group = draft_review.groups["委员"]
    codes = slip_codes(client.post(url("codes", session.pk), {"group": group.pk, "count": 2}).content)
    ballot_cast(code_text=codes[0], raw_marks=all_marks(draft_review))
    assert "结束测评并计票" in client.get(url("session_detail", session.pk)).content.decode()

    response = client.post(url("session_close", session.pk))
    session.refresh_from_db()
    assert session.is_closed and session.result["ballots"]["valid"] == 1
    assert "测评已结束，结果已锁定：有效票 1 张，无效票 0 张。" in said(response)
    page = client.get(url("session_detail", session.pk)).content.decode()
    assert "重新开放" in page and url("result", session.pk) in page

    response = client.post(url("session_reopen", session.pk), {"reason": "  "})
    assert ERR_REASON in said(response)
    session.refresh_from_db()
    assert session.is_closed
    client.post(url("session_reopen", session.pk), {"reason": "一张纸质选票漏录，重新开放补录。"})
    session.refresh_from_db()
    assert session.is_open and session.result is None
    log = session.logs.get(kind=SessionLogKind.REOPENED)
    assert log.text == "一张纸质选票漏录，重新开放补录。" and log.actor == people.office
    timeline = client.get(url("session_detail", session.pk)).content.decode()
    assert "一张纸质选票漏录，重新开放补录。" in timeline and "结束测评并计票" in timeline


def test_close_twice_is_refused_kindly(client_for, people, review):
    client = client_for(people.office)
    client.post(url("session_close", review.session.pk))
    response = client.post(url("session_close", review.session.pk))
    assert svc.ERR_NOT_OPEN in said(response)
