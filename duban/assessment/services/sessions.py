"""Setting up, opening, closing and reopening a review session."""

import secrets

from django.db import transaction
from django.utils import timezone

from duban.assessment import access as rules
from duban.assessment.models import (
    SCALE_PRESETS,
    Ballot,
    BallotCode,
    BallotSource,
    Grade,
    PendingBallot,
    ReviewSession,
    SessionLog,
    SessionLogKind,
    SessionState,
)
from duban.assessment.rules import Shape, ballot_errors, tally
from duban.assessment.sealing import unseal
from duban.assessment.services import PermissionDenied, Refused
from duban.assessment.services.voting import shapes_forget
from duban.org.access import access_for

ERR_NOT_DRAFT = "测评已开始，被测评人、评价等次、测评维度和测评人类别不能再修改。"
ERR_CLOSED = "测评已结束，结果已锁定。如需更改，请先由督查办说明理由后重新开放。"
ERR_NO_SUBJECTS = "请先添加被测评人。"
ERR_FEW_GRADES = "评价等次至少需要两个。"
ERR_NO_GROUPS = "请先添加测评人类别及其选票数。"
ERR_ZERO_WEIGHT = "测评人类别的权重之和必须大于 0。"
ERR_NOT_OPEN = "测评未在进行中。"
ERR_NOT_CLOSED = "测评尚未结束。"
ERR_REASON = "请填写重新开放的理由。"
ERR_MIN_RATED = "最少评价人数不能超过被测评人数。"


def require_manager(acting_user) -> None:
    if not rules.can_manage(access_for(acting_user)):
        raise PermissionDenied("只有督查办可以管理述职评议。")


def log(session, kind, actor, text=""):
    return SessionLog.objects.create(session=session, kind=kind, actor=actor, text=text)


def _locked(session_id: int) -> ReviewSession:
    return ReviewSession.objects.select_for_update().get(pk=session_id)


@transaction.atomic
def session_create(*, acting_user, session: ReviewSession, scale: str = "hao") -> ReviewSession:
    require_manager(acting_user)
    session.created_by = acting_user
    session.state = SessionState.DRAFT
    session.save()
    for order, (label, score, positive) in enumerate(SCALE_PRESETS.get(scale, SCALE_PRESETS["hao"]), start=1):
        Grade.objects.create(session=session, order=order, label=label, score=score, positive=positive)
    log(session, SessionLogKind.CREATED, acting_user)
    return session


@transaction.atomic
def session_save(*, acting_user, session: ReviewSession) -> ReviewSession:
    """Save the session's own fields. Rules of the ballot are fixed once voting has begun."""
    require_manager(acting_user)
    current = _locked(session.pk)
    if current.is_closed:
        raise Refused(ERR_CLOSED)
    if not current.is_draft:
        for name in ("top_quota_percent", "require_all", "min_rated"):
            if getattr(current, name) != getattr(session, name):
                raise Refused("测评已开始，选票规则（比例上限、有效票要求）不能再修改。")
    session.state = current.state
    session.version = current.version + 1
    session.save()
    return session


def require_draft(session: ReviewSession) -> None:
    """Subjects, grades, dimensions and groups can change only before voting starts."""
    state = ReviewSession.objects.filter(pk=session.pk).values_list("state", flat=True).first()
    if state != SessionState.DRAFT:
        raise Refused(ERR_NOT_DRAFT)


@transaction.atomic
def part_save(*, acting_user, obj):
    """Save a subject, grade, dimension or voter group of a draft session. A group's number of
    ballots may still grow while voting is open (someone arrives late)."""
    from duban.assessment.models import VoterGroup

    require_manager(acting_user)
    session = _locked(obj.session_id)
    if session.is_closed:
        raise Refused(ERR_CLOSED)
    if not session.is_draft:
        if not (isinstance(obj, VoterGroup) and obj.pk):
            raise Refused(ERR_NOT_DRAFT)
        before = VoterGroup.objects.get(pk=obj.pk)
        if (obj.name, obj.weight) != (before.name, before.weight):
            raise Refused(ERR_NOT_DRAFT)
        issued = BallotCode.objects.filter(group=obj, voided=False).count()
        if obj.ballots < issued:
            raise Refused(f"该类别已发放 {issued} 个投票码，选票数不能少于此数。")
    obj.save()
    return obj


@transaction.atomic
def part_delete(*, acting_user, obj) -> None:
    require_manager(acting_user)
    session = _locked(obj.session_id)
    if not session.is_draft:
        raise Refused(ERR_NOT_DRAFT)
    obj.delete()


def readiness(session: ReviewSession) -> list[str]:
    """What stops the session from opening."""
    problems = []
    subjects = session.subjects.count()
    if not subjects:
        problems.append(ERR_NO_SUBJECTS)
    if session.grades.count() < 2:
        problems.append(ERR_FEW_GRADES)
    groups = list(session.groups.all())
    if not groups:
        problems.append(ERR_NO_GROUPS)
    elif sum(g.weight for g in groups) <= 0:
        problems.append(ERR_ZERO_WEIGHT)
    if not session.require_all and session.min_rated and session.min_rated > subjects:
        problems.append(ERR_MIN_RATED)
    return problems


