"""Single-use ballot codes. The plain codes exist only in what this module returns (the slips
document or the screen); the database keeps keyed digests, and never who got which code."""

from django.db import transaction

from duban.assessment.models import BallotCode, CodeBatch, SessionLogKind, VoterGroup
from duban.assessment.sealing import digest, new_code
from duban.assessment.services import Refused
from duban.assessment.services.sessions import ERR_CLOSED, _locked, log, require_manager

MAX_BATCH = 2000


def codes_available(group: VoterGroup) -> int:
    issued = BallotCode.objects.filter(group=group, voided=False).count()
    return max(group.ballots - issued, 0)


@transaction.atomic
def codes_generate(*, acting_user, group: VoterGroup, count: int, kind: str = CodeBatch.Kind.SLIPS) -> list[str]:
    """Make `count` codes for a group and return them in plain text, once."""
    require_manager(acting_user)
    session = _locked(group.session_id)
    if session.is_closed:
        raise Refused(ERR_CLOSED)
    group = VoterGroup.objects.get(pk=group.pk)
    try:
        count = int(count)
    except (TypeError, ValueError):
        raise Refused("请填写要生成的投票码数量。") from None
    if count < 1 or count > MAX_BATCH:
        raise Refused(f"投票码数量应在 1 到 {MAX_BATCH} 之间。")
    left = codes_available(group)
    if count > left:
        raise Refused(
            f"“{group.name}”共 {group.ballots} 张选票，还可生成 {left} 个投票码。"
            "如参加人数有变化，请先修改该类别的选票数。"
        )
    batch = CodeBatch.objects.create(session=session, group=group, kind=kind, count=count, created_by=acting_user)
    codes = set()
    while len(codes) < count:
        codes.add(new_code())
    codes = list(codes)
    BallotCode.objects.bulk_create(
        [BallotCode(session=session, group=group, batch=batch, digest=digest(c)) for c in codes]
    )
    if kind == CodeBatch.Kind.SLIPS:
        log(session, SessionLogKind.CODES, acting_user, f"为“{group.name}”生成 {count} 个投票码（打印票签）。")
    return codes


@transaction.atomic
def batch_void(*, acting_user, batch: CodeBatch) -> int:
    """Void the unused codes of a batch (lost slips, a misprint). Used codes stay counted."""
    require_manager(acting_user)
    session = _locked(batch.session_id)
    if session.is_closed:
        raise Refused(ERR_CLOSED)
    n = BallotCode.objects.filter(batch=batch, used=False, voided=False).update(voided=True)
    log(session, SessionLogKind.VOIDED, acting_user, f"作废“{batch.group.name}”未使用的投票码 {n} 个。")
    return n


def turnout(session) -> list[dict]:
    """Codes issued and used per group, and paper slips entered: counts only, no content."""
    from django.db.models import Count, Q

    from duban.assessment.models import PaperEntry

    codes = {
        row["group"]: row
        for row in BallotCode.objects.filter(session=session)
        .values("group")
        .annotate(
            issued=Count("id", filter=Q(voided=False) | Q(used=True)),
            used=Count("id", filter=Q(used=True)),
        )
    }
    slips = {
        row["group"]: row["n"]
        for row in PaperEntry.objects.filter(session=session)
        .values("group")
        .annotate(n=Count("slip_no", distinct=True))
    }
    rows = []
    for g in session.groups.order_by("order", "id"):
        c = codes.get(g.pk, {})
        used = c.get("used", 0)
        paper = slips.get(g.pk, 0)
        rows.append(
            {
                "group": g,
                "ballots": g.ballots,
                "issued": c.get("issued", 0),
                "used": used,
                "paper": paper,
                "cast": used + paper,
                "percent": round((used + paper) * 100 / g.ballots) if g.ballots else 0,
            }
        )
    return rows
