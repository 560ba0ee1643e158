"""Casting a ballot with a code, and checking a receipt. No login, no person, no time, no address."""

from dataclasses import dataclass

from django.db import transaction

from duban.assessment.models import Ballot, BallotCode, PendingBallot, ReviewSession, SessionState
from duban.assessment.rules import Shape, ballot_errors, clean_marks
from duban.assessment.sealing import (
    RECEIPT_LENGTH,
    digest,
    fingerprint,
    looks_valid,
    new_receipt,
    normalise,
    receipt_digest,
    seal,
    unseal,
)
from duban.assessment.services import Refused
from duban.lib.writers import sqlite_writer

ERR_FORMAT = "投票码应为 16 位字母和数字，请核对票签后重新输入。"
ERR_UNKNOWN = "投票码无效，请核对票签后重新输入。"
ERR_USED = "该投票码已经使用过，每个投票码只能投票一次。"
ERR_VOIDED = "该投票码已作废，请向工作人员领取新的票签。"
ERR_NOT_STARTED = "测评尚未开始，请等待主持人宣布开始后再投票。"
ERR_ENDED = "测评已结束，不能再投票。"
ERR_RECEIPT_FORMAT = "回执码应为 12 位字母和数字。"
ERR_CHANGED = "测评状态刚刚发生变化，请刷新页面后重新提交。"


@dataclass
class Cast:
    receipt: str
    fingerprint: str


def code_find(text: str) -> BallotCode:
    """The code a voter scanned or typed, with its session and group; refused with the
    reason a voter can act on."""
    code = normalise(text)
    if not looks_valid(code):
        raise Refused(ERR_FORMAT)
    try:
        found = BallotCode.objects.select_related("session", "group").get(digest=digest(code))
    except BallotCode.DoesNotExist:
        raise Refused(ERR_UNKNOWN) from None
    if found.used:
        raise Refused(ERR_USED)
    _require_open(found.session)
    if found.voided:
        raise Refused(ERR_VOIDED)
    return found


# The shapes of open sessions, kept by each server process: a 60-subject shape takes four
# queries, a third of a cast. The key holds the session's version, bumped by every change of
# state; subjects, grades, dimensions and rules change only in the draft state, so a kept shape
# is the session's own for as long as its key can match (and ballot_cast re-checks the version
# under the lock). Opening a session clears the cache of the process that opened it, so a test
# database that hands out the same ids again never meets an old shape.
_SHAPES: dict[tuple, Shape] = {}
_SHAPES_KEPT = 16


def session_shape(session: ReviewSession) -> Shape:
    """The shape a ballot of this open session must fit, read once per process."""
    if session.state != SessionState.OPEN:
        return Shape.of(session)
    key = (session.pk, session.version, session.created_at)
    shape = _SHAPES.get(key)
    if shape is None:
        shape = Shape.of(session)
        if len(_SHAPES) >= _SHAPES_KEPT:
            _SHAPES.clear()
        _SHAPES[key] = shape
    return shape


def shapes_forget() -> None:
    _SHAPES.clear()


def _require_open(session: ReviewSession) -> None:
    if session.state == SessionState.DRAFT:
        raise Refused(ERR_NOT_STARTED)
    if session.state == SessionState.CLOSED:
        raise Refused(ERR_ENDED)


def ballot_cast(
    *, code_text: str, raw_marks: dict, found: BallotCode | None = None, shape: Shape | None = None
) -> Cast:
    """Accept one ballot for one unused code, exactly once. The ballot is checked before the
    code is spent, so a refused ballot leaves the code usable.

    The voter's page passes what it has already read in this request: the code from
    `code_find` (with its session) and the session's `Shape`; without them they are read here.

    Everything that needs no lock (finding the code, checking and sealing the ballot) happens
    before the transaction; inside it, only the session's state is re-read under a row lock,
    the code is spent with a conditional update, and the sealed ballot is stored. On SQLite
    the write lock is held for those three statements only. The session's version, read with
    the code, must still be the same under the lock: the shape the ballot was checked against
    is then still the session's (it changes only in the draft state, and every change of state
    bumps the version)."""
    if found is None:
        found = code_find(code_text)
    session = found.session
    _require_open(session)
    if shape is None:
        shape = session_shape(session)
    try:
        marks = clean_marks(shape, raw_marks)
    except ValueError as exc:
        raise Refused(str(exc)) from None
    errors = ballot_errors(shape, marks)
    if errors:
        raise Refused(errors)
    receipt = new_receipt() if session.show_receipts else ""
    payload = seal({"group": found.group_id, "marks": marks, "receipt": receipt_digest(receipt) if receipt else ""})
    # On SQLite, casts queue for the write lock across threads and server processes
    # (duban.lib.writers) instead of polling for it.
    with sqlite_writer(), transaction.atomic():
        # The session row lock orders every cast against the close: a ballot is either in the
        # count or refused, never lost between the two.
        locked = ReviewSession.objects.select_for_update().only("state", "version").get(pk=session.pk)
        _require_open(locked)
        if locked.version != session.version:
            raise Refused(ERR_CHANGED)
        spent = BallotCode.objects.filter(pk=found.pk, used=False, voided=False).update(used=True)
        if not spent:
            voided = BallotCode.objects.filter(pk=found.pk, voided=True, used=False).exists()
            raise Refused(ERR_VOIDED if voided else ERR_USED)
        PendingBallot.objects.create(session_id=session.pk, payload=payload)
    return Cast(receipt=receipt, fingerprint=fingerprint(receipt, marks) if receipt else "")


@dataclass
class ReceiptCheck:
    state: str  # "counted", "waiting", "unknown"
    session: ReviewSession | None = None
    fingerprint: str = ""


def receipt_check(text: str) -> ReceiptCheck:
    """Is the ballot with this receipt in the count? Answers with the session and the check
    value shown at submission, never with the ballot's content."""
    receipt = normalise(text)
    if not looks_valid(receipt, RECEIPT_LENGTH):
        raise Refused(ERR_RECEIPT_FORMAT)
    key = receipt_digest(receipt)
    ballot = Ballot.objects.select_related("session").filter(receipt=key).first()
    if ballot is not None:
        return ReceiptCheck("counted", ballot.session, fingerprint(receipt, ballot.marks))
    for pending in PendingBallot.objects.select_related("session").filter(session__state=SessionState.OPEN):
        content = unseal(pending.payload)
        if content.get("receipt") == key:
            return ReceiptCheck("waiting", pending.session, fingerprint(receipt, content["marks"]))
    return ReceiptCheck("unknown")
