"""Meeting leave (会议请假): "因特殊情况确实不能参加会议时，要提前向组织会议的部门请假" (seed 003).
The invitee asks, the organiser decides; a request after the start is marked late. Approved
travel or leave covering a meeting proposes a request by itself."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from duban.leave.models import AbsenceRequest, AbsenceStatus
from duban.lib.dates import cn_date
from duban.meetings.labels import when_text
from duban.meetings.models import OPEN_LEAVE, Attendance, Invitation, LeaveStatus, Meeting, MeetingLeave, MeetingStatus
from duban.meetings.services.attendance import ERR_NOT_INVITED, SIGNED, require_manager
from duban.notify.models import MessageKind
from duban.notify.services import message_send
from duban.org.models import Person
from duban.supervision.services import Refused

ERR_CANCELLED = "会议已取消，无需请假。"
ERR_CLOSED = "会议已结束，不能再请假。"
ERR_DRAFT = "会议尚未发出通知，不能请假。"
ERR_REASON = "请填写请假事由。"
ERR_NO_SUBSTITUTE = "本次会议不允许委托他人参会。"
ERR_SUBSTITUTE_SELF = "代为参会人不能是本人。"
ERR_SUBSTITUTE_INACTIVE = "代为参会人的账号已停用，请另选他人。"
ERR_SUBSTITUTE_INVITED = "代为参会人本身也在参会名单中，请另选他人。"
ERR_SUBSTITUTE_UNIT = "代为参会人须为本单位人员。"
ERR_SIGNED_IN = "您已签到，不能再请假。"
ERR_OPEN = "您已提交过请假申请（待审批或已准假），请勿重复提交。"
ERR_CANNOT_DECIDE = "只有会务人员可以审批会议请假。"
ERR_DECIDED = "该请假申请已处理过。"
ERR_REFUSE_NOTE = "不准假须说明理由。"
ERR_DECIDE_CANCELLED = "会议已取消，无需审批请假。"
ERR_NOT_YOURS = "只能撤回本人的请假申请。"
ERR_NOT_PENDING = "只有待审批的请假申请可以撤回。"

REFUSALS = {
    MeetingStatus.CANCELLED: ERR_CANCELLED,
    MeetingStatus.CLOSED: ERR_CLOSED,
    MeetingStatus.DRAFT: ERR_DRAFT,
}


def leave_refusal(meeting: Meeting, invitation: Invitation | None = None) -> str | None:
    """Why no one (or, given their invitation, this invitee) may ask for leave from this meeting
    now: its status, or having signed in. None if they may."""
    refusal = REFUSALS.get(meeting.status)
    if refusal is None and invitation is not None and invitation.attendance in SIGNED:
        refusal = ERR_SIGNED_IN
    return refusal


def is_late(meeting: Meeting, now=None) -> bool:
    """A request made once the meeting has started is 会后补假."""
    return (now or timezone.now()) >= meeting.starts_at


def substitutes_for(meeting: Meeting, person):
    """Who may attend in the person's stead: active people of their own unit, not themselves,
    not invited to the meeting. None at all unless the meeting allows substitutes."""
    if not meeting.allows_substitute or person.unit_id is None:
        return Person.objects.none()
    invited = meeting.invitations.values("person_id")
    people = Person.objects.filter(is_active=True, unit_id=person.unit_id).exclude(pk=person.pk)
    return people.exclude(pk__in=invited).order_by("name")


def _check_substitute(meeting: Meeting, person, substitute) -> None:
    if not meeting.allows_substitute:
        raise Refused(ERR_NO_SUBSTITUTE)
    if substitute.pk == person.pk:
        raise Refused(ERR_SUBSTITUTE_SELF)
    if not substitute.is_active:
        raise Refused(ERR_SUBSTITUTE_INACTIVE)
    if meeting.invitations.filter(person=substitute).exists():
        raise Refused(ERR_SUBSTITUTE_INVITED)
    if person.unit_id is None or substitute.unit_id != person.unit_id:
        raise Refused(ERR_SUBSTITUTE_UNIT)


def _attendance_url(meeting: Meeting) -> str:
    return reverse("meetings:attendance", args=[meeting.pk])


@transaction.atomic
def request_leave(person, meeting: Meeting, reason: str, substitute=None) -> MeetingLeave:
    """The invitee asks for leave, naming a substitute where the meeting allows one."""
    meeting = Meeting.objects.select_related("organiser").get(pk=meeting.pk)
    refusal = leave_refusal(meeting)
    if refusal:
        raise Refused(refusal)
    invitation = Invitation.objects.select_for_update().filter(meeting=meeting, person=person).first()
    if invitation is None:
        raise Refused(ERR_NOT_INVITED)
    refusal = leave_refusal(meeting, invitation)
    if refusal:
        raise Refused(refusal)
    reason = (reason or "").strip()
    if not reason:
        raise Refused(ERR_REASON)
    if substitute is not None:
        _check_substitute(meeting, person, substitute)
    now = timezone.now()
    try:
        with transaction.atomic():
            leave = MeetingLeave.objects.create(
                invitation=invitation,
                reason=reason[:300],
                substitute=substitute,
                is_late=is_late(meeting, now),
                requested_at=now,
            )
    except IntegrityError:
        raise Refused(ERR_OPEN)
    late = "（会后补假）" if leave.is_late else ""
    body = f"{person.name}申请不参加“{meeting.title}”（{when_text(meeting)}）{late}。事由：{leave.reason}"
    if substitute is not None:
        body += f"；委托{substitute.name}代为参会"
    message_send(
        recipients=[meeting.organiser],
        kind=MessageKind.TASK,
        title=f"会议请假待审批：{person.name}",
        body=body + "。",
        url=_attendance_url(meeting),
    )
    return leave


@transaction.atomic
def decide(acting_user, leave: MeetingLeave, approve: bool, note: str = "") -> MeetingLeave:
    """准假 or 不准假. Approved: the invitee is on leave (unless already signed in) and the
    substitute, if any, is recorded on the invitation."""
    leave = MeetingLeave.objects.select_for_update().get(pk=leave.pk)
    invitation = Invitation.objects.select_for_update().select_related("meeting", "person").get(pk=leave.invitation_id)
    meeting = invitation.meeting
    require_manager(acting_user, meeting, ERR_CANNOT_DECIDE)
    if meeting.status == MeetingStatus.CANCELLED:
        raise Refused(ERR_DECIDE_CANCELLED)
    if leave.status != LeaveStatus.PENDING:
        raise Refused(ERR_DECIDED)
    note = (note or "").strip()
    if not approve and not note:
        raise Refused(ERR_REFUSE_NOTE)
    leave.status = LeaveStatus.APPROVED if approve else LeaveStatus.REFUSED
    leave.decided_by = acting_user
    leave.decided_at = timezone.now()
    leave.decision_note = note[:200]
    leave.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if approve:
        changed = []
        if invitation.attendance not in SIGNED:
            invitation.attendance = Attendance.LEAVE
            changed.append("attendance")
        if leave.substitute_id:
            invitation.substitute_id = leave.substitute_id
            changed.append("substitute")
        if changed:
            invitation.save(update_fields=changed)
    message_send(
        recipients=[invitation.person],
        kind=MessageKind.REVIEW,
        title=f"会议请假{'已准假' if approve else '不准假'}：{meeting.title}",
        body=note or "已准假。",  # refusing needs a note
        url=_attendance_url(meeting),
    )
    leave.invitation = invitation
    return leave


@transaction.atomic
def withdraw(person, leave: MeetingLeave) -> MeetingLeave:
    leave = MeetingLeave.objects.select_for_update().select_related("invitation").get(pk=leave.pk)
    if leave.invitation.person_id != person.pk:
        raise PermissionDenied(ERR_NOT_YOURS)
    if leave.status != LeaveStatus.PENDING:
        raise Refused(ERR_NOT_PENDING)
    leave.status = LeaveStatus.WITHDRAWN
    leave.save(update_fields=["status"])
    return leave


# --- Proposals from approved travel and leave ------------------------------------------------


def _propose(invitation: Invitation, absence: AbsenceRequest) -> MeetingLeave | None:
    """One proposed request (None if the invitation already has an open one)."""
    meeting = invitation.meeting
    dates = cn_date(absence.starts_on)
    if absence.ends_on != absence.starts_on:
        dates += f"至{cn_date(absence.ends_on)}"
    name = absence.absence_type.name
    try:
        with transaction.atomic():
            leave = MeetingLeave.objects.create(
                invitation=invitation,
                reason=f"{name}：{dates}",
                status=LeaveStatus.PENDING,
                proposed=True,
                absence=absence,
                is_late=is_late(meeting),
            )
    except IntegrityError:
        return None
    message_send(
        recipients=[meeting.organiser],
        kind=MessageKind.TASK,
        title=f"会议请假待审批（系统建议）：{invitation.person.name}",
        body=(
            f"{invitation.person.name}已获批{name}（{dates}），与“{meeting.title}”（{when_text(meeting)}）时间冲突，"
            "系统已为其生成会议请假申请，请审批。"
        ),
        url=_attendance_url(meeting),
    )
    return leave


def _candidates():
    """Invitations that may get a proposal: announced meetings only (a draft's invitees have not
    been told yet), no open request, not signed in."""
    return (
        Invitation.objects.filter(meeting__status=MeetingStatus.ANNOUNCED)
        .exclude(leaves__status__in=OPEN_LEAVE)
        .exclude(attendance__in=SIGNED)
        .select_related("meeting__organiser", "person")
    )


@transaction.atomic
def propose_for_absence(absence) -> None:
    """Approved travel or leave: propose a meeting-leave request for each meeting it covers."""
    if absence.status != AbsenceStatus.APPROVED:
        return None
    absence = AbsenceRequest.objects.select_related("absence_type").get(pk=absence.pk)
    invitations = _candidates().filter(
        person_id=absence.person_id,
        meeting__starts_at__date__gte=absence.starts_on,
        meeting__starts_at__date__lte=absence.ends_on,
    )
    for invitation in invitations:
        _propose(invitation, absence)
    return None


@transaction.atomic
def propose_for_meeting(meeting, only=None) -> int:
    """At announce (and for people invited later, `only` their invitations): each invitee with
    approved travel or leave on the meeting's day gets a proposed request. Returns how many were
    made; running it again makes none."""
    meeting = Meeting.objects.get(pk=meeting.pk)
    if meeting.status != MeetingStatus.ANNOUNCED:
        return 0
    day = timezone.localdate(meeting.starts_at)
    candidates = _candidates().filter(meeting=meeting)
    if only is not None:
        candidates = candidates.filter(pk__in=[invitation.pk for invitation in only])
    invitations = list(candidates)
    absences = {}
    for absence in (
        AbsenceRequest.objects.filter(
            person_id__in=[i.person_id for i in invitations],
            status=AbsenceStatus.APPROVED,
            starts_on__lte=day,
            ends_on__gte=day,
        )
        .select_related("absence_type")
        .order_by("starts_on", "id")
    ):
        absences.setdefault(absence.person_id, absence)
    made = 0
    for invitation in invitations:
        absence = absences.get(invitation.person_id)
        if absence is not None and _propose(invitation, absence) is not None:
            made += 1
    return made
