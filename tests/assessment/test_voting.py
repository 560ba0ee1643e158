"""Casting ballots with codes, receipts, and the close."""

import pytest

from duban.assessment.models import Ballot, BallotCode, PendingBallot, ReviewSession
from duban.assessment.services import Refused
from duban.assessment.services.codes import batch_void, codes_generate
from duban.assessment.services.sessions import session_close, session_reopen, session_save
from duban.assessment.services.voting import (
    ERR_CHANGED,
    ERR_FORMAT,
    ERR_NOT_STARTED,
    ERR_UNKNOWN,
    ERR_USED,
    ERR_VOIDED,
    ballot_cast,
    code_find,
    receipt_check,
    session_shape,
)

from .conftest import all_marks


@pytest.fixture
def codes(review, people):
    return codes_generate(acting_user=people.office, group=review.groups["委员"], count=4)


def test_codes_are_long_random_and_stored_only_as_digests(review, codes):
    assert len(set(codes)) == 4 and all(len(c) == 16 for c in codes)
    stored = list(BallotCode.objects.values_list("digest", flat=True))
    assert len(stored) == 4
    assert not any(c in d or c.lower() in d for c in codes for d in stored)


def test_a_code_is_accepted_once(review, codes):
    cast = ballot_cast(code_text=codes[0], raw_marks=all_marks(review, top=6))
    assert len(cast.receipt) == 12 and cast.fingerprint
    with pytest.raises(Refused) as exc:
        ballot_cast(code_text=codes[0], raw_marks=all_marks(review))
    assert exc.value.messages == [ERR_USED]
    with pytest.raises(Refused, match=ERR_USED):
        code_find(codes[0])
    assert PendingBallot.objects.count() == 1


def test_typed_code_is_forgiving(review, codes):
    typed = "-".join(codes[1][i : i + 4] for i in range(0, 16, 4)).lower()
    assert code_find(typed).group == review.groups["委员"]


def test_bad_codes_are_refused_clearly(review, codes):
    with pytest.raises(Refused, match=ERR_FORMAT):
        code_find("12345")
    with pytest.raises(Refused, match=ERR_UNKNOWN):
        code_find("0000000000000000")


def test_an_invalid_ballot_does_not_spend_the_code(review, codes):
    with pytest.raises(Refused) as exc:
        ballot_cast(code_text=codes[0], raw_marks=all_marks(review, top=7))
    assert "超过上限 6 人" in exc.value.messages[0]
    with pytest.raises(Refused, match="尚有 1 人未评"):
        marks = all_marks(review)
        marks.pop(str(review.subjects[5].pk))
        ballot_cast(code_text=codes[0], raw_marks=marks)
    with pytest.raises(Refused, match="无效的评价等次"):
        ballot_cast(code_text=codes[0], raw_marks={**all_marks(review), str(review.subjects[0].pk): "9"})
    assert not BallotCode.objects.filter(used=True).exists()
    ballot_cast(code_text=codes[0], raw_marks=all_marks(review))


def test_voided_codes_cannot_vote(review, codes, people):
    ballot_cast(code_text=codes[0], raw_marks=all_marks(review))
    batch = BallotCode.objects.first().batch
    assert batch_void(acting_user=people.office, batch=batch) == 3
    with pytest.raises(Refused, match=ERR_VOIDED):
        ballot_cast(code_text=codes[1], raw_marks=all_marks(review))


def test_draft_and_closed_sessions_refuse_ballots(draft_review, people, review):
    draft_codes = codes_generate(acting_user=people.office, group=draft_review.groups["代表"], count=1)
    with pytest.raises(Refused, match=ERR_NOT_STARTED):
        code_find(draft_codes[0])
    codes = codes_generate(acting_user=people.office, group=review.groups["代表"], count=2)
    session_close(acting_user=people.office, session=review.session)
    with pytest.raises(Refused, match="测评已结束"):
        code_find(codes[0])
    with pytest.raises(Refused, match="测评已结束"):
        ballot_cast(code_text=codes[0], raw_marks=all_marks(review))
    review.session.refresh_from_db()
    session_reopen(acting_user=people.office, session=review.session, reason="补录纸质票")
    # Unused codes were voided at the close: a reopened vote needs new codes.
    with pytest.raises(Refused, match=ERR_VOIDED):
        ballot_cast(code_text=codes[1], raw_marks=all_marks(review))


