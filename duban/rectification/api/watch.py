"""Relapse watch (防止反弹回潮) through the API: re-checks (all visible, the caller's
own, those due), recording that a re-check holds, or that it found a relapse (which
reopens the measure)."""

from django.db.models import Q
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import paginate

from duban.api.auth import acting, api_user
from duban.api.pagination import Pagination
from duban.org.access import ALL
from duban.org.models import Role
from duban.rectification import access as rules
from duban.rectification.api.common import (
    READ_ERRORS,
    RECHECKS,
    WRITE_ERRORS,
    access_of,
    recheck_get,
    require,
)
from duban.rectification.api.schemas import RecheckFilter, RecheckOut, RelapseIn, RemarkIn
from duban.rectification.models import Measure, RecheckState
from duban.rectification.services import watch as services

router = Router(tags=["复查与反弹"])


def _recheck_out(pk: int):
    return RECHECKS.get(pk=pk)


@router.get("/rectification/rechecks", response={200: list[RecheckOut], **READ_ERRORS}, summary="复查列表")
@paginate(Pagination)
def recheck_list(request, filters: Query[RecheckFilter]):
    """调用者可见措施的销号后复查，按复查日期。mine=true 只列出调用者可以复查的（联系该单位的
    联络组成员；督查办为全部）；due=true 只列出已到期、待复查的。"""
    access = access_of(request)
    visible = rules.measures_visible(access, Measure.objects.all()).values("pk")
    rechecks = RECHECKS.filter(measure__in=visible)
    if filters.mine and not rules.can_manage(access):
        units = access.scope(Role.TASKFORCE)
        if units != ALL:
            rechecks = rechecks.filter(Q(measure__item__lead_unit_id__in=units or []))
    if filters.due:
        rechecks = rechecks.filter(state=RecheckState.SCHEDULED, due_on__lte=timezone.localdate())
    if filters.state:
        rechecks = rechecks.filter(state=filters.state)
    if filters.plan_id is not None:
        rechecks = rechecks.filter(measure__finding__plan_id=filters.plan_id)
    return rechecks.order_by("due_on", "id")


@router.post(
    "/rectification/rechecks/{int:recheck_id}/hold",
    response={200: RecheckOut, **WRITE_ERRORS},
    summary="复查：巩固良好",
)
def recheck_hold(request, recheck_id: int, payload: RemarkIn | None = None):
    """联系该单位的联络组成员或督查办，在复查日期当天或之后记录。已完成或已取消的复查、
    未到期的复查 400。"""
    access = access_of(request)
    recheck = recheck_get(access, recheck_id)
    require(rules.can_recheck(access, recheck.measure), services.ERR_CANNOT_RECHECK)
    with acting(request):
        services.recheck_hold(acting_user=api_user(request), recheck=recheck, remark=payload.remark if payload else "")
    return _recheck_out(recheck.pk)


@router.post(
    "/rectification/rechecks/{int:recheck_id}/relapse",
    response={200: RecheckOut, **WRITE_ERRORS},
    summary="复查：出现反弹",
)
def recheck_relapse(request, recheck_id: int, payload: RelapseIn):
    """记录反弹：措施重新打开（回到整改中），取消其后的复查，通知牵头单位和督查办，
    并计入该单位的反弹统计。须写明反弹的具体情况。"""
    access = access_of(request)
    recheck = recheck_get(access, recheck_id)
    require(rules.can_recheck(access, recheck.measure), services.ERR_CANNOT_RECHECK)
    with acting(request):
        services.recheck_relapse(acting_user=api_user(request), recheck=recheck, description=payload.description)
    return _recheck_out(recheck.pk)
