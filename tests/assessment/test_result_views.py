"""The locked result: the page, the .xlsx and the .docx."""

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from duban.assessment.models import Ballot, Dimension, Subject, cell
from duban.assessment.rules import Shape, tally
from duban.assessment.services import sessions as svc
from duban.assessment.services.codes import codes_generate
from duban.assessment.services.paper import paper_enter
from duban.assessment.services.voting import ballot_cast

from .conftest import all_marks, build_review

FULL = ["office", "leader", "discipline"]
DENIED = ["head", "liaison", "staff", "outsider", "norole"]


@pytest.fixture
def clerk2(people):
    from duban.org.models import Person, Role, RoleGrant

    clerk = Person.objects.create_user(
        username="clerk2", password="x", name="冯录入", unit=people.office.unit, must_change_password=False
    )
    RoleGrant.objects.create(person=clerk, role=Role.OFFICE)
    return clerk


def vote(review, group, n, **kwargs):
    for i, code in enumerate(codes_generate(acting_user=review.office, group=review.groups[group], count=n)):
        ballot_cast(code_text=code, raw_marks=all_marks(review, grade="一般" if i % 3 == 0 else "较好", top=i % 5))


def paper(review, clerk2, slip, marks, group="代表"):
    for clerk in (review.office, clerk2):
        paper_enter(acting_user=clerk, group=review.groups[group], slip_no=slip, raw_marks=marks)


@pytest.fixture
def closed(review, people, clerk2):
    """代表: 6 online ballots, 1 valid paper slip, 1 paper slip over the quota (废票);
    委员: 3 online ballots (fewer than 5: never broken down); 群众代表: none."""
    review.office = people.office
    vote(review, "代表", 6)
    vote(review, "委员", 3)
    paper(review, clerk2, 10, all_marks(review, grade="差", top=2))
    paper(review, clerk2, 11, all_marks(review, top=12))
    review.session = svc.session_close(acting_user=people.office, session=review.session)
    return review


def url(review, name="result"):
    return reverse(f"assessment:{name}", args=[review.session.pk])


def rows_of(page):
    return re.findall(r'<tr data-subject="(\d+)">(.*?)</tr>', page, re.S)


def cells(html):
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)]


# --- Permissions ------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(closed, client):
    for name in ("result", "result_xlsx", "result_docx"):
        response = client.get(url(closed, name))
        assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("persona", FULL)
def test_office_leader_and_discipline_read_the_whole_result(closed, people, client_for, persona):
    client = client_for(getattr(people, persona))
    response = client.get(url(closed))
    assert response.status_code == 200
    assert len(rows_of(response.content.decode())) == 22
    assert client.get(url(closed, "result_xlsx")).status_code == 200
    assert client.get(url(closed, "result_docx")).status_code == 200


@pytest.mark.parametrize("persona", DENIED)
def test_others_are_denied(closed, people, client_for, persona):
    client = client_for(getattr(people, persona))
    for name in ("result", "result_xlsx", "result_docx"):
        assert client.get(url(closed, name)).status_code == 403


def test_a_subject_sees_only_their_own_row(closed, people, client_for):
    subject = closed.subjects[3]
    Subject.objects.filter(pk=subject.pk).update(person=people.staff)
    client = client_for(people.staff)
    response = client.get(url(closed))
    assert response.status_code == 200
    page = response.content.decode()
    rows = rows_of(page)
    assert [int(pk) for pk, _html in rows] == [subject.pk]
    assert "只显示您本人的测评结果" in page
    for other in closed.subjects[:3]:
        assert other.name not in page
    assert client.get(url(closed, "result_xlsx")).status_code == 403
    assert client.get(url(closed, "result_docx")).status_code == 403