def test_receipt_waiting_then_counted_with_the_same_check_value(review, codes, people):
    cast = ballot_cast(code_text=codes[0], raw_marks=all_marks(review, top=2))
    waiting = receipt_check(cast.receipt.lower())
    assert waiting.state == "waiting" and waiting.fingerprint == cast.fingerprint
    session_close(acting_user=people.office, session=review.session)
    counted = receipt_check(cast.receipt)
    assert counted.state == "counted"
    assert counted.session == review.session
    assert counted.fingerprint == cast.fingerprint
    assert receipt_check("ABCDEFGHJKMN").state == "unknown"
    with pytest.raises(Refused, match="回执码应为 12 位"):
        receipt_check("123")


def test_no_receipts_when_the_session_gives_none(review, codes):
    review.session.show_receipts = False
    review.session.save(update_fields=["show_receipts"])
    cast = ballot_cast(code_text=codes[0], raw_marks=all_marks(review))
    assert cast.receipt == "" and cast.fingerprint == ""


def test_close_moves_pending_ballots_and_counts_them(review, people):
    codes = codes_generate(acting_user=people.office, group=review.groups["代表"], count=6)
    for i, code in enumerate(codes):
        ballot_cast(code_text=code, raw_marks=all_marks(review, grade="一般" if i % 2 else "较好", top=i))
    session = session_close(acting_user=people.office, session=review.session)
    assert PendingBallot.objects.count() == 0
    assert Ballot.objects.filter(session=session).count() == 6
    result = session.result
    assert result["ballots"]["valid"] == 6
    first = result["subjects"][0]
    assert first["counts"]["1"] == 5  # ballots 1..5 rated the first subject 好
    assert sum(first["counts"].values()) == 6
    assert BallotCode.objects.filter(used=False, voided=False).count() == 0


def test_a_ballot_checked_before_the_session_changed_is_refused_and_the_code_kept(review, codes, people):
    """The voter's page passes the code and shape it read; if the session's version moved on
    before the write lock, the cast is refused and nothing is spent."""
    found = code_find(codes[0])
    shape = session_shape(found.session)
    session_save(acting_user=people.office, session=ReviewSession.objects.get(pk=review.session.pk))
    with pytest.raises(Refused) as exc:
        ballot_cast(code_text=codes[0], raw_marks=all_marks(review), found=found, shape=shape)
    assert exc.value.messages == [ERR_CHANGED]
    assert not BallotCode.objects.filter(used=True).exists()
    assert PendingBallot.objects.count() == 0
    cast = ballot_cast(code_text=codes[0], raw_marks=all_marks(review))
    assert cast.receipt


def test_the_shape_of_an_open_session_is_read_once_per_version(review, people, django_assert_num_queries):
    session = ReviewSession.objects.get(pk=review.session.pk)
    first = session_shape(session)
    with django_assert_num_queries(0):
        assert session_shape(session) is first
    assert [s[0] for s in first.subjects] == [s.pk for s in review.subjects]
    session_close(acting_user=people.office, session=session)
    closed = ReviewSession.objects.get(pk=session.pk)
    again = session_shape(session_reopen(acting_user=people.office, session=closed, reason="补录"))
    assert again is not first and again == first


def test_the_shape_of_a_draft_is_never_kept(draft_review, people):
    session = ReviewSession.objects.get(pk=draft_review.session.pk)
    assert session_shape(session) is not session_shape(session)
