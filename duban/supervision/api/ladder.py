"""The reminder ladder (提醒阶梯) of a plan through the API: who is reminded when, and
what was sent. Office only, like the ladder page; writes go through
services.ladder, whose refusals name the field they are about (400)."""

import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from duban.api.auth import acting, api_user
from duban.api.errors import InvalidInput, django_errors
from duban.org.access import Access
from duban.supervision import access as rules
from duban.supervision.api.common import ONE_ERRORS, WRITE_ERRORS, access_of, plan_get, require
from duban.supervision.api.schemas import ItemRef
from duban.supervision.models import Plan, Recipient, ReminderRung, ReminderSent, RungTrigger
from duban.supervision.services import ladder as services
from duban.supervision.services.plans import ERR_NOT_OFFICE

router = Router(tags=["提醒阶梯"])

SENT_SHOWN = 50
LABELS = {"trigger": "触发条件", "days": "天数", "recipients": "提醒对象", "repeat_days": "重复间隔（天）"}
RUNG_FIELDS = ("trigger", "days", "recipients", "repeat_days", "active")


# --- 提醒阶梯 -----------------------------------------------------------------------
class RungIn(Schema):
    model_config = ConfigDict(extra="forbid")

    trigger: RungTrigger = Field(description="触发条件")
    days: int = Field(description="天数（0–365）：到期前几天、逾期后几天或缺报几天；进度滞后不用")
    recipients: list[Recipient] = Field(description="提醒对象，至少一个")
    repeat_days: int = Field(0, description="重复间隔（0–365 天）；0 表示每个完成时限只提醒一次")
    active: bool = True


class RungPatch(Schema):
    """只修改请求中出现的字段。"""

    model_config = ConfigDict(extra="forbid")

    trigger: RungTrigger | None = None
    days: int | None = None
    recipients: list[Recipient] | None = None
    repeat_days: int | None = None
    active: bool | None = None


class RungOut(Schema):
    id: int
    plan_id: int
    trigger: RungTrigger
    label: str = Field(description="如“到期前 10 天”")
    days: int
    recipients: list[str]
    recipient_labels: list[str]
    repeat_days: int
    active: bool
    order: int

    @staticmethod
    def resolve_label(obj) -> str:
        return str(services.rung_label(obj))

    @staticmethod
    def resolve_recipient_labels(obj) -> list[str]:
        labels = dict(Recipient.choices)
        return [str(labels.get(r, r)) for r in obj.recipients or []]


class SentOut(Schema):
    """提醒阶梯发出的一次提醒。"""

    id: int
    item: ItemRef
    rung_id: int | None = Field(description="已删除的规则为 null")
    rung_label: str | None
    on_date: datetime.date
    due_date: datetime.date | None = Field(description="当时的完成时限")
    recipients: int = Field(description="收件人数")

    @staticmethod
    def resolve_rung_label(obj) -> str | None:
        return str(services.rung_label(obj.rung)) if obj.rung is not None else None


class LadderOut(Schema):
    rungs: list[RungOut] = Field(description="提醒规则，按页面顺序")
    sent: list[SentOut] = Field(description="最近发出的提醒（最多 50 条）")


# --- Endpoints ----------------------------------------------------------------------
def _office(request) -> Access:
    access = access_of(request)
    require(rules.can_manage(access), ERR_NOT_OFFICE)
    return access


def _ladder(plan: Plan) -> dict:
    sent = ReminderSent.objects.filter(item__plan=plan).select_related("item__lead_unit", "rung")
    return {
        "rungs": list(plan.rungs.order_by("order", "id")),
        "sent": list(sent.order_by("-on_date", "-id")[:SENT_SHOWN]),
    }


def _refused(error: ValidationError) -> InvalidInput:
    return InvalidInput(django_errors(error), LABELS)


@router.get("/plans/{int:plan_id}/ladder", response={200: LadderOut, **ONE_ERRORS}, summary="提醒阶梯")
def ladder_get(request, plan_id: int):
    """仅督查办：计划的提醒规则（按页面顺序：到期前由远及近，然后逾期、缺报、滞后）和最近发出的提醒。"""
    return _ladder(plan_get(_office(request), plan_id))


@router.post("/plans/{int:plan_id}/ladder", response={201: RungOut, **WRITE_ERRORS}, summary="新增提醒规则")
def rung_create(request, plan_id: int, payload: RungIn):
    """仅督查办。天数和重复间隔为 0–365，至少一个提醒对象；不符合时 400 并指明字段。"""
    plan = plan_get(_office(request), plan_id)
    try:
        with acting(request):
            rung = services.rung_add(acting_user=api_user(request), plan=plan, **payload.model_dump(mode="json"))
    except ValidationError as error:
        raise _refused(error)
    return Status(201, ReminderRung.objects.get(pk=rung.pk))


@router.patch("/rungs/{int:rung_id}", response={200: RungOut, **WRITE_ERRORS}, summary="修改提醒规则")
def rung_update(request, rung_id: int, payload: RungPatch):
    """仅督查办。只修改请求中出现的字段；规则按页面顺序重新排序。"""
    _office(request)
    rung = get_object_or_404(ReminderRung.objects.select_related("plan"), pk=rung_id)
    for name, value in payload.model_dump(mode="json", exclude_unset=True).items():
        if value is not None:
            setattr(rung, name, value)
    try:
        with acting(request):
            services.rungs_update(acting_user=api_user(request), plan=rung.plan, rungs=[rung])
    except ValidationError as error:
        raise _refused(error)
    return ReminderRung.objects.get(pk=rung.pk)


@router.delete("/rungs/{int:rung_id}", response={204: None, **ONE_ERRORS}, summary="删除提醒规则")
def rung_delete(request, rung_id: int):
    """仅督查办。已发出的提醒记录保留。"""
    _office(request)
    rung = get_object_or_404(ReminderRung, pk=rung_id)
    with acting(request):
        services.rung_delete(acting_user=api_user(request), rung=rung)
    return Status(204, None)


@router.post("/plans/{int:plan_id}/ladder/reset", response={200: LadderOut, **WRITE_ERRORS}, summary="恢复默认提醒规则")
def ladder_reset(request, plan_id: int):
    """仅督查办。以默认的提醒阶梯替换计划的全部提醒规则。"""
    plan = plan_get(_office(request), plan_id)
    with acting(request):
        services.ladder_restore_default(acting_user=api_user(request), plan=plan)
    return _ladder(plan)
