"""Meetings: setting one up, who is invited (people and whole units), announcing it,
cancelling it, and the invitees' answers.

Every service checks who may act (duban.meetings.access) and from which state, and writes
in one transaction; a refusal is a `Refused` with the message to show.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from duban.lib.dates import cn_datetime
from duban.meetings import access as rules
from duban.meetings.labels import when_text
from duban.meetings.models import (
    Attendance,
    Invitation,
    InviteScope,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Response,
    UnitInvite,
)
from duban.meetings.services import leave as leave_services
from duban.meetings.services.agenda import slot_contacts, slots_from_plan
from duban.notify.models import MessageKind
from duban.notify.services import message_send
from duban.org.access import ALL, access_for
from duban.org.models import Person, Role, RoleGrant
from duban.supervision.services import Refused

ERR_HOST = "您不能以该单位的名义组织会议，请选择您负责的单位。"
ERR_ENDS = "结束时间须晚于开始时间。"
ERR_DUE = "材料报送截止时间须早于会议开始时间。"
ERR_VERSION = "会议信息已被他人修改，请刷新后再改。"
ERR_FIXED = "会议已结束或已取消，不能再修改。"
ERR_PLAN_KIND = "只有调度会、推进会可以选择调度计划。"
ERR_SIGNED_IN = "{name}已签到，不能移出参会名单。"
ERR_UNIT_SIGNED_IN = "{unit}已有人签到，不能移出该单位。"
ERR_NO_PEOPLE = "请选择要邀请的人员。"
ERR_NOT_DRAFT = "会议已发出通知，不能重复通知。"
ERR_STARTED_ALREADY = "会议开始时间已过，不能再发通知。"
ERR_NO_INVITEES = "还没有参会人员：请先添加参会人员或参会单位（单位须有相应人员）。"
ERR_CANCEL_CLOSED = "会议已结束，不能取消。"
ERR_CANCELLED = "会议已取消。"
ERR_CANCEL_REASON = "请填写取消会议的原因。"
ERR_NOT_INVITED = "您不在本次会议的参会名单中。"
ERR_NOT_OPEN = "会议尚未发出通知或已结束、已取消，不能回复。"
ERR_STARTED = "会议已开始，不能再回复是否参加；如不能参会请办理会议请假。"

PLAN_KINDS = (MeetingKind.SCHEDULING, MeetingKind.PROGRESS)
FIXED = (MeetingStatus.CLOSED, MeetingStatus.CANCELLED)
SIGNED_IN = (Attendance.PRESENT, Attendance.LATE)
SCOPE_ROLES = {
    InviteScope.HEADS: (Role.UNIT_HEAD,),
    InviteScope.HEADS_LIAISONS: (Role.UNIT_HEAD, Role.LIAISON),
}


def _managed(acting_user, meeting: Meeting) -> None:
    if not rules.can_manage(access_for(acting_user), meeting):
        raise PermissionDenied("只有会务联系人、督查办或主办单位负责人、联络员可以管理该会议。")


def _open(meeting: Meeting) -> None:
    if meeting.status in FIXED:
        raise Refused(ERR_FIXED)


def _lock(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def respond_refusal(meeting: Meeting, now=None) -> str | None:
    """Why invitees cannot answer now (None if they can): only announced meetings, before the start."""
    if meeting.status != MeetingStatus.ANNOUNCED:
        return ERR_NOT_OPEN
    if (now or timezone.now()) >= meeting.starts_at:
        return ERR_STARTED
    return None


def invitees_of(meeting: Meeting) -> list[Person]:
    return [i.person for i in meeting.invitations.select_related("person")]


# --- The meeting itself ------------------------------------------------------------------


@transaction.atomic
def meeting_save(*, acting_user, meeting: Meeting) -> Meeting:
    """Create or update a meeting. `meeting.version` is the version the editor saw."""
    access = access_for(acting_user)
    stored = _lock(meeting) if meeting.pk else None
    if stored is None:
        if not rules.can_create_meetings(access):
            raise PermissionDenied("您无权组织会议。")
    else:
        _managed(acting_user, stored)
        _open(stored)
        if meeting.version != stored.version:
            raise Refused(ERR_VERSION)
    if stored is None or meeting.host_unit_id != stored.host_unit_id:
        units = rules.host_units(access)
        if units != ALL and meeting.host_unit_id not in units:
            raise Refused(ERR_HOST)
    if meeting.ends_at <= meeting.starts_at:
        raise Refused(ERR_ENDS)
    if meeting.reports_due_at and meeting.reports_due_at >= meeting.starts_at:
        raise Refused(ERR_DUE)
    if meeting.plan_id and meeting.kind not in PLAN_KINDS:
        raise Refused(ERR_PLAN_KIND)
    if stored is None:
        meeting.created_by = acting_user
        meeting.status = MeetingStatus.DRAFT
        meeting.version = 1
        meeting.save()
        return meeting
    # Fields the form does not own keep their stored values.
    for name in ("status", "sign_in_token", "minutes", "created_by_id", "created_at", "announced_at", "closed_at"):
        setattr(meeting, name, getattr(stored, name))
    meeting.version = stored.version + 1
    meeting.save()
    moved = (meeting.starts_at, meeting.ends_at, meeting.place) != (stored.starts_at, stored.ends_at, stored.place)
    if moved and meeting.status == MeetingStatus.ANNOUNCED:
        message_send(
            recipients=invitees_of(meeting),
            kind=MessageKind.TASK,
            title=f"会议时间地点变更：{meeting.title}",
            body=f"变更后时间：{when_text(meeting)}；地点：{meeting.place}。请按新的时间地点参会。",
            url=meeting.get_absolute_url(),
        )
    return meeting


@transaction.atomic
def meeting_announce(*, acting_user, meeting: Meeting) -> Meeting:
    """Draft → announced: expand the unit invites, tell every invitee, ask each reporting
    unit for its material, and propose leave for those already away."""
    meeting = _lock(meeting)
    _managed(acting_user, meeting)
    if meeting.status != MeetingStatus.DRAFT:
        raise Refused(ERR_NOT_DRAFT)
    if meeting.starts_at <= timezone.now():
        raise Refused(ERR_STARTED_ALREADY)
    if meeting.kind == MeetingKind.SCHEDULING and meeting.plan_id and not meeting.slots.exists():
        slots_from_plan(acting_user=acting_user, meeting=meeting)
    expand_invitations(meeting)
    if not meeting.invitations.exists():
        raise Refused(ERR_NO_INVITEES)
    meeting.status = MeetingStatus.ANNOUNCED
    meeting.announced_at = timezone.now()
    meeting.version += 1
    meeting.save(update_fields=["status", "announced_at", "version"])
    chair = f"主持人：{meeting.chair}。" if meeting.chair else ""
    message_send(
        recipients=invitees_of(meeting),
        kind=MessageKind.TASK,
        title=f"会议通知：{meeting.title}",
        body=f"时间：{when_text(meeting)}；地点：{meeting.place}。{chair}请在系统中回复是否参加；不能参会的请办理会议请假。",
        url=meeting.get_absolute_url(),
    )
    if meeting.kind == MeetingKind.SCHEDULING:
        due = f"请于{cn_datetime(meeting.reports_due_at)}前" if meeting.reports_due_at else "请在会前"
        for slot, people in slot_contacts(meeting):
            message_send(
                recipients=people,
                kind=MessageKind.TASK,
                title=f"请报送调度会材料：{meeting.title}",
                body=f"{due}报送{slot.unit.name}的工作进展、存在问题和下一步计划（系统已根据最近报告预填，可修改）。",
                url=slot_url(slot),
            )
    leave_services.propose_for_meeting(meeting)
    return meeting


def slot_url(slot) -> str:
    return reverse("meetings:slot_edit", args=[slot.meeting_id, slot.pk])


@transaction.atomic
def meeting_cancel(*, acting_user, meeting: Meeting, reason: str) -> Meeting:
    meeting = _lock(meeting)
    _managed(acting_user, meeting)
    if meeting.status == MeetingStatus.CLOSED:
        raise Refused(ERR_CANCEL_CLOSED)
    if meeting.status == MeetingStatus.CANCELLED:
        raise Refused(ERR_CANCELLED)
    reason = (reason or "").strip()
    if not reason:
        raise Refused(ERR_CANCEL_REASON)
    announced = meeting.status == MeetingStatus.ANNOUNCED
    meeting.status = MeetingStatus.CANCELLED
    meeting.version += 1
    meeting.save(update_fields=["status", "version"])
    if announced:
        message_send(
            recipients=invitees_of(meeting),
            kind=MessageKind.SYSTEM,
            title=f"会议取消：{meeting.title}",
            body=f"原定{when_text(meeting)}在{meeting.place}召开的会议取消。原因：{reason}",
            url=meeting.get_absolute_url(),
        )
    return meeting


# --- Invitees ------------------------------------------------------------------------------


def _scope_people(invite: UnitInvite) -> list[Person]:
    if invite.scope == InviteScope.ALL:
        return list(Person.objects.filter(unit_id=invite.unit_id, is_active=True).order_by("name", "pk"))
    grants = RoleGrant.objects.filter(
        unit_id=invite.unit_id, role__in=SCOPE_ROLES[invite.scope], person__is_active=True
    ).select_related("person")
    people = {grant.person.pk: grant.person for grant in grants}
    return sorted(people.values(), key=lambda person: (person.name, person.pk))


def expand_invitations(meeting: Meeting) -> list[Invitation]:
    """One Invitation per person of each invited unit (by its scope); people already invited
    keep their invitation. Returns the new ones."""
    invited = set(meeting.invitations.values_list("person_id", flat=True))
    created = []
    for invite in meeting.unit_invites.all():
        for person in _scope_people(invite):
            if person.pk in invited:
                continue
            invited.add(person.pk)
            created.append(Invitation.objects.create(meeting=meeting, person=person, via_unit_id=invite.unit_id))
    return created


def _tell_new(meeting: Meeting, invitations: list[Invitation]) -> None:
    """People added after the announcement get the notice too, and a proposed leave request
    if they are already away that day."""
    if meeting.status != MeetingStatus.ANNOUNCED or not invitations:
        return
    message_send(
        recipients=[i.person for i in invitations],
        kind=MessageKind.TASK,
        title=f"会议通知：{meeting.title}",
        body=f"时间：{when_text(meeting)}；地点：{meeting.place}。请在系统中回复是否参加。",
        url=meeting.get_absolute_url(),
    )
    leave_services.propose_for_meeting(meeting, only=invitations)


@transaction.atomic
def unit_invite_add(*, acting_user, meeting: Meeting, unit, scope: str) -> UnitInvite:
    """Invite a unit (or change its scope). Once announced, its people are invited at once."""
    meeting = _lock(meeting)
    _managed(acting_user, meeting)
    _open(meeting)
    invite, _created = UnitInvite.objects.update_or_create(meeting=meeting, unit=unit, defaults={"scope": scope})
    if meeting.status == MeetingStatus.ANNOUNCED:
        _tell_new(meeting, expand_invitations(meeting))
    return invite


@transaction.atomic
def unit_invite_remove(*, acting_user, invite: UnitInvite) -> None:
    """Remove a unit and the invitations made through it (refused if one of them signed in)."""
    meeting = _lock(invite.meeting)
    _managed(acting_user, meeting)
    _open(meeting)
    through = meeting.invitations.filter(via_unit_id=invite.unit_id)
    if through.filter(attendance__in=SIGNED_IN).exists():
        raise Refused(ERR_UNIT_SIGNED_IN.format(unit=invite.unit.name))
    for invitation in through:
        invitation.delete()
    invite.delete()


@transaction.atomic
def people_invite(*, acting_user, meeting: Meeting, people) -> list[Invitation]:
    meeting = _lock(meeting)
    _managed(acting_user, meeting)
    _open(meeting)
    people = [person for person in people if person.is_active]
    if not people:
        raise Refused(ERR_NO_PEOPLE)
    invited = set(meeting.invitations.values_list("person_id", flat=True))
    created = [Invitation.objects.create(meeting=meeting, person=p) for p in people if p.pk not in invited]
    _tell_new(meeting, created)
    return created


@transaction.atomic
def invitation_remove(*, acting_user, invitation: Invitation) -> None:
    meeting = _lock(invitation.meeting)
    _managed(acting_user, meeting)
    _open(meeting)
    invitation = Invitation.objects.select_related("person").get(pk=invitation.pk)
    if invitation.attendance in SIGNED_IN or invitation.signed_in_at:
        raise Refused(ERR_SIGNED_IN.format(name=invitation.person.name))
    invitation.delete()


@transaction.atomic
def invitation_respond(*, acting_user, meeting: Meeting, accept: bool, note: str = "") -> Invitation:
    """The invitee accepts or declines, with an optional note, before the meeting starts."""
    invitation = Invitation.objects.select_for_update().filter(meeting=meeting, person=acting_user).first()
    if invitation is None:
        raise Refused(ERR_NOT_INVITED)
    meeting = Meeting.objects.get(pk=meeting.pk)
    refusal = respond_refusal(meeting)
    if refusal:
        raise Refused(refusal)
    invitation.response = Response.ACCEPTED if accept else Response.DECLINED
    invitation.response_note = (note or "").strip()[:200]
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["response", "response_note", "responded_at"])
    if not accept:
        note_text = f"说明：{invitation.response_note}" if invitation.response_note else ""
        message_send(
            recipients=[meeting.organiser],
            kind=MessageKind.SYSTEM,
            title=f"{acting_user.name}回复不参加：{meeting.title}",
            body=note_text,
            url=meeting.get_absolute_url(),
        )
    return invitation
