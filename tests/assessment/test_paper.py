"""Paper ballots typed twice by two clerks."""

import pytest

from duban.assessment.models import Ballot, BallotSource
from duban.assessment.services import Refused
from duban.assessment.services.paper import ERR_THIRD, paper_enter, paper_resolve, paper_slips
from duban.assessment.services.sessions import session_close

from .conftest import all_marks
from .test_sessions import _second_clerk


@pytest.fixture
def clerks(people):
    from duban.org.models import Person, Role, RoleGrant

    third = Person.objects.create_user(username="clerk3", password="x", name="褚录入", unit=people.office.unit)
    RoleGrant.objects.create(person=third, role=Role.OFFICE)
    return people.office, _second_clerk(people), third


def test_matching_typings_count(review, clerks):
    a, b, _ = clerks
    group = review.groups["代表"]
    paper_enter(acting_user=a, group=group, slip_no=1, raw_marks=all_marks(review, top=3))
    (slip,) = paper_slips(review.session)
    assert slip.state == "single"
    paper_enter(acting_user=b, group=group, slip_no=1, raw_marks=all_marks(review, top=3))
    (slip,) = paper_slips(review.session)
    assert slip.state == "matched" and slip.marks == all_marks(review, top=3)
    session = session_close(acting_user=a, session=review.session)
    assert session.result["ballots"]["paper"] == 1
    assert Ballot.objects.get(source=BallotSource.PAPER).valid


def test_a_clerk_corrects_their_own_typing_but_no_third_typing(review, clerks):
    a, b, c = clerks
    group = review.groups["代表"]
    paper_enter(acting_user=a, group=group, slip_no=2, raw_marks=all_marks(review, grade="一般"))
    paper_enter(acting_user=a, group=group, slip_no=2, raw_marks=all_marks(review))
    paper_enter(acting_user=b, group=group, slip_no=2, raw_marks=all_marks(review))
    (slip,) = paper_slips(review.session)
    assert slip.state == "matched" and len(slip.entries) == 2
    with pytest.raises(Refused, match=ERR_THIRD):
        paper_enter(acting_user=c, group=group, slip_no=2, raw_marks=all_marks(review))


def test_mismatch_blocks_the_close_until_resolved(review, clerks):
    a, b, _ = clerks
    group = review.groups["代表"]
    first = all_marks(review)
    second = dict(first)
    second[str(review.subjects[4].pk)] = review.grades["差"]
    paper_enter(acting_user=a, group=group, slip_no=3, raw_marks=first)
    paper_enter(acting_user=b, group=group, slip_no=3, raw_marks=second)
    (slip,) = paper_slips(review.session)
    assert slip.state == "mismatch" and slip.differences() == [str(review.subjects[4].pk)]
    with pytest.raises(Refused, match="代表第3号"):
        session_close(acting_user=a, session=review.session)
    paper_resolve(acting_user=a, group=group, slip_no=3, raw_marks=second, note="原票第5人勾选“差”")
    (slip,) = paper_slips(review.session)
    assert slip.state == "resolved" and slip.marks == second
    with pytest.raises(Refused, match="已核对确定"):
        paper_enter(acting_user=b, group=group, slip_no=3, raw_marks=first)
    session = session_close(acting_user=a, session=review.session)
    row = session.result["subjects"][4]
    assert row["counts"][str(review.grades["差"])] == 1


def test_single_typing_blocks_the_close(review, clerks):
    a, _, _ = clerks
    paper_enter(acting_user=a, group=review.groups["委员"], slip_no=1, raw_marks=all_marks(review))
    with pytest.raises(Refused, match="未完成双人录入核对：委员第1号"):
        session_close(acting_user=a, session=review.session)


def test_a_slip_breaking_the_quota_is_kept_as_typed_and_counted_invalid(review, clerks):
    a, b, _ = clerks
    group = review.groups["代表"]
    wrong = all_marks(review, top=10)
    paper_enter(acting_user=a, group=group, slip_no=4, raw_marks=wrong)
    paper_enter(acting_user=b, group=group, slip_no=4, raw_marks=wrong)
    session = session_close(acting_user=a, session=review.session)
    assert session.result["ballots"] == {"valid": 0, "invalid": 1, "online": 0, "paper": 0}
    ballot = Ballot.objects.get()
    assert not ballot.valid and "超过上限 6 人" in ballot.invalid_reason


def test_slip_numbers_are_checked(review, clerks):
    a, _, _ = clerks
    with pytest.raises(Refused, match="1 到 9 之间"):
        paper_enter(acting_user=a, group=review.groups["委员"], slip_no=10, raw_marks={})
    with pytest.raises(Refused, match="1 到 9 之间"):
        paper_enter(acting_user=a, group=review.groups["委员"], slip_no="x", raw_marks={})


def test_resolve_only_a_mismatch(review, clerks):
    a, _, _ = clerks
    paper_enter(acting_user=a, group=review.groups["委员"], slip_no=1, raw_marks=all_marks(review))
    with pytest.raises(Refused, match="无需核对"):
        paper_resolve(acting_user=a, group=review.groups["委员"], slip_no=1, raw_marks={})


def test_reclose_does_not_count_paper_twice(review, clerks, people):
    from duban.assessment.services.sessions import session_reopen

    a, b, _ = clerks
    group = review.groups["代表"]
    for clerk in (a, b):
        paper_enter(acting_user=clerk, group=group, slip_no=1, raw_marks=all_marks(review))
    session = session_close(acting_user=a, session=review.session)
    session = session_reopen(acting_user=a, session=session, reason="复核")
    session = session_close(acting_user=a, session=session)
    assert session.result["ballots"]["paper"] == 1
    assert Ballot.objects.count() == 1
