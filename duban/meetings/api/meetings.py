"""Meetings through the API: the meetings one may see, one meeting with its agenda and
one's invitation, answering an invitation, and a unit filing its agenda slot."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from duban.api.auth import acting, api_user
from duban.api.errors import ErrorOut, InvalidOut
from duban.meetings import access as rules
from duban.meetings.models import AgendaSlot, Invitation, Meeting
from duban.meetings.services import agenda as agenda_services
from duban.meetings.services import meetings as services
from duban.org.access import access_for

router = Router(tags=["会议"])

READ = {401: ErrorOut, 403: ErrorOut}
ONE = {**READ, 404: ErrorOut}
WRITE = {**ONE, 400: InvalidOut}


class MeetingOut(Schema):
    """会议"""

    id: int
    title: str
    kind: str = Field(
        description="scheduling 调度会 / mobilisation 动员部署会 / progress 推进会 / review 述职评议会 / …"
    )
    status: str = Field(description="draft 筹备中 / announced 已通知 / closed 已结束 / cancelled 已取消")
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str
    host_unit: str
    my_response: str | None = Field(None, description="本人的回复（pending / accepted / declined），未受邀为空")


class SlotOut(Schema):
    """议程：调度会上一个单位的汇报材料"""

    id: int
    order: int
    title: str
    unit_id: int | None
    unit: str | None
    progress: str
    problems: str
    next_steps: str
    filed: bool
    filed_at: datetime.datetime | None
    version: int


class InvitationOut(Schema):
    response: str
    response_note: str
    responded_at: datetime.datetime | None
    attendance: str


class MeetingDetailOut(MeetingOut):
    organiser: str
    chair: str
    agenda: str
    plan_id: int | None
    reports_due_at: datetime.datetime | None
    allows_substitute: bool
    slots: list[SlotOut]
    my_invitation: InvitationOut | None


class RespondIn(Schema):
    accept: bool = Field(description="true 参加，false 不参加")
    note: str = Field("", max_length=200, description="说明（可不填）")


class SlotIn(Schema):
    progress: str = Field(max_length=8000)
    problems: str = Field("", max_length=8000)
    next_steps: str = Field("", max_length=8000)
    version: int = Field(description="读取时的版本号，防止覆盖他人的修改")


class MeetingFilter(Schema):
    starts_from: datetime.date | None = Field(None, alias="from", description="开始日期不早于")
    starts_to: datetime.date | None = Field(None, alias="to", description="开始日期不晚于")


def _access(request):
    access = access_for(api_user(request))
    if not rules.can_see_meetings(access):
        raise PermissionDenied("无权查看会议。")
    return access


def _meeting(request, pk: int):
    access = _access(request)
    meeting = get_object_or_404(Meeting.objects.select_related("host_unit", "organiser"), pk=pk)
    if not rules.can_open(access, meeting):
        raise Http404
    return meeting, access


def _out(meeting: Meeting, my_response=None) -> dict:
    fields = ("id", "title", "kind", "status", "starts_at", "ends_at", "place")
    return {k: getattr(meeting, k) for k in fields} | {"host_unit": meeting.host_unit.name, "my_response": my_response}


def _slot(slot: AgendaSlot) -> dict:
    fields = ("id", "order", "title", "unit_id", "progress", "problems", "next_steps", "filed_at", "version")
    return {k: getattr(slot, k) for k in fields} | {
        "unit": slot.unit.name if slot.unit_id else None,
        "filed": slot.filed_at is not None,
    }


@router.get("/meetings", response={200: list[MeetingOut], **READ}, summary="会议列表")
def meeting_list(request, filters: Query[MeetingFilter]):
    """本人可以看到的会议（受邀、组织或主办的会议；督查办、校领导、纪检看到全部），按开始时间排序。
    可用 from、to（年-月-日）限定开始日期。"""
    access = _access(request)
    mine = Invitation.objects.filter(meeting=OuterRef("pk"), person=api_user(request)).values("response")[:1]
    meetings = rules.meetings_listed(access, Meeting.objects.select_related("host_unit"))
    if filters.starts_from:
        meetings = meetings.filter(starts_at__date__gte=filters.starts_from)
    if filters.starts_to:
        meetings = meetings.filter(starts_at__date__lte=filters.starts_to)
    meetings = meetings.annotate(my_response=Subquery(mine)).order_by("starts_at", "pk")
    return [_out(m, m.my_response) for m in meetings]


@router.get("/meetings/{pk}", response={200: MeetingDetailOut, **ONE}, summary="会议详情")
def meeting_detail(request, pk: int):
    """会议信息、议程（各单位汇报材料）和本人的参会回复。"""
    meeting, _ = _meeting(request, pk)
    invitation = Invitation.objects.filter(meeting=meeting, person=api_user(request)).first()
    return {
        **_out(meeting, invitation.response if invitation else None),
        "organiser": meeting.organiser.name,
        "chair": meeting.chair,
        "agenda": meeting.agenda,
        "plan_id": meeting.plan_id,
        "reports_due_at": meeting.reports_due_at,
        "allows_substitute": meeting.allows_substitute,
        "slots": [_slot(s) for s in meeting.slots.select_related("unit")],
        "my_invitation": invitation,
    }


@router.post("/meetings/{pk}/respond", response={200: InvitationOut, **WRITE}, summary="回复是否参会")
def respond(request, pk: int, data: RespondIn):
    """受邀人在会议开始前回复参加或不参加；不能参会的还须办理会议请假。"""
    meeting, _ = _meeting(request, pk)
    with acting(request):
        return services.invitation_respond(
            acting_user=api_user(request), meeting=meeting, accept=data.accept, note=data.note
        )


@router.put("/meetings/{pk}/slots/{sid}", response={200: SlotOut, **WRITE}, summary="报送汇报材料")
def slot_file(request, pk: int, sid: int, data: SlotIn):
    """汇报单位的负责人、联络员（或会议管理人员）报送本单位的工作进展、存在问题和下一步计划。"""
    meeting, _ = _meeting(request, pk)
    slot = get_object_or_404(AgendaSlot.objects.select_related("unit"), pk=sid, meeting=meeting)
    with acting(request):
        slot = agenda_services.slot_file(acting_user=api_user(request), slot=slot, **data.dict())
    return _slot(slot)
