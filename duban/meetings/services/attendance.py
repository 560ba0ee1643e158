"""Attendance (签到与出勤): people sign in by scanning the QR code at the door, the clerk ticks
names, closing the meeting turns the rest into absences (or leave), and statistics per person
and per unit over a period."""

import datetime
import hmac

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from duban.meetings import access as rules
from duban.meetings.models import Attendance, Invitation, LeaveStatus, Meeting, MeetingStatus
from duban.org.access import ALL, access_for
from duban.org.models import Unit
from duban.supervision.services import Refused

# Sign-in opens this long before the start and closes at the end.
OPENS_BEFORE = datetime.timedelta(minutes=60)

ERR_TOKEN = "签到二维码无效，请扫描会场门口显示的二维码。"
ERR_NOT_INVITED = "您不在本次会议的参会名单中，请联系会务人员。"
ERR_CANCELLED = "会议已取消。"
ERR_CLOSED = "会议已结束，签到已关闭。"
ERR_DRAFT = "会议尚未发出通知，不能签到。"
ERR_TOO_EARLY = "签到尚未开始：会前 60 分钟（{time}）起开放签到。"
ERR_OVER = "会议已结束，签到已关闭。"
ERR_CANNOT_MANAGE = "只有会务人员可以登记出勤。"
ERR_BAD_ATTENDANCE = "出勤状态无效。"
ERR_MARK_EARLY = "签到尚未开始，现在只能登记请假。"
ERR_MARK_UNKNOWN = "会议已结束，出勤须登记为出席、迟到、请假或缺席。"
ERR_NOT_ANNOUNCED = "只有已通知的会议可以结束。"
ERR_ALREADY_CLOSED = "会议已经结束。"
ERR_NOT_STARTED = "会议尚未开始，不能结束。"

SIGNED = (Attendance.PRESENT, Attendance.LATE)


def status_refusal(meeting: Meeting) -> str | None:
    """Why a meeting takes no sign-in or leave in its current status (None if it does)."""
    return {
        MeetingStatus.CANCELLED: ERR_CANCELLED,
        MeetingStatus.CLOSED: ERR_CLOSED,
        MeetingStatus.DRAFT: ERR_DRAFT,
    }.get(meeting.status)


def opens_at(meeting: Meeting) -> datetime.datetime:
    return meeting.starts_at - OPENS_BEFORE


def late_from(meeting: Meeting) -> datetime.datetime:
    return meeting.starts_at + datetime.timedelta(minutes=meeting.late_after_minutes)


def token_ok(meeting: Meeting, token: str) -> bool:
    return hmac.compare_digest(str(token or "").encode(), meeting.sign_in_token.encode())


def check_sign_in(person, meeting: Meeting, token: str, now: datetime.datetime | None = None, lock=False):
    """The person's invitation if they may sign in now; else Refused with the reason."""
    now = now or timezone.now()
    if not token_ok(meeting, token):
        raise Refused(ERR_TOKEN)
    refusal = status_refusal(meeting)
    if refusal:
        raise Refused(refusal)
    if now < opens_at(meeting):
        raise Refused(ERR_TOO_EARLY.format(time=timezone.localtime(opens_at(meeting)).strftime("%H:%M")))
    if now > meeting.ends_at:
        raise Refused(ERR_OVER)
    invitations = Invitation.objects.select_for_update() if lock else Invitation.objects
    invitation = invitations.filter(meeting=meeting, person=person).first()
    if invitation is None:
        raise Refused(ERR_NOT_INVITED)
    invitation.meeting = meeting
    return invitation


@transaction.atomic
def sign_in(person, meeting: Meeting, token: str, now: datetime.datetime | None = None) -> Invitation:
    """The person scanned the door's QR code. PRESENT, or LATE after the grace minutes; a second
    scan keeps the first time. The returned invitation has `first_scan` set."""
    now = now or timezone.now()
    meeting = Meeting.objects.get(pk=meeting.pk)
    invitation = check_sign_in(person, meeting, token, now, lock=True)
    if invitation.attendance in SIGNED and invitation.signed_in_at:
        invitation.first_scan = False
        return invitation
    # Someone on approved leave who comes anyway is present.
    invitation.attendance = Attendance.LATE if now > late_from(meeting) else Attendance.PRESENT
    invitation.signed_in_at = now
    invitation.signed_in_by = person
    invitation.save(update_fields=["attendance", "signed_in_at", "signed_in_by"])
    invitation.first_scan = True
    return invitation


def require_manager(acting_user, meeting: Meeting, message: str = ERR_CANNOT_MANAGE) -> None:
    if not rules.can_manage(access_for(acting_user), meeting):
        raise PermissionDenied(message)


@transaction.atomic
def mark(acting_user, invitation: Invitation, attendance: str, now: datetime.datetime | None = None) -> Invitation:
    """The clerk ticks a name. A closed meeting's record can still be corrected."""
    now = now or timezone.now()
    invitation = Invitation.objects.select_for_update().select_related("meeting", "person").get(pk=invitation.pk)
    meeting = invitation.meeting
    require_manager(acting_user, meeting)
    if attendance not in Attendance.values:
        raise Refused(ERR_BAD_ATTENDANCE)
    if meeting.status == MeetingStatus.CANCELLED:
        raise Refused(ERR_CANCELLED)
    if meeting.status == MeetingStatus.DRAFT:
        raise Refused(ERR_DRAFT)
    if meeting.status == MeetingStatus.CLOSED and attendance == Attendance.UNKNOWN:
        raise Refused(ERR_MARK_UNKNOWN)
    if attendance not in (Attendance.LEAVE, Attendance.UNKNOWN) and now < opens_at(meeting):
        raise Refused(ERR_MARK_EARLY)
    invitation.attendance = attendance
    if attendance in SIGNED:
        if invitation.signed_in_at is None:
            invitation.signed_in_at = min(now, meeting.ends_at)
            invitation.signed_in_by = acting_user
    else:
        invitation.signed_in_at = None
        invitation.signed_in_by = None
    invitation.save(update_fields=["attendance", "signed_in_at", "signed_in_by"])
    return invitation


