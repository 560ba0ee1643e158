"""The anonymity test: cast ballots with known codes, close, then try with full database access to
link ballots to codes by every column and row order available — and fail.

Ballots are written only at the close, all at once, shuffled, with random keys; so the k-th ballot
in any stored order is the k-th code used no more often than chance. With 40 ballots a random
permutation has on average one fixed point; the chance of 9 or more is about one in a million.
"""

import pytest
from django.apps import apps
from django.db import connection

from duban.assessment.models import Ballot, BallotCode, PendingBallot
from duban.assessment.services.codes import codes_generate
from duban.assessment.services.sessions import session_close
from duban.assessment.services.voting import ballot_cast

N = 40
CHANCE = 8


def distinct_marks(review, i):
    """Ballot i rates subject j 好 exactly when bit j of i is set: every ballot is unique."""
    marks = {}
    for j, subject in enumerate(review.subjects):
        marks[str(subject.pk)] = review.grades["好"] if (i >> j) & 1 and j < 6 else review.grades["较好"]
    marks[str(review.subjects[21].pk)] = review.grades["一般"] if i % 2 else review.grades["差"]
    marks[str(review.subjects[20].pk)] = [review.grades["一般"], review.grades["差"], review.grades["较好"]][i % 3]
    return marks


@pytest.fixture
def voted(review, people):
    group = review.groups["代表"]
    group.ballots = N
    group.save()
    codes = codes_generate(acting_user=people.office, group=group, count=N)
    receipts = []
    cast_order = []
    for i, code in enumerate(codes):
        cast = ballot_cast(code_text=code, raw_marks=distinct_marks(review, i))
        receipts.append(cast.receipt)
        cast_order.append(i)
    session_close(acting_user=people.office, session=review.session)
    return codes, receipts


def _fixed_points(ballot_order, review):
    """How many ballots sit at the position of their code's use."""
    expected = [distinct_marks(review, i) for i in range(N)]
    return sum(1 for k, marks in enumerate(ballot_order) if k < N and marks == expected[k])


def _orders(table):
    """Every physical or logical row order the database offers for a table."""
    orders = {"pk": f'SELECT marks FROM "{table}" ORDER BY id'}
    if connection.vendor == "sqlite":
        orders["rowid"] = f'SELECT marks FROM "{table}" ORDER BY rowid'
    else:
        orders["ctid"] = f'SELECT marks FROM "{table}" ORDER BY ctid'
        orders["xmin"] = f'SELECT marks FROM "{table}" ORDER BY xmin::text::bigint, ctid'
    return orders


def test_no_row_order_links_ballots_to_code_use(voted, review):
    import json

    table = Ballot._meta.db_table
    with connection.cursor() as cursor:
        for name, sql in _orders(table).items():
            cursor.execute(sql)
            rows = [json.loads(r[0]) if isinstance(r[0], str) else r[0] for r in cursor.fetchall()]
            assert len(rows) == N
            assert _fixed_points(rows, review) <= CHANCE, f"ballots follow the code order by {name}"


def test_ballots_share_one_transaction_on_postgresql(voted):
    if connection.vendor != "postgresql":
        pytest.skip("transaction ids are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COUNT(DISTINCT xmin::text) FROM "{Ballot._meta.db_table}"')
        assert cursor.fetchone()[0] == 1
        # Code rows do show the order codes were used in, but carry nothing of a ballot.
        cursor.execute(f'SELECT COUNT(DISTINCT xmin::text) FROM "{BallotCode._meta.db_table}" WHERE used')
        assert cursor.fetchone()[0] == N


def test_ballot_rows_hold_no_time_no_code_no_person():
    columns = {f.column for f in Ballot._meta.concrete_fields}
    assert columns == {"id", "session_id", "group_id", "source", "marks", "valid", "invalid_reason", "receipt"}
    code_columns = {f.column for f in BallotCode._meta.concrete_fields}
    assert code_columns == {"id", "session_id", "group_id", "batch_id", "digest", "used", "voided"}
    assert {f.column for f in PendingBallot._meta.concrete_fields} == {"id", "session_id", "payload"}


def test_ballot_keys_are_random(voted):
    ids = list(Ballot.objects.values_list("id", flat=True))
    assert all(i.version == 4 for i in ids)


def test_no_plain_code_or_receipt_anywhere_in_the_database(voted):
    codes, receipts = voted
    secrets_ = set(codes) | set(receipts)
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            cols = [f.column for f in model._meta.concrete_fields]
            if not cols:
                continue
            cursor.execute("SELECT " + ", ".join(f'"{c}"' for c in cols) + f' FROM "{table}"')
            for row in cursor.fetchall():
                text = " ".join(str(v) for v in row).upper()
                found = [s for s in secrets_ if s in text]
                assert not found, f"{table} holds a plain code or receipt"


def test_nothing_about_ballots_in_the_audit_history(voted):
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    for model in (Ballot, BallotCode, PendingBallot):
        ct = ContentType.objects.get_for_model(model)
        assert not LogEntry.objects.filter(content_type=ct).exists()
    assert PendingBallot.objects.count() == 0


def test_pending_ballots_are_sealed(review, people):
    code = codes_generate(acting_user=people.office, group=review.groups["委员"], count=1)[0]
    ballot_cast(code_text=code, raw_marks=distinct_marks(review, 3))
    payload = bytes(PendingBallot.objects.get().payload)
    assert b"marks" not in payload and str(review.subjects[0].pk).encode() + b'":' not in payload
