"""Paper ballots, typed twice by two different clerks (双人录入). A slip counts when both
typings agree, or once the office has resolved the difference against the slip itself."""

from dataclasses import dataclass, field

from django.db import transaction

from duban.assessment.models import PaperEntry, PaperResolution, SessionLogKind, VoterGroup
from duban.assessment.rules import Shape, clean_marks
from duban.assessment.services import Refused
from duban.assessment.services.sessions import ERR_CLOSED, _locked, log, require_manager

ERR_THIRD = "该票已由两位录入员录入，不能再录入第三份。如两份不一致，请在核对页按原票确定。"
ERR_SLIP_NO = "票号应为 1 到 {n} 之间的整数（本类别共 {n} 张选票）。"
ERR_NOT_MISMATCH = "该票两份录入一致或尚未完成两份录入，无需核对。"


@dataclass
class Slip:
    group_id: int
    group_name: str
    slip_no: int
    entries: list = field(default_factory=list)  # PaperEntry rows
    resolution: PaperResolution | None = None

    @property
    def state(self) -> str:
        if self.resolution is not None:
            return "resolved"
        if len(self.entries) < 2:
            return "single"
        return "matched" if self.entries[0].marks == self.entries[1].marks else "mismatch"

    @property
    def marks(self) -> dict:
        if self.resolution is not None:
            return self.resolution.marks
        return self.entries[0].marks if self.state == "matched" else {}

    def differences(self) -> list[str]:
        """The cells on which the two typings differ."""
        if len(self.entries) < 2:
            return []
        a, b = self.entries[0].marks, self.entries[1].marks
        return sorted({k for k in a.keys() | b.keys() if a.get(k) != b.get(k)})


def _session_open(session_id):
    session = _locked(session_id)
    if session.is_closed:
        raise Refused(ERR_CLOSED)
    if session.is_draft:
        raise Refused("测评尚未开始，不能录入纸质选票。")
    return session


@transaction.atomic
def paper_enter(*, acting_user, group: VoterGroup, slip_no, raw_marks: dict) -> PaperEntry:
    """One clerk types one slip. A clerk may correct their own typing; a third clerk may not
    add a typing. What the slip says is kept as typed, even when it breaks the ballot rules:
    such a slip is counted as invalid (废票) at the close."""
    require_manager(acting_user)
    session = _session_open(group.session_id)
    group = VoterGroup.objects.get(pk=group.pk)
    try:
        slip_no = int(slip_no)
    except (TypeError, ValueError):
        raise Refused(ERR_SLIP_NO.format(n=group.ballots)) from None
    if not 1 <= slip_no <= group.ballots:
        raise Refused(ERR_SLIP_NO.format(n=group.ballots))
    try:
        marks = clean_marks(Shape.of(session), raw_marks)
    except ValueError as exc:
        raise Refused(str(exc)) from None
    if PaperResolution.objects.filter(session=session, group=group, slip_no=slip_no).exists():
        raise Refused("该票已核对确定，不能再修改录入。")
    others = PaperEntry.objects.filter(session=session, group=group, slip_no=slip_no).exclude(clerk=acting_user)
    if others.count() >= 2:
        raise Refused(ERR_THIRD)
    entry, _ = PaperEntry.objects.update_or_create(
        session=session, group=group, slip_no=slip_no, clerk=acting_user, defaults={"marks": marks}
    )
    return entry


def paper_slips(session, group: VoterGroup | None = None) -> list[Slip]:
    """Every slip typed so far, with its state: single, matched, mismatch or resolved."""
    entries = PaperEntry.objects.filter(session=session).select_related("group", "clerk").order_by("id")
    resolutions = PaperResolution.objects.filter(session=session)
    if group is not None:
        entries = entries.filter(group=group)
        resolutions = resolutions.filter(group=group)
    slips: dict[tuple, Slip] = {}
    for e in entries:
        key = (e.group_id, e.slip_no)
        slips.setdefault(key, Slip(e.group_id, e.group.name, e.slip_no)).entries.append(e)
    for r in resolutions:
        if (r.group_id, r.slip_no) in slips:
            slips[(r.group_id, r.slip_no)].resolution = r
    return sorted(slips.values(), key=lambda s: (s.group_id, s.slip_no))


@transaction.atomic
def paper_resolve(*, acting_user, group: VoterGroup, slip_no: int, raw_marks: dict, note: str = "") -> PaperResolution:
    """The office reads the slip and records what it says."""
    require_manager(acting_user)
    session = _session_open(group.session_id)
    slip = next((s for s in paper_slips(session, group) if s.slip_no == int(slip_no)), None)
    if slip is None or slip.state != "mismatch":
        raise Refused(ERR_NOT_MISMATCH)
    try:
        marks = clean_marks(Shape.of(session), raw_marks)
    except ValueError as exc:
        raise Refused(str(exc)) from None
    resolution = PaperResolution.objects.create(
        session=session, group=group, slip_no=slip.slip_no, marks=marks, note=note.strip(), resolved_by=acting_user
    )
    log(session, SessionLogKind.PAPER, acting_user, f"“{group.name}”第 {slip.slip_no} 号纸质选票按原票核对确定。")
    return resolution
