"""Attendance and meeting leave through the API: a meeting's attendance sheet (managers and
those who see every meeting; others their own record), asking for and deciding leave, and the
attendance statistics."""

import datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from duban.api.auth import acting, api_user
from duban.api.errors import ErrorOut, InvalidOut
from duban.meetings import access as rules
from duban.meetings.api.meetings import _meeting
from duban.meetings.models import MeetingLeave
from duban.meetings.services import attendance as services
from duban.meetings.services import leave as leave_services
from duban.org.access import ALL, access_for
from duban.org.models import Person
from duban.supervision.services import Refused

router = Router(tags=["会议"])

READ = {401: ErrorOut, 403: ErrorOut}
ONE = {**READ, 404: ErrorOut}
WRITE = {**ONE, 400: InvalidOut}


class LeaveOut(Schema):
    """会议请假"""

    id: int
    person_id: int
    person: str
    reason: str
    substitute: str | None
    status: str = Field(description="pending 待审批 / approved 已准假 / refused 不准假 / withdrawn 已撤回")
    is_late: bool = Field(description="会议开始后才申请（会后补假）")
    proposed: bool = Field(description="系统根据已批准的请假/出差生成")
    requested_at: datetime.datetime
    decided_at: datetime.datetime | None
    decision_note: str


class AttendanceRowOut(Schema):
    invitation_id: int
    person_id: int
    person: str
    unit: str | None
    attendance: str = Field(description="unknown 未签到 / present 出席 / late 迟到 / leave 请假 / absent 缺席")
    signed_in_at: datetime.datetime | None
    substitute: str | None


class SummaryOut(Schema):
    invited: int = Field(description="应到")
    arrived: int = Field(description="实到（出席 + 迟到）")
    present: int
    late: int
    leave: int
    absent: int
    unknown: int = Field(description="未签到")


class AttendanceOut(Schema):
    meeting_id: int
    status: str
    full: bool = Field(description="true：全部参会人员；false：只有本人的记录")
    summary: SummaryOut | None
    rows: list[AttendanceRowOut]
    leaves: list[LeaveOut]


class LeaveIn(Schema):
    reason: str = Field(max_length=300, description="请假事由")
    substitute_id: int | None = Field(None, description="委托代为参会人（会议允许委托时）")


class MeetingLeaveDecisionIn(Schema):
    approve: bool = Field(description="true 准假，false 不准假")
    note: str = Field("", max_length=200, description="审批意见（不准假时必填）")


class StatsRowOut(Schema):
    invited: int
    present: int
    late: int
    leave: int
    absent: int
    attended: int
    rate: float | None = Field(description="出勤率（%）=（出席 + 迟到）÷ 应到")


class UnitStatsOut(StatsRowOut):
    unit_id: int | None
    unit_name: str


class PersonStatsOut(StatsRowOut):
    person_id: int
    name: str
    unit_name: str


class AttendanceStatsOut(Schema):
    start: datetime.date
    end: datetime.date
    total: StatsRowOut
    units: list[UnitStatsOut]
    people: list[PersonStatsOut]


class AttendanceStatsFilter(Schema):
    start: datetime.date | None = Field(None, alias="from", description="开始日期（默认今年 1 月 1 日）")
    end: datetime.date | None = Field(None, alias="to", description="结束日期（默认今年 12 月 31 日）")
    unit: int | None = Field(None, description="只统计这个单位")


def _leave(leave: MeetingLeave) -> dict:
    fields = ("id", "reason", "status", "is_late", "proposed", "requested_at", "decided_at", "decision_note")
    person = leave.invitation.person
    return {k: getattr(leave, k) for k in fields} | {
        "person_id": person.pk,
        "person": person.name,
        "substitute": leave.substitute.name if leave.substitute_id else None,
    }


def _row(invitation) -> dict:
    unit = invitation.unit
    return {
        "invitation_id": invitation.pk,
        "person_id": invitation.person_id,
        "person": invitation.person.name,
        "unit": unit.name if unit else None,
        "attendance": invitation.attendance,
        "signed_in_at": invitation.signed_in_at,
        "substitute": invitation.substitute.name if invitation.substitute_id else None,
    }


@router.get("/meetings/{pk}/attendance", response={200: AttendanceOut, **ONE}, summary="会议出勤")
def attendance(request, pk: int):
    """会务人员和督查办、校领导、纪检看到全部参会人员的出勤和会议请假；其他参会人员只看到本人的记录。"""
    meeting, access = _meeting(request, pk)
    full = rules.can_see_sheet(access, meeting)
    invitations = meeting.invitations.select_related("person__unit", "via_unit", "substitute")
    leaves = MeetingLeave.objects.filter(invitation__meeting=meeting).select_related("invitation__person", "substitute")
    if not full:
        invitations = invitations.filter(person=api_user(request))
        leaves = leaves.filter(invitation__person=api_user(request))
    return {
        "meeting_id": meeting.pk,
        "status": meeting.status,
        "full": full,
        "summary": services.summary(meeting) if full else None,
        "rows": [_row(i) for i in invitations],
        "leaves": [_leave(leave) for leave in leaves],
    }


@router.post("/meetings/{pk}/leave", response={200: LeaveOut, **WRITE}, summary="申请会议请假")
def leave_request(request, pk: int, data: LeaveIn):
    """参会人员向会务联系人请假；会议开始后申请的记为会后补假。同一会议只能有一份待审批或已准假的申请。"""
    meeting, _access = _meeting(request, pk)
    substitute = None
    if data.substitute_id is not None:
        substitute = Person.objects.filter(pk=data.substitute_id).first()
        if substitute is None:
            raise Refused({"substitute_id": ["人员不存在。"]})
    with acting(request):
        leave = leave_services.request_leave(api_user(request), meeting, data.reason, substitute)
    return _leave(leave)


@router.post("/meetings/{pk}/leave/{lid}/decision", response={200: LeaveOut, **WRITE}, summary="审批会议请假")
def leave_decide(request, pk: int, lid: int, data: MeetingLeaveDecisionIn):
    """会务人员准假或不准假（不准假须说明理由）。准假后该参会人员的出勤记为请假。"""
    meeting, _access = _meeting(request, pk)
    leave = get_object_or_404(
        MeetingLeave.objects.select_related("invitation__person"), pk=lid, invitation__meeting=meeting
    )
    with acting(request):
        leave = leave_services.decide(api_user(request), leave, data.approve, data.note)
    return _leave(leave)


@router.get(
    "/meetings/attendance-stats", response={200: AttendanceStatsOut, **READ, 400: InvalidOut}, summary="参会统计"
)
def attendance_stats(request, filters: Query[AttendanceStatsFilter]):
    """已结束会议的出勤统计（按单位、按人员）。督查办、校领导、纪检看到全部；单位负责人、联络员看到本单位。"""
    access = access_for(api_user(request))
    if not rules.can_see_stats(access):
        raise PermissionDenied("无权查看参会统计。")
    today = timezone.localdate()
    start = filters.start or today.replace(month=1, day=1)
    end = filters.end or today.replace(month=12, day=31)
    if end < start:
        raise Refused({"to": ["结束日期不能早于开始日期。"]})
    units = rules.stats_units(access)
    if filters.unit is not None:
        if units != ALL and filters.unit not in units:
            raise PermissionDenied("无权查看该单位的参会统计。")
        units = {filters.unit}
    return {"start": start, "end": end, **services.attendance_stats(units, start, end)}
