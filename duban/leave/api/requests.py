"""Leave and travel requests through the API: my requests, submitting (with the overlap
warnings), withdrawing, returning, and the steps waiting for me. Same rules as the pages."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from duban.api.auth import acting, api_user
from duban.api.errors import ErrorOut, InvalidOut
from duban.leave import access as rules
from duban.leave import selectors
from duban.leave.models import AbsenceRequest, AbsenceType, RequestStep
from duban.leave.services import approvals
from duban.leave.services import requests as services
from duban.org.access import access_for
from duban.supervision.services import Refused

router = Router(tags=["请销假"])

READ = {401: ErrorOut, 403: ErrorOut}
ONE = {**READ, 404: ErrorOut}
WRITE = {**ONE, 400: InvalidOut}


class StepOut(Schema):
    id: int
    order: int
    label: str = Field(description="环节，如“主管领导审批”“办公室告知”")
    action: str = Field(description="approve 审批 / handle 办理 / file 备案 / notify 告知")
    status: str = Field(description="waiting 未到 / pending 待办理 / done 已办理 / refused 不同意 / cancelled 已取消")
    assignees: list[str]
    acted_by: str | None = None
    on_behalf_of: str | None = Field(None, description="受谁委托办理")
    acted_at: datetime.datetime | None = None
    note: str


class RequestOut(Schema):
    id: int
    person: str
    unit: str
    type: str = Field(description="类型代码，如 travel、annual")
    type_name: str
    starts_on: datetime.date
    ends_on: datetime.date
    days: Decimal = Field(description="工作日天数")
    status: str = Field(description="pending 审批中 / approved 已批准 / refused 未批准 / withdrawn 已撤回")
    destination: str | None = Field(None, description="目的地、事由、联系方式只对申请人和审批人返回")
    reason: str | None = None
    contact: str | None = None
    submitted_at: datetime.datetime
    returned_on: datetime.date | None = None
    actual_days: Decimal | None = None


class RequestDetailOut(RequestOut):
    steps: list[StepOut]


class SubmittedOut(RequestDetailOut):
    warnings: list[str] = Field(description="与会议、督办事项时限的冲突提醒（不影响提交）")


class RequestIn(Schema):
    type: str = Field(description="类型代码：travel 出差、annual 年休假、personal 事假、sick 病假、outing 外出报备")
    starts_on: datetime.date
    ends_on: datetime.date
    reason: str = Field(max_length=300)
    destination: str = Field("", max_length=100)
    contact: str = Field("", max_length=60)


class ReturnIn(Schema):
    returned_on: datetime.date = Field(description="返岗日期")
    note: str = Field("", max_length=200)


class ActIn(Schema):
    approve: bool = Field(description="true 同意，false 不同意（须填意见）")
    note: str = Field("", max_length=300)


class TaskOut(Schema):
    step: StepOut
    request: RequestOut


def _access(request):
    access = access_for(api_user(request))
    if not rules.can_request(access):
        raise PermissionDenied("无权使用请销假。")
    return access


def _signed_in(request):
    """Approvers act here even without a unit of their own."""
    return access_for(api_user(request))


def _out(absence, access, details=None) -> dict:
    if details is None:
        details = rules.can_see_details(access, absence)
    return {
        "id": absence.pk,
        "person": absence.person.name,
        "unit": absence.unit.name,
        "type": absence.absence_type.code,
        "type_name": absence.absence_type.name,
        "starts_on": absence.starts_on,
        "ends_on": absence.ends_on,
        "days": absence.days,
        "status": absence.status,
        "destination": absence.destination if details else None,
        "reason": absence.reason if details else None,
        "contact": absence.contact if details else None,
        "submitted_at": absence.submitted_at,
        "returned_on": absence.returned_on,
        "actual_days": absence.actual_days,
    }


def _step(step) -> dict:
    return {
        "id": step.pk,
        "order": step.order,
        "label": step.label,
        "action": step.action,
        "status": step.status,
        "assignees": [p.name for p in step.assignees.all()],
        "acted_by": step.acted_by.name if step.acted_by else None,
        "on_behalf_of": step.on_behalf_of.name if step.on_behalf_of else None,
        "acted_at": step.acted_at,
        "note": step.note,
    }


def _detail(absence, access) -> dict:
    steps = absence.steps.select_related("acted_by", "on_behalf_of").prefetch_related("assignees").order_by("order")
    return {**_out(absence, access), "steps": [_step(s) for s in steps]}


def _visible(access):
    base = AbsenceRequest.objects.select_related("person", "unit", "absence_type")
    return rules.requests_visible(access, base)


@router.get("/leave/requests", response={200: list[RequestOut], **READ}, summary="我的请假与出差")
def request_list(request):
    """调用者本人的申请，最近的在前（最多 200 条）。"""
    access = _access(request)
    rows = AbsenceRequest.objects.filter(person=access.person).select_related("person", "unit", "absence_type")
    return [_out(r, access, details=True) for r in rows[:200]]


@router.post("/leave/requests", response={200: SubmittedOut, **WRITE}, summary="提交请假/出差申请")
def request_submit(request, data: RequestIn):
    """按类型和申请人职级自动生成审批流程；报备类提交即生效。返回申请、流程和冲突提醒。"""
    access = _access(request)
    kind = AbsenceType.objects.filter(code=data.type).first()
    if kind is None:
        raise Refused({"type": ["没有这种请假类型。"]})
    with acting(request):
        absence, warnings = services.submit(
            api_user(request),
            kind,
            data.starts_on,
            data.ends_on,
            data.reason,
            destination=data.destination,
            contact=data.contact,
        )
    absence = _visible(access).get(pk=absence.pk)
    return {**_detail(absence, access), "warnings": warnings}


@router.get("/leave/requests/{pk}", response={200: RequestDetailOut, **ONE}, summary="申请详情与审批流程")
def request_detail(request, pk: int):
    access = _signed_in(request)
    return _detail(get_object_or_404(_visible(access), pk=pk), access)


@router.post("/leave/requests/{pk}/withdraw", response={200: RequestDetailOut, **WRITE}, summary="撤回申请")
def request_withdraw(request, pk: int):
    """只能撤回本人审批中的申请。"""
    access = _signed_in(request)
    absence = get_object_or_404(_visible(access), pk=pk)
    with acting(request):
        services.withdraw(api_user(request), absence)
    return _detail(_visible(access).get(pk=pk), access)


@router.post("/leave/requests/{pk}/return", response={200: RequestDetailOut, **WRITE}, summary="销假")
def request_return(request, pk: int, data: ReturnIn):
    """申请人或其单位负责人登记返岗日期；实际天数算到返岗前一天。"""
    access = _signed_in(request)
    absence = get_object_or_404(_visible(access), pk=pk)
    with acting(request):
        services.record_return(api_user(request), absence, data.returned_on, data.note)
    return _detail(_visible(access).get(pk=pk), access)


@router.get("/leave/tasks", response={200: list[TaskOut], **READ}, summary="待我办理")
def task_list(request):
    """送给调用者（或委托调用者代办的人）、正等待办理的环节。"""
    access = _signed_in(request)
    steps = selectors.pending_steps(access.person, rules.delegators(access)).select_related(
        "request__unit", "acted_by", "on_behalf_of"
    )
    return [{"step": _step(s), "request": _out(s.request, access, details=True)} for s in steps]


@router.post("/leave/tasks/{sid}", response={200: RequestDetailOut, **WRITE}, summary="审批（同意/不同意）")
def task_act(request, sid: int, data: ActIn):
    access = _signed_in(request)
    step = get_object_or_404(RequestStep.objects.filter(request__in=_visible(access)), pk=sid)
    with acting(request):
        approvals.act(api_user(request), step, data.approve, data.note)
    return _detail(_visible(access).get(pk=step.request_id), access)