@transaction.atomic
def session_open(*, acting_user, session: ReviewSession) -> ReviewSession:
    require_manager(acting_user)
    session = _locked(session.pk)
    if not session.is_draft:
        raise Refused("只有筹备中的测评可以开始。")
    problems = readiness(session)
    if problems:
        raise Refused(" ".join(problems))
    session.state = SessionState.OPEN
    session.version += 1
    session.save(update_fields=["state", "version"])
    shapes_forget()
    log(session, SessionLogKind.OPENED, acting_user)
    return session


def _flush_pending(session: ReviewSession) -> int:
    """Move every pending ballot into Ballot at once, in shuffled order, with fresh random
    keys: afterwards no row order, key or transaction id relates a ballot to a code use."""
    pending = list(PendingBallot.objects.filter(session=session))
    rows = []
    for p in pending:
        content = unseal(p.payload)
        rows.append(
            Ballot(
                session=session,
                group_id=content["group"],
                source=BallotSource.ONLINE,
                marks=content["marks"],
                receipt=content.get("receipt", ""),
            )
        )
    secrets.SystemRandom().shuffle(rows)
    Ballot.objects.bulk_create(rows, batch_size=500)
    PendingBallot.objects.filter(pk__in=[p.pk for p in pending]).delete()
    return len(rows)


def _paper_ballots(session: ReviewSession, shape: Shape) -> list[Ballot]:
    from duban.assessment.services.paper import paper_slips

    slips = paper_slips(session)
    pending = [s for s in slips if s.state not in ("matched", "resolved")]
    if pending:
        listed = "、".join(f"{s.group_name}第{s.slip_no}号" for s in pending[:8])
        more = "等" if len(pending) > 8 else ""
        raise Refused(f"还有 {len(pending)} 张纸质选票未完成双人录入核对：{listed}{more}。请先核对后再结束测评。")
    rows = []
    for s in slips:
        errors = ballot_errors(shape, s.marks)
        rows.append(
            Ballot(
                session=session,
                group_id=s.group_id,
                source=BallotSource.PAPER,
                marks=s.marks,
                valid=not errors,
                invalid_reason="；".join(errors)[:200],
            )
        )
    secrets.SystemRandom().shuffle(rows)
    return rows


def _check_turnout(session: ReviewSession, paper: list[Ballot]) -> None:
    for group in session.groups.all():
        used = BallotCode.objects.filter(group=group, used=True).count()
        slips = sum(1 for b in paper if b.group_id == group.pk)
        if used + slips > group.ballots:
            raise Refused(
                f"“{group.name}”共 {group.ballots} 张选票，但已投 {used} 张电子票、录入 {slips} 张纸质票，"
                f"超出应到人数。请核对纸质选票后再结束。"
            )


@transaction.atomic
def session_close(*, acting_user, session: ReviewSession) -> ReviewSession:
    """Close the vote, count and lock the result."""
    require_manager(acting_user)
    session = _locked(session.pk)
    if not session.is_open:
        raise Refused(ERR_NOT_OPEN)
    shape = Shape.of(session)
    paper = _paper_ballots(session, shape)
    _check_turnout(session, paper)
    _flush_pending(session)
    Ballot.objects.filter(session=session, source=BallotSource.PAPER).delete()
    Ballot.objects.bulk_create(paper, batch_size=500)
    ballots = list(Ballot.objects.filter(session=session).values("group", "marks", "valid", "source"))
    session.result = tally(shape, ballots)
    session.state = SessionState.CLOSED
    session.closed_at = timezone.localdate()
    session.version += 1
    session.save(update_fields=["result", "state", "closed_at", "version"])
    BallotCode.objects.filter(session=session, used=False, voided=False).update(voided=True)
    counted = session.result["ballots"]
    log(
        session,
        SessionLogKind.CLOSED,
        acting_user,
        f"有效票 {counted['valid']} 张（扫码 {counted['online']}，纸质 {counted['paper']}），"
        f"无效票 {counted['invalid']} 张。",
    )
    return session


@transaction.atomic
def session_reopen(*, acting_user, session: ReviewSession, reason: str) -> ReviewSession:
    """A recorded act of the office: the locked result is withdrawn until the next close."""
    require_manager(acting_user)
    reason = (reason or "").strip()
    if not reason:
        raise Refused(ERR_REASON)
    session = _locked(session.pk)
    if not session.is_closed:
        raise Refused(ERR_NOT_CLOSED)
    session.state = SessionState.OPEN
    session.result = None
    session.closed_at = None
    session.version += 1
    session.save(update_fields=["result", "state", "closed_at", "version"])
    shapes_forget()
    log(session, SessionLogKind.REOPENED, acting_user, reason)
    return session
