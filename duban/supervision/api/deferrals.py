"""Deferral requests (延期申请) through the API: the lead unit's head asks, the office or
the item's patron leader decides (via DeferralForm / DecisionForm and services.deferrals)."""

from django.core.exceptions import ValidationError
from ninja import Router, Status

from duban.api.auth import acting, api_user
from duban.api.errors import form_invalid
from duban.supervision import access as rules
from duban.supervision.api.common import DEFERRALS, ONE_ERRORS, WRITE_ERRORS, access_of, deferral_get, item_get, require
from duban.supervision.api.schemas import DeferralDecisionIn, DeferralIn, DeferralOut
from duban.supervision.forms import DecisionForm, DeferralForm
from duban.supervision.services import deferrals as services

router = Router(tags=["延期申请"])


@router.get("/items/{int:item_id}/deferrals", response={200: list[DeferralOut], **ONE_ERRORS}, summary="事项的延期申请")
def deferral_list(request, item_id: int):
    """事项的全部延期申请，新的在前。"""
    item = item_get(access_of(request), item_id)
    return DEFERRALS.filter(item=item).order_by("-requested_at", "-id")


@router.post("/items/{int:item_id}/deferrals", response={201: DeferralOut, **WRITE_ERRORS}, summary="申请延期")
def deferral_request(request, item_id: int, payload: DeferralIn):
    """仅牵头单位负责人。申请延至的日期须晚于当前完成时限；每个事项同时只能有一份待审批的申请；
    已办结或没有完成时限的事项不能申请。督查办和帮包领导会收到待办通知。"""
    access = access_of(request)
    item = item_get(access, item_id)
    require(rules.can_request_deferral(access, item), services.ERR_CANNOT_REQUEST)
    form = DeferralForm(payload.model_dump(mode="json"))
    if not form.is_valid():
        raise form_invalid(form)
    try:
        with acting(request):
            deferral = services.deferral_request(
                acting_user=api_user(request),
                item=item,
                new_due_date=form.cleaned_data["new_due_date"],
                reason=form.cleaned_data["reason"],
            )
    except ValidationError as error:
        raise form_invalid(form, error=error)
    return Status(201, DEFERRALS.get(pk=deferral.pk))


@router.post("/deferrals/{int:deferral_id}/decide", response={200: DeferralOut, **WRITE_ERRORS}, summary="审批延期")
def deferral_decide(request, deferral_id: int, payload: DeferralDecisionIn):
    """督查办或该事项的帮包领导。approve 同意（完成时限改为申请的日期，原定时限保留），
    refuse 不同意（须说明理由）。已审批过的申请 400。"""
    access = access_of(request)
    deferral = deferral_get(access, deferral_id)
    require(rules.can_decide_deferral(access, deferral.item), services.ERR_CANNOT_DECIDE)
    form = DecisionForm(payload.model_dump())
    if not form.is_valid():
        raise form_invalid(form)
    try:
        with acting(request):
            services.deferral_decide(
                acting_user=api_user(request),
                deferral=deferral,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
            )
    except ValidationError as error:
        raise form_invalid(form, error=error)
    return DEFERRALS.get(pk=deferral.pk)
