"""Setting up, opening, closing and reopening a session: who may, and from which state."""

from decimal import Decimal

import pytest

from duban.assessment.models import Grade, SessionLog, SessionLogKind, Subject, VoterGroup
from duban.assessment.services import PermissionDenied, Refused
from duban.assessment.services.codes import codes_available, codes_generate
from duban.assessment.services.sessions import (
    ERR_CLOSED,
    ERR_NOT_DRAFT,
    part_delete,
    part_save,
    readiness,
    session_close,
    session_open,
    session_reopen,
    session_save,
)
from duban.assessment.services.voting import ballot_cast

from .conftest import all_marks


def test_default_scale_is_seed_004s(draft_review):
    grades = list(draft_review.session.grades.values_list("label", "score", "positive"))
    assert grades == [
        ("好", Decimal(100), True),
        ("较好", Decimal(80), True),
        ("一般", Decimal(60), False),
        ("差", Decimal(0), False),
    ]


@pytest.mark.parametrize("persona", ["leader", "head", "liaison", "staff", "outsider", "discipline"])
def test_only_the_office_manages_sessions(draft_review, people, persona):
    actor = getattr(people, persona)
    with pytest.raises(PermissionDenied):
        session_open(acting_user=actor, session=draft_review.session)
    with pytest.raises(PermissionDenied):
        part_save(acting_user=actor, obj=Subject(session=draft_review.session, name="某人"))
    with pytest.raises(PermissionDenied):
        codes_generate(acting_user=actor, group=draft_review.groups["委员"], count=1)


def test_readiness_lists_what_is_missing(people, org):
    from duban.assessment.models import ReviewSession
    from duban.assessment.services.sessions import session_create

    session = session_create(
        acting_user=people.office, session=ReviewSession(title="空评议", year=2025, organiser=org.party)
    )
    assert readiness(session) == ["请先添加被测评人。", "请先添加测评人类别及其选票数。"]
    with pytest.raises(Refused, match="请先添加被测评人"):
        session_open(acting_user=people.office, session=session)


def test_structure_is_locked_once_open(review, people):
    with pytest.raises(Refused, match=ERR_NOT_DRAFT):
        part_save(acting_user=people.office, obj=Subject(session=review.session, name="新增人"))
    subject = review.subjects[0]
    subject.name = "改名"
    with pytest.raises(Refused, match=ERR_NOT_DRAFT):
        part_save(acting_user=people.office, obj=subject)
    with pytest.raises(Refused, match=ERR_NOT_DRAFT):
        part_delete(acting_user=people.office, obj=Grade.objects.filter(session=review.session).first())
    review.session.top_quota_percent = 50
    with pytest.raises(Refused, match="选票规则"):
        session_save(acting_user=people.office, session=review.session)


def test_a_group_may_grow_while_open_but_not_below_its_codes(review, people):
    group = VoterGroup.objects.get(pk=review.groups["群众代表"].pk)
    codes_generate(acting_user=people.office, group=group, count=5)
    assert codes_available(group) == 0
    with pytest.raises(Refused, match="还可生成 0 个投票码"):
        codes_generate(acting_user=people.office, group=group, count=1)
    group.ballots = 7
    part_save(acting_user=people.office, obj=group)
    assert codes_available(group) == 2
    group.ballots = 4
    with pytest.raises(Refused, match="已发放 5 个投票码"):
        part_save(acting_user=people.office, obj=group)
    group.refresh_from_db()
    group.weight = Decimal("0.9")
    with pytest.raises(Refused, match=ERR_NOT_DRAFT):
        part_save(acting_user=people.office, obj=group)


def test_code_counts_are_checked(review, people):
    with pytest.raises(Refused, match="1 到 2000"):
        codes_generate(acting_user=people.office, group=review.groups["委员"], count=0)
    with pytest.raises(Refused, match="请填写"):
        codes_generate(acting_user=people.office, group=review.groups["委员"], count="十")


def test_close_locks_and_reopen_is_a_recorded_act(review, people):
    code = codes_generate(acting_user=people.office, group=review.groups["委员"], count=1)[0]
    ballot_cast(code_text=code, raw_marks=all_marks(review))
    session = session_close(acting_user=people.office, session=review.session)
    assert session.is_closed and session.result["ballots"]["valid"] == 1
    with pytest.raises(Refused, match=ERR_CLOSED):
        session_save(acting_user=people.office, session=session)
    with pytest.raises(Refused, match=ERR_CLOSED):
        codes_generate(acting_user=people.office, group=review.groups["委员"], count=1)
    with pytest.raises(Refused, match="请填写重新开放的理由"):
        session_reopen(acting_user=people.office, session=session, reason="  ")
    with pytest.raises(PermissionDenied):
        session_reopen(acting_user=people.leader, session=session, reason="想改")
    session = session_reopen(acting_user=people.office, session=session, reason="一张纸质票漏录")
    assert session.is_open and session.result is None
    log = SessionLog.objects.filter(session=session, kind=SessionLogKind.REOPENED).get()
    assert log.actor == people.office and log.text == "一张纸质票漏录"
    session = session_close(acting_user=people.office, session=session)
    # The ballot counted at the first close is still counted, once.
    assert session.result["ballots"]["valid"] == 1
    kinds = list(SessionLog.objects.filter(session=session).values_list("kind", flat=True))
    assert kinds == ["created", "opened", "codes", "closed", "reopened", "closed"]


def test_close_refuses_more_ballots_than_voters(review, people):
    from duban.assessment.services.paper import paper_enter

    group = review.groups["群众代表"]
    codes = codes_generate(acting_user=people.office, group=group, count=5)
    for code in codes:
        ballot_cast(code_text=code, raw_marks=all_marks(review))
    clerk2 = _second_clerk(people)
    paper_enter(acting_user=people.office, group=group, slip_no=1, raw_marks=all_marks(review))
    paper_enter(acting_user=clerk2, group=group, slip_no=1, raw_marks=all_marks(review))
    with pytest.raises(Refused, match="超出应到人数"):
        session_close(acting_user=people.office, session=review.session)


def _second_clerk(people):
    from duban.org.models import Person, Role, RoleGrant

    clerk = Person.objects.create_user(username="clerk2", password="x", name="冯录入", unit=people.office.unit)
    RoleGrant.objects.create(person=clerk, role=Role.OFFICE)
    return clerk