def test_before_the_close_there_is_only_a_message(review, people, client_for):
    Subject.objects.filter(pk=review.subjects[0].pk).update(person=people.staff)
    for persona in ("office", "leader", "staff"):
        response = client_for(getattr(people, persona)).get(url(review))
        assert response.status_code == 200
        page = response.content.decode()
        assert "计票锁定后才显示" in page and not rows_of(page)
    assert client_for(people.head).get(url(review)).status_code == 403
    for name in ("result_xlsx", "result_docx"):
        assert client_for(people.office).get(url(review, name)).status_code == 403


def test_after_a_reopen_the_result_is_gone_until_the_next_close(closed, people, client_for):
    svc.session_reopen(acting_user=people.office, session=closed.session, reason="纸质票第11号需重新核对")
    response = client_for(people.leader).get(url(closed))
    assert response.status_code == 200 and not rows_of(response.content.decode())
    assert client_for(people.leader).get(url(closed, "result_xlsx")).status_code == 403
    svc.session_close(acting_user=people.office, session=closed.session)
    page = client_for(people.leader).get(url(closed)).content.decode()
    assert "重新开放" in page and "纸质票第11号需重新核对" in page
    assert page.count("结束测评并计票") == 2


# --- The numbers ------------------------------------------------------------------------


def test_the_page_shows_the_locked_tally(closed, people, client_for):
    result = closed.session.result
    # the locked result is the tally of the stored ballots
    ballots = list(Ballot.objects.filter(session=closed.session).values("group", "marks", "valid", "source"))
    assert tally(Shape.of(closed.session), ballots) == result
    assert result["ballots"] == {"valid": 10, "invalid": 1, "online": 9, "paper": 1}

    page = client_for(people.leader).get(url(closed)).content.decode()
    for key, value in result["ballots"].items():
        assert re.search(rf'data-stat="{key}">{value}<', page)
    by_id = {r["subject"]: r for r in result["subjects"]}
    rows = rows_of(page)
    ranks = []
    for pk, html in rows:
        expected = by_id[int(pk)]
        values = cells(html)
        subject = next(s for s in closed.subjects if s.pk == int(pk))
        assert values[1] == subject.name
        assert values[3] == subject.get_report_mode_display()
        assert values[4:8] == [str(expected["counts"][str(o)]) for o in (1, 2, 3, 4)]
        assert values[8] == str(expected["ratings"]) == "10"
        assert values[9] == expected["positive_rate"] + "%"
        assert values[10] == expected["score"]
        ranks.append(int(values[0]))
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert "好+较好率" in page
    # 代表 (7 valid) is broken down; 委员 (3) and 群众代表 (0) are not
    assert page.count("不足5人，不分组显示") == 4  # two in the groups table, two in the breakdown
    assert page.count('class="table db-table rs-breakdown"') == 1
    # the formula, written out, and the line of the close
    assert "加权得分 = Σ（类别权重 × 该类别评价的平均分）÷ Σ（参与评价的类别权重）" in page
    assert "好 = 100，较好 = 80，一般 = 60，差 = 0" in page
    assert "委员 0.4，代表 0.4，群众代表 0.2" in page
    assert "结束测评并计票" in page and "有效票 10 张（扫码 9，纸质 1），无效票 1 张" in page


def test_scores_can_be_recomputed_from_the_formula(closed):
    """The formula under the table gives the stored score (the groups' weighted means)."""
    result = closed.session.result
    scores = {1: 100, 2: 80, 3: 60, 4: 0}
    valid = list(Ballot.objects.filter(session=closed.session, valid=True).values("group", "marks"))
    weights = {g["id"]: Decimal(g["weight"]) for g in result["groups"]}
    for row in result["subjects"]:
        key = str(row["subject"])
        means = {}
        for gid in weights:
            marks = [scores[b["marks"][key]] for b in valid if b["group"] == gid and key in b["marks"]]
            if marks:
                means[gid] = Decimal(sum(marks)) / len(marks)
        expected = sum(weights[g] * m for g, m in means.items()) / sum(weights[g] for g in means)
        assert Decimal(row["score"]) == expected.quantize(Decimal("0.01"))