def close_refusal(meeting: Meeting, now: datetime.datetime | None = None) -> str | None:
    """Why the meeting cannot be closed now (None if it can): announced, and started."""
    if meeting.status == MeetingStatus.CLOSED:
        return ERR_ALREADY_CLOSED
    if meeting.status != MeetingStatus.ANNOUNCED:
        return ERR_NOT_ANNOUNCED
    if (now or timezone.now()) < meeting.starts_at:
        return ERR_NOT_STARTED
    return None


@transaction.atomic
def close(acting_user, meeting: Meeting, now: datetime.datetime | None = None) -> Meeting:
    """结束会议: whoever has not signed in is absent, or on leave with an approved request."""
    now = now or timezone.now()
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    require_manager(acting_user, meeting, "只有会务人员可以结束会议。")
    refusal = close_refusal(meeting, now)
    if refusal:
        raise Refused(refusal)
    on_leave = set(
        meeting.invitations.filter(leaves__status=LeaveStatus.APPROVED).values_list("pk", flat=True).distinct()
    )
    # One save per person so that record history shows each change.
    for invitation in meeting.invitations.select_for_update().filter(attendance=Attendance.UNKNOWN):
        invitation.attendance = Attendance.LEAVE if invitation.pk in on_leave else Attendance.ABSENT
        invitation.save(update_fields=["attendance"])
    meeting.status = MeetingStatus.CLOSED
    meeting.closed_at = now
    meeting.version += 1
    meeting.save(update_fields=["status", "closed_at", "version"])
    return meeting


NO_UNIT = "（未分单位）"

COUNTS = {
    "invited": Count("pk"),
    "present": Count("pk", filter=Q(attendance=Attendance.PRESENT)),
    "late": Count("pk", filter=Q(attendance=Attendance.LATE)),
    "leave": Count("pk", filter=Q(attendance=Attendance.LEAVE)),
    "absent": Count("pk", filter=Q(attendance=Attendance.ABSENT)),
}


def _rate(row: dict) -> dict:
    row["attended"] = row["present"] + row["late"]
    row["rate"] = round(row["attended"] * 100 / row["invited"], 1) if row["invited"] else None
    return row


def summary(meeting: Meeting) -> dict:
    """应到/实到/迟到/请假/缺席/未签到 of one meeting (one query); `arrived` is 出席 + 迟到."""
    counts = meeting.invitations.aggregate(**COUNTS, unknown=Count("pk", filter=Q(attendance=Attendance.UNKNOWN)))
    counts["arrived"] = counts["present"] + counts["late"]
    return counts


# --- Statistics ----------------------------------------------------------------------------


def stats_invitations(unit_ids, start: datetime.date, end: datetime.date):
    """Invitations to closed meetings that started within start..end, with `stat_unit`: the unit
    the person was invited through (else their own unit); restricted to unit_ids unless ALL."""
    queryset = Invitation.objects.filter(
        meeting__status=MeetingStatus.CLOSED, meeting__starts_at__date__gte=start, meeting__starts_at__date__lte=end
    ).annotate(stat_unit=Coalesce(F("via_unit_id"), F("person__unit_id")))
    if unit_ids != ALL:
        queryset = queryset.filter(stat_unit__in=list(unit_ids))
    return queryset


def attendance_stats(unit_ids, start: datetime.date, end: datetime.date) -> dict:
    """{"units": [...], "people": [...], "total": {...}}: invited, present, late, leave, absent,
    attended and rate (percent, one decimal) per unit (the unit one was invited through) and
    per person (with their own unit). Three queries."""
    base = stats_invitations(unit_ids, start, end)
    by_unit = list(base.values("stat_unit").annotate(**COUNTS).order_by())
    by_person = list(base.values("person_id", "person__name", "person__unit__name").annotate(**COUNTS).order_by())
    unit_names = {
        u.pk: u
        for u in Unit.objects.filter(pk__in={r["stat_unit"] for r in by_unit if r["stat_unit"]}).only("name", "order")
    }
    units = []
    for row in by_unit:
        unit = unit_names.get(row["stat_unit"])
        row.update(unit_id=row.pop("stat_unit"), unit_name=unit.name if unit else NO_UNIT)
        row["_order"] = (unit.order, unit.pk) if unit else (10**9, 0)
        units.append(_rate(row))
    units.sort(key=lambda r: r.pop("_order"))
    people = []
    for row in by_person:
        row = {
            "person_id": row["person_id"],
            "name": row["person__name"],
            "unit_name": row["person__unit__name"] or NO_UNIT,
            **{key: row[key] for key in COUNTS},
        }
        people.append(_rate(row))
    people.sort(key=lambda r: (r["rate"] if r["rate"] is not None else 101, r["unit_name"], r["name"]))
    total = {key: sum(r[key] for r in units) for key in COUNTS}
    return {"units": units, "people": people, "total": _rate(total)}
