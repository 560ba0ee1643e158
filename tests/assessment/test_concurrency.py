"""One ballot per code under real concurrency (PostgreSQL; SQLite's global lock hides races)."""

import pytest

from duban.assessment.models import Ballot, BallotCode, PendingBallot
from duban.assessment.services import Refused
from duban.assessment.services.codes import codes_generate
from duban.assessment.services.sessions import session_close
from duban.assessment.services.voting import ERR_USED, ballot_cast
from tests.markers import CONCURRENT
from tests.rectification.test_concurrency import race

from .conftest import all_marks

pytestmark = [
    CONCURRENT,
    pytest.mark.django_db(transaction=True),
]


def test_many_threads_one_code_exactly_one_ballot(review, people):
    code = codes_generate(acting_user=people.office, group=review.groups["代表"], count=1)[0]
    marks = all_marks(review)
    results, errors = race(*[lambda: ballot_cast(code_text=code, raw_marks=marks) for _ in range(8)])
    assert len(results) == 1
    assert len(errors) == 7 and all(isinstance(e, Refused) and e.messages == [ERR_USED] for e in errors)
    assert PendingBallot.objects.count() == 1
    assert BallotCode.objects.filter(used=True).count() == 1


def test_ballots_racing_the_close_are_counted_or_refused_never_lost(review, people):
    codes = codes_generate(acting_user=people.office, group=review.groups["代表"], count=6)
    marks = all_marks(review)
    calls = [lambda c=c: ballot_cast(code_text=c, raw_marks=marks) for c in codes]
    calls.append(lambda: session_close(acting_user=people.office, session=review.session))
    results, errors = race(*calls)
    accepted = sum(1 for r in results if hasattr(r, "receipt"))
    assert all(isinstance(e, Refused) for e in errors)
    review.session.refresh_from_db()
    assert review.session.is_closed
    assert Ballot.objects.count() == accepted == review.session.result["ballots"]["valid"]
    assert PendingBallot.objects.count() == 0