def test_dimensions_get_their_own_columns(people, org, clerk2, client_for):
    review = build_review(people, org, open_it=False, subjects=6)
    review.office = people.office
    dims = [
        svc.part_save(acting_user=people.office, obj=Dimension(session=review.session, order=i, name=n, weight=w))
        for i, (n, w) in enumerate([("政治建设", 2), ("履职尽责", 1)], start=1)
    ]
    session = svc.session_open(acting_user=people.office, session=review.session)
    review.session = session
    marks = {cell(s.pk, d.pk): 2 for s in review.subjects for d in dims}
    marks[cell(review.subjects[0].pk, dims[0].pk)] = 1
    paper(review, clerk2, 1, marks)
    session = svc.session_close(acting_user=people.office, session=session)
    page = client_for(people.leader).get(url(review)).content.decode()
    assert "政治建设" in page and "履职尽责" in page
    assert "维度得分 = Σ" in page and "政治建设 2，履职尽责 1" in page
    first = next(html for pk, html in rows_of(page) if int(pk) == review.subjects[0].pk)
    values = cells(first)
    # 政治建设 100, 履职尽责 80, weighted 2:1 → 93.33
    assert values[-3:] == ["100.00", "80.00", "93.33"]
    book = load_workbook(io.BytesIO(client_for(people.leader).get(url(review, "result_xlsx")).content))
    header = [c.value for c in book.worksheets[0][3]]
    assert header[-3:] == ["政治建设得分", "履职尽责得分", "加权得分"]


# --- The files --------------------------------------------------------------------------


def test_xlsx_has_one_row_per_subject(closed, people, client_for):
    response = client_for(people.office).get(url(closed, "result_xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["测评结果"]
    assert closed.session.title in sheet["A1"].value
    header = [c.value for c in sheet[3]]
    assert header[:4] == ["名次", "姓名", "单位", "述职方式"]
    assert header[4:8] == ["“好”票数", "“较好”票数", "“一般”票数", "“差”票数"]
    assert header[-3:] == ["评价数", "好+较好率（%）", "加权得分"]
    data = [[c.value for c in row] for row in sheet.iter_rows(min_row=4, max_row=25)]
    assert sorted(r[1] for r in data) == sorted(s.name for s in closed.subjects)
    assert sheet.cell(row=26, column=1).value is None  # nothing else in the table
    by_name = {r["name"]: r for r in closed.session.result["subjects"]}
    for row in data:
        assert Decimal(str(row[-1])).quantize(Decimal("0.01")) == Decimal(by_name[row[1]]["score"])
        assert row[0] == by_name[row[1]]["rank"]
        assert row[4:8] == [by_name[row[1]]["counts"][str(o)] for o in (1, 2, 3, 4)]
    notes = [sheet.cell(row=r, column=1).value for r in range(27, 35)]
    assert "计算方法" in notes and any(n and n.startswith("加权得分 = ") for n in notes)
    groups = book["分组统计"]
    assert [groups.cell(row=r, column=1).value for r in (2, 3, 4)] == ["委员", "代表", "群众代表"]
    assert groups.cell(row=2, column=4).value == "不足5人，不分组显示"


def test_docx_is_a_landscape_table_with_one_row_per_subject(closed, people, client_for):
    response = client_for(people.discipline).get(url(closed, "result_docx"))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    document = Document(io.BytesIO(response.content))
    section = document.sections[0]
    assert section.page_width > section.page_height  # landscape
    assert len(document.tables) == 1
    table = document.tables[0]
    assert len(table.rows) == 22 + 1
    assert [c.text for c in table.rows[0].cells][:4] == ["名次", "姓名", "单位", "述职方式"]
    names = sorted(row.cells[1].text for row in table.rows[1:])
    assert names == sorted(s.name for s in closed.subjects)
    assert 'w:fill="D9E2F3"' in table.rows[0].cells[0]._tc.xml  # shaded header
    text = "\n".join(p.text for p in document.paragraphs)
    assert closed.session.title in text
    assert "加权得分 = Σ" in text and "有效票 10 张" in text
