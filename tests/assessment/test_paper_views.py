"""The paper double-entry pages: the overview, typing a slip, resolving a mismatch."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from duban.assessment.forms_paper import BLANK, field_name
from duban.assessment.models import Ballot, BallotSource, PaperEntry, PaperResolution, SessionLog, SessionLogKind
from duban.assessment.services.paper import paper_enter, paper_slips
from duban.assessment.services.sessions import session_close

from .conftest import all_marks, build_review

DOUBLE_ENTRY_NOTE = "每张纸质选票由两位工作人员分别录入，两次录入一致才计入；不一致的须对照原票核对"


@pytest.fixture
def clerk2(people):
    from duban.org.models import Person, Role, RoleGrant

    clerk = Person.objects.create_user(
        username="clerk2", password="x", name="冯录入", unit=people.office.unit, must_change_password=False
    )
    RoleGrant.objects.create(person=clerk, role=Role.OFFICE)
    return clerk


def form_data(review, marks, *, group="代表", slip=1, **extra):
    data = {"group": review.groups[group].pk, "slip_no": slip, **extra}
    for subject in review.subjects:
        data[field_name(str(subject.pk))] = marks.get(str(subject.pk), BLANK)
    return data


def urls(review):
    pk = review.session.pk
    gid = review.groups["代表"].pk
    return [
        reverse("assessment:paper_index", args=[pk]),
        reverse("assessment:paper_enter", args=[pk]),
        reverse("assessment:paper_resolve", args=[pk, gid, 1]),
    ]


def checked(page, value=None):
    """How many radios are checked (with this value)."""
    radios = re.findall(r"<input [^>]*>", page)
    return sum(1 for r in radios if " checked" in r and (value is None or f'value="{value}"' in r))


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def mismatch(review, people, clerk2, slip=1):
    """Slip `slip` of 代表 typed differently by the two clerks on subject 5."""
    first = all_marks(review)
    second = dict(first)
    second[str(review.subjects[4].pk)] = review.grades["差"]
    group = review.groups["代表"]
    paper_enter(acting_user=people.office, group=group, slip_no=slip, raw_marks=first)
    paper_enter(acting_user=clerk2, group=group, slip_no=slip, raw_marks=second)
    return first, second


# --- Permissions ------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(review, client):
    for url in urls(review):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url


@pytest.mark.parametrize("persona", ["leader", "discipline", "head", "liaison", "staff", "outsider", "norole"])
def test_only_the_office_types_paper_slips(review, people, client_for, persona):
    client = client_for(getattr(people, persona))
    for url in urls(review):
        assert client.get(url).status_code == 403, url
    response = client.post(urls(review)[1], form_data(review, all_marks(review)))
    assert response.status_code == 403
    assert not PaperEntry.objects.exists()


def test_office_sees_the_overview_with_the_double_entry_note(review, people, client_for):
    response = client_for(people.office).get(urls(review)[0])
    assert response.status_code == 200
    page = response.content.decode()
    assert DOUBLE_ENTRY_NOTE in page
    for name in ("委员", "代表", "群众代表"):
        assert name in page
    assert reverse("assessment:paper_enter", args=[review.session.pk]) in page


# --- Typing -----------------------------------------------------------------------------


def test_the_form_is_a_grid_of_every_subject_and_grade(review, people, client_for):
    response = client_for(people.office).get(urls(review)[1])
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<tr data-subject") == 22
    # four grades plus "未评" per subject
    assert page.count('type="radio"') == 22 * 5
    assert "assessment/paper.js" in page


def test_two_clerks_type_a_slip_and_it_matches(review, people, clerk2, client_for):
    marks = all_marks(review, top=3)
    enter = urls(review)[1]
    response = client_for(people.office).post(enter, form_data(review, marks, slip=4))
    assert response.status_code == 302
    group = review.groups["代表"]
    assert response["Location"] == f"{enter}?group={group.pk}&slip=5"  # ready for the next slip
    assert any("第 4 号" in t and "等待另一位工作人员" in t for t in texts(response))
    (slip,) = paper_slips(review.session)
    assert slip.state == "single" and slip.entries[0].marks == {k: int(v) for k, v in marks.items()}

    response = client_for(clerk2).post(enter, form_data(review, marks, slip=4))
    assert response.status_code == 302
    assert any("一致，该票将计入" in t for t in texts(response)), texts(response)
    (slip,) = paper_slips(review.session)
    assert slip.state == "matched"

    page = client_for(people.office).get(urls(review)[0]).content.decode()
    assert "我录入的选票" in page and "一致" in page


def test_the_next_slip_skips_numbers_this_clerk_typed(review, people, client_for):
    group = review.groups["代表"]
    paper_enter(acting_user=people.office, group=group, slip_no=2, raw_marks=all_marks(review))
    response = client_for(people.office).post(urls(review)[1], form_data(review, all_marks(review), slip=1))
    assert response["Location"].endswith(f"?group={group.pk}&slip=3")


def test_a_clerk_sees_and_replaces_only_their_own_typing(review, people, clerk2, client_for):
    group = review.groups["代表"]
    paper_enter(acting_user=people.office, group=group, slip_no=6, raw_marks=all_marks(review, grade="一般"))
    office = client_for(people.office)
    page = office.get(urls(review)[1], {"group": group.pk, "slip": 6}).content.decode()
    assert "再次保存将替换您原来的录入" in page
    assert checked(page, review.grades["一般"]) == 22  # prefilled with their own typing
    # The other clerk types independently: nothing of the first typing is shown.
    page = client_for(clerk2).get(urls(review)[1], {"group": group.pk, "slip": 6}).content.decode()
    assert "请您对照原票独立录入第二份" in page
    assert checked(page, review.grades["一般"]) == 0 and checked(page, BLANK) == 22

    response = office.post(urls(review)[1], form_data(review, all_marks(review), slip=6))
    assert response.status_code == 302
    entry = PaperEntry.objects.get()
    assert set(entry.marks.values()) == {review.grades["较好"]}


def test_a_slip_breaking_the_quota_is_saved_with_a_warning(review, people, client_for):
    marks = all_marks(review, top=10)  # at most 6 of 22 may be 好
    response = client_for(people.office).post(urls(review)[1], form_data(review, marks, slip=7))
    assert response.status_code == 302
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert "计为废票" in warnings[0] and "超过上限 6 人" in warnings[0]
    assert PaperEntry.objects.get().marks == {k: int(v) for k, v in marks.items()}


def test_a_blank_cell_is_kept_blank_and_warned(review, people, client_for):
    marks = all_marks(review)
    del marks[str(review.subjects[0].pk)]
    response = client_for(people.office).post(urls(review)[1], form_data(review, marks, slip=8))
    assert response.status_code == 302
    assert str(review.subjects[0].pk) not in PaperEntry.objects.get().marks
    assert any("尚有 1 人未评" in t for t in texts(response))


def test_a_slip_number_beyond_the_group_is_refused_and_nothing_saved(review, people, client_for):
    response = client_for(people.office).post(
        urls(review)[1], form_data(review, all_marks(review), group="群众代表", slip=6)
    )
    assert response.status_code == 400
    assert "票号应为 1 到 5 之间的整数" in response.content.decode()
    assert not PaperEntry.objects.exists()
    # the typed grid is kept
    assert checked(response.content.decode(), review.grades["较好"]) == 22


def test_a_tampered_grade_is_an_error_not_a_500(review, people, client_for):
    data = form_data(review, all_marks(review))
    data[field_name(str(review.subjects[0].pk))] = "9"
    response = client_for(people.office).post(urls(review)[1], data)
    assert response.status_code == 400
    assert review.subjects[0].name in response.content.decode()
    assert not PaperEntry.objects.exists()


def test_a_third_clerk_is_refused(review, people, clerk2, client_for):
    from duban.org.models import Person, Role, RoleGrant

    third = Person.objects.create_user(
        username="clerk3", password="x", name="褚录入", unit=people.office.unit, must_change_password=False
    )
    RoleGrant.objects.create(person=third, role=Role.OFFICE)
    mismatch(review, people, clerk2)
    response = client_for(third).post(urls(review)[1], form_data(review, all_marks(review), slip=1))
    assert response.status_code == 400
    assert "不能再录入第三份" in response.content.decode()
    assert PaperEntry.objects.count() == 2


def test_typing_is_closed_before_and_after_the_vote(people, org, client_for, review):
    draft = build_review(people, org, open_it=False)
    response = client_for(people.office).get(reverse("assessment:paper_enter", args=[draft.session.pk]))
    assert response.status_code == 302 and "测评尚未开始" in texts(response)[0]
    session_close(acting_user=people.office, session=review.session)
    response = client_for(people.office).post(urls(review)[1], form_data(review, all_marks(review)))
    assert response.status_code == 302 and "测评已结束" in texts(response)[0]
    assert not PaperEntry.objects.exists()


# --- Resolving --------------------------------------------------------------------------


def test_mismatch_is_listed_and_resolved_against_the_slip(review, people, clerk2, client_for):
    first, second = mismatch(review, people, clerk2)
    office = client_for(people.office)
    page = office.get(urls(review)[0]).content.decode()
    resolve = urls(review)[2]
    assert resolve in page and "对照原票核对" in page

    response = office.get(resolve)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="pg-differs"') == 1  # one differing cell, highlighted
    assert "王文书" in page and "冯录入" in page
    # the 21 agreed cells are prefilled, the differing one is left to be read from the slip
    assert checked(page) == 21

    differing = field_name(str(review.subjects[4].pk))
    data = {field_name(k): v for k, v in first.items()}
    data.pop(differing)
    data["note"] = "已对照原票"
    response = office.post(resolve, data)
    assert response.status_code == 400
    assert review.subjects[4].name in response.content.decode()
    assert not PaperResolution.objects.exists()

    data[differing] = review.grades["差"]
    data["note"] = ""
    response = office.post(resolve, data)
    assert response.status_code == 400 and "请写明核对依据" in response.content.decode()

    data["note"] = "原票第5人勾选“差”"
    response = office.post(resolve, data)
    assert response.status_code == 302 and response["Location"] == urls(review)[0]
    resolution = PaperResolution.objects.get()
    assert resolution.marks == second and resolution.note == "原票第5人勾选“差”"
    assert SessionLog.objects.filter(kind=SessionLogKind.PAPER).count() == 1
    # read-only once resolved
    page = office.get(resolve).content.decode()
    assert "已核对" in page and "原票第5人勾选" in page and 'name="note"' not in page

    session = session_close(acting_user=people.office, session=review.session)
    assert session.result["ballots"]["paper"] == 1
    assert session.result["subjects"][4]["counts"][str(review.grades["差"])] == 1
    assert Ballot.objects.get(source=BallotSource.PAPER).valid


def test_resolving_an_unknown_or_matched_slip(review, people, clerk2, client_for):
    office = client_for(people.office)
    assert office.get(urls(review)[2]).status_code == 404
    group = review.groups["代表"]
    paper_enter(acting_user=people.office, group=group, slip_no=1, raw_marks=all_marks(review))
    paper_enter(acting_user=clerk2, group=group, slip_no=1, raw_marks=all_marks(review))
    response = office.get(urls(review)[2])
    assert response.status_code == 302 and "无需核对" in texts(response)[0]
    other = build_review_other_group(review)
    assert office.get(reverse("assessment:paper_resolve", args=[review.session.pk, other, 1])).status_code == 404


def build_review_other_group(review):
    """A group id that belongs to no group of this session."""
    from duban.assessment.models import VoterGroup

    return (VoterGroup.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 100


def test_with_dimensions_each_subject_has_a_cell_per_dimension(people, org, client_for):
    from duban.assessment.models import Dimension, cell
    from duban.assessment.services import sessions as svc

    review = build_review(people, org, open_it=False, subjects=4)
    dims = [
        svc.part_save(acting_user=people.office, obj=Dimension(session=review.session, order=i, name=n))
        for i, n in enumerate(["政治建设", "履职尽责"], start=1)
    ]
    svc.session_open(acting_user=people.office, session=review.session)
    enter = reverse("assessment:paper_enter", args=[review.session.pk])
    page = client_for(people.office).get(enter).content.decode()
    assert "政治建设" in page and "履职尽责" in page
    assert page.count("<tr data-subject") == 4 and page.count('type="radio"') == 4 * 2 * 5
    data = {"group": review.groups["委员"].pk, "slip_no": 1}
    for s in review.subjects:
        for d in dims:
            data[field_name(cell(s.pk, d.pk))] = review.grades["较好"]
    data[field_name(cell(review.subjects[0].pk, dims[1].pk))] = BLANK
    response = client_for(people.office).post(enter, data)
    assert response.status_code == 302
    marks = PaperEntry.objects.get().marks
    assert len(marks) == 7 and cell(review.subjects[0].pk, dims[1].pk) not in marks
    assert any("评价不完整" in t for t in texts(response))
